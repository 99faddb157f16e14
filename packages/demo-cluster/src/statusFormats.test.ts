import { mockServices } from '@backstage/backend-test-utils';
import { CliGitProvider } from '@gitops-backstage/plugin-gitops-repository';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { DemoReconciler } from './DemoReconciler';
import { DemoRegistry } from './DemoRegistry';
import { KubeObject, ObjectStore } from './ObjectStore';
import { readSeeds } from './seeds';
import { exampleRepository } from './__testUtils__/exampleRepository';
import { invalidObjects } from './__testUtils__/validateWithModels';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../../..');
const chart = parse(
  fs.readFileSync(
    path.join(root, 'examples/gitops-repo/apps/podinfo/chart/Chart.yaml'),
    'utf8',
  ),
);
const KINDS = [
  'applications',
  'kustomizations',
  'helmreleases',
  'gitrepositories',
  'deployments',
  'horizontalpodautoscalers',
  'pods',
  'imagerepositories',
  'imagepolicies',
  'imageupdateautomations',
];

/**
 * What the demo cluster serves is in the formats the real controllers write: every object
 * validates against the `kubernetes-models` classes, and the fields the plugin reads say what
 * Argo CD, kustomize-controller, helm-controller and source-controller would say.
 */
describe('the demo cluster in the formats of the real controllers', () => {
  let workDir: string;
  let git: CliGitProvider;
  let store: ObjectStore;
  let reconciler: DemoReconciler;
  let repository: { url: string; branch: string };
  let clock = Date.now();

  /** One reconcile, `ms` of demo time after the previous one. */
  const tick = (ms = 1000) => reconciler.reconcile(new Date((clock += ms)));
  const get = (plural: string, namespace: string, name: string) =>
    store.get(plural, namespace, name)!;
  const ready = (o: KubeObject) =>
    o.status.conditions.find((c: any) => c.type === 'Ready');
  const all = () => KINDS.flatMap(kind => store.list(kind));

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-formats-'));
    repository = { url: exampleRepository(workDir), branch: 'main' };
    const logger = mockServices.logger.mock();
    const seeds = readSeeds(path.join(root, 'examples/demo-cluster'));
    store = new ObjectStore();
    for (const { plural, object } of seeds.objects) store.put(plural, object);
    git = new CliGitProvider({
      cacheDir: path.join(workDir, 'cache'),
      fetchIntervalSeconds: 1,
      timeoutMs: 20_000,
      logger,
    });
    reconciler = new DemoReconciler({
      store,
      registry: new DemoRegistry(seeds.images),
      git,
      repository,
      logger,
      load: seeds.load,
      stepMs: 1000,
    });
    // Rollouts and autoscalers settle step by step.
    for (let i = 0; i < 15; i++) await tick();
  });
  afterAll(() => {
    git.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('serves only objects the kubernetes-models classes validate', () => {
    for (const kind of KINDS)
      expect([kind, store.list(kind).length > 0]).toEqual([kind, true]);
    expect(store.list('helmreleases')).toHaveLength(3);
    expect(invalidObjects(all())).toEqual([]);
  });

  it('reports a HelmRelease by its chart version, never by a Git revision', async () => {
    const head = await git.resolveBranch({ repository });
    for (const env of ['dev', 'staging', 'prod']) {
      const hr = get('helmreleases', `podinfo-${env}`, 'podinfo');
      expect(hr.status).not.toHaveProperty('lastAppliedRevision');
      expect(hr.status.lastAttemptedRevision).toBe(String(chart.version));
      expect(hr.status.history[0]).toMatchObject({
        name: 'podinfo',
        namespace: `podinfo-${env}`,
        version: 1,
        status: 'deployed',
        chartName: chart.name,
        chartVersion: hr.status.lastAttemptedRevision,
        appVersion: String(chart.appVersion),
      });
      expect(hr.status).toMatchObject({
        observedGeneration: hr.metadata.generation,
        lastAttemptedGeneration: hr.metadata.generation,
        lastAttemptedReleaseAction: 'install',
        lastAttemptedConfigDigest: hr.status.history[0].configDigest,
        helmChart: `flux-system/podinfo-${env}-podinfo`,
        storageNamespace: `podinfo-${env}`,
      });
      expect(ready(hr)).toMatchObject({
        status: 'True',
        reason: 'InstallSucceeded',
        message: `Helm install succeeded for release podinfo-${env}/podinfo.v1 with chart podinfo@${chart.version}`,
        observedGeneration: hr.metadata.generation,
      });
      // The Kustomization that applies it reports the Git revision.
      expect(
        get('kustomizations', 'flux-system', `podinfo-${env}`).status,
      ).toMatchObject({
        lastAppliedRevision: `main@sha1:${head}`,
        lastAttemptedRevision: `main@sha1:${head}`,
        inventory: {
          entries: [
            {
              id: `podinfo-${env}_podinfo_helm.toolkit.fluxcd.io_HelmRelease`,
              v: 'v2',
            },
          ],
        },
      });
    }
    expect(
      get('gitrepositories', 'flux-system', 'gitops-repo').status.artifact
        .revision,
    ).toBe(`main@sha1:${head}`);
  });

  it('labels what each engine applies as its controller does', () => {
    const guestbook = get('deployments', 'guestbook-prod', 'guestbook');
    expect(guestbook.metadata.labels['app.kubernetes.io/instance']).toBe(
      'guestbook-prod',
    );
    expect(
      guestbook.metadata.annotations['argocd.argoproj.io/tracking-id'],
    ).toBe('guestbook-prod:apps/Deployment:guestbook-prod/guestbook');
    const hpa = get('horizontalpodautoscalers', 'guestbook-prod', 'guestbook');
    expect(hpa.metadata.annotations['argocd.argoproj.io/tracking-id']).toBe(
      'guestbook-prod:autoscaling/HorizontalPodAutoscaler:guestbook-prod/guestbook',
    );
    expect(
      get('deployments', 'sample-app-dev', 'sample-app').metadata.labels,
    ).toMatchObject({
      'kustomize.toolkit.fluxcd.io/name': 'sample-app-dev',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    expect(
      get('helmreleases', 'podinfo-staging', 'podinfo').metadata.labels,
    ).toMatchObject({
      'kustomize.toolkit.fluxcd.io/name': 'podinfo-staging',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    // (Named after the chart's folder by the plugin's desired-state reader.)
    const [podinfo] = store.list('deployments', 'podinfo-staging');
    expect(podinfo.metadata.labels).toMatchObject({
      'helm.toolkit.fluxcd.io/name': 'podinfo',
      'helm.toolkit.fluxcd.io/namespace': 'podinfo-staging',
      'app.kubernetes.io/managed-by': 'Helm',
    });
    expect(podinfo.metadata.labels).not.toHaveProperty(
      'kustomize.toolkit.fluxcd.io/name',
    );
    // Selectors and pod templates stay as Git has them.
    expect(podinfo.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'podinfo',
    });
  });

  it('writes an Application status with operation, resources, images and history', async () => {
    const head = await git.resolveBranch({ repository });
    const app = get('applications', 'argocd', 'guestbook-prod');
    const image = get('deployments', 'guestbook-prod', 'guestbook').spec
      .template.spec.containers[0].image;
    expect(app.status).toMatchObject({
      sync: { status: 'Synced', revision: head },
      health: { status: 'Healthy' },
      operationState: {
        phase: 'Succeeded',
        operation: { sync: { revision: head } },
        syncResult: { revision: head },
      },
      sourceType: 'Kustomize',
      summary: { images: [image] },
      history: [{ id: 0, revision: head, source: app.spec.source }],
    });
    expect(app.status.health).not.toHaveProperty('message');
    expect(app.status.resources).toEqual([
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'guestbook-prod',
        name: 'guestbook',
        status: 'Synced',
        health: { status: 'Healthy' },
      },
      {
        group: 'autoscaling',
        version: 'v2',
        kind: 'HorizontalPodAutoscaler',
        namespace: 'guestbook-prod',
        name: 'guestbook',
        status: 'Synced',
        health: { status: 'Healthy' },
      },
    ]);
    expect(
      get('applications', 'argocd', 'demo-flask-app-dev').status.sourceType,
    ).toBe('Helm');
    const crashing = get(
      'applications',
      'argocd',
      'demo-flask-app-staging',
    ).status;
    expect(crashing.health).toMatchObject({
      status: 'Degraded',
      message: expect.any(String),
    });
  });

  it('moves lastTransitionTime only when a condition changes, reconciledAt on every resync', async () => {
    const flux = () =>
      ['kustomizations', 'helmreleases', 'gitrepositories'].flatMap(kind =>
        store
          .list(kind)
          .map(o => [o.metadata.name, o.kind, ready(o).lastTransitionTime]),
      );
    const argo = () =>
      store
        .list('applications')
        .map(a => [
          a.metadata.name,
          a.status.health.lastTransitionTime,
          a.status.reconciledAt,
        ]);
    const before = { flux: flux(), argo: argo() };
    await tick(70_000); // past the demo's one-minute resync
    await tick();
    expect(flux()).toEqual(before.flux);
    expect(argo().map(([name, transition]) => [name, transition])).toEqual(
      before.argo.map(([name, transition]) => [name, transition]),
    );
    expect(argo().map(a => a[2])).not.toEqual(before.argo.map(a => a[2]));
  });

  it('upgrades the HelmReleases when a commit builds the chart from the Git revision', async () => {
    const base = 'apps/podinfo/base/helmrelease.yaml';
    const before = await git.resolveBranch({ repository });
    const text = await git.readFile({
      repository,
      revision: before,
      path: base,
    });
    const source = get('gitrepositories', 'flux-system', 'gitops-repo');
    const release = get('helmreleases', 'podinfo-staging', 'podinfo');
    const kustomization = get(
      'kustomizations',
      'flux-system',
      'podinfo-staging',
    );
    const head = await git.commit!({
      repository,
      baseRevision: before,
      files: [
        {
          path: base,
          content: text!.replace(
            '      chart: ./apps/podinfo/chart\n',
            '      chart: ./apps/podinfo/chart\n      reconcileStrategy: Revision\n',
          ),
        },
      ],
      message: 'podinfo: build the chart from each commit',
      author: { name: 'test', email: 'test@example.com' },
    });
    for (let i = 0; i < 3; i++) await tick();

    const stored = get('gitrepositories', 'flux-system', 'gitops-repo');
    expect(stored.status.artifact.revision).toBe(`main@sha1:${head}`);
    expect(stored.status.artifact.lastUpdateTime).not.toBe(
      source.status.artifact.lastUpdateTime,
    );
    expect(ready(stored).lastTransitionTime).toBe(
      ready(source).lastTransitionTime,
    );

    const version = `${chart.version}+${head.slice(0, 12)}`;
    const hr = get('helmreleases', 'podinfo-staging', 'podinfo');
    expect(hr.metadata.generation).toBe(2);
    expect(hr.status).toMatchObject({
      observedGeneration: 2,
      lastAttemptedRevision: version,
      lastAttemptedReleaseAction: 'upgrade',
    });
    expect(
      hr.status.history.map((h: any) => [h.version, h.status, h.chartVersion]),
    ).toEqual([
      [2, 'deployed', version],
      [1, 'superseded', String(chart.version)],
    ]);
    // True before and after: the condition did not transition.
    expect(ready(hr).lastTransitionTime).toBe(
      ready(release).lastTransitionTime,
    );
    expect(
      ready(get('kustomizations', 'flux-system', 'podinfo-staging'))
        .lastTransitionTime,
    ).toBe(ready(kustomization).lastTransitionTime);
    expect(ready(hr)).toMatchObject({
      status: 'True',
      reason: 'UpgradeSucceeded',
      message: `Helm upgrade succeeded for release podinfo-staging/podinfo.v2 with chart podinfo@${version}`,
    });
    expect(
      get('kustomizations', 'flux-system', 'podinfo-staging').status
        .lastAppliedRevision,
    ).toBe(`main@sha1:${head}`);
    // Argo CD compares with the new head; no manifest changed, so nothing was synced.
    const app = get('applications', 'argocd', 'guestbook-prod').status;
    expect(app.sync).toMatchObject({ status: 'Synced', revision: head });
    expect(app.operationState.syncResult.revision).toBe(before);
    expect(app.history).toHaveLength(1);
    expect(invalidObjects(all())).toEqual([]);
  });
});
