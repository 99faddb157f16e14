import {
  ClusterObjects,
  KindKey,
  KubeObject,
  matchesLabelSelector,
  matchesSelector,
} from './kinds';

/** How to find a service's objects in one environment. */
export interface ServiceObjectQuery {
  namespace: string;
  /** `backstage.io/kubernetes-id`: workloads labelled `backstage.io/kubernetes-id=<id>`. */
  kubernetesId?: string;
  /** `backstage.io/kubernetes-label-selector`. */
  labelSelector?: string;
  /** Workload name Git renders; the fallback when no label matches. */
  workloadName?: string | null;
  /** `argocd/app-name` (comma-separated names allowed). */
  argoAppName?: string;
  /** `argocd/app-selector`. */
  argoAppSelector?: string;
  /** `argocd/app-namespace`: where the Applications live, when not in `argocd`. */
  argoAppNamespace?: string;
  environment: string;
  /** Folder Git reads the environment from, to find the Flux object reconciling it. */
  sourcePath?: string | null;
}

/** A service's objects in one environment. */
export interface ServiceObjects {
  deployment?: KubeObject;
  pods: KubeObject[];
  hpa?: KubeObject;
  pvcs: KubeObject[];
  events: KubeObject[];
  application?: KubeObject;
  kustomization?: KubeObject;
  helmRelease?: KubeObject;
  /** The Flux source (GitRepository/OCIRepository) of the Kustomization or HelmRelease. */
  source?: KubeObject;
}

/**
 * Finds the workload, its pods, autoscaler, volumes and warnings, and the Argo CD or Flux object
 * that deploys it, among the cached objects of the environment's cluster.
 */
export function selectServiceObjects(
  cluster: ClusterObjects,
  query: ServiceObjectQuery,
): ServiceObjects {
  const { namespace } = query;
  const deployments = cluster.list('deployments', namespace);
  const labelled = (selector: string) =>
    deployments.filter(d => matchesLabelSelector(selector, d.metadata?.labels));
  const candidates =
    (query.kubernetesId &&
      labelled(`backstage.io/kubernetes-id=${query.kubernetesId}`)) ||
    [];
  const bySelector =
    candidates.length === 0 && query.labelSelector
      ? labelled(query.labelSelector)
      : candidates;
  const deployment =
    bySelector.find(d => d.metadata?.name === query.workloadName) ??
    bySelector[0] ??
    deployments.find(
      d => d.metadata?.name === (query.workloadName ?? query.kubernetesId),
    );

  const pods = deployment
    ? cluster
        .list('pods', namespace)
        .filter(p =>
          matchesSelector(deployment.spec?.selector, p.metadata?.labels),
        )
    : [];
  const hpa = deployment
    ? cluster
        .list('horizontalpodautoscalers', namespace)
        .find(
          h =>
            h.spec?.scaleTargetRef?.kind === 'Deployment' &&
            h.spec?.scaleTargetRef?.name === deployment.metadata?.name,
        )
    : undefined;
  const claimNames = new Set(
    pods.flatMap(p =>
      (p.spec?.volumes ?? [])
        .map((v: any) => v?.persistentVolumeClaim?.claimName)
        .filter(Boolean),
    ),
  );
  const pvcs = cluster
    .list('persistentvolumeclaims', namespace)
    .filter(c => claimNames.has(c.metadata?.name));
  const involved = new Set(
    [deployment, hpa, ...pods, ...pvcs]
      .filter((o): o is KubeObject => Boolean(o))
      .map(o => `${o.kind}/${o.metadata?.name}`),
  );
  const events = cluster
    .list('events', namespace)
    .filter(e =>
      involved.has(`${e.involvedObject?.kind}/${e.involvedObject?.name}`),
    );

  const application = findApplication(cluster, query);
  const { kustomization, helmRelease } = findFluxObjects(cluster, query);
  const fluxObject = helmRelease ?? kustomization;
  const source = fluxObject ? findFluxSource(cluster, fluxObject) : undefined;
  return {
    deployment,
    pods,
    hpa,
    pvcs,
    events,
    application,
    kustomization,
    helmRelease,
    source,
  };
}

function findApplication(cluster: ClusterObjects, query: ServiceObjectQuery) {
  if (!query.argoAppName && !query.argoAppSelector) return undefined;
  const names = new Set(
    (query.argoAppName ?? '')
      .split(',')
      .map(n => n.trim())
      .filter(Boolean),
  );
  const apps = cluster
    .list('applications', query.argoAppNamespace)
    .filter(app =>
      names.size > 0
        ? names.has(app.metadata?.name)
        : matchesLabelSelector(query.argoAppSelector!, app.metadata?.labels),
    );
  // Several apps match when one selector covers every environment: pick this environment's.
  const destinations = (app: KubeObject) => [app.spec?.destination?.namespace];
  return (
    apps.find(app => destinations(app).includes(query.namespace)) ??
    apps.find(
      app =>
        app.metadata?.labels?.['gitops.backstage.io/environment'] ===
        query.environment,
    ) ??
    apps.find(app =>
      String(app.metadata?.name).endsWith(`-${query.environment}`),
    ) ??
    (apps.length === 1 ? apps[0] : undefined)
  );
}

function findFluxObjects(cluster: ClusterObjects, query: ServiceObjectQuery) {
  const normalize = (p: unknown) =>
    String(p ?? '')
      .replace(/^\.\//, '')
      .replace(/\/+$/, '');
  const deploysHere = (o: KubeObject) =>
    o.spec?.targetNamespace === query.namespace ||
    (o.kind === 'HelmRelease' &&
      o.metadata?.namespace === query.namespace &&
      !o.spec?.targetNamespace);
  const reconcilesPath = (o: KubeObject) =>
    Boolean(query.sourcePath) &&
    normalize(o.spec?.path) === normalize(query.sourcePath);
  const labelled = (o: KubeObject) =>
    Boolean(query.labelSelector) &&
    matchesLabelSelector(query.labelSelector!, o.metadata?.labels);
  const pick = (list: readonly KubeObject[]) =>
    list.find(reconcilesPath) ??
    list.find(o => deploysHere(o) && labelled(o)) ??
    list.find(deploysHere);
  return {
    kustomization: pick(cluster.list('kustomizations')),
    helmRelease: pick(cluster.list('helmreleases')),
  };
}

const SOURCE_KINDS: Record<string, KindKey | undefined> = {
  GitRepository: 'gitrepositories',
  OCIRepository: 'ocirepositories',
};

function findFluxSource(cluster: ClusterObjects, object: KubeObject) {
  const ref =
    object.kind === 'HelmRelease'
      ? object.spec?.chartRef ?? object.spec?.chart?.spec?.sourceRef
      : object.spec?.sourceRef;
  const kind = SOURCE_KINDS[String(ref?.kind)];
  if (!kind) return undefined;
  const namespace = ref.namespace ?? object.metadata?.namespace;
  return cluster.list(kind, namespace).find(s => s.metadata?.name === ref.name);
}
