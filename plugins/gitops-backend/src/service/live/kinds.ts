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
  // Flux image automation at v1, GA in Flux 2.7 and what it stores. v1beta2 is deprecated
  // there and goes away in a later Flux; the fields read (spec.image, spec.policy,
  // status.latestRef, spec.update.path, lastPushTime, conditions) are the same in both. A
  // Flux before 2.7 does not serve v1: the list answers 404 and the kinds read as absent,
  // which the environment reports as "not installed (image.toolkit.fluxcd.io/v1)", looked at
  // again every recheck, so an upgrade shows without a restart.
  imagerepositories: {
    group: 'image.toolkit.fluxcd.io',
    version: 'v1',
    optional: true,
    scope: 'flux',
  },
  imagepolicies: {
    group: 'image.toolkit.fluxcd.io',
    version: 'v1',
    optional: true,
    scope: 'flux',
  },
  imageupdateautomations: {
    group: 'image.toolkit.fluxcd.io',
    version: 'v1',
    optional: true,
    scope: 'flux',
  },
  // Argo CD Image Updater 1.x; it lives beside the Applications it updates. Its 0.x
  // annotations are read from the Applications themselves.
  imageupdaters: {
    group: 'argocd-image-updater.argoproj.io',
    version: 'v1alpha1',
    optional: true,
    scope: 'argocd',
  },
  // Supply-chain reports, beside the workloads they are about. Trivy Operator writes one
  // VulnerabilityReport per workload (the Deployment's ReplicaSet) and container; Kyverno ≥ 1.10
  // one PolicyReport per resource (its `scope`), older engines per namespace with
  // `results[].resources`. Optional like the engines: absent reads "not installed".
  vulnerabilityreports: {
    group: 'aquasecurity.github.io',
    version: 'v1alpha1',
    optional: true,
    scope: 'service',
  },
  policyreports: {
    group: 'wgpolicyk8s.io',
    version: 'v1alpha2',
    optional: true,
    scope: 'service',
  },
  // Progressive delivery, beside the workloads it rolls out: Argo Rollouts' Rollouts and the
  // AnalysisRuns they start, Flagger's Canaries. Optional like the engines: a cluster without
  // the controller answers 404 and the environment simply has no `rollout`.
  rollouts: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    optional: true,
    scope: 'service',
  },
  analysisruns: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    optional: true,
    scope: 'service',
  },
  canaries: {
    group: 'flagger.app',
    version: 'v1beta1',
    optional: true,
    scope: 'service',
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
  /**
   * The version of a read (see ObjectIndex.version): `ns:<namespace>` for `list` in one
   * namespace, `*` for all of a kind, the index key for `lookup`. Without it nothing computed
   * from this cluster's objects is reused.
   */
  version?(kind: KindKey, key: string): number;
  /**
   * Whether a kind could be read: `absent` when the cluster does not serve it (an optional
   * engine not installed), `forbidden` when the account may not list it somewhere, `unknown`
   * before it was listed. Without it, kinds are taken as read.
   */
  kindState?(kind: KindKey): KindReadState;
}

/** Whether a kind could be read in a cluster (see {@link ClusterObjects.kindState}). */
export type KindReadState = 'read' | 'absent' | 'forbidden' | 'unknown';

/** A read a view was computed from: the cluster, what was read, and its version then. */
export interface CacheRead {
  cluster: string;
  kind: KindKey;
  key: string;
  version: number;
}

/**
 * The cluster's objects, noting in `reads` every list and lookup with its version, so what is
 * computed from them can be reused until one of those reads would answer differently.
 */
export function recordReads(
  cluster: string,
  objects: ClusterObjects,
  reads: CacheRead[],
): ClusterObjects {
  const note = (kind: KindKey, key: string) =>
    reads.push({
      cluster,
      kind,
      // Kept reads share one copy of each key (see KeptReads).
      key,
      version: objects.version ? objects.version(kind, key) : NaN,
    });
  return {
    list(kind, namespace) {
      note(kind, namespace === undefined ? '*' : `ns:${namespace}`);
      return objects.list(kind, namespace);
    },
    lookup:
      objects.lookup &&
      ((kind, key) => {
        note(kind, key);
        return objects.lookup!(kind, key);
      }),
    warnings: objects.warnings && (namespace => objects.warnings!(namespace)),
    kindState: objects.kindState && (kind => objects.kindState!(kind)),
    freshness: objects.freshness && (() => objects.freshness!()),
  };
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

/** One term of a label selector: `k=v` (or `k==v`), `k!=v`, or `k` (the label exists). */
export interface SelectorTerm {
  key: string;
  op: '=' | '!=' | 'exists';
  value?: string;
}

const PARSED_SELECTORS_MAX = 10_000;
let parsedSelectors = new Map<string, SelectorTerm[]>();

/**
 * The terms of a `k=v,k2!=v2,k3` label selector. A fleet view matches the same few selectors
 * (one per service) against many objects: each is parsed once, not once per object.
 */
export function parseLabelSelector(selector: string): SelectorTerm[] {
  const known = parsedSelectors.get(selector);
  if (known) return known;
  const terms = selector
    .split(',')
    .map(term => term.trim())
    .filter(Boolean)
    .map((term): SelectorTerm => {
      const notEqual = term.split('!=');
      if (notEqual.length === 2) {
        return { key: notEqual[0].trim(), op: '!=', value: notEqual[1].trim() };
      }
      const [key, value] = term.split(/==?/).map(part => part.trim());
      return value === undefined
        ? { key, op: 'exists' }
        : { key, op: '=', value };
    });
  if (parsedSelectors.size >= PARSED_SELECTORS_MAX) parsedSelectors = new Map();
  parsedSelectors.set(selector, terms);
  return terms;
}

/** Does a `k=v,k2=v2` (or `k`, `k!=v`) label selector match these labels? */
export function matchesLabelSelector(
  selector: string,
  labels: Record<string, string> | undefined,
): boolean {
  const have = labels ?? {};
  return parseLabelSelector(selector).every(term => {
    if (term.op === '!=') return have[term.key] !== term.value;
    if (term.op === 'exists') return term.key in have;
    return have[term.key] === term.value;
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
