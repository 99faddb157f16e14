import { findByKey, findByLabels, normalizePath } from './objectIndex';
import {
  ROLLOUT_HASH_LABEL,
  analysisRunsOf,
  canaryOf,
  isLentOrPrimary,
  referencedDeployment,
} from './progressive/progressiveObjects';
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
  /** The workload Deployment; unset when the workload is an Argo Rollouts Rollout. */
  deployment?: KubeObject;
  /** The Argo Rollouts Rollout that is the service's workload. */
  rollout?: KubeObject;
  /** The Deployment a Rollout's `spec.workloadRef` names: it lends the Rollout its template. */
  workloadRef?: KubeObject;
  /** The Rollout's AnalysisRuns, newest first. */
  analysisRuns: KubeObject[];
  /** The Flagger Canary whose `spec.targetRef` is the service's Deployment. */
  canary?: KubeObject;
  /** Flagger's primary Deployment (`<target>-primary`): it runs the serving (stable) pods. */
  primary?: KubeObject;
  /** The workload's pods: with Flagger, the primary's (stable) and the target's (canary). */
  pods: KubeObject[];
  hpa?: KubeObject;
  /**
   * The account may not list HorizontalPodAutoscalers: whether one owns the replicas is
   * unknown, so a replica count that differs from Git's is not called drift.
   */
  hpaUnreadable?: boolean;
  pvcs: KubeObject[];
  events: KubeObject[];
  application?: KubeObject;
  kustomization?: KubeObject;
  helmRelease?: KubeObject;
  /** The Flux source (GitRepository/OCIRepository) of the Kustomization or HelmRelease. */
  source?: KubeObject;
  /**
   * The Flux Kustomizations above the engine object, nearest first, found by the
   * `kustomize.toolkit.fluxcd.io/name|namespace` labels Flux puts on what it applies: a
   * suspended one stops Git changes from reaching the service too.
   */
  parents: FluxParent[];
}

/** A Flux Kustomization above the service's engine object, and its source. */
export interface FluxParent {
  object: KubeObject;
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
  const rollouts = cluster.list('rollouts', namespace);
  const workload = pickWorkload(query, [
    // A Rollout wins over a Deployment that matches the same way: it is what rolls out.
    ...rollouts,
    ...deployments.filter(d => !isLentOrPrimary(d, rollouts)),
  ]);
  const rollout = rollouts.find(r => r === workload);
  const deployment = rollout ? undefined : workload;
  const workloadRef = rollout && referencedDeployment(rollout, deployments);
  const canary = deployment && canaryOf(cluster, deployment);
  const primary =
    canary &&
    deployments.find(
      d => d.metadata?.name === `${deployment!.metadata?.name}-primary`,
    );

  const namespacePods = workload ? cluster.list('pods', namespace) : [];
  const podsOf = (selector: any, only = (_pod: KubeObject) => true) =>
    namespacePods.filter(
      p => matchesSelector(selector, p.metadata?.labels) && only(p),
    );
  let pods: KubeObject[] = [];
  if (rollout && workloadRef) {
    // The Deployment's selector; its own pods (when Argo does not scale it down) lack the hash.
    pods = podsOf(workloadRef.spec?.selector, p =>
      Boolean(p.metadata?.labels?.[ROLLOUT_HASH_LABEL]),
    );
  } else if (rollout) {
    pods = podsOf(rollout.spec?.selector);
  } else if (deployment) {
    pods = [
      ...(primary ? podsOf(primary.spec?.selector) : []),
      ...podsOf(deployment.spec?.selector),
    ];
  }
  const hpaTarget = rollout ? 'Rollout' : 'Deployment';
  const hpa = workload
    ? cluster
        .list('horizontalpodautoscalers', namespace)
        .find(
          h =>
            h.spec?.scaleTargetRef?.kind === hpaTarget &&
            h.spec?.scaleTargetRef?.name === workload.metadata?.name,
        )
    : undefined;
  const hpaUnreadable =
    cluster.kindState?.('horizontalpodautoscalers') === 'forbidden';
  const analysisRuns = rollout ? analysisRunsOf(cluster, rollout) : [];
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
    [workload, hpa, canary, primary, ...analysisRuns, ...pods, ...pvcs]
      .filter((o): o is KubeObject => Boolean(o))
      .map(o => `${o.kind}/${o.metadata?.name}`),
  );
  const events = cluster
    .list('events', namespace)
    .filter(e =>
      involved.has(`${e.involvedObject?.kind}/${e.involvedObject?.name}`),
    );

  // The entity's annotations decide when they name an app; otherwise Argo CD's own marks.
  const application =
    query.argoAppName || query.argoAppSelector
      ? findApplication(cluster, query)
      : trackedApplication(cluster, workload);
  const flux = findFluxObjects(cluster, query);
  const helmRelease = flux.helmRelease ?? helmReleaseOf(cluster, workload);
  // The Kustomization that applies the release (or the workload), by Flux's own labels first.
  const kustomization =
    appliedBy(cluster, helmRelease ?? workload) ?? flux.kustomization;
  const fluxObject = helmRelease ?? kustomization;
  const source = fluxObject ? findFluxSource(cluster, fluxObject) : undefined;
  const parents: FluxParent[] = [];
  for (
    let parent = helmRelease
      ? kustomization
      : appliedBy(cluster, kustomization);
    parent && parents.length < 5 && !parents.some(p => p.object === parent);
    parent = appliedBy(cluster, parent)
  ) {
    parents.push({ object: parent, source: findFluxSource(cluster, parent) });
  }
  return {
    parents,
    deployment,
    rollout,
    workloadRef,
    analysisRuns,
    canary,
    primary,
    pods,
    hpa,
    hpaUnreadable,
    pvcs,
    events,
    application,
    kustomization,
    helmRelease,
    source,
  };
}

