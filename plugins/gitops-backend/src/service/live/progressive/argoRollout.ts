import {
  LiveState,
  ProgressiveRollout,
  RolloutStep,
} from '@gitops-backstage/plugin-gitops-common';
import { KubeObject, condition } from '../kinds';
import { ROLLOUT_HASH_LABEL } from './progressiveObjects';
import { rolloutActionStates } from './actionStates';
import { shownAnalysis } from './argoAnalysis';
import {
  durationSeconds,
  rolloutSide,
  serviceImage,
  timeOfDay,
} from './rolloutSides';

/*
 * An Argo Rollouts Rollout (argoproj.io/v1alpha1) as the lane shows it, from its status as
 * the controller writes it (pkg/apis/rollouts/v1alpha1/types.go, analysis_types.go).
 */

/** What {@link argoRolloutState} reads. */
export interface ArgoRolloutInput {
  rollout: KubeObject;
  /** The Rollout's AnalysisRuns, newest first. */
  analysisRuns: readonly KubeObject[];
  /** The Rollout's pods, of every ReplicaSet. */
  pods: readonly KubeObject[];
  /** The Deployment `spec.workloadRef` names: its pod template is the Rollout's. */
  workloadRef?: KubeObject;
  /** The image Git sets: tells the service's container from sidecars. */
  desiredImage?: string | null;
}

/** The Rollout's steps, progress, sides, analysis and the actions it accepts now. */
export function argoRolloutState(input: ArgoRolloutInput): ProgressiveRollout {
  const { rollout } = input;
  const status = rollout.status ?? {};
  const strategy = rollout.spec?.strategy?.blueGreen ? 'blueGreen' : 'canary';
  const steps = canarySteps(rollout);
  const stepList = steps.map(stepOf);
  const index = currentStepIndex(rollout);
  const aborted = status.abort === true;
  const promoted = isFullyPromoted(rollout);
  return {
    controller: 'argo-rollouts',
    kind: 'Rollout',
    name: String(rollout.metadata?.name),
    namespace: String(rollout.metadata?.namespace ?? ''),
    strategy,
    phase: typeof status.phase === 'string' ? status.phase : 'Unknown',
    health: rolloutHealth(rollout),
    message: rolloutMessage(rollout),
    step: steps.length > 0 ? Math.min(index + 1, steps.length) : null,
    steps: steps.length > 0 ? steps.length : null,
    stepList,
    weight: strategy === 'canary' ? canaryWeight(rollout, stepList) : null,
    paused: rolloutPaused(rollout),
    aborted: aborted
      ? { at: status.abortedAt ?? null, message: abortMessage(rollout) }
      : null,
    ...rolloutSides(input, strategy, promoted),
    analysis: shownAnalysis(rollout, input.analysisRuns),
    actions: rolloutActionStates(rollout),
  };
}

/**
 * `rollout` of the live state for a Rollout: Healthy is Complete, Progressing and Paused are
 * Progressing (with why), Degraded (an abort, a progress deadline, an invalid spec) is Failed.
 */
export function argoRolloutStatus(rollout: KubeObject): LiveState['rollout'] {
  const health = rolloutHealth(rollout);
  const message = rolloutMessage(rollout);
  if (health === 'Healthy') return { status: 'Complete', message: null };
  if (health === 'Degraded') return { status: 'Failed', message };
  if (health === 'Paused') {
    return {
      status: 'Progressing',
      message: rolloutPaused(rollout) ?? message,
    };
  }
  if (health === 'Progressing') return { status: 'Progressing', message };
  return { status: 'Unknown', message };
}

/** The canary steps; none for blue-green or a canary without steps. */
export function canarySteps(rollout: KubeObject): any[] {
  const steps = rollout.spec?.strategy?.canary?.steps;
  return Array.isArray(steps) ? steps : [];
}

/** `status.currentStepIndex`: the step being executed, 0-based; the step count when done. */
export function currentStepIndex(rollout: KubeObject): number {
  const index = rollout.status?.currentStepIndex;
  if (typeof index === 'number') return index;
  return isFullyPromoted(rollout) ? canarySteps(rollout).length : 0;
}

