import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { invalidObjects } from 'gitops-testkit';
import { diagnose } from './diagnose';
import { KubeObject } from './kinds';
import { memoryCluster } from './memoryCluster';
import { selectServiceObjects } from './selectServiceObjects';
import { syncState } from './syncState';

/*
 * Flux and Argo CD objects written field by field in the formats the controllers write
 * (helm-controller v1 / helm.toolkit.fluxcd.io/v2, kustomize-controller v1, source-controller
 * v1, Argo CD v1alpha1), validated with the kubernetes-models classes, then mapped.
 */

const NOW = new Date('2026-11-28T12:00:00Z');
const SHA = '0d46b8b1a2c3d4e5f60718293a4b5c6d7e8f9012';
const OLD_SHA = '9a8b7c6d5e4f30211203948576aabbccddeeff00';
const DIGEST =
  'sha256:4b1e5c0a8f2d3b6e7c9a1f0e2d4b6a8c0e1f3a5b7d9c2e4f6a8b0c1d3e5f7a9b';
const ago = (minutes: number) =>
  new Date(NOW.getTime() - minutes * 60_000).toISOString();
const DAY = 24 * 60;

function readyCondition(
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  minutesAgo: number,
  generation: number,
) {
  return {
    type: 'Ready',
    status,
    reason,
    message,
    lastTransitionTime: ago(minutesAgo),
    observedGeneration: generation,
  };
}

function gitRepository(revision = `main@sha1:${SHA}`, updatedMinutesAgo = 60) {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: {
      name: 'flux-system',
      namespace: 'flux-system',
      generation: 1,
      uid: 'uid-gitrepo',
    },
    spec: {
      interval: '1m0s',
      url: 'ssh://git@github.com/acme/fleet',
      ref: { branch: 'main' },
    },
    status: {
      observedGeneration: 1,
      conditions: [
        readyCondition(
          'True',
          'Succeeded',
          `stored artifact for revision '${revision}'`,
          updatedMinutesAgo,
          1,
        ),
      ],
      artifact: {
        path: `gitrepository/flux-system/flux-system/${SHA}.tar.gz`,
        url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/flux-system/${SHA}.tar.gz`,
        revision,
        digest: DIGEST,
        lastUpdateTime: ago(updatedMinutesAgo),
        size: 91318,
      },
    },
  };
}

function ociRepository(digest = DIGEST) {
  const revision = `6.7.1@${digest}`;
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: {
      name: 'podinfo',
      namespace: 'podinfo',
      generation: 1,
      uid: 'uid-oci',
    },
    spec: {
      interval: '10m',
      url: 'oci://ghcr.io/stefanprodan/charts/podinfo',
      ref: { semver: '>=6.0.0' },
      layerSelector: {
        mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        operation: 'copy',
      },
    },
    status: {
      observedGeneration: 1,
      conditions: [
        readyCondition(
          'True',
          'Succeeded',
          `stored artifact for digest '${revision}'`,
          DAY,
          1,
        ),
      ],
      artifact: {
        path: `ocirepository/podinfo/podinfo/${digest}.tar.gz`,
        url: `http://source-controller.flux-system.svc.cluster.local./ocirepository/podinfo/podinfo/${digest}.tar.gz`,
        revision,
        digest,
        lastUpdateTime: ago(DAY),
        size: 14366,
      },
      url: `http://source-controller.flux-system.svc.cluster.local./ocirepository/podinfo/podinfo/latest.tar.gz`,
    },
  };
}

function kustomization(
  options: {
    name?: string;
    applied?: string;
    suspend?: boolean;
    readyMinutesAgo?: number;
    labels?: Record<string, string>;
  } = {},
) {
  const applied = options.applied ?? `main@sha1:${SHA}`;
  const requestedAt = ago(120);
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: options.name ?? 'apps',
      namespace: 'flux-system',
      generation: 2,
      uid: `uid-ks-${options.name ?? 'apps'}`,
      annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
      labels: options.labels,
    },
    spec: {
      interval: '10m0s',
      path: './apps/production',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      ...(options.suspend ? { suspend: true } : {}),
    },
    status: {
      observedGeneration: 2,
      lastAppliedRevision: applied,
      lastAttemptedRevision: applied,
      lastHandledReconcileAt: requestedAt,
      conditions: [
        readyCondition(
          'True',
          'ReconciliationSucceeded',
          `Applied revision: ${applied}`,
          options.readyMinutesAgo ?? 7 * DAY,
          2,
        ),
      ],
    },
  };
}

