import { validateWithModels } from 'gitops-testkit';
import {
  ClusterSnapshot,
  Engine,
  FIXTURE_NOW,
  KubeObject,
  fakeSha256,
  healthyArgoService,
  healthyFluxHelmService,
  healthyFluxService,
  imageRef,
  snapshotObjects,
} from './clusterObjects';
import {
  FailureScenario,
  ProblemType,
  failureScenarios,
} from './failureScenarios';

/** The kubernetes-models verdict (null: valid) for each object. */
function verdictsOf(objects: KubeObject[]): Map<KubeObject, string | null> {
  const verdicts = validateWithModels(objects);
  return new Map(objects.map((object, i) => [object, verdicts[i]]));
}

const KIND_OF_BUCKET: Record<keyof ClusterSnapshot, string> = {
  deployments: 'Deployment',
  pods: 'Pod',
  horizontalpodautoscalers: 'HorizontalPodAutoscaler',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  events: 'Event',
  applications: 'Application',
  kustomizations: 'Kustomization',
  helmreleases: 'HelmRelease',
  gitrepositories: 'GitRepository',
  ocirepositories: 'OCIRepository',
};

type Case = Omit<FailureScenario, 'type'> & { type: ProblemType | null };

function healthyCase(
  name: string,
  engine: Engine,
  snapshot: ClusterSnapshot,
  desired: Partial<FailureScenario['desired']> = {},
): Case {
  return {
    type: null,
    name,
    engine,
    snapshot,
    service: 'guestbook',
    env: 'prod',
    namespace: 'guestbook-prod',
    desired: {
      image: 'ghcr.io/acme/guestbook',
      tag: 'v1.0.3',
      digest: null,
      replicas: 3,
      ...desired,
    },
    alsoProduces: [],
  };
}

const base = { service: 'guestbook', env: 'prod', tag: 'v1.0.3', replicas: 3 };
const digest = fakeSha256('guestbook:v1.0.3');
const hpa = { min: 3, max: 10, current: 4, cpu: 70 };

const healthyCases: Case[] = [
  healthyCase('healthyArgoService', 'argocd', healthyArgoService(base)),
  healthyCase(
    'healthyArgoService with an HPA',
    'argocd',
    healthyArgoService({ ...base, hpa }),
    { replicas: null },
  ),
  healthyCase('healthyFluxService', 'flux', healthyFluxService(base)),
  healthyCase(
    'healthyFluxService with an HPA',
    'flux',
    healthyFluxService({ ...base, hpa }),
    { replicas: null },
  ),
  healthyCase(
    'healthyFluxService pinned by tag and digest',
    'flux',
    healthyFluxService({ ...base, digest }),
    { digest },
  ),
  healthyCase(
    'healthyFluxService pinned by digest only',
    'flux',
    healthyFluxService({ ...base, tag: undefined, digest }),
    { tag: null, digest },
  ),
  healthyCase('healthyFluxHelmService', 'flux', healthyFluxHelmService(base)),
  healthyCase(
    'healthyFluxHelmService after its first install',
    'flux',
    healthyFluxHelmService({ ...base, lastAction: 'install' }),
  ),
];

const allCases: Case[] = [...healthyCases, ...failureScenarios];
const verdicts = verdictsOf(allCases.flatMap(c => snapshotObjects(c.snapshot)));

const NOW = Date.parse(FIXTURE_NOW);
const ageMinutes = (time: string) => (NOW - Date.parse(time)) / 60_000;

// -----------------------------------------------------------------------------------------
// The signals of failure-modes.md, read the way the doc states them. A scenario must show
// its own signal (plus `alsoProduces`) and no other; healthy snapshots show none.
// -----------------------------------------------------------------------------------------

const containerStatuses = (s: ClusterSnapshot): Record<string, any>[] =>
  s.pods.flatMap(p => p.status.containerStatuses ?? []);
const conditionOf = (o: KubeObject, type: string) =>
  (o.status?.conditions ?? []).find(
    (c: Record<string, any>) => c.type === type,
  );
const isFalse = (o: KubeObject, type: string) =>
  conditionOf(o, type)?.status === 'False';
const podEvents = (s: ClusterSnapshot, reasons: string[]) =>
  s.events.filter(
    e => e.involvedObject.kind === 'Pod' && reasons.includes(e.reason),
  );
const minutesOf = (duration: string) => {
  const m = duration.match(/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/)!;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) + Number(m[3] ?? 0) / 60;
};
// Comparison errors about fetching Git are the source's problem, not the manifests'.
const REPO_ACCESS =
  /repository not found|authentication required|failed to list refs|unable to clone/i;
const FLUX_SYNC_FAILURES = [
  'ReconciliationFailed',
  'BuildFailed',
  'HealthCheckFailed',
  'InstallFailed',
  'UpgradeFailed',
];

