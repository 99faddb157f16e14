/**
 * The namespaces a cluster's watches are limited to, for service accounts bound by Roles
 * (`gitops.clusters[].namespaces`). Without one, every kind is watched cluster-wide.
 */
export interface WatchScope {
  /** Namespaces of services: workloads, pods, autoscalers, claims, events (and HelmReleases). */
  service: string[];
  /** Where Argo CD Applications live. */
  argocd: string[];
  /** Where Flux Kustomizations, HelmReleases and sources live. */
  flux: string[];
}

/** The scope's namespaces, sorted and without duplicates. */
export function scopeNamespaces(scope: WatchScope): WatchScope {
  const clean = (list: string[]) => [...new Set(list.filter(Boolean))].sort();
  return {
    service: clean(scope.service),
    argocd: clean(scope.argocd),
    flux: clean(scope.flux),
  };
}
