/** A Kubernetes object as the API returns it. */
export type KubeObject = Record<string, any> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, any>;
};

/**
 * Every kind the live-state cache watches: the list/watch path (cluster-wide) and whether the
 * cluster may not serve it (a CRD of an engine that is not installed).
 */
export const WATCHED_KINDS = {
  deployments: { path: '/apis/apps/v1/deployments', optional: false },
  pods: { path: '/api/v1/pods', optional: false },
  horizontalpodautoscalers: {
    path: '/apis/autoscaling/v2/horizontalpodautoscalers',
    optional: false,
  },
  persistentvolumeclaims: {
    path: '/api/v1/persistentvolumeclaims',
    optional: false,
  },
  // Only warnings: normal events are most of the volume and diagnose nothing.
  events: {
    path: '/api/v1/events',
    optional: false,
    fieldSelector: 'type=Warning',
  },
  applications: {
    path: '/apis/argoproj.io/v1alpha1/applications',
    optional: true,
  },
  kustomizations: {
    path: '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
    optional: true,
  },
  helmreleases: {
    path: '/apis/helm.toolkit.fluxcd.io/v2/helmreleases',
    optional: true,
  },
  gitrepositories: {
    path: '/apis/source.toolkit.fluxcd.io/v1/gitrepositories',
    optional: true,
  },
  ocirepositories: {
    path: '/apis/source.toolkit.fluxcd.io/v1/ocirepositories',
    optional: true,
  },
} as const satisfies Record<
  string,
  { path: string; optional: boolean; fieldSelector?: string }
>;

/** Key of a watched kind, e.g. `deployments`. */
export type KindKey = keyof typeof WATCHED_KINDS;

/** Read access to the objects of one cluster. */
export interface ClusterObjects {
  list(kind: KindKey, namespace?: string): readonly KubeObject[];
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