interface ReleaseOptions {
  chart: 'git-revision' | 'git-version' | 'helm-repository' | 'oci';
  /** Version or range in the release spec (not for `oci`). */
  specVersion?: string;
  installed: string;
  status?: 'deployed' | 'failed';
  generation?: number;
  observedGeneration?: number;
  readyMinutesAgo?: number;
  managedFieldsMinutesAgo?: number;
  ready?: 'True' | 'False';
}

function helmRelease(o: ReleaseOptions) {
  const generation = o.generation ?? 3;
  const observed = o.observedGeneration ?? generation;
  const chartSpec = {
    'git-revision': {
      chart: './charts/podinfo',
      sourceRef: {
        kind: 'GitRepository',
        name: 'flux-system',
        namespace: 'flux-system',
      },
      reconcileStrategy: 'Revision',
    },
    'git-version': {
      chart: './charts/podinfo',
      sourceRef: {
        kind: 'GitRepository',
        name: 'flux-system',
        namespace: 'flux-system',
      },
    },
    'helm-repository': {
      chart: 'podinfo',
      version: o.specVersion,
      sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
      interval: '12h',
    },
  } as const;
  const failed = o.status === 'failed' || o.ready === 'False';
  const action = 'upgrade';
  const message = failed
    ? `Helm upgrade failed for release podinfo/podinfo with chart podinfo@${o.installed}: context deadline exceeded`
    : `Helm upgrade succeeded for release podinfo/podinfo.v4 with chart podinfo@${o.installed}`;
  const configDigest = DIGEST;
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: {
      name: 'podinfo',
      namespace: 'podinfo',
      generation,
      uid: 'uid-hr',
      labels: {
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      },
      ...(o.managedFieldsMinutesAgo !== undefined
        ? {
            managedFields: [
              {
                manager: 'kustomize-controller',
                operation: 'Apply',
                apiVersion: 'helm.toolkit.fluxcd.io/v2',
                time: ago(o.managedFieldsMinutesAgo),
                fieldsType: 'FieldsV1',
                fieldsV1: { 'f:spec': { 'f:values': {} } },
              },
              {
                manager: 'helm-controller',
                operation: 'Update',
                apiVersion: 'helm.toolkit.fluxcd.io/v2',
                time: ago(o.managedFieldsMinutesAgo + 60),
                fieldsType: 'FieldsV1',
                fieldsV1: { 'f:status': { 'f:history': {} } },
                subresource: 'status',
              },
            ],
          }
        : {}),
    },
    spec: {
      interval: '10m',
      releaseName: 'podinfo',
      ...(o.chart === 'oci'
        ? { chartRef: { kind: 'OCIRepository', name: 'podinfo' } }
        : { chart: { spec: chartSpec[o.chart] } }),
      values: { replicaCount: 2 },
    },
    status: {
      observedGeneration: observed,
      lastAttemptedGeneration: observed,
      lastAttemptedRevision: o.installed,
      lastAttemptedConfigDigest: configDigest,
      lastAttemptedReleaseAction: action,
      helmChart: 'flux-system/podinfo-podinfo',
      storageNamespace: 'podinfo',
      conditions: [
        readyCondition(
          o.ready ?? (failed ? 'False' : 'True'),
          failed ? 'UpgradeFailed' : 'UpgradeSucceeded',
          message,
          o.readyMinutesAgo ?? 7 * DAY,
          observed,
        ),
        {
          ...readyCondition(
            failed ? 'False' : 'True',
            failed ? 'UpgradeFailed' : 'UpgradeSucceeded',
            message,
            o.readyMinutesAgo ?? 7 * DAY,
            observed,
          ),
          type: 'Released',
        },
      ],
      history: [
        {
          name: 'podinfo',
          namespace: 'podinfo',
          version: 4,
          status: o.status ?? 'deployed',
          chartName: 'podinfo',
          chartVersion: o.installed,
          appVersion: '6.7.1',
          configDigest,
          digest: DIGEST,
          firstDeployed: ago(30 * DAY),
          lastDeployed: ago(o.readyMinutesAgo ?? 7 * DAY),
        },
      ],
    },
  };
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'podinfo',
    namespace: 'podinfo',
    generation: 1,
    labels: {
      'app.kubernetes.io/name': 'podinfo',
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.toolkit.fluxcd.io/name': 'podinfo',
      'helm.toolkit.fluxcd.io/namespace': 'podinfo',
    },
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { 'app.kubernetes.io/name': 'podinfo' } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/name': 'podinfo' } },
      spec: {
        containers: [
          { name: 'podinfo', image: 'ghcr.io/stefanprodan/podinfo:6.7.1' },
        ],
      },
    },
  },
  status: {
    observedGeneration: 1,
    replicas: 2,
    updatedReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 2,
  },
};

