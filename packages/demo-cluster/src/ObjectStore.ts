/** A Kubernetes object as the API serves it. */
export type KubeObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, any> & { name: string; namespace?: string };
};

/** A served kind: where it lives in the API. */
export interface KindInfo {
  plural: string;
  group: string; // '' for the core group
  version: string;
  kind: string;
  namespaced: boolean;
  /**
   * Served with a `status` subresource (`…/<name>/status`): a PATCH there changes only the
   * status, a PATCH of the object leaves its status alone, as the API server does for CRDs
   * that enable it.
   */
  statusSubresource?: boolean;
}

/** The kinds the demo serves: what the GitOps plugin watches, and nothing else. */
export const KINDS: KindInfo[] = [
  { plural: 'deployments', group: 'apps', version: 'v1', kind: 'Deployment' },
  { plural: 'pods', group: '', version: 'v1', kind: 'Pod' },
  {
    plural: 'horizontalpodautoscalers',
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
  },
  {
    plural: 'persistentvolumeclaims',
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
  },
  { plural: 'events', group: '', version: 'v1', kind: 'Event' },
  {
    plural: 'applications',
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'Application',
  },
  {
    plural: 'kustomizations',
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    kind: 'Kustomization',
  },
  {
    plural: 'helmreleases',
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    kind: 'HelmRelease',
  },
  {
    plural: 'gitrepositories',
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    kind: 'GitRepository',
  },
  {
    plural: 'helmrepositories',
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    kind: 'HelmRepository',
  },
  {
    plural: 'ocirepositories',
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    kind: 'OCIRepository',
  },
  // Flux image automation: image-reflector-controller's two kinds, image-automation-controller's.
  ...(
    [
      ['imagerepositories', 'ImageRepository'],
      ['imagepolicies', 'ImagePolicy'],
      ['imageupdateautomations', 'ImageUpdateAutomation'],
    ] as const
  ).map(([plural, kind]) => ({
    plural,
    group: 'image.toolkit.fluxcd.io',
    version: 'v1',
    kind,
  })),
  // Supply-chain reports (securityReports.ts): Trivy Operator's and Kyverno's CRDs.
  {
    plural: 'vulnerabilityreports',
    group: 'aquasecurity.github.io',
    version: 'v1alpha1',
    kind: 'VulnerabilityReport',
  },
  {
    plural: 'policyreports',
    group: 'wgpolicyk8s.io',
    version: 'v1alpha2',
    kind: 'PolicyReport',
  },
  // Argo Rollouts (rollouts/): the Rollout that replaces a Deployment (its CRD has a status
  // subresource, AnalysisRuns' has none), the AnalysisRuns its analysis steps start and the
  // AnalysisTemplates they are made from.
  ...(
    [
      ['rollouts', 'Rollout', true],
      ['analysisruns', 'AnalysisRun', false],
      ['analysistemplates', 'AnalysisTemplate', false],
    ] as const
  ).map(([plural, kind, statusSubresource]) => ({
    plural,
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind,
    ...(statusSubresource ? { statusSubresource } : {}),
  })),
].map(k => ({ ...k, namespaced: true }));

/** The kinds of the reports Trivy Operator and Kyverno write: CRDs a cluster may not have. */
export const REPORT_KINDS = ['vulnerabilityreports', 'policyreports'] as const;

/** The kinds of Argo Rollouts' CRDs: a cluster may not have its controller installed. */
export const ROLLOUT_KINDS = [
  'rollouts',
  'analysisruns',
  'analysistemplates',
] as const;

/** Options of {@link ObjectStore}. */
export interface ObjectStoreOptions {
  /** Kinds (plurals) the cluster does not serve, as a cluster without their CRDs. */
  without?: readonly string[];
}

/** A change, as a watch stream sends it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  resourceVersion: number;
}

type Listener = (event: WatchEvent) => void;

/** How many past events per kind a watch can resume from before it gets 410 Gone. */
const HISTORY = 5000;

/**
 * The demo cluster's objects, with one resourceVersion counter like etcd's: lists carry it,
 * watches resume from it, and every change is an event to the open watches of its kind.
 */
export class ObjectStore {
  private revision = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history = new Map<string, WatchEvent[]>();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** The kinds this cluster serves. */
  readonly kinds: readonly KindInfo[];

  constructor(options: ObjectStoreOptions = {}) {
    this.kinds = KINDS.filter(k => !options.without?.includes(k.plural));
    for (const kind of this.kinds) {
      this.objects.set(kind.plural, new Map());
      this.history.set(kind.plural, []);
      this.listeners.set(kind.plural, new Set());
    }
  }

  /** Whether the cluster serves a kind (its CRD is installed). */
  serves(plural: string): boolean {
    return this.objects.has(plural);
  }

  get resourceVersion(): number {
    return this.revision;
  }

  list(plural: string, namespace?: string): KubeObject[] {
    return [...(this.objects.get(plural)?.values() ?? [])]
      .filter(o => !namespace || o.metadata.namespace === namespace)
      .map(o => structuredClone(o));
  }

  get(plural: string, namespace: string, name: string): KubeObject | undefined {
    const found = this.objects.get(plural)?.get(`${namespace}/${name}`);
    return found ? structuredClone(found) : undefined;
  }

  /**
   * Creates or replaces an object; an update that changes nothing (apart from its
   * resourceVersion) is dropped, so the reconciler can write its whole state every tick.
   */
  put(plural: string, object: KubeObject): KubeObject {
    const objects = this.objects.get(plural);
    if (!objects) throw new Error(`unknown kind ${plural}`);
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    const current = objects.get(key);
    const next = structuredClone(object);
    next.metadata.uid = current?.metadata.uid ?? next.metadata.uid ?? uid(key);
    next.metadata.creationTimestamp =
      current?.metadata.creationTimestamp ??
      next.metadata.creationTimestamp ??
      new Date().toISOString();
    if (current && sameContent(current, next)) return structuredClone(current);
    this.revision++;
    next.metadata.resourceVersion = String(this.revision);
    objects.set(key, next);
    this.emit(plural, current ? 'MODIFIED' : 'ADDED', next);
    return structuredClone(next);
  }

  delete(plural: string, namespace: string, name: string): void {
    const objects = this.objects.get(plural);
    const key = `${namespace}/${name}`;
    const current = objects?.get(key);
    if (!objects || !current) return;
    objects.delete(key);
    this.revision++;
    this.emit(plural, 'DELETED', {
      ...current,
      metadata: { ...current.metadata, resourceVersion: String(this.revision) },
    });
  }

  /**
   * Events after `since`, then every new one, until `stop` is called. `undefined` when
   * `since` is older than the kept history (the caller answers 410 Gone and the informer
   * lists again).
   */
  watch(
    plural: string,
    since: number,
    listener: Listener,
  ): { stop: () => void } | undefined {
    const history = this.history.get(plural)!;
    if (history.length > 0 && since < history[0].resourceVersion - 1) {
      return undefined;
    }
    for (const event of history) {
      if (event.resourceVersion > since) listener(event);
    }
    const listeners = this.listeners.get(plural)!;
    listeners.add(listener);
    return { stop: () => listeners.delete(listener) };
  }

  private emit(plural: string, type: WatchEvent['type'], object: KubeObject) {
    const event = {
      type,
      object: structuredClone(object),
      resourceVersion: this.revision,
    };
    const history = this.history.get(plural)!;
    history.push(event);
    if (history.length > HISTORY) history.splice(0, history.length - HISTORY);
    this.listeners.get(plural)!.forEach(listener => listener(event));
  }
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: undefined },
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function uid(key: string): string {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}${hex.slice(0, 4)}`;
}
