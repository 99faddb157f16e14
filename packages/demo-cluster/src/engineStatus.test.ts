import {
  SyncView,
  withFluxStatus,
  withHelmReleaseStatus,
  withSourceStatus,
} from './engineStatus';
import {
  HelmReleaseRun,
  attemptRelease,
  readHelmRelease,
  releaseOf,
  settleRelease,
} from './helmRelease';
import { KubeObject } from './ObjectStore';
import { fluxRevision } from './runtimes';
import { invalidObjects } from './__testUtils__/validateWithModels';

const SHA = '0d46b8b1a2c3d4e5f60718293a4b5c6d7e8f9012';
const NEXT = '9a8b7c6d5e4f30211203948576afbecd01234567';

const files: Record<string, string> = {
  'apps/podinfo/base/kustomization.yaml': 'resources: [helmrelease.yaml]\n',
  'apps/podinfo/base/helmrelease.yaml': `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  interval: 10m
  chart:
    spec:
      chart: ./apps/podinfo/chart
      reconcileStrategy: Revision
      sourceRef: { kind: GitRepository, name: gitops-repo, namespace: flux-system }
  values:
    image: { tag: "6.7.0" }
`,
  'apps/podinfo/overlays/staging/kustomization.yaml':
    'resources: [../../base]\npatches:\n  - path: values-patch.yaml\n',
  'apps/podinfo/overlays/staging/values-patch.yaml': `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  values:
    replicaCount: 2
`,
  'apps/podinfo/chart/Chart.yaml':
    'name: podinfo\nversion: 0.4.0\nappVersion: 6.7.1\n',
};

const read = async (file: string) => files[file];

async function source(revision = SHA) {
  return (await readHelmRelease({
    read,
    folders: ['apps/podinfo/overlays/staging', 'apps/podinfo/base'],
    name: 'podinfo',
    namespace: 'podinfo-staging',
    revision,
  }))!;
}

function status(object: KubeObject, run: HelmReleaseRun, at: string) {
  return withHelmReleaseStatus(object, run, new Date(at));
}

