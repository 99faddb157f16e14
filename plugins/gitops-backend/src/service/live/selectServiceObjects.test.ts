import {
  healthyArgoService,
  healthyFluxHelmService,
  healthyFluxService,
} from './__fixtures__/clusterObjects';
import { memoryCluster } from './memoryCluster';
import {
  ServiceObjectQuery,
  selectServiceObjects,
} from './selectServiceObjects';
import { syncState } from './syncState';

const argo = (env: string, tag: string) =>
  healthyArgoService({
    service: 'guestbook',
    env,
    tag,
    replicas: 2,
    hpa: env === 'prod' ? { min: 2, max: 4, current: 2, cpu: 70 } : undefined,
  });

function merge(...snapshots: Array<Record<string, any[]>>) {
  const result: Record<string, any[]> = {};
  for (const s of snapshots)
    for (const [k, v] of Object.entries(s))
      result[k] = [...(result[k] ?? []), ...v];
  return result;
}

const base: ServiceObjectQuery = {
  namespace: 'guestbook-prod',
  environment: 'prod',
};

describe('selectServiceObjects', () => {
  const cluster = memoryCluster(
    merge(argo('staging', 'v1.0.4'), argo('prod', 'v1.0.3')),
  );

  it.each<[string, Partial<ServiceObjectQuery>]>([
    ['backstage.io/kubernetes-id', { kubernetesId: 'guestbook' }],
    [
      'backstage.io/kubernetes-label-selector',
      { labelSelector: 'app.kubernetes.io/name=guestbook' },
    ],
    ['the workload name Git renders', { workloadName: 'guestbook' }],
  ])(
    'finds the workload, its pods and HPA in the environment namespace by %s',
    (_name, query) => {
      const objects = selectServiceObjects(cluster, { ...base, ...query });
      expect(objects.deployment?.metadata?.namespace).toBe('guestbook-prod');
      expect(objects.pods).toHaveLength(2);
      expect(
        objects.pods.every(p => p.metadata?.namespace === 'guestbook-prod'),
      ).toBe(true);
      expect(objects.hpa?.metadata?.name).toBe('guestbook');
    },
  );

  it('finds nothing for a label no workload carries', () => {
    const objects = selectServiceObjects(cluster, {
      ...base,
      kubernetesId: 'other',
    });
    expect(objects).toMatchObject({
      deployment: undefined,
      pods: [],
      pvcs: [],
      events: [],
    });
  });

  it.each<[string, Partial<ServiceObjectQuery>]>([
    [
      'argocd/app-selector, by destination namespace',
      { argoAppSelector: 'app.kubernetes.io/name=guestbook' },
    ],
    [
      'argocd/app-name listing every environment',
      { argoAppName: 'guestbook-staging, guestbook-prod' },
    ],
    [
      'argocd/app-name with argocd/app-namespace',
      { argoAppName: 'guestbook-prod', argoAppNamespace: 'argocd' },
    ],
  ])("picks this environment's Application by %s", (_name, query) => {
    expect(
      selectServiceObjects(cluster, { ...base, ...query }).application?.metadata
        ?.name,
    ).toBe('guestbook-prod');
  });

  it('looks for Applications only in argocd/app-namespace when it is set', () => {
    expect(
      selectServiceObjects(cluster, {
        ...base,
        argoAppName: 'guestbook-prod',
        argoAppNamespace: 'team-apps',
      }).application,
    ).toBeUndefined();
  });

  it("finds the Application from Argo CD's tracking annotation when no annotation names it", () => {
    const found = selectServiceObjects(cluster, {
      ...base,
      kubernetesId: 'guestbook',
    });
    expect(found.application?.metadata?.name).toBe('guestbook-prod');
  });

  it.each([
    ['in the workload namespace', 'guestbook-prod', 'guestbook-prod'],
    ['in another namespace (a Helm release name)', 'elsewhere', undefined],
  ])(
    'takes the app.kubernetes.io/instance label for an Application deploying %s',
    (_name, destination, expected) => {
      const snapshot = argo('prod', 'v1.0.3');
      const [deployment] = snapshot.deployments;
      delete deployment.metadata.annotations['argocd.argoproj.io/tracking-id'];
      deployment.metadata.labels['app.kubernetes.io/instance'] =
        'guestbook-prod';
      snapshot.applications[0].spec.destination.namespace = destination;
      const found = selectServiceObjects(memoryCluster(snapshot), {
        ...base,
        kubernetesId: 'guestbook',
      });
      expect(found.application?.metadata?.name).toBe(expected);
    },
  );

  it('finds the Kustomization that applies a service and its parents from Flux labels, not paths', () => {
    const snapshot = healthyFluxService({
      service: 'guestbook',
      env: 'prod',
      tag: 'v1.0.3',
      replicas: 2,
    });
    const [ks] = snapshot.kustomizations;
    ks.spec.path = './somewhere/else';
    ks.metadata.labels = {
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    };
    const apps = structuredClone(ks);
    apps.metadata = { name: 'apps', namespace: 'flux-system', uid: 'apps' };
    apps.spec.suspend = true;
    snapshot.kustomizations.push(apps);
    const found = selectServiceObjects(memoryCluster(snapshot), {
      ...base,
      kubernetesId: 'guestbook',
    });
    expect(found.kustomization?.metadata?.name).toBe('guestbook-prod');
    expect(found.parents.map(p => p.object.metadata?.name)).toEqual(['apps']);
    expect(syncState(found)).toMatchObject({
      health: 'Suspended',
      suspendedBy: 'Kustomization flux-system/apps',
    });
  });

  it('reads a multi-source Application (spec.sources) without crashing', () => {
    const snapshot = argo('prod', 'v1.0.3');
    const [app] = snapshot.applications;
    app.spec.sources = [
      {
        repoURL: 'https://charts.example.com',
        chart: 'guestbook',
        targetRevision: '1.2.0',
        helm: { valueFiles: ['$values/apps/guestbook/values-prod.yaml'] },
      },
      {
        repoURL: 'https://github.com/acme/gitops-repo.git',
        targetRevision: 'main',
        ref: 'values',
      },
    ];
    delete app.spec.source;
    app.status.sync = {
      status: 'Synced',
      revisions: ['1.2.0', 'a'.repeat(40)],
    };
    delete app.status.sync.revision;
    const objects = selectServiceObjects(memoryCluster(snapshot), {
      ...base,
      argoAppSelector: 'app.kubernetes.io/name=guestbook',
    });
    expect(syncState(objects)).toMatchObject({
      engine: 'argocd',
      status: 'Synced',
      revision: '1.2.0',
    });
  });

  it.each([
    [
      'a Kustomization by the path it reconciles',
      healthyFluxService({
        service: 'guestbook',
        env: 'prod',
        tag: 'v1.0.3',
        replicas: 2,
      }),
      { sourcePath: 'guestbook/apps/overlays/prod' },
      'kustomization',
    ],
    [
      'a Kustomization by its target namespace',
      healthyFluxService({
        service: 'guestbook',
        env: 'prod',
        tag: 'v1.0.3',
        replicas: 2,
      }),
      {},
      'kustomization',
    ],
  ] as const)('finds %s and its source', (_name, snapshot, query, field) => {
    const objects = selectServiceObjects(memoryCluster(snapshot), {
      ...base,
      kubernetesId: 'guestbook',
      ...query,
    });
    expect(objects[field]).toBeDefined();
    expect(objects.source?.kind).toBe('GitRepository');
  });

  it('finds a HelmRelease in the namespace it deploys to (its HelmRepository is not watched)', () => {
    const snapshot = healthyFluxHelmService({
      service: 'guestbook',
      env: 'prod',
      tag: 'v1.0.3',
      replicas: 2,
    });
    const objects = selectServiceObjects(memoryCluster(snapshot), {
      ...base,
      kubernetesId: 'guestbook',
    });
    expect(objects.helmRelease?.kind).toBe('HelmRelease');
    expect(syncState(objects)).toMatchObject({
      engine: 'flux',
      status: 'Synced',
      health: 'Healthy',
    });
  });
});
