import { keepTransitionTimes } from './engineStatus';
import { KubeObject, ObjectStore } from './ObjectStore';
import { Ownership, owned } from './ownership';
import {
  ROLLOUT_HASH_LABEL,
  RolloutOutcome,
} from './rollouts/DemoRolloutsController';
import { removeSecurityReports } from './securityReports';
import {
  WorkloadView,
  buildDeployment,
  buildHpa,
  buildPod,
  buildWarning,
} from './workloadObjects';

/** A workload to write, and its autoscaler when it has one. */
export interface WorkloadWrite extends WorkloadView {
  /** `app.kubernetes.io/name` of the service: pods with it that are gone are deleted. */
  owner: string;
  autoscaler: {
    min: number;
    max: number;
    /** The replica count the autoscaler wants now. */
    wanted: number;
    cpuTarget: number;
    /** Replica demand of the load (DemoLoad). */
    demand: number;
  } | null;
  /** The labels and annotations of the engine that applies the Deployment and autoscaler. */
  managedBy?: Ownership;
  /**
   * The workload is an Argo Rollouts Rollout, not a Deployment: what the demo's Rollouts
   * controller wrote of it and its health. Its pods carry `rollouts-pod-template-hash`.
   */
  rollout?: RolloutOutcome;
}

/**
 * Writes a workload as the Kubernetes controllers would show it — the Deployment, its pods and
 * their warning events, the autoscaler — and says what Argo CD's health check would make of it
 * and which objects the engine applied (the Deployment and autoscaler). For a Rollout the
 * Rollouts controller has written it (and its AnalysisTemplates): its pods and autoscaler here.
 */
export function writeWorkload(
  store: ObjectStore,
  w: WorkloadWrite,
): {
  health: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended';
  message: string | null;
  applied: KubeObject[];
} {
  const { namespace, name: workload, replicas, now } = w;
  const { rollout } = w;
  let applied: KubeObject[];
  let deployment: KubeObject | undefined;
  if (rollout) {
    applied = [rollout.rollout, ...rollout.templates];
    // A Deployment the environment replaced by a Rollout is pruned.
    store.delete('deployments', namespace, workload);
  } else {
    deployment = owned(buildDeployment(w), w.managedBy);
    store.put('deployments', deployment);
    applied = [deployment];
    if (store.serves('rollouts')) store.delete('rollouts', namespace, workload);
  }
  const live = new Set(w.pods.map(p => p.name));
  for (const pod of store.list('pods', namespace)) {
    if (
      pod.metadata.labels?.['app.kubernetes.io/name'] === w.owner &&
      !live.has(pod.metadata.name)
    ) {
      store.delete('pods', namespace, pod.metadata.name);
      store.delete('events', namespace, `${pod.metadata.name}.failed`);
      store.delete('events', namespace, `${pod.metadata.name}.backoff`);
    }
  }
  for (const pod of w.pods) {
    store.put(
      'pods',
      buildPod(
        { ...w, ...(rollout ? { hashLabel: ROLLOUT_HASH_LABEL } : {}) },
        pod,
      ),
    );
    if (pod.outcome === 'missing') {
      store.put(
        'events',
        buildWarning({
          namespace,
          pod: pod.name,
          reason: 'Failed',
          message: `Failed to pull image "${pod.image}": manifest unknown: not found in the registry`,
          count: 1,
          now: new Date(pod.startedAt),
        }),
      );
    } else if (pod.outcome === 'crashes') {
      store.put(
        'events',
        buildWarning({
          namespace,
          pod: pod.name,
          reason: 'BackOff',
          message: 'Back-off restarting failed container',
          count: Math.max(1, pod.restarts),
          now: new Date(pod.startedAt),
        }),
      );
    }
  }
  const scaler = w.autoscaler;
  if (scaler) {
    const hpa = owned(
      buildHpa({
        namespace,
        name: workload,
        ...(rollout ? { targetKind: 'Rollout' as const } : {}),
        min: scaler.min,
        max: scaler.max,
        current: replicas,
        desired: scaler.wanted,
        cpuTarget: scaler.cpuTarget,
        cpuNow: Math.round((scaler.cpuTarget * scaler.demand) / replicas),
        now,
      }),
      w.managedBy,
    );
    const before = store.get('horizontalpodautoscalers', namespace, workload);
    hpa.status.conditions = keepTransitionTimes(
      before?.status?.conditions,
      hpa.status.conditions,
    );
    store.put('horizontalpodautoscalers', hpa);
    applied.push(hpa);
  } else if (store.get('horizontalpodautoscalers', namespace, workload)) {
    store.delete('horizontalpodautoscalers', namespace, workload);
  }
  if (rollout) {
    return { health: rollout.health, message: rollout.message, applied };
  }
  const status = deployment!.status;
  const done =
    status.updatedReplicas >= replicas &&
    status.readyReplicas >= replicas &&
    status.replicas === status.updatedReplicas;
  const stuck = deployment!.status.conditions.some(
    (c: any) => c.reason === 'ProgressDeadlineExceeded',
  );
  let health: 'Healthy' | 'Progressing' | 'Degraded' = 'Progressing';
  let message:
    | string
    | null = `Waiting for rollout of ${workload} to finish: ${status.updatedReplicas} of ${replicas} updated replicas are available`;
  if (done) {
    health = 'Healthy';
    message = null;
  } else if (stuck) {
    health = 'Degraded';
    message = `Deployment "${workload}" exceeded its progress deadline`;
  }
  return { health, message, applied };
}

/**
 * Deletes what {@link writeWorkload} wrote for a workload — the Deployment, its pods and their
 * events, the autoscaler, the reports about them — as a cascading deletion of the engine
 * object that applied it does.
 */
export function removeWorkload(
  store: ObjectStore,
  w: { namespace: string; name: string; owner: string },
) {
  store.delete('deployments', w.namespace, w.name);
  store.delete('horizontalpodautoscalers', w.namespace, w.name);
  removeRollout(store, w);
  removeSecurityReports(store, w);
  for (const pod of store.list('pods', w.namespace)) {
    if (pod.metadata.labels?.['app.kubernetes.io/name'] !== w.owner) continue;
    store.delete('pods', w.namespace, pod.metadata.name);
    store.delete('events', w.namespace, `${pod.metadata.name}.failed`);
    store.delete('events', w.namespace, `${pod.metadata.name}.backoff`);
  }
}

/** A Rollout, its AnalysisRuns and the AnalysisTemplates its steps use. */
function removeRollout(
  store: ObjectStore,
  w: { namespace: string; name: string },
) {
  if (!store.serves('rollouts')) return;
  const rollout = store.get('rollouts', w.namespace, w.name);
  if (!rollout) return;
  store.delete('rollouts', w.namespace, w.name);
  for (const run of store.list('analysisruns', w.namespace)) {
    const owners = run.metadata.ownerReferences ?? [];
    if (owners.some((o: any) => o.kind === 'Rollout' && o.name === w.name)) {
      store.delete('analysisruns', w.namespace, run.metadata.name);
    }
  }
  const steps = rollout.spec?.strategy?.canary?.steps ?? [];
  for (const step of steps) {
    for (const template of step?.analysis?.templates ?? []) {
      store.delete('analysistemplates', w.namespace, template.templateName);
    }
  }
}