describe('HelmRelease status (helm-controller v1)', () => {
  it('reads the release from the overlay and stamps the chart with the commit (Revision strategy)', async () => {
    const release = await source();
    expect(release.object.metadata).toMatchObject({
      name: 'podinfo',
      namespace: 'podinfo-staging',
    });
    expect(release.object.spec.values).toEqual({
      image: { tag: '6.7.0' },
      replicaCount: 2,
    });
    expect(release.chartVersion).toBe('0.4.0+0d46b8b1a2c3');
    expect(release.configDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('uses the plain chart version with the default ChartVersion strategy', async () => {
    const base = files['apps/podinfo/base/helmrelease.yaml'];
    files['apps/podinfo/base/helmrelease.yaml'] = base.replace(
      '      reconcileStrategy: Revision\n',
      '',
    );
    try {
      expect((await source()).chartVersion).toBe('0.4.0');
    } finally {
      files['apps/podinfo/base/helmrelease.yaml'] = base;
    }
  });

  it('installs, waits, upgrades, and fails like helm-controller reports it', async () => {
    const first = await source();
    const object = {
      ...first.object,
      metadata: { ...first.object.metadata, generation: 1 },
    };
    const release = releaseOf(object);
    expect(release).toEqual({ namespace: 'podinfo-staging', name: 'podinfo' });

    // Installing: Ready Unknown while Helm waits for the workload.
    let run = attemptRelease(undefined, first, 1, '2024-05-01T10:00:00Z');
    const installing = status(object, run, '2024-05-01T10:00:01Z');
    expect(installing.status).toMatchObject({
      lastAttemptedRevision: '0.4.0+0d46b8b1a2c3',
      lastAttemptedReleaseAction: 'install',
      helmChart: 'flux-system/podinfo-staging-podinfo',
      storageNamespace: 'podinfo-staging',
    });
    expect(installing.status.conditions).toEqual([
      expect.objectContaining({
        type: 'Ready',
        status: 'Unknown',
        reason: 'Progressing',
        message: "Running 'install' action with timeout of 5m0s",
      }),
      expect.objectContaining({ type: 'Reconciling', status: 'True' }),
    ]);

    // Installed.
    run = settleRelease(run, release, 'Healthy');
    const installed = status(installing, run, '2024-05-01T10:01:00Z');
    expect(installed.status).not.toHaveProperty('lastAppliedRevision');
    expect(installed.status.history).toEqual([
      {
        name: 'podinfo',
        namespace: 'podinfo-staging',
        version: 1,
        status: 'deployed',
        chartName: 'podinfo',
        chartVersion: '0.4.0+0d46b8b1a2c3',
        appVersion: '6.7.1',
        configDigest: first.configDigest,
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        firstDeployed: '2024-05-01T10:00:00Z',
        lastDeployed: '2024-05-01T10:00:00Z',
      },
    ]);
    const ready = installed.status.conditions.find(
      (c: any) => c.type === 'Ready',
    );
    expect(ready).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'InstallSucceeded',
      message:
        'Helm install succeeded for release podinfo-staging/podinfo.v1 with chart podinfo@0.4.0+0d46b8b1a2c3',
      observedGeneration: 1,
      lastTransitionTime: '2024-05-01T10:01:00.000Z',
    });

    // An unchanged reconcile keeps the transition time.
    run = attemptRelease(run, first, 1, '2024-05-01T11:00:00Z');
    const again = status(installed, run, '2024-05-01T11:00:00Z');
    expect(again.status.conditions).toEqual(installed.status.conditions);

    // A new commit: a new chart version, an upgrade.
    const next = await source(NEXT);
    run = attemptRelease(run, next, 1, '2024-05-01T12:00:00Z');
    run = settleRelease(run, release, 'Healthy');
    const upgraded = status(again, run, '2024-05-01T12:00:30Z');
    expect(upgraded.status.lastAttemptedRevision).toBe('0.4.0+9a8b7c6d5e4f');
    expect(
      upgraded.status.history.map((h: any) => [
        h.version,
        h.status,
        h.chartVersion,
      ]),
    ).toEqual([
      [2, 'deployed', '0.4.0+9a8b7c6d5e4f'],
      [1, 'superseded', '0.4.0+0d46b8b1a2c3'],
    ]);
    expect(upgraded.status.conditions[0]).toMatchObject({
      status: 'True',
      reason: 'UpgradeSucceeded',
      message:
        'Helm upgrade succeeded for release podinfo-staging/podinfo.v2 with chart podinfo@0.4.0+9a8b7c6d5e4f',
      // Still True: the time it became True.
      lastTransitionTime: '2024-05-01T10:01:00.000Z',
    });

    // New values whose workload never becomes ready: the upgrade fails.
    const changed = { ...next, configDigest: 'sha256:changed' };
    const generation2 = {
      ...upgraded,
      metadata: { ...upgraded.metadata, generation: 2 },
    };
    run = attemptRelease(run, changed, 2, '2024-05-01T13:00:00Z');
    run = settleRelease(run, release, 'Degraded');
    const failed = status(generation2, run, '2024-05-01T13:05:00Z');
    expect(failed.status).toMatchObject({
      observedGeneration: 2,
      lastAttemptedGeneration: 2,
      lastAttemptedReleaseAction: 'upgrade',
    });
    expect(
      failed.status.history.map((h: any) => [h.version, h.status]),
    ).toEqual([
      [3, 'failed'],
      [2, 'deployed'],
    ]);
    expect(failed.status.conditions).toEqual([
      expect.objectContaining({
        type: 'Ready',
        status: 'False',
        reason: 'UpgradeFailed',
        message:
          'Helm upgrade failed for release podinfo-staging/podinfo with chart podinfo@0.4.0+9a8b7c6d5e4f: context deadline exceeded',
        observedGeneration: 2,
        lastTransitionTime: '2024-05-01T13:05:00.000Z',
      }),
      expect.objectContaining({ type: 'Released', status: 'False' }),
    ]);

    expect(invalidObjects([installing, installed, upgraded, failed])).toEqual(
      [],
    );
  });

  it('echoes a reconcile request only when one was made, and leaves a suspended release alone', async () => {
    const { object } = await source();
    const run = settleRelease(
      attemptRelease(undefined, await source(), 1, '2024-05-01T10:00:00Z'),
      releaseOf(object),
      'Healthy',
    );
    expect(
      status(object, run, '2024-05-01T10:00:00Z').status,
    ).not.toHaveProperty('lastHandledReconcileAt');
    const requested = {
      ...object,
      metadata: {
        ...object.metadata,
        annotations: {
          'reconcile.fluxcd.io/requestedAt': '2024-05-01T10:30:00Z',
        },
      },
    };
    expect(
      status(requested, run, '2024-05-01T10:31:00Z').status
        .lastHandledReconcileAt,
    ).toBe('2024-05-01T10:30:00Z');
    const suspended = { ...object, spec: { ...object.spec, suspend: true } };
    expect(status(suspended, run, '2024-05-01T10:31:00Z')).toEqual(suspended);
  });
});

describe('Kustomization and GitRepository status (kustomize-controller, source-controller v1)', () => {
  const kustomization: KubeObject = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: 'sample-app-dev',
      namespace: 'flux-system',
      generation: 1,
    },
    spec: {
      interval: '5m',
      path: './sample-app/apps/overlays/dev',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'sample-app' },
      wait: true,
      timeout: '2m',
    },
  };
  const view = (over: Partial<SyncView>): SyncView => ({
    head: SHA,
    applied: SHA,
    inSync: true,
    health: 'Healthy',
    healthMessage: null,
    syncedAt: '2024-05-01T10:00:00Z',
    error: null,
    now: new Date('2024-05-01T10:00:00Z'),
    resources: [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'sample-app-dev',
        name: 'sample-app',
        inSync: true,
        health: 'Healthy',
      },
    ],
    ...over,
  });

  it('writes the applied revision, the inventory, and the health check of a waiting Kustomization', () => {
    const ks = withFluxStatus(kustomization, view({}), fluxRevision);
    expect(ks.status).toEqual({
      observedGeneration: 1,
      lastAppliedRevision: `main@sha1:${SHA}`,
      lastAttemptedRevision: `main@sha1:${SHA}`,
      inventory: {
        entries: [{ id: 'sample-app-dev_sample-app_apps_Deployment', v: 'v1' }],
      },
      conditions: [
        expect.objectContaining({
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message: `Applied revision: main@sha1:${SHA}`,
        }),
        expect.objectContaining({
          type: 'Healthy',
          status: 'True',
          reason: 'Succeeded',
        }),
      ],
    });
    expect(invalidObjects([ks])).toEqual([]);
  });

  it('keeps lastTransitionTime while a condition keeps its status, and moves it when it changes', () => {
    const first = withFluxStatus(kustomization, view({}), fluxRevision);
    const later = withFluxStatus(
      first,
      view({
        head: NEXT,
        applied: NEXT,
        now: new Date('2024-05-02T10:00:00Z'),
      }),
      fluxRevision,
    );
    expect(later.status.lastAppliedRevision).toBe(`main@sha1:${NEXT}`);
    expect(later.status.conditions[0].lastTransitionTime).toBe(
      '2024-05-01T10:00:00.000Z',
    );
    const failing = withFluxStatus(
      later,
      view({
        health: 'Degraded',
        now: new Date('2024-05-03T10:00:00Z'),
        resources: [{ ...view({}).resources![0], health: 'Degraded' }],
      }),
      fluxRevision,
    );
    expect(failing.status.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'HealthCheckFailed',
      message:
        "health check failed after 2m0s: timeout waiting for: [Deployment/sample-app-dev/sample-app status: 'InProgress']",
      lastTransitionTime: '2024-05-03T10:00:00.000Z',
    });
  });

  it('echoes lastHandledReconcileAt only for a reconcile request', () => {
    expect(
      withFluxStatus(kustomization, view({}), fluxRevision).status,
    ).not.toHaveProperty('lastHandledReconcileAt');
    const requested = {
      ...kustomization,
      metadata: {
        ...kustomization.metadata,
        annotations: { 'reconcile.fluxcd.io/requestedAt': 'now-ish' },
      },
    };
    expect(
      withFluxStatus(requested, view({}), fluxRevision).status
        .lastHandledReconcileAt,
    ).toBe('now-ish');
  });

  it('stores a GitRepository artifact once: lastUpdateTime moves with a new revision only', () => {
    const repo: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'sample-app', namespace: 'flux-system' },
      spec: { interval: '1m', url: 'https://github.com/acme/gitops-repo.git' },
    };
    const stored = new Date('2024-05-01T10:00:00Z');
    const first = withSourceStatus(repo, SHA, fluxRevision, stored);
    const again = withSourceStatus(
      first,
      SHA,
      fluxRevision,
      stored,
      new Date('2024-05-01T11:00:00Z'),
    );
    expect(again).toEqual(first);
    const next = withSourceStatus(
      again,
      NEXT,
      fluxRevision,
      new Date('2024-05-01T12:00:00Z'),
    );
    expect(next.status.artifact).toMatchObject({
      revision: `main@sha1:${NEXT}`,
      lastUpdateTime: '2024-05-01T12:00:00.000Z',
    });
    expect(next.status.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'True',
      message: `stored artifact for revision 'main@sha1:${NEXT}'`,
      lastTransitionTime: '2024-05-01T10:00:00.000Z',
    });
    expect(invalidObjects([next])).toEqual([]);
  });
});
