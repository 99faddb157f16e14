import { buildPod } from '../__fixtures__/clusterObjects';
import {
  CANARY_HASH,
  CANARY_IMAGE,
  NAMESPACE,
  ProgressiveSnapshot,
  ROLLOUT_UID,
  SERVICE,
  argoScenarios,
  buildStepAnalysisRun,
  measurement,
} from '../__fixtures__/progressive';
import { flaggerScenarios } from '../__fixtures__/progressiveFlagger';
import { ClusterObjects, KindKey, KubeObject } from '../kinds';
import { ObjectIndex } from '../objectIndex';
import {
  ServiceObjectQuery,
  selectServiceObjects,
} from '../selectServiceObjects';
import { cachedSnapshot } from './__testUtils__/scenarioObjects';

/** A cluster whose lookups go through ObjectIndex, noting every list and lookup. */
function indexedCluster(snapshot: Partial<Record<KindKey, KubeObject[]>>) {
  const lists: string[] = [];
  const lookups: string[] = [];
  const indexes = new Map<KindKey, ObjectIndex>();
  for (const [kind, objects] of Object.entries(snapshot)) {
    const index = new ObjectIndex(kind as KindKey);
    for (const object of objects ?? []) index.put(object);
    indexes.set(kind as KindKey, index);
  }
  const cluster: ClusterObjects = {
    list: (kind, namespace) => {
      lists.push(kind);
      return (snapshot[kind] ?? []).filter(
        o => !namespace || o.metadata?.namespace === namespace,
      );
    },
    lookup: (kind, key) => {
      lookups.push(`${kind} ${key}`);
      return indexes.get(kind)?.get(key) ?? [];
    },
  };
  return { cluster, lists, lookups };
}

const byId: ServiceObjectQuery = {
  namespace: NAMESPACE,
  environment: 'prod',
  kubernetesId: SERVICE,
};

const select = (
  snapshot: ProgressiveSnapshot,
  query: ServiceObjectQuery = byId,
) =>
  selectServiceObjects(
    indexedCluster(cachedSnapshot({ name: '', snapshot, desired: {} as any }))
      .cluster,
    query,
  );

const names = (objects: readonly KubeObject[]) =>
  objects.map(o => o.metadata?.name);

describe('selectServiceObjects with Argo Rollouts', () => {
  it('takes the Rollout as the workload and its pods by its selector', () => {
    const found = select(argoScenarios.pausedAtStep2().snapshot);
    expect(found.rollout?.metadata?.name).toBe(SERVICE);
    expect(found.deployment).toBeUndefined();
    expect(found.pods).toHaveLength(5);
    expect(found.analysisRuns).toEqual([]);
  });

  it('takes the HPA that scales the Rollout, not one of a Deployment of that name', () => {
    const { snapshot } = argoScenarios.pausedAtStep2();
    const hpa = (kind: string, name: string) => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace: NAMESPACE },
      spec: {
        scaleTargetRef: { apiVersion: 'x', kind, name: SERVICE },
        minReplicas: 2,
        maxReplicas: 10,
      },
    });
    const found = selectServiceObjects(
      indexedCluster({
        ...cachedSnapshot({ name: '', snapshot, desired: {} as any }),
        horizontalpodautoscalers: [
          hpa('Deployment', 'old'),
          hpa('Rollout', 'rollout'),
        ],
      }).cluster,
      byId,
    );
    expect(found.hpa?.metadata?.name).toBe('rollout');
  });

  it("finds the Rollout's AnalysisRuns by owner through the index, newest first", () => {
    const { snapshot } = argoScenarios.analysisRunning();
    const [rollout] = snapshot.rollouts!;
    const older = buildStepAnalysisRun({
      rollout,
      phase: 'Successful',
      hash: 'oldhash',
      startedMinutesAgo: 600,
      measurements: [measurement('Successful', 0.99, 599)],
    });
    const other = buildStepAnalysisRun({
      rollout: { ...rollout, metadata: { ...rollout.metadata, uid: 'x' } },
      phase: 'Failed',
      hash: 'otherhash',
      measurements: [],
    });
    other.metadata.ownerReferences[0].name = 'podinfo';
    const { cluster, lists, lookups } = indexedCluster(
      cachedSnapshot({
        name: '',
        snapshot: {
          ...snapshot,
          analysisruns: [older, other, ...snapshot.analysisruns!],
        },
        desired: {} as any,
      }),
    );
    const found = selectServiceObjects(cluster, byId);
    expect(names(found.analysisRuns)).toEqual([
      `${SERVICE}-${CANARY_HASH}-3-3`,
      `${SERVICE}-oldhash-3-3`,
    ]);
    expect(lookups).toContain(`analysisruns owner-uid:${ROLLOUT_UID}`);
    expect(lists).not.toContain('analysisruns');
    expect(lists).not.toContain('canaries');
  });

  it("with a workloadRef, does not take the Deployment for the workload and selects pods by its selector and Argo's hash", () => {
    const { snapshot } = argoScenarios.workloadRefTimedPause();
    // A pod of the Deployment itself (not scaled down yet): no rollouts-pod-template-hash.
    const own = buildPod({
      service: SERVICE,
      namespace: NAMESPACE,
      image: CANARY_IMAGE,
      index: 40,
      createdMinutesAgo: 90,
    });
    const found = select(
      { ...snapshot, pods: [...snapshot.pods!, own] },
      {
        ...byId,
        workloadName: SERVICE,
      },
    );
    expect(found.rollout?.metadata?.name).toBe(SERVICE);
    expect(found.deployment).toBeUndefined();
    expect(found.workloadRef?.kind).toBe('Deployment');
    expect(found.pods).toHaveLength(5);
    expect(names(found.pods)).not.toContain(own.metadata.name);
  });
});

describe('selectServiceObjects with Flagger', () => {
  it('takes the target for the workload, not the primary that carries its labels', () => {
    const { snapshot } = flaggerScenarios.progressingAt30();
    const { cluster, lists, lookups } = indexedCluster(
      cachedSnapshot({ name: '', snapshot, desired: {} as any }),
    );
    // Only the kubernetes id: both Deployments carry it.
    const found = selectServiceObjects(cluster, byId);
    expect(found.deployment?.metadata?.name).toBe(SERVICE);
    expect(found.canary?.metadata?.name).toBe(SERVICE);
    expect(found.primary?.metadata?.name).toBe(`${SERVICE}-primary`);
    expect(found.rollout).toBeUndefined();
    expect(found.pods).toHaveLength(6);
    expect(lookups).toContain(
      `canaries targetRef:${NAMESPACE}/Deployment/${SERVICE}`,
    );
    expect(lists).not.toContain('canaries');
  });

  it("keeps the Canary's warning events for the analysis", () => {
    const found = select(flaggerScenarios.failedChecks().snapshot);
    expect(found.events).toHaveLength(7);
    expect(found.events.every(e => e.involvedObject?.kind === 'Canary')).toBe(
      true,
    );
    expect(found.pods).toHaveLength(3);
  });

  it('finds no Canary for a Deployment no Canary targets', () => {
    const { snapshot } = flaggerScenarios.progressingAt30();
    const [canary] = snapshot.canaries!;
    canary.spec.targetRef.name = 'podinfo';
    const found = select(snapshot);
    expect(found.canary).toBeUndefined();
    expect(found.primary).toBeUndefined();
    expect(found.deployment?.metadata?.name).toBe(SERVICE);
    expect(found.pods).toHaveLength(3);
  });
});