function desiredChart(version: string | null, range = false): DesiredState {
  return {
    chart: { name: 'podinfo', version, range },
  } as unknown as DesiredState;
}

interface Case {
  name: string;
  objects: {
    release: KubeObject;
    parents?: KubeObject[];
    source?: KubeObject;
  };
  desired?: DesiredState;
  expected: {
    status: string;
    health: string;
    chartVersion?: string;
    suspendedBy?: string | null;
    message?: RegExp | null;
  };
  problems: string[];
}

const cases: Case[] = [
  {
    name: 'a chart built from Git (Revision strategy) at the source commit is Synced',
    objects: {
      release: helmRelease({
        chart: 'git-revision',
        installed: `6.7.1+${SHA.slice(0, 12)}`,
      }),
      source: gitRepository(),
    },
    expected: {
      status: 'Synced',
      health: 'Healthy',
      chartVersion: `6.7.1+${SHA.slice(0, 12)}`,
      message: null,
    },
    problems: [],
  },
  {
    name: 'a chart built from Git at an older commit than the source is OutOfSync',
    objects: {
      release: helmRelease({
        chart: 'git-revision',
        installed: `6.7.1+${OLD_SHA.slice(0, 12)}`,
      }),
      // The source moved 5 minutes ago: behind, not yet stale (3 × 10m).
      source: gitRepository(`main@sha1:${SHA}`, 5),
    },
    expected: {
      status: 'OutOfSync',
      health: 'Healthy',
      message: /built from 9a8b7c6d5e4f/,
    },
    problems: [],
  },
  {
    name: 'a chart built from Git with the ChartVersion strategy is compared with the version Git asks for',
    objects: {
      release: helmRelease({ chart: 'git-version', installed: '6.7.1' }),
      source: gitRepository(),
    },
    desired: desiredChart('6.7.1'),
    expected: { status: 'Synced', health: 'Healthy' },
    problems: [],
  },
  {
    name: 'a HelmRepository chart within the range Git asks for is Synced',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.x',
        installed: '6.7.1',
      }),
    },
    desired: desiredChart('6.x', true),
    expected: { status: 'Synced', health: 'Healthy', chartVersion: '6.7.1' },
    problems: [],
  },
  {
    name: 'a HelmRepository release whose range in Git changed is OutOfSync until applied',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.x',
        installed: '6.7.1',
      }),
    },
    desired: desiredChart('>=7.0.0 <8.0.0', true),
    expected: {
      status: 'OutOfSync',
      health: 'Healthy',
      message: /Git asks for chart >=7.0.0 <8.0.0/,
    },
    problems: [],
  },
  {
    name: 'a pre-release a pre-release range asks for is Synced (Flux includes pre-releases then)',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '>=6.0.0-0',
        installed: '6.9.1-rc.1',
      }),
    },
    desired: desiredChart('>=6.0.0-0', true),
    expected: {
      status: 'Synced',
      health: 'Healthy',
      chartVersion: '6.9.1-rc.1',
    },
    problems: [],
  },
  {
    name: 'a pre-release under a stable range is OutOfSync',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '>=6.0.0',
        installed: '6.9.1-rc.1',
      }),
    },
    expected: { status: 'OutOfSync', health: 'Healthy' },
    problems: [],
  },
  {
    name: 'an installed version outside the release range is OutOfSync',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '~6.8.0',
        installed: '6.7.1',
      }),
    },
    expected: { status: 'OutOfSync', health: 'Healthy' },
    problems: [],
  },
  {
    name: 'an OCI chart whose digest matches the OCIRepository artifact is Synced',
    objects: {
      release: helmRelease({
        chart: 'oci',
        installed: `6.7.1+${DIGEST.slice(7, 19)}`,
      }),
      source: ociRepository(),
    },
    expected: { status: 'Synced', health: 'Healthy' },
    problems: [],
  },
  {
    name: 'an OCI chart of another digest than an artifact a day old is OutOfSync and stale',
    objects: {
      release: helmRelease({ chart: 'oci', installed: '6.7.1+aaaaaaaaaaaa' }),
      source: ociRepository(),
    },
    expected: { status: 'OutOfSync', health: 'Healthy' },
    problems: ['StaleReconcile'],
  },
  {
    name: 'a release stable for a week is Synced and not stale',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.7.1',
        installed: '6.7.1',
        readyMinutesAgo: 7 * DAY,
        managedFieldsMinutesAgo: 7 * DAY,
      }),
      parents: [kustomization({ readyMinutesAgo: 7 * DAY })],
      source: gitRepository(`main@sha1:${SHA}`, 7 * DAY),
    },
    expected: {
      status: 'Synced',
      health: 'Healthy',
      suspendedBy: null,
      message: null,
    },
    problems: [],
  },
  {
    name: 'a release whose generation has been ahead of observedGeneration for 4 intervals is stale',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.7.1',
        installed: '6.7.1',
        generation: 4,
        observedGeneration: 3,
        managedFieldsMinutesAgo: 40,
      }),
    },
    expected: {
      status: 'OutOfSync',
      health: 'Healthy',
      message: /generation 4 not reconciled yet/,
    },
    problems: ['StaleReconcile'],
  },
  {
    name: 'a generation ahead for less than 3 intervals is progressing, not stale',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.7.1',
        installed: '6.7.1',
        generation: 4,
        observedGeneration: 3,
        managedFieldsMinutesAgo: 2,
      }),
    },
    expected: { status: 'OutOfSync', health: 'Healthy' },
    problems: [],
  },
  {
    name: 'a release under a suspended Kustomization is Suspended, naming the parent',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.7.1',
        installed: '6.7.1',
      }),
      parents: [kustomization({ suspend: true })],
    },
    expected: {
      status: 'Synced',
      health: 'Suspended',
      suspendedBy: 'Kustomization flux-system/apps',
      message: /Kustomization flux-system\/apps is suspended/,
    },
    problems: ['Suspended'],
  },
  {
    name: 'a release under a Kustomization two levels up that is suspended is Suspended',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.7.1',
        installed: '6.7.1',
      }),
      parents: [
        kustomization({
          labels: {
            'kustomize.toolkit.fluxcd.io/name': 'flux-system',
            'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
          },
        }),
        kustomization({ name: 'flux-system', suspend: true }),
      ],
    },
    expected: {
      status: 'Synced',
      health: 'Suspended',
      suspendedBy: 'Kustomization flux-system/flux-system',
    },
    problems: ['Suspended'],
  },
  {
    name: 'a failed upgrade is OutOfSync and Degraded with the controller message',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.7.2',
        installed: '6.7.2',
        status: 'failed',
      }),
    },
    expected: {
      status: 'OutOfSync',
      health: 'Degraded',
      message: /Helm upgrade failed/,
    },
    problems: ['SyncFailed'],
  },
  {
    name: 'a parent Kustomization that has not applied the newest commit makes the release OutOfSync',
    objects: {
      release: helmRelease({
        chart: 'helm-repository',
        specVersion: '6.7.1',
        installed: '6.7.1',
      }),
      parents: [kustomization({ applied: `main@sha1:${OLD_SHA}` })],
      source: gitRepository(),
    },
    expected: { status: 'OutOfSync', health: 'Healthy' },
    problems: [],
  },
];