// Verification is read from checks, not cluster objects; image automation from its own
// objects, whose fixtures imageAutomationObjects.test.ts checks; signatures from the
// registry; Vulnerable and PolicyViolation from the reports of securityReportObjects.ts;
// RolloutPaused, RolloutAborted, CanaryFailed and AnalysisInconclusive from the Rollouts,
// AnalysisRuns and Canaries of progressive.ts, which progressive.test.ts checks against the
// controllers' schemas.
const SIGNALS: Record<
  Exclude<
    ProblemType,
    | 'VerificationFailed'
    | 'AutomationFailed'
    | 'Unsigned'
    | 'Vulnerable'
    | 'PolicyViolation'
    | 'RolloutPaused'
    | 'RolloutAborted'
    | 'CanaryFailed'
    | 'AnalysisInconclusive'
  >,
  (s: ClusterSnapshot, c: Case) => boolean
> = {
  CrashLoopBackOff: s =>
    containerStatuses(s).some(
      c =>
        c.state?.waiting?.reason === 'CrashLoopBackOff' && c.restartCount > 0,
    ),
  ImagePullBackOff: s =>
    containerStatuses(s).some(c =>
      ['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName'].includes(
        c.state?.waiting?.reason,
      ),
    ),
  OOMKilled: s =>
    containerStatuses(s).some(
      c =>
        c.lastState?.terminated?.reason === 'OOMKilled' ||
        c.state?.terminated?.reason === 'OOMKilled',
    ),
  ProbeFailing: s =>
    podEvents(s, ['Unhealthy']).some(e => {
      const pod = s.pods.find(p => p.metadata.uid === e.involvedObject.uid);
      const status = pod?.status.containerStatuses?.[0];
      return (
        /^(Readiness|Liveness) probe failed/.test(e.message) &&
        status?.state?.running !== undefined &&
        status.ready === false
      );
    }),
  Unschedulable: s =>
    s.pods.some(p => {
      const scheduled = conditionOf(p, 'PodScheduled');
      return (
        scheduled?.status === 'False' && scheduled.reason === 'Unschedulable'
      );
    }),
  VolumePending: s =>
    s.persistentvolumeclaims.some(c => c.status.phase === 'Pending') ||
    podEvents(s, ['FailedMount', 'FailedAttachVolume']).length > 0,
  HPAAtMax: s =>
    s.horizontalpodautoscalers.some(h => {
      const limited = conditionOf(h, 'ScalingLimited');
      return (
        h.status.currentReplicas === h.spec.maxReplicas &&
        limited?.status === 'True' &&
        limited.reason === 'TooManyReplicas'
      );
    }),
  RolloutStuck: s =>
    s.deployments.some(
      d =>
        isFalse(d, 'Progressing') &&
        conditionOf(d, 'Progressing').reason === 'ProgressDeadlineExceeded',
    ),
  SyncFailed: s =>
    s.applications.some(
      a =>
        ['Failed', 'Error'].includes(a.status.operationState?.phase) ||
        (a.status.conditions ?? []).some(
          (c: Record<string, any>) =>
            c.type === 'SyncError' ||
            (c.type === 'ComparisonError' && !REPO_ACCESS.test(c.message)),
        ),
    ) ||
    [...s.kustomizations, ...s.helmreleases].some(
      o =>
        isFalse(o, 'Ready') &&
        FLUX_SYNC_FAILURES.includes(conditionOf(o, 'Ready').reason),
    ),
  SourceNotReady: s =>
    [...s.gitrepositories, ...s.ocirepositories].some(r =>
      isFalse(r, 'Ready'),
    ) ||
    s.applications.some(a =>
      (a.status.conditions ?? []).some(
        (c: Record<string, any>) =>
          c.type === 'ComparisonError' && REPO_ACCESS.test(c.message),
      ),
    ),
  // Every environment here expects auto-sync.
  Suspended: s =>
    [...s.kustomizations, ...s.helmreleases].some(
      o => o.spec.suspend === true,
    ) ||
    s.applications.some(
      a =>
        !a.spec.syncPolicy?.automated ||
        a.spec.syncPolicy.automated.enabled === false,
    ),
  // Flux: a spec change (managedFields) not observed for 3 intervals; Argo CD: reconciledAt
  // against 3 × 3 minutes. Never Ready's lastTransitionTime (failure-modes.md).
  StaleReconcile: s =>
    s.kustomizations.some(k => {
      if (k.spec.suspend) return false;
      if (k.status.observedGeneration >= k.metadata.generation) return false;
      const specWrites = (k.metadata.managedFields ?? [])
        .filter((f: any) => f.subresource !== 'status')
        .map((f: any) => ageMinutes(f.time));
      return Math.min(...specWrites) > 3 * minutesOf(k.spec.interval);
    }) || s.applications.some(a => ageMinutes(a.status.reconciledAt) > 9),
  // Against the Deployment template: during a rollout old pods still run the old image.
  Drift: (s, c) =>
    s.deployments.some(d => {
      const want = imageRef(
        c.desired.image.split('/').pop()!,
        c.desired.tag ?? undefined,
        c.desired.digest ?? undefined,
      );
      const image = d.spec.template.spec.containers[0].image;
      const scaledByHpa = s.horizontalpodautoscalers.some(
        h => h.spec.scaleTargetRef.name === d.metadata.name,
      );
      return (
        image !== want ||
        (!scaledByHpa &&
          c.desired.replicas !== null &&
          d.spec.replicas !== c.desired.replicas)
      );
    }),
};

