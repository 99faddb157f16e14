import {
  Problem,
  ProblemType,
  ProgressiveRollout,
} from '@gitops-backstage/plugin-gitops-common';
import { KubeObject, condition } from '../kinds';
import { ServiceObjects } from '../selectServiceObjects';
import { ROLLOUT_HASH_LABEL } from './progressiveObjects';
import { canaryEvents, canaryFailure } from './flaggerCanary';
import { progressiveRollout } from './progressiveRollout';

/** A problem of the rollout, before the diagnosis adds its hint. */
export interface RolloutProblem {
  type: ProblemType;
  severity: Problem['severity'];
  message: string;
  object: KubeObject;
}

const FAILED = ['Failed', 'Error'];

/**
 * The progressive rollout's problems (failure-modes.md): RolloutPaused (info while a timed
 * pause step runs out, a warning while it waits for a person), RolloutAborted (which metric
 * failed and its last measurements), CanaryFailed (Flagger's failure and its last failed
 * check), AnalysisInconclusive, and RolloutStuck for a Rollout past its progress deadline that
 * is neither paused nor aborted.
 */
export function rolloutProblems(
  objects: ServiceObjects,
  desiredImage?: string | null,
): RolloutProblem[] {
  const state = progressiveRollout(objects, desiredImage);
  if (!state) return [];
  if (objects.rollout) return argoProblems(objects, state);
  return objects.canary ? flaggerProblems(objects, objects.canary, state) : [];
}

function argoProblems(
  objects: ServiceObjects,
  state: ProgressiveRollout,
): RolloutProblem[] {
  const rollout = objects.rollout!;
  const status = rollout.status ?? {};
  const runs = objects.analysisRuns ?? [];
  const problem = (
    type: ProblemType,
    severity: Problem['severity'],
    message: string,
  ): RolloutProblem => ({ type, severity, message, object: rollout });
  if (status.abort === true) {
    const failed = runs.find(r => FAILED.includes(r.status?.phase));
    const detail = failed ? failedMetricDetail(failed, FAILED) : null;
    return [
      problem(
        'RolloutAborted',
        'error',
        `${state.aborted?.message ?? 'Rollout aborted'}${
          detail ? `; ${detail}` : ''
        }`,
      ),
    ];
  }
  const problems: RolloutProblem[] = [];
  const [pause] = status.pauseConditions ?? [];
  if (state.paused && (pause || rollout.spec?.paused === true)) {
    problems.push(
      problem(
        'RolloutPaused',
        pauseSeverity(rollout, pause),
        pausedMessage(state),
      ),
    );
  }
  const progressing = condition(rollout, 'Progressing');
  if (
    !state.paused &&
    progressing?.status === 'False' &&
    progressing.reason === 'ProgressDeadlineExceeded'
  ) {
    problems.push(
      problem(
        'RolloutStuck',
        'error',
        progressing.message ?? 'Progress deadline exceeded',
      ),
    );
  }
  const current = status.currentPodHash;
  const inconclusive =
    current && current !== status.stableRS
      ? runs.find(
          r =>
            r.status?.phase === 'Inconclusive' &&
            r.metadata?.labels?.[ROLLOUT_HASH_LABEL] === current,
        )
      : undefined;
  if (inconclusive) {
    const detail = failedMetricDetail(inconclusive, ['Inconclusive']);
    problems.push({
      type: 'AnalysisInconclusive',
      severity: 'warning',
      message: `AnalysisRun ${inconclusive.metadata?.name}: ${
        inconclusive.status?.message ?? 'Inconclusive'
      }${detail ? `; ${detail}` : ''}`,
      object: inconclusive,
    });
  }
  return problems;
}

/**
 * A pause that ends by itself (a pause step with a duration, a blue-green pause with
 * auto-promotion) is information; one that waits for someone (an indefinite pause, a
 * pause by hand, an inconclusive analysis) is a warning.
 */
function pauseSeverity(rollout: KubeObject, pause: any): Problem['severity'] {
  if (rollout.spec?.paused === true && !pause) return 'warning';
  if (pause?.reason === 'CanaryPauseStep') {
    const steps = rollout.spec?.strategy?.canary?.steps ?? [];
    const step = steps[rollout.status?.currentStepIndex ?? 0];
    const duration = step?.pause?.duration;
    return duration === undefined || duration === null ? 'warning' : 'info';
  }
  if (pause?.reason === 'BlueGreenPause') {
    const seconds = rollout.spec?.strategy?.blueGreen?.autoPromotionSeconds;
    return typeof seconds === 'number' ? 'info' : 'warning';
  }
  return 'warning';
}

function pausedMessage(state: ProgressiveRollout): string {
  const where =
    state.step !== null
      ? `Paused at step ${state.step} of ${state.steps}`
      : 'Paused';
  const weight =
    state.weight !== null ? `, canary weight ${state.weight} %` : '';
  return `${where}${weight}: ${state.paused}`;
}

/**
 * The metric of an AnalysisRun in one of these phases, with its last measurements and the
 * condition it is held to, e.g. `success-rate measured 0.81, 0.79 (success when result[0] >=
 * 0.95; failure limit 0)`.
 */
function failedMetricDetail(run: KubeObject, phases: string[]): string | null {
  const result = (run.status?.metricResults ?? []).find((r: any) =>
    phases.includes(r?.phase),
  );
  if (!result) return null;
  const spec = (run.spec?.metrics ?? []).find(
    (m: any) => m?.name === result.name,
  );
  const values = (result.measurements ?? [])
    .slice(-5)
    .map((m: any) => m?.value ?? m?.phase)
    .filter(Boolean);
  const held = [
    spec?.successCondition && `success when ${spec.successCondition}`,
    spec?.failureCondition && `failure when ${spec.failureCondition}`,
    spec?.failureLimit !== undefined && `failure limit ${spec.failureLimit}`,
    spec?.inconclusiveLimit !== undefined &&
      `inconclusive limit ${spec.inconclusiveLimit}`,
  ].filter(Boolean);
  const measured = values.length > 0 ? ` measured ${values.join(', ')}` : '';
  const heldTo = held.length > 0 ? ` (${held.join('; ')})` : '';
  return `${result.name}${measured}${heldTo}`;
}

function flaggerProblems(
  objects: ServiceObjects,
  canary: KubeObject,
  state: ProgressiveRollout,
): RolloutProblem[] {
  if (state.phase === 'Failed') {
    return [
      {
        type: 'CanaryFailed',
        severity: 'error',
        message: canaryFailure(canary, canaryEvents(canary, objects.events)),
        object: canary,
      },
    ];
  }
  if (state.phase === 'Waiting' || state.phase === 'WaitingPromotion') {
    return [
      {
        type: 'RolloutPaused',
        severity: 'warning',
        message: `Canary ${state.paused}${
          state.weight ? `, canary weight ${state.weight} %` : ''
        }`,
        object: canary,
      },
    ];
  }
  return [];
}