/** The stable ReplicaSet is the desired one: no update in progress. */
export function isFullyPromoted(rollout: KubeObject): boolean {
  const { stableRS, currentPodHash } = rollout.status ?? {};
  return Boolean(stableRS) && stableRS === currentPodHash;
}

/**
 * The roll-up as `kubectl argo rollouts` computes it (GetRolloutPhase): a spec change the
 * controller has not seen yet, or a resume it has not acted on, is Progressing whatever the
 * last phase; an abort is Degraded.
 */
export function rolloutHealth(
  rollout: KubeObject,
): ProgressiveRollout['health'] {
  const status = rollout.status ?? {};
  if (status.abort === true) return 'Degraded';
  if (!generationObserved(rollout) || isUnpausing(rollout))
    return 'Progressing';
  const phase = status.phase;
  if (['Healthy', 'Progressing', 'Paused', 'Degraded'].includes(phase)) {
    return phase;
  }
  return 'Unknown';
}

function rolloutMessage(rollout: KubeObject): string | null {
  if (!generationObserved(rollout)) {
    return 'waiting for rollout spec update to be observed';
  }
  if (isUnpausing(rollout)) return 'waiting for rollout to unpause';
  const message = rollout.status?.message;
  return typeof message === 'string' && message ? message : null;
}

/** `status.observedGeneration` is a string in Rollouts (a hash before v0.10). */
function generationObserved(rollout: KubeObject): boolean {
  const observed = String(rollout.status?.observedGeneration ?? '');
  if (!/^\d+$/.test(observed)) return true;
  const generation = Number(rollout.metadata?.generation ?? 0);
  return Number(observed) >= generation;
}

/** Someone cleared the pause conditions and the controller has not resumed yet. */
function isUnpausing(rollout: KubeObject): boolean {
  const status = rollout.status ?? {};
  return (
    status.controllerPause === true &&
    (status.pauseConditions ?? []).length === 0
  );
}

/** One canary step as the lane lists it. */
export function stepOf(step: any): RolloutStep {
  if (typeof step?.setWeight === 'number') {
    return {
      kind: 'setWeight',
      label: `weight ${step.setWeight} %`,
      weight: step.setWeight,
    };
  }
  if (step?.pause) {
    const duration = step.pause.duration;
    return {
      kind: 'pause',
      label:
        duration === undefined || duration === null
          ? 'pause until promoted'
          : `pause ${formatDuration(duration)}`,
      weight: null,
    };
  }
  if (step?.analysis) {
    const names = templateNames(step.analysis.templates);
    return {
      kind: 'analysis',
      label: names ? `analysis ${names}` : 'analysis',
      weight: null,
    };
  }
  if (step?.experiment) {
    const duration = step.experiment.duration;
    return {
      kind: 'experiment',
      label: duration ? `experiment ${formatDuration(duration)}` : 'experiment',
      weight: null,
    };
  }
  return { kind: 'other', label: otherStepLabel(step), weight: null };
}

function otherStepLabel(step: any): string {
  const scale = step?.setCanaryScale;
  if (scale?.matchTrafficWeight) return 'canary scale matches traffic';
  if (typeof scale?.weight === 'number')
    return `canary scale ${scale.weight} %`;
  if (typeof scale?.replicas === 'number') {
    return `canary scale ${scale.replicas} replicas`;
  }
  if (step?.setHeaderRoute) return `header route ${step.setHeaderRoute.name}`;
  if (step?.setMirrorRoute) return `mirror route ${step.setMirrorRoute.name}`;
  if (step?.plugin) return `plugin ${step.plugin.name}`;
  return 'step';
}

function templateNames(templates: unknown): string {
  return (Array.isArray(templates) ? templates : [])
    .map((t: any) => t?.templateName)
    .filter(Boolean)
    .join(', ');
}

/** `5m` stays `5m`; a bare number of seconds reads `300s`. */
function formatDuration(duration: unknown): string {
  return typeof duration === 'number' ? `${duration}s` : String(duration);
}

/**
 * The canary's traffic weight: what the traffic router was set to when the Rollout records it,
 * else the last setWeight at or before the current step; 0 once aborted, 100 once promoted.
 */
