import {
  LiveAutoscaling,
  LiveState,
} from '@gitops-backstage/plugin-gitops-common';
import { desiredShape } from './drift';
import { KubeObject, condition } from './kinds';
import { argoRolloutStatus } from './progressive/argoRollout';
import { flaggerRolloutStatus } from './progressive/flaggerCanary';
import { ServiceObjects } from './selectServiceObjects';

/**
 * Reads replicas, rollout, autoscaler and pod counts of a service's workload: its Deployment
 * or Argo Rollouts Rollout. With a Flagger Canary the replicas are the primary's, which
 * serves (Flagger scales the target to zero between analyses), and the images the target's.
 */
export function liveState(
  cluster: string,
  namespace: string,
  objects: ServiceObjects,
): LiveState {
  const { rollout, pods, hpa } = objects;
  const { containers, workload } = desiredShape(objects);
  const counted = rollout ?? objects.primary ?? objects.deployment;
  const statuses = pods.flatMap(p => p.status?.containerStatuses ?? []);
  return {
    cluster,
    namespace,
    workload: workload?.metadata?.name ?? null,
    images: containers.map(c => String(c.image)),
    replicas: counted
      ? {
          desired: numberOr(counted.spec?.replicas, null),
          ready: numberOr(counted.status?.readyReplicas, 0),
          updated: numberOr(counted.status?.updatedReplicas, 0),
          available: numberOr(counted.status?.availableReplicas, 0),
        }
      : null,
    rollout: rolloutStatusOf(objects),
    autoscaling: hpa ? autoscalingOf(hpa) : null,
    pods: {
      total: pods.length,
      ready: pods.filter(p => condition(p, 'Ready')?.status === 'True').length,
      restarts: statuses.reduce(
        (sum, s) => sum + numberOr(s?.restartCount, 0),
        0,
      ),
    },
  };
}

/** The rollout state of a Rollout, of a Canary under way or failed, else of the Deployment. */
function rolloutStatusOf(objects: ServiceObjects): LiveState['rollout'] {
  if (objects.rollout) return argoRolloutStatus(objects.rollout);
  const canary = objects.canary && flaggerRolloutStatus(objects.canary);
  return canary ?? rolloutOf(objects.primary ?? objects.deployment);
}

/**
 * Rollout state the way `kubectl rollout status` decides it: failed past the progress
 * deadline, complete when every replica is updated and available for the current generation.
 */
export function rolloutOf(
  deployment: KubeObject | undefined,
): LiveState['rollout'] {
  if (!deployment) return { status: 'Unknown', message: null };
  const progressing = condition(deployment, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { status: 'Failed', message: progressing.message ?? null };
  }
  const spec = numberOr(deployment.spec?.replicas, 1);
  const status = deployment.status ?? {};
  const observed =
    numberOr(status.observedGeneration, 0) >=
    numberOr(deployment.metadata?.generation, 0);
  const complete =
    observed &&
    numberOr(status.updatedReplicas, 0) >= spec &&
    numberOr(status.availableReplicas, 0) >= spec &&
    numberOr(status.replicas, 0) <= numberOr(status.updatedReplicas, 0);
  if (complete) return { status: 'Complete', message: null };
  return {
    status: 'Progressing',
    message: `${numberOr(
      status.updatedReplicas,
      0,
    )} of ${spec} updated, ${numberOr(status.availableReplicas, 0)} available`,
  };
}

function autoscalingOf(hpa: KubeObject): LiveAutoscaling {
  const targets = new Map<string, number | null>();
  for (const metric of hpa.spec?.metrics ?? []) {
    if (metric?.type === 'Resource') {
      targets.set(
        metric.resource?.name,
        numberOr(metric.resource?.target?.averageUtilization, null),
      );
    }
  }
  const current = new Map<string, number | null>();
  for (const metric of hpa.status?.currentMetrics ?? []) {
    if (metric?.type === 'Resource') {
      current.set(
        metric.resource?.name,
        numberOr(metric.resource?.current?.averageUtilization, null),
      );
    }
  }
  return {
    minReplicas: numberOr(hpa.spec?.minReplicas, 1),
    maxReplicas: numberOr(hpa.spec?.maxReplicas, null),
    currentReplicas: numberOr(hpa.status?.currentReplicas, null),
    desiredReplicas: numberOr(hpa.status?.desiredReplicas, null),
    metrics: [...new Set([...targets.keys(), ...current.keys()])].map(name => ({
      name,
      current: current.get(name) ?? null,
      target: targets.get(name) ?? null,
    })),
  };
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