/** `null`: no message; a pattern: a message that matches; undefined: anything. */
function messageAsExpected(
  expected: RegExp | null | undefined,
  actual: string | null,
): boolean {
  if (expected === undefined) return true;
  if (expected === null) return actual === null;
  return expected.test(actual ?? '');
}

function snapshotOf(c: Case) {
  const sources = c.objects.source ? [c.objects.source] : [];
  return {
    deployments: [deployment],
    helmreleases: [c.objects.release],
    kustomizations: c.objects.parents ?? [],
    gitrepositories: sources.filter(s => s.kind === 'GitRepository'),
    ocirepositories: sources.filter(s => s.kind === 'OCIRepository'),
  };
}

describe('Flux status mapping on objects in the controllers formats', () => {
  it('every object validates with the kubernetes-models classes', () => {
    const objects = [
      deployment,
      ...cases.flatMap(c => Object.values(snapshotOf(c)).flat()),
    ];
    expect(invalidObjects(objects)).toEqual([]);
  });

  it.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    // The parent is found from the release's Flux labels, not from annotations.
    const found = selectServiceObjects(memoryCluster(snapshotOf(c)), {
      namespace: 'podinfo',
      environment: 'prod',
      kubernetesId: 'podinfo',
    });
    expect(found.helmRelease?.metadata?.uid).toBe('uid-hr');
    const sync = syncState(found, c.desired);
    const want: Record<string, unknown> = {
      engine: 'flux',
      status: c.expected.status,
      health: c.expected.health,
      object: 'HelmRelease podinfo/podinfo',
    };
    if (c.expected.chartVersion) want.chartVersion = c.expected.chartVersion;
    if (c.expected.suspendedBy !== undefined) {
      want.suspendedBy = c.expected.suspendedBy;
    }
    expect(sync).toMatchObject(want);
    expect(messageAsExpected(c.expected.message, sync.message)).toBe(true);
    // A chart version is never taken for a Git revision.
    expect(sync.revision ?? '').not.toMatch(/^\d+\.\d+/);
    const problems = diagnose(found, {
      desired: null,
      expectAutoSync: false,
      argoReconcileSeconds: 180,
      now: NOW,
    }).map(p => p.type);
    expect(problems.sort()).toEqual(c.problems);
  });

  it('a Kustomization stable for a week with its requested reconcile handled is neither stale nor out of sync', () => {
    const ks = kustomization({ readyMinutesAgo: 7 * DAY });
    const found = selectServiceObjects(
      memoryCluster({
        kustomizations: [ks],
        gitrepositories: [gitRepository(`main@sha1:${SHA}`, 7 * DAY)],
      }),
      { namespace: 'x', environment: 'prod', sourcePath: 'apps/production' },
    );
    expect(syncState(found)).toMatchObject({
      status: 'Synced',
      health: 'Healthy',
      revision: `main@sha1:${SHA}`,
    });
    expect(
      diagnose(found, {
        desired: null,
        expectAutoSync: false,
        argoReconcileSeconds: 180,
        now: NOW,
      }),
    ).toEqual([]);
  });

  it.each([
    [
      'an unhandled reconcile request 20 minutes old',
      (ks: any) => {
        ks.metadata.annotations['reconcile.fluxcd.io/requestedAt'] = ago(20);
      },
      /reconcile requested at .* not handled/,
    ],
    [
      'a source artifact 40 minutes newer than the last attempt',
      (ks: any) => {
        ks.status.lastAttemptedRevision = `main@sha1:${OLD_SHA}`;
        ks.status.lastAppliedRevision = `main@sha1:${OLD_SHA}`;
      },
      /source has main@sha1:0d46b8b1a2c3.* last attempt was main@sha1:9a8b7c6d5e4f/,
    ],
  ])('a Kustomization with %s is stale', (_name, change, message) => {
    const ks = kustomization();
    change(ks);
    const found = selectServiceObjects(
      memoryCluster({
        kustomizations: [ks],
        gitrepositories: [gitRepository(`main@sha1:${SHA}`, 40)],
      }),
      { namespace: 'x', environment: 'prod', sourcePath: 'apps/production' },
    );
    const problems = diagnose(found, {
      desired: null,
      expectAutoSync: false,
      argoReconcileSeconds: 180,
      now: NOW,
    });
    expect(problems.map(p => p.type)).toEqual(['StaleReconcile']);
    expect(problems[0].message).toMatch(message);
  });
});