function canaryWeight(
  rollout: KubeObject,
  stepList: readonly RolloutStep[],
): number | null {
  const status = rollout.status ?? {};
  const recorded = status.canary?.weights?.canary?.weight;
  if (typeof recorded === 'number') return recorded;
  if (status.abort === true) return 0;
  if (isFullyPromoted(rollout)) return 100;
  if (stepList.length === 0) return null;
  const index = Math.min(currentStepIndex(rollout), stepList.length - 1);
  const set = stepList
    .slice(0, index + 1)
    .filter(s => s.weight !== null)
    .pop();
  return set?.weight ?? 0;
}

/**
 * Why the Rollout is paused, e.g. `CanaryPauseStep since 12:04:10 UTC (pause 10m, resumes at
 * 12:14:10 UTC)`; null when it is not (an aborted Rollout is not paused: it is aborted).
 */
export function rolloutPaused(rollout: KubeObject): string | null {
  const status = rollout.status ?? {};
  if (status.abort === true) return null;
  const [pause] = status.pauseConditions ?? [];
  if (pause) {
    const since = `${pause.reason} since ${timeOfDay(pause.startTime)}`;
    if (pause.reason === 'CanaryPauseStep') {
      const step = canarySteps(rollout)[currentStepIndex(rollout)];
      const duration = step?.pause?.duration;
      if (duration === undefined || duration === null) {
        return `${since} (until promoted)`;
      }
      const seconds = durationSeconds(duration);
      const start = Date.parse(pause.startTime ?? '');
      const resumes =
        seconds !== null && Number.isFinite(start)
          ? `, resumes at ${timeOfDay(
              new Date(start + seconds * 1000).toISOString(),
            )}`
          : '';
      return `${since} (pause ${formatDuration(duration)}${resumes})`;
    }
    if (pause.reason === 'BlueGreenPause') {
      const seconds = rollout.spec?.strategy?.blueGreen?.autoPromotionSeconds;
      return typeof seconds === 'number'
        ? `${since} (promoted automatically after ${seconds}s)`
        : `${since} (until promoted)`;
    }
    return `${since} (until promoted or aborted)`;
  }
  if (rollout.spec?.paused === true) return 'paused by hand (spec.paused)';
  return null;
}

/** The abort's reason: the Progressing condition's message names the failed metric. */
function abortMessage(rollout: KubeObject): string | null {
  const progressing = condition(rollout, 'Progressing');
  if (progressing?.reason === 'RolloutAborted' && progressing.message) {
    return progressing.message;
  }
  // `status.abort` is set by whoever aborts (a person through the status subresource) before
  // the controller acts on it; until then `status.message` still says why it was paused.
  if (rollout.status?.phase !== 'Degraded') {
    return 'abort requested; the controller has not acted on it yet';
  }
  return rollout.status?.message || null;
}

/**
 * The stable and canary (or, blue-green, active and preview) sides, their pods told apart by
 * `rollouts-pod-template-hash` against `status.stableRS` (or the active selector) and
 * `status.currentPodHash`. The canary side's image falls back to the template: an aborted
 * canary has no pod left.
 */
function rolloutSides(
  input: ArgoRolloutInput,
  strategy: ProgressiveRollout['strategy'],
  promoted: boolean,
): Pick<ProgressiveRollout, 'stable' | 'canary'> {
  const { rollout, pods } = input;
  const status = rollout.status ?? {};
  const options = {
    desiredImage: input.desiredImage,
    workloadName: rollout.metadata?.name,
  };
  const template = (input.workloadRef ?? rollout).spec?.template?.spec;
  const templateImage = serviceImage(template?.containers, options);
  const current: string | null = status.currentPodHash ?? null;
  const stableHash: string | null =
    (strategy === 'blueGreen' ? status.blueGreen?.activeSelector : null) ??
    status.stableRS ??
    null;
  const podsOf = (hash: string | null) =>
    pods.filter(p => hash && p.metadata?.labels?.[ROLLOUT_HASH_LABEL] === hash);
  if (promoted || !current || current === stableHash) {
    const hash = current ?? stableHash;
    return {
      stable: rolloutSide(hash, podsOf(hash), templateImage, options),
      canary: null,
    };
  }
  return {
    stable: stableHash
      ? rolloutSide(stableHash, podsOf(stableHash), null, options)
      : null,
    canary: rolloutSide(current, podsOf(current), templateImage, options),
  };
}
