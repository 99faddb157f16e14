/*
 * DEMO ONLY. The parts of a Rollout's status Argo Rollouts derives rather than decides: its
 * conditions (`utils/conditions`: Progressing, Available, Healthy, Completed, Paused) and its
 * phase and message (`utils/rollout.CalculateRolloutPhase`).
 */
import { metaTime } from './analysisRuns';

export interface RolloutCondition {
  type: 'Progressing' | 'Available' | 'Healthy' | 'Completed' | 'Paused';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export type ConditionChange = Omit<
  RolloutCondition,
  'lastUpdateTime' | 'lastTransitionTime'
>;

/**
 * `SetRolloutCondition`: a condition of the same status and reason stays as it is; another
 * replaces it (at the end of the list), keeping its transition time when only the reason
 * changed. Progressing also takes a new message of the same reason (a new ReplicaSet).
 */
export function setCondition(
  conditions: readonly RolloutCondition[],
  change: ConditionChange,
  now: Date,
): RolloutCondition[] {
  const current = conditions.find(c => c.type === change.type);
  if (
    current &&
    current.status === change.status &&
    current.reason === change.reason &&
    (change.reason !== 'ReplicaSetUpdated' ||
      current.message === change.message)
  ) {
    return [...conditions];
  }
  const at = metaTime(now);
  return [
    ...conditions.filter(c => c.type !== change.type),
    {
      ...change,
      lastUpdateTime: at,
      lastTransitionTime:
        current && current.status === change.status
          ? current.lastTransitionTime
          : at,
    },
  ];
}

/** `conditions` messages and reasons, as Argo Rollouts words them. */
export const REASONS = {
  available: 'AvailableReason',
  availableMessage: 'Rollout has minimum availability',
  notAvailableMessage: 'Rollout does not have minimum availability',
  updated: 'ReplicaSetUpdated',
  newAvailable: 'NewReplicaSetAvailable',
  paused: 'RolloutPaused',
  pausedMessage: 'Rollout is paused',
  resumed: 'RolloutResumed',
  resumedMessage: 'Rollout is resumed',
  aborted: 'RolloutAborted',
  retry: 'RolloutRetry',
  retryMessage: 'Retrying Rollout after abort',
  timedOut: 'ProgressDeadlineExceeded',
  healthy: 'RolloutHealthy',
  healthyMessage: 'Rollout is healthy',
  notHealthyMessage: 'Rollout is not healthy',
  completed: 'RolloutCompleted',
} as const;

/**
 * `CalculateRolloutPhase` of a canary without traffic routing: Degraded when aborted or timed
 * out, Paused while a pause holds it, Progressing until the current pods are all there and
 * stable, else Healthy (with no message).
 */
export function rolloutPhase(
  spec: Record<string, any>,
  status: Record<string, any>,
): {
  phase: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';
  message: string;
} {
  for (const c of status.conditions ?? []) {
    if (c.reason === REASONS.aborted || c.reason === REASONS.timedOut) {
      return { phase: 'Degraded', message: `${c.reason}: ${c.message}` };
    }
  }
  if (spec.paused) return { phase: 'Paused', message: 'manually paused' };
  if ((status.pauseConditions ?? []).length > 0) {
    return { phase: 'Paused', message: status.pauseConditions[0].reason };
  }
  if (spec.restartAt && spec.restartAt !== status.restartedAt) {
    return { phase: 'Progressing', message: 'rollout is restarting' };
  }
  const replicas = spec.replicas ?? 1;
  if ((status.updatedReplicas ?? 0) < replicas) {
    return {
      phase: 'Progressing',
      message: 'more replicas need to be updated',
    };
  }
  if ((status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0)) {
    return {
      phase: 'Progressing',
      message: 'updated replicas are still becoming available',
    };
  }
  if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) {
    return {
      phase: 'Progressing',
      message: 'old replicas are pending termination',
    };
  }
  if (!status.stableRS || status.stableRS !== status.currentPodHash) {
    return {
      phase: 'Progressing',
      message: 'waiting for all steps to complete',
    };
  }
  return { phase: 'Healthy', message: '' };
}
