import { ClusterObjects, KubeObject } from '../kinds';
import { findByKey, ownerKey, ownerUidKey, targetRefKey } from '../objectIndex';

/*
 * How a service's progressive-delivery objects are found beside its workload (see
 * selectServiceObjects): through the index, never by scanning the cluster's objects.
 */

/** The label Argo Rollouts puts on a Rollout's pods: its ReplicaSet's pod-template hash. */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';

/**
 * A Deployment that is not a workload of its own: one a Rollout's `workloadRef` names (Argo
 * Rollouts runs its template and scales it down), or Flagger's primary, which the Canary owns
 * and which carries the target's labels.
 */
export function isLentOrPrimary(
  deployment: KubeObject,
  rollouts: readonly KubeObject[],
): boolean {
  const name = deployment.metadata?.name;
  return (
    rollouts.some(r => referencedName(r) === name) ||
    (deployment.metadata?.ownerReferences ?? []).some(
      (o: any) => o?.kind === 'Canary',
    )
  );
}

export function referencedName(rollout: KubeObject): string | undefined {
  const ref = rollout.spec?.workloadRef;
  return ref?.kind === 'Deployment' ? ref.name : undefined;
}

export function referencedDeployment(
  rollout: KubeObject,
  deployments: readonly KubeObject[],
): KubeObject | undefined {
  const name = referencedName(rollout);
  return name ? deployments.find(d => d.metadata?.name === name) : undefined;
}

/** The Rollout's AnalysisRuns through the owner index, newest first. */
export function analysisRunsOf(
  cluster: ClusterObjects,
  rollout: KubeObject,
): KubeObject[] {
  const meta = rollout.metadata ?? {};
  const runs = meta.uid
    ? findByKey(cluster, 'analysisruns', ownerUidKey(meta.uid))
    : findByKey(
        cluster,
        'analysisruns',
        ownerKey(meta.namespace ?? '', 'Rollout', meta.name),
      );
  return [...runs].sort(
    (a, b) =>
      String(b.metadata?.creationTimestamp ?? '').localeCompare(
        String(a.metadata?.creationTimestamp ?? ''),
      ) ||
      String(b.metadata?.name ?? '').localeCompare(
        String(a.metadata?.name ?? ''),
      ),
  );
}

/** The Flagger Canary whose `spec.targetRef` is the Deployment, through the index. */
export function canaryOf(
  cluster: ClusterObjects,
  deployment: KubeObject,
): KubeObject | undefined {
  const { namespace, name } = deployment.metadata ?? {};
  return findByKey(
    cluster,
    'canaries',
    targetRefKey(namespace ?? '', 'Deployment', name),
  )[0];
}
