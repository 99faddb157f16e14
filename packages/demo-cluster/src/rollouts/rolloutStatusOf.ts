/*
 * DEMO ONLY. The status the demo's Argo Rollouts controller writes, field by field as Argo
 * Rollouts does (`RolloutStatus`, `pkg/apis/rollouts/v1alpha1/types.go`), from what it decided
 * in a pass and the pods there are; and what Argo CD's health check makes of it.
 */
import { stepsHash, weightAt } from './canarySteps';
import {
  ConditionChange,
  REASONS,
  RolloutCondition,
  setCondition,
} from './rolloutStatus';
import {
  Context,
  RolloutOutcome,
  RolloutWorkload,
  ready,
} from './rolloutTypes';

/**
 * The Rollout's status after a pass: replica counts of the pods, the canary's weights, the
 * analysis of the current step, pause and abort, and the conditions Argo Rollouts derives
 * (`calculateRolloutConditions`) — without `phase` and `message`, which follow from them.
 */
export function statusOf(
  w: RolloutWorkload,
  c: Context,
  /** When the Rollout sets no `progressDeadlineSeconds`. */
  defaultDeadlineSeconds: number,
): Record<string, any> {
  const { s, spec, steps, hash, revision, mem } = c;
  const pods = w.pods;
  const updated = pods.filter(p => p.hash === hash);
  const readyCount = pods.filter(ready).length;
  const replicas = w.replicas;
  const stepCount = steps.length;
  const paused = s.pauses.length > 0 || Boolean(spec.paused);
  const promoted = s.stableRS === hash;
  const healthy =
    !paused &&
    promoted &&
    updated.length === replicas &&
    updated.filter(ready).length === replicas &&
    pods.length === replicas &&
    (stepCount === 0 || s.index === stepCount);
  // Progress: pods, readiness or the step moved.
  const progressKey = JSON.stringify([
    s.index,
    s.stableRS,
    pods.map(p => `${p.name}:${p.outcome}`),
  ]);
  if (progressKey !== mem.progress.key) {
    mem.progress = { key: progressKey, at: w.now.getTime() };
  }
  const step = s.index === undefined ? undefined : steps[s.index];
  const deadline =
    Number(spec.progressDeadlineSeconds) || defaultDeadlineSeconds;
  const timedOut =
    !healthy &&
    !paused &&
    !s.abort &&
    !(step?.pause || step?.analysis) &&
    w.now.getTime() - mem.progress.at > deadline * 1000;

  const rs = `${w.name}-${hash}`;
  let conditions: RolloutCondition[] = c.prev.conditions ?? [];
  const set = (change: ConditionChange) => {
    conditions = setCondition(conditions, change, w.now);
  };
  if (!s.abort && (paused || conditions.some(x => x.type === 'Paused'))) {
    set({
      type: 'Paused',
      status: paused ? 'True' : 'False',
      reason: REASONS.paused,
      message: REASONS.pausedMessage,
    });
  }
  set({
    type: 'Healthy',
    status: healthy ? 'True' : 'False',
    reason: REASONS.healthy,
    message: healthy ? REASONS.healthyMessage : REASONS.notHealthyMessage,
  });
  if (s.abort) {
    const aborted = `Rollout aborted update to revision ${revision}`;
    set({
      type: 'Progressing',
      status: 'False',
      reason: REASONS.aborted,
      message: s.abortMessage ? `${aborted}: ${s.abortMessage}` : aborted,
    });
  } else if (paused) {
    set({
      type: 'Progressing',
      status: 'Unknown',
      reason: REASONS.paused,
      message: REASONS.pausedMessage,
    });
  } else if (s.retried) {
    set({
      type: 'Progressing',
      status: 'Unknown',
      reason: REASONS.retry,
      message: REASONS.retryMessage,
    });
  } else if (healthy) {
    set({
      type: 'Progressing',
      status: 'True',
      reason: REASONS.newAvailable,
      message: `ReplicaSet "${rs}" has successfully progressed.`,
    });
  } else if (timedOut) {
    set({
      type: 'Progressing',
      status: 'False',
      reason: REASONS.timedOut,
      message: `ReplicaSet "${rs}" has timed out progressing.`,
    });
  } else {
    set({
      type: 'Progressing',
      status: 'True',
      reason: REASONS.updated,
      message: `ReplicaSet "${rs}" is progressing.`,
    });
  }
  const available = readyCount >= replicas;
  set({
    type: 'Available',
    status: available ? 'True' : 'False',
    reason: REASONS.available,
    message: available ? REASONS.availableMessage : REASONS.notAvailableMessage,
  });
  set({
    type: 'Completed',
    status: promoted ? 'True' : 'False',
    reason: REASONS.completed,
    message: REASONS.completed,
  });

  let weight = weightAt(steps, s.index ?? stepCount);
  if (promoted || s.abort) weight = 0;
  else if (s.promoteFull) weight = 100;
  const canary: Record<string, any> = {
    weights: {
      canary: { weight, podTemplateHash: hash },
      stable: { weight: 100 - weight, podTemplateHash: s.stableRS },
    },
  };
  if (s.stepRun) canary.currentStepAnalysisRunStatus = s.stepRun;
  return {
    ...(s.abort ? { abort: true } : {}),
    ...(s.pauses.length > 0 ? { pauseConditions: s.pauses } : {}),
    ...(s.controllerPause ? { controllerPause: true } : {}),
    ...(s.abort && s.abortedAt ? { abortedAt: s.abortedAt } : {}),
    currentPodHash: hash,
    ...(stepCount > 0 ? { currentStepHash: stepsHash(steps) } : {}),
    replicas: pods.length,
    updatedReplicas: updated.length,
    readyReplicas: readyCount,
    availableReplicas: readyCount,
    ...(s.index !== undefined ? { currentStepIndex: s.index } : {}),
    conditions,
    canary,
    blueGreen: {},
    HPAReplicas: pods.length,
    selector: Object.entries(spec.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    stableRS: s.stableRS,
    ...(s.restartedAt ? { restartedAt: s.restartedAt } : {}),
    ...(s.promoteFull ? { promoteFull: true } : {}),
  };
}

/** Argo CD's health check of a Rollout: its phase, Paused as Suspended. */
export function argoHealth(
  phase: string,
  message: string,
): Pick<RolloutOutcome, 'health' | 'message'> {
  if (phase === 'Paused')
    return { health: 'Suspended', message: 'Rollout is paused' };
  if (phase === 'Degraded') return { health: 'Degraded', message };
  if (phase === 'Progressing')
    return { health: 'Progressing', message: message || null };
  return { health: 'Healthy', message: null };
}

/** The status's fields in the order Argo Rollouts' Go struct writes them. */
export function ordered(status: Record<string, any>): Record<string, any> {
  const order = [
    'HPAReplicas',
    'abort',
    'pauseConditions',
    'controllerPause',
    'abortedAt',
    'currentPodHash',
    'currentStepHash',
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'currentStepIndex',
    'observedGeneration',
    'conditions',
    'canary',
    'blueGreen',
    'selector',
    'stableRS',
    'restartedAt',
    'promoteFull',
    'phase',
    'message',
  ];
  return Object.fromEntries(
    order.filter(k => status[k] !== undefined).map(k => [k, status[k]]),
  );
}
