import { ClusterObjects, KindKey, KubeObject } from './kinds';

/** Cluster objects held in memory: a snapshot for tests, or objects gathered elsewhere. */
export function memoryCluster(
  snapshot: Partial<Record<KindKey, readonly KubeObject[]>>,
): ClusterObjects {
  return {
    list: (kind, namespace) =>
      (snapshot[kind] ?? []).filter(
        o => !namespace || o.metadata?.namespace === namespace,
      ),
  };
}