function firingSignals(c: Case): ProblemType[] {
  return (Object.keys(SIGNALS) as Array<keyof typeof SIGNALS>).filter(type =>
    SIGNALS[type](c.snapshot, c),
  );
}

// -----------------------------------------------------------------------------------------

function timestamps(value: unknown, where: string, out: [string, string][]) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => timestamps(v, `${where}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const isTime = /(Time|Timestamp|At|Reconciled|Deployed)$/.test(key);
      if (isTime && typeof v === 'string') {
        out.push([`${where}.${key}`, v]);
      } else {
        timestamps(v, `${where}.${key}`, out);
      }
    }
  }
  return out;
}

const label = (o: KubeObject) =>
  `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`;

describe('cluster object fixtures', () => {
  it('cover every problem type of the contract', () => {
    expect(new Set(failureScenarios.map(s => s.type))).toEqual(
      new Set(Object.keys(SIGNALS)),
    );
  });

  it('give every scenario a unique name', () => {
    const names = allCases.map(c => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('are checked by a validator that rejects schema errors and unknown kinds', () => {
    const broken: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'guestbook', namespace: 'guestbook-prod', uid: 'x' },
      spec: { replicas: 'three', selector: {}, template: {} },
    };
    const unknown: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'guestbook', namespace: 'guestbook-prod', uid: 'y' },
    };
    const checked = verdictsOf([broken, unknown]);
    expect(checked.get(broken)).toMatch(/\/spec\/replicas/);
    expect(checked.get(unknown)).toBe(
      'no kubernetes-models class for v1 ConfigMap',
    );
  });

  it('refuse a Flux service without a tag or digest', () => {
    expect(() =>
      healthyFluxService({ service: 'guestbook', env: 'prod', replicas: 1 }),
    ).toThrow(/tag or a digest/);
  });

  describe.each(allCases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const objects = snapshotObjects(c.snapshot);

    it.each(objects.map(o => [label(o), o] as const))(
      '%s validates against its kubernetes-models schema',
      (_label, object) => {
        expect(verdicts.get(object)).toBeNull();
      },
    );

    it('keeps each kind in its own list', () => {
      for (const [bucket, kind] of Object.entries(KIND_OF_BUCKET)) {
        for (const object of c.snapshot[bucket as keyof ClusterSnapshot]) {
          expect(object.kind).toBe(kind);
        }
      }
    });

    it('gives every object a name, a namespace and a unique uid', () => {
      for (const object of objects) {
        expect(object.metadata.name).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
        expect(object.metadata.namespace).toMatch(/^[a-z0-9-]+$/);
        expect(object.metadata.uid).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        expect(object.metadata.resourceVersion).toMatch(/^\d+$/);
      }
      const uids = objects.map(o => o.metadata.uid);
      expect(new Set(uids).size).toBe(uids.length);
    });

    it("matches every pod to its Deployment's selector and ReplicaSet", () => {
      for (const pod of c.snapshot.pods) {
        const owners = c.snapshot.deployments.filter(
          d =>
            d.metadata.namespace === pod.metadata.namespace &&
            Object.entries(d.spec.selector.matchLabels).every(
              ([key, value]) => pod.metadata.labels[key] === value,
            ),
        );
        expect(owners.map(label)).toHaveLength(1);
        const replicaSet = pod.metadata.ownerReferences[0].name;
        expect(replicaSet).toBe(
          `${owners[0].metadata.name}-${pod.metadata.labels['pod-template-hash']}`,
        );
      }
    });

    it('dates everything at or before FIXTURE_NOW', () => {
      const found = timestamps(c.snapshot, 'snapshot', []);
      expect(found.length).toBeGreaterThan(5);
      for (const [where, value] of found) {
        const time = Date.parse(value);
        expect({ where, valid: Number.isFinite(time) }).toEqual({
          where,
          valid: true,
        });
        expect({ where, future: time > NOW }).toEqual({
          where,
          future: false,
        });
      }
    });

    it(`shows ${
      c.type
        ? `the signals of ${[c.type, ...c.alsoProduces].join(' and ')}`
        : 'no failure signal'
    }`, () => {
      expect(firingSignals(c).sort()).toEqual(
        (c.type ? [c.type, ...c.alsoProduces] : []).sort(),
      );
    });
  });
});
