/*
 * Flagger fixtures: a Canary over the Deployment guestbook in guestbook-prod and the
 * `guestbook-primary` Deployment Flagger runs the serving pods in, in the format Flagger
 * writes (pkg/apis/flagger/v1beta1/canary.go, status.go; the Promoted condition as
 * MakeStatusConditions words it; the Warning events its scheduler records, reason Synced).
 * When Flagger fails a canary it writes `failedChecks: 0` and `canaryWeight: 0`: the count
 * is only in its "Rolling back … failed checks threshold reached 5" event.
 */
import {
  KubeObject,
  buildDeployment,
  buildEvent,
  buildReadyPods,
  fakeUid,
  minutesAgo,
  objectMeta,
} from './clusterObjects';
import {
  CANARY_IMAGE,
  NAMESPACE,
  ProgressiveScenario,
  SERVICE,
  STABLE_IMAGE,
} from './progressiveRollouts';

const LOAD_TESTER = 'http://flagger-loadtester.test';
const ARGO_APP = { engine: 'argocd' as const, application: NAMESPACE };
const PRIMARY = `${SERVICE}-primary`;
const SELECTOR = 'app.kubernetes.io/name';

/** The load test every Canary runs, and the manual gates of the WaitingPromotion one. */
const LOAD_TEST = {
  name: 'load-test',
  type: 'rollout',
  url: `${LOAD_TESTER}/`,
  timeout: '5s',
  metadata: {
    cmd: `hey -z 1m -q 10 -c 2 http://${SERVICE}-canary.${NAMESPACE}/`,
  },
};
export const GATES = [
  {
    name: 'approve-promotion',
    type: 'confirm-promotion',
    url: `${LOAD_TESTER}/gate/check`,
  },
  {
    name: 'manual-rollback',
    type: 'rollback',
    url: `${LOAD_TESTER}/rollback/check`,
  },
];

const PROMOTED: Record<string, ['True' | 'False' | 'Unknown', string]> = {
  Progressing: [
    'Unknown',
    'New revision detected, progressing canary analysis.',
  ],
  WaitingPromotion: ['Unknown', 'Waiting for approval.'],
  Failed: ['False', 'Canary analysis failed, Deployment scaled to zero.'],
  Succeeded: [
    'True',
    'Canary analysis completed successfully, promotion finished.',
  ],
};

/** A Canary of guestbook: 10 % steps up to 50 %, five failed checks roll it back. */
export function buildCanary(o: {
  phase: 'Progressing' | 'WaitingPromotion' | 'Failed' | 'Succeeded';
  canaryWeight: number;
  failedChecks: number;
  /** When the phase began. */
  minutes: number;
  gates?: boolean;
}): KubeObject {
  const [status, message] = PROMOTED[o.phase];
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: objectMeta('Canary', NAMESPACE, SERVICE, {
      createdMinutesAgo: 45 * 24 * 60,
      generation: 3,
      labels: { 'app.kubernetes.io/name': SERVICE },
      annotations: {
        'argocd.argoproj.io/tracking-id': `${NAMESPACE}:flagger.app/Canary:${NAMESPACE}/${SERVICE}`,
      },
    }),
    spec: {
      provider: 'nginx',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: SERVICE },
      ingressRef: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        name: SERVICE,
      },
      progressDeadlineSeconds: 600,
      service: { port: 80, targetPort: 8080 },
      analysis: {
        interval: '1m',
        threshold: 5,
        maxWeight: 50,
        stepWeight: 10,
        metrics: [
          {
            name: 'request-success-rate',
            interval: '1m',
            thresholdRange: { min: 99 },
          },
          {
            name: 'request-duration',
            interval: '1m',
            thresholdRange: { max: 500 },
          },
        ],
        webhooks: [LOAD_TEST, ...(o.gates ? GATES : [])],
      },
    },
    status: {
      phase: o.phase,
      canaryWeight: o.canaryWeight,
      failedChecks: o.failedChecks,
      iterations: 0,
      lastAppliedSpec: '5d8f7c6b9',
      lastPromotedSpec: '7b6c5d4f8',
      lastTransitionTime: minutesAgo(o.minutes),
      trackedConfigs: {},
      conditions: [
        {
          type: 'Promoted',
          status,
          reason: o.phase,
          message,
          lastTransitionTime: minutesAgo(o.phase === 'Failed' ? o.minutes : 14),
          lastUpdateTime: minutesAgo(o.minutes),
        },
      ],
    },
  };
}

/** The target Deployment (Git's guestbook, v1.0.5): Flagger scales it to zero when idle. */
function target(replicas: number): KubeObject {
  return buildDeployment({
    service: SERVICE,
    namespace: NAMESPACE,
    image: CANARY_IMAGE,
    replicas,
    managedBy: ARGO_APP,
    generation: 9,
  });
}

/**
 * `guestbook-primary`, which Flagger creates from the target, owned by the Canary: the
 * selector label gets `-primary`, the other labels are copied, and it runs v1.0.4.
 */
