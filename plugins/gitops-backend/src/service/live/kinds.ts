/** A Kubernetes object as the API returns it. */
export type KubeObject = Record<string, any> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, any>;
};

/**
 * Every kind the live-state cache watches: API group, version and resource (the list/watch
 * path derives from them, cluster-wide or in one namespace), whether the cluster may not serve
 * it (a CRD of an engine that is not installed), and where it lives when watches are namespaced:
 * `service` kinds in the services' namespaces, `argocd` kinds in Argo CD's namespaces, `flux`
 * kinds in Flux's namespaces and (HelmReleases often sit beside the app) the services' ones.
 */
export const WATCHED_KINDS = {
  deployments: {
    group: 'apps',
    version: 'v1',
    optional: false,
    scope: 'service',
  },
  pods: { group: '', version: 'v1', optional: false, scope: 'service' },
  horizontalpodautoscalers: {
    group: 'autoscaling',
    version: 'v2',
    optional: false,
    scope: 'service',
  },
  persistentvolumeclaims: {
    group: '',
    version: 'v1',
    optional: false,
    scope: 'service',
  },
  // Only warnings: normal events are most of the volume and diagnose nothing.
  events: {
    group: '',
    version: 'v1',
    optional: false,
    scope: 'service',
    fieldSelector: 'type=Warning',
  },
  applications: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    optional: true,
    scope: 'argocd',
  },
  kustomizations: {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    optional: true,
    scope: 'flux',
  },
  helmreleases: {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    optional: true,
    scope: 'flux',
  },
  gitrepositories: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    optional: true,
    scope: 'flux',
  },
  ocirepositories: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    optional: true,
    scope: 'flux',
  },
} as const satisfies Record<
  string,
  {
    group: string;
    version: string;
    optional: boolean;
    scope: 'service' | 'argocd' | 'flux';
    fieldSelector?: string;
  }
>;

/** The list/watch path of a kind, cluster-wide or in one namespace. */
export function kindPath(kind: KindKey, namespace?: string): string {
  const { group, version } = WATCHED_KINDS[kind];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${kind}`
    : `${base}/${kind}`;
}

/** Key of a watched kind, e.g. `deployments`. */
export type KindKey = keyof typeof WATCHED_KINDS;

/** Read access to the objects of one cluster. */
export interface ClusterObjects {
  list(kind: KindKey, namespace?: string): readonly KubeObject[];
  /** Objects under an index key (see objectIndex.ts); without it, lookups scan `list`. */
  lookup?(kind: KindKey, key: string): readonly KubeObject[];
  /**
   * What could not be read for a service in this namespace (a kind the account may not list,
   * a namespace that is not watched); empty when everything was read.
   */
  warnings?(namespace: string): string[];
  /** When the data was last confirmed, and whether that is too long ago to be current. */
  freshness?(): Freshness;
}

/** How current a cluster's cached data is. */
export interface Freshness {
  /** When the data was last confirmed by the API server (list, watch event, bookmark, open watch). */
  observedAt: string | null;
  stale: boolean;
  /** Why the data is stale, e.g. "cluster prod: no answer since 03:21:29; showing the state from then". */
  staleReason: string | null;
}

/** `Kind namespace/name`, the way problems and sync name the object they come from. */
export function describeObject(object: KubeObject | undefined): string | null {
  if (!object) return null;
  const ns = object.metadata?.namespace;
  return `${object.kind} ${ns ? `${ns}/` : ''}${object.metadata?.name}`;
}

/** Conditions by type. */
export function condition(
  object: KubeObject | undefined,
  type: string,
): Record<string, any> | undefined {
  const conditions = object?.status?.conditions;
  return Array.isArray(conditions)
    ? conditions.find((c: any) => c?.type === type)
    : undefined;
}

/** Does a `k=v,k2=v2` (or `k`, `k!=v`) label selector match these labels? */
export function matchesLabelSelector(
  selector: string,
  labels: Record<string, string> | undefined,
): boolean {
  const have = labels ?? {};
  return selector
    .split(',')
    .map(term => term.trim())
    .filter(Boolean)
    .every(term => {
      const notEqual = term.split('!=');
      if (notEqual.length === 2)
        return have[notEqual[0].trim()] !== notEqual[1].trim();
      const [key, value] = term.split(/==?/).map(part => part.trim());
      return value === undefined ? key in have : have[key] === value;
    });
}

/** Does a Kubernetes `LabelSelector` (matchLabels only) match these labels? */
export function matchesSelector(
  selector: { matchLabels?: Record<string, string> } | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const wanted = selector?.matchLabels ?? {};
  const keys = Object.keys(wanted);
  return keys.length > 0 && keys.every(key => labels?.[key] === wanted[key]);
}
