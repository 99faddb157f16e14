import { keepTransitionTimes } from './engineStatus';
import { KubeObject, ObjectStore } from './ObjectStore';
import { Ownership, owned } from './ownership';
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
}

/**
 * Writes a workload as the Kubernetes controllers would show it — the Deployment, its pods and
 * their warning events, the autoscaler — and says what Argo CD's health check would make of it
 * and which objects the engine applied (the Deployment and autoscaler).
 */
export function writeWorkload(
  store: ObjectStore,
  w: WorkloadWrite,
): {
  health: 'Healthy' | 'Progressing' | 'Degraded';
  message: string | null;
  applied: KubeObject[];
} {
  const { namespace, name: workload, replicas, now } = w;
  const deployment = owned(buildDeployment(w), w.managedBy);
  store.put('deployments', deployment);
  const applied = [deployment];
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
    store.put('pods', buildPod(w, pod));
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
  const status = deployment.status;
  const done =
    status.updatedReplicas >= replicas &&
    status.readyReplicas >= replicas &&
    status.replicas === status.updatedReplicas;
  const stuck = deployment.status.conditions.some(
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
  removeSecurityReports(store, w);
  for (const pod of store.list('pods', w.namespace)) {
    if (pod.metadata.labels?.['app.kubernetes.io/name'] !== w.owner) continue;
    store.delete('pods', w.namespace, pod.metadata.name);
    store.delete('events', w.namespace, `${pod.metadata.name}.failed`);
    store.delete('events', w.namespace, `${pod.metadata.name}.backoff`);
  }
}