/**
 * The service's workload among Deployments and Rollouts: labelled
 * `backstage.io/kubernetes-id=<id>`, else matching the entity's label selector (the one Git
 * names first), else named as Git renders it or as the kubernetes id.
 */
function pickWorkload(
  query: ServiceObjectQuery,
  workloads: readonly KubeObject[],
): KubeObject | undefined {
  const labelled = (selector: string) =>
    workloads.filter(w => matchesLabelSelector(selector, w.metadata?.labels));
  const candidates =
    (query.kubernetesId &&
      labelled(`backstage.io/kubernetes-id=${query.kubernetesId}`)) ||
    [];
  const bySelector =
    candidates.length === 0 && query.labelSelector
      ? labelled(query.labelSelector)
      : candidates;
  return (
    bySelector.find(w => w.metadata?.name === query.workloadName) ??
    bySelector[0] ??
    workloads.find(
      w => w.metadata?.name === (query.workloadName ?? query.kubernetesId),
    )
  );
}

function findApplication(cluster: ClusterObjects, query: ServiceObjectQuery) {
  if (!query.argoAppName && !query.argoAppSelector) return undefined;
  const names = new Set(
    (query.argoAppName ?? '')
      .split(',')
      .map(n => n.trim())
      .filter(Boolean),
  );
  const inNamespace = (app: KubeObject) =>
    !query.argoAppNamespace ||
    app.metadata?.namespace === query.argoAppNamespace;
  const apps = (
    names.size > 0
      ? [...names].flatMap(name =>
          findByKey(cluster, 'applications', `app:${name}`),
        )
      : findByLabels(cluster, 'applications', query.argoAppSelector!)
  ).filter(inNamespace);
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
  const labelled = (o: KubeObject) =>
    Boolean(query.labelSelector) &&
    matchesLabelSelector(query.labelSelector!, o.metadata?.labels);
  // Looked up by the path it applies or the namespace it deploys to, never by a scan.
  const pick = (kind: 'kustomizations' | 'helmreleases') => {
    const deploying = findByKey(cluster, kind, `target:${query.namespace}`);
    return (
      (query.sourcePath
        ? findByKey(cluster, kind, `path:${normalizePath(query.sourcePath)}`)[0]
        : undefined) ??
      deploying.find(labelled) ??
      deploying[0]
    );
  };
  return {
    kustomization: pick('kustomizations'),
    helmRelease: pick('helmreleases'),
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
  return findByKey(cluster, kind, `name:${namespace}/${ref.name}`)[0];
}

const FLUX_OWNER = {
  name: 'kustomize.toolkit.fluxcd.io/name',
  namespace: 'kustomize.toolkit.fluxcd.io/namespace',
};
const HELM_OWNER = {
  name: 'helm.toolkit.fluxcd.io/name',
  namespace: 'helm.toolkit.fluxcd.io/namespace',
};

/** The Flux Kustomization whose labels the object carries. */
function appliedBy(cluster: ClusterObjects, object: KubeObject | undefined) {
  return ownerByLabels(cluster, object, FLUX_OWNER, 'kustomizations');
}

/** The HelmRelease that rendered the workload (helm-controller's labels). */
function helmReleaseOf(
  cluster: ClusterObjects,
  object: KubeObject | undefined,
) {
  return ownerByLabels(cluster, object, HELM_OWNER, 'helmreleases');
}

function ownerByLabels(
  cluster: ClusterObjects,
  object: KubeObject | undefined,
  keys: { name: string; namespace: string },
  kind: KindKey,
) {
  const labels = object?.metadata?.labels ?? {};
  const name = labels[keys.name];
  if (!name) return undefined;
  const namespace = labels[keys.namespace] ?? object?.metadata?.namespace;
  return findByKey(cluster, kind, `name:${namespace ?? ''}/${name}`).find(
    o => o !== object,
  );
}

/**
 * The Argo CD Application that manages the workload, from the tracking annotation
 * (`<app>:<group>/<Kind>:<namespace>/<name>`, `<namespace>_<app>` for apps outside Argo CD's
 * namespace) or the `app.kubernetes.io/instance` label, when no annotation names it.
 */
function trackedApplication(
  cluster: ClusterObjects,
  workload: KubeObject | undefined,
) {
  if (!workload) return undefined;
  const tracking: string | undefined =
    workload.metadata?.annotations?.['argocd.argoproj.io/tracking-id'];
  const instance: string | undefined =
    workload.metadata?.labels?.['app.kubernetes.io/instance'];
  const id = tracking ? tracking.split(':')[0] : instance;
  if (!id) return undefined;
  const [appNamespace, appName] = id.includes('_')
    ? id.split('_', 2)
    : [undefined, id];
  return findByKey(cluster, 'applications', `app:${appName}`).find(
    app =>
      (!appNamespace || app.metadata?.namespace === appNamespace) &&
      // Helm charts set the instance label to their release name too: only an app that
      // deploys into the workload's namespace is taken on that label alone.
      (tracking !== undefined ||
        app.spec?.destination?.namespace === workload.metadata?.namespace),
  );
}