export function primaryDeployment(canary: KubeObject): KubeObject {
  const base = buildDeployment({
    service: SERVICE,
    namespace: NAMESPACE,
    image: STABLE_IMAGE,
    replicas: 3,
    managedBy: ARGO_APP,
  });
  const { annotations: _tracking, ...meta } = base.metadata;
  return {
    ...base,
    metadata: {
      ...meta,
      ...objectMeta('Deployment', NAMESPACE, PRIMARY, {
        createdMinutesAgo: 45 * 24 * 60,
        generation: 4,
        labels: { ...base.metadata.labels, [SELECTOR]: PRIMARY },
        annotations: { 'deployment.kubernetes.io/revision': '4' },
      }),
      ownerReferences: [
        {
          apiVersion: 'flagger.app/v1beta1',
          kind: 'Canary',
          name: SERVICE,
          uid: canary.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...base.spec,
      selector: { matchLabels: { [SELECTOR]: PRIMARY } },
      template: {
        ...base.spec.template,
        metadata: {
          labels: {
            ...base.spec.template.metadata.labels,
            [SELECTOR]: PRIMARY,
          },
        },
      },
    },
  };
}

/** Ready pods of the primary: the primary's labels, named after its ReplicaSet. */
function primaryPods(count: number): KubeObject[] {
  return buildReadyPods({
    service: SERVICE,
    namespace: NAMESPACE,
    image: STABLE_IMAGE,
    count,
    createdMinutesAgo: 2900,
    firstIndex: 10,
  }).map(pod => ({
    ...pod,
    metadata: {
      ...pod.metadata,
      name: pod.metadata.name.replace(SERVICE, PRIMARY),
      generateName: pod.metadata.generateName.replace(SERVICE, PRIMARY),
      uid: fakeUid(`primary/${pod.metadata.name}`),
      labels: { ...pod.metadata.labels, [SELECTOR]: PRIMARY },
      ownerReferences: pod.metadata.ownerReferences.map((r: any) => ({
        ...r,
        name: r.name.replace(SERVICE, PRIMARY),
      })),
    },
  }));
}

function canaryPods(count: number): KubeObject[] {
  return buildReadyPods({
    service: SERVICE,
    namespace: NAMESPACE,
    image: CANARY_IMAGE,
    count,
    createdMinutesAgo: 7,
  });
}

/** A Warning event of Flagger's scheduler on the Canary. */
export function flaggerEvent(
  canary: KubeObject,
  message: string,
  minutes: number,
  count = 1,
): KubeObject {
  return buildEvent({
    involved: canary,
    type: 'Warning',
    reason: 'Synced',
    message,
    count,
    firstMinutesAgo: minutes,
    lastMinutesAgo: minutes,
    component: 'flagger',
  });
}

const HALT = (metric: string, value: string, op: string, limit: number) =>
  `Halt ${SERVICE}.${NAMESPACE} advancement ${metric} ${value} ${op} ${limit}`;
const DESIRED = { image: 'ghcr.io/acme/guestbook', tag: 'v1.0.5', replicas: 3 };

/** At 30 %, one failed check so far (success rate 98.12 % < 99 %). */
function progressingAt30(): ProgressiveScenario {
  const canary = buildCanary({
    phase: 'Progressing',
    canaryWeight: 30,
    failedChecks: 1,
    minutes: 1,
  });
  return {
    name: 'Flagger Canary progressing at 30 %',
    desired: DESIRED,
    snapshot: {
      canaries: [canary],
      deployments: [target(3), primaryDeployment(canary)],
      pods: [...primaryPods(3), ...canaryPods(3)],
      events: [
        flaggerEvent(canary, HALT('request-success-rate', '98.12', '<', 99), 2),
      ],
    },
  };
}

/** At 50 %, the analysis passed: it waits for the confirm-promotion gate to open. */
function waitingPromotion(): ProgressiveScenario {
  const canary = buildCanary({
    phase: 'WaitingPromotion',
    canaryWeight: 50,
    failedChecks: 0,
    minutes: 3,
    gates: true,
  });
  return {
    name: 'Flagger Canary waiting for promotion at a gate',
    desired: DESIRED,
    snapshot: {
      canaries: [canary],
      deployments: [target(3), primaryDeployment(canary)],
      pods: [...primaryPods(3), ...canaryPods(3)],
    },
  };
}

/** Five failed success-rate checks: rolled back, the target scaled to zero. */
function failedChecks(): ProgressiveScenario {
  const canary = buildCanary({
    phase: 'Failed',
    canaryWeight: 0,
    failedChecks: 0,
    minutes: 1,
  });
  const halts = ['97.10', '95.42', '93.80', '91.25', '87.50'].map((value, i) =>
    flaggerEvent(canary, HALT('request-success-rate', value, '<', 99), 6 - i),
  );
  return {
    name: 'Flagger Canary failed its checks',
    desired: DESIRED,
    snapshot: {
      canaries: [canary],
      deployments: [target(0), primaryDeployment(canary)],
      pods: primaryPods(3),
      events: [
        ...halts,
        flaggerEvent(
          canary,
          `Rolling back ${SERVICE}.${NAMESPACE} failed checks threshold reached 5`,
          1,
        ),
        flaggerEvent(
          canary,
          `Canary failed! Scaling down ${SERVICE}.${NAMESPACE}`,
          1,
        ),
      ],
    },
  };
}

export const flaggerScenarios = {
  progressingAt30,
  waitingPromotion,
  failedChecks,
};
