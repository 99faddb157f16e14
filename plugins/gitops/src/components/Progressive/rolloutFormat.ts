import {
  OverviewEnvironment,
  ProgressiveRollout,
  RolloutAction,
  RolloutAnalysisMetric,
  RolloutSide,
  RolloutStep,
} from '@gitops-backstage/plugin-gitops-common';
import { runningVersion } from '../../lib';

/* How a progressive rollout reads: its steps, sides, metrics, actions and the fleet's chip. */

export const CONTROLLER_NAMES: Record<
  ProgressiveRollout['controller'],
  string
> = {
  'argo-rollouts': 'Argo Rollouts',
  flagger: 'Flagger',
};

/** The words on each action's button. */
export const ROLLOUT_ACTION_LABELS: Record<RolloutAction, string> = {
  promote: 'Promote',
  promoteFull: 'Promote full',
  abort: 'Abort',
  retry: 'Retry',
  restart: 'Restart',
};

/** The accessible name of an action's button, unique on the page: `Abort the rollout in prod`. */
export function rolloutActionName(
  action: RolloutAction,
  environment: string,
): string {
  switch (action) {
    case 'promoteFull':
      return `Promote the rollout in ${environment} fully`;
    case 'restart':
      return `Restart the pods of the rollout in ${environment}`;
    default:
      return `${ROLLOUT_ACTION_LABELS[action]} the rollout in ${environment}`;
  }
}

/** `step 3 of 6 · weight 40 %`; Flagger `weight 30 % of 50 %`; empty without either. */
export function stepSummary(rollout: ProgressiveRollout): string {
  const parts: string[] = [];
  if (rollout.step !== null && rollout.steps !== null) {
    parts.push(`step ${rollout.step} of ${rollout.steps}`);
  }
  if (rollout.weight !== null) {
    parts.push(
      typeof rollout.maxWeight === 'number'
        ? `weight ${rollout.weight} % of ${rollout.maxWeight} %`
        : `weight ${rollout.weight} %`,
    );
  }
  return parts.join(' · ');
}

export type StepState = 'done' | 'current' | 'todo';

/** Where the step at `index` (0-based) stands when the rollout is on `current` (1-based). */
export function stepState(index: number, current: number | null): StepState {
  if (current === null) return 'todo';
  if (index + 1 < current) return 'done';
  return index + 1 === current ? 'current' : 'todo';
}

/** The weight in force once step `step` (1-based) ran: the last one set up to it. */
export function weightAfterStep(
  stepList: RolloutStep[],
  step: number,
  fallback: number | null,
): number | null {
  let weight = fallback;
  stepList.slice(0, step).forEach(s => {
    if (s.weight !== null) weight = s.weight;
  });
  return weight;
}

/** The version of a side, e.g. `v1.0.3`; `—` when the controller does not say. */
export function sideVersion(side: RolloutSide | null): string {
  return side?.image ? runningVersion(side.image) : '—';
}

/** `success: result[0] >= 0.95 · failure: result[0] < 0.9`, or `no condition`. */
export function metricCondition(metric: RolloutAnalysisMetric): string {
  const parts: string[] = [];
  if (metric.successCondition)
    parts.push(`success: ${metric.successCondition}`);
  if (metric.failureCondition)
    parts.push(`failure: ${metric.failureCondition}`);
  return parts.join(' · ') || 'no condition';
}

/**
 * `4 measured: 1 successful, 3 failed (limit 2)`, inconclusive and errors when there are any;
 * Flagger reports failures only: `2 failed checks, 1 without values`.
 */
export function metricCounts(
  metric: RolloutAnalysisMetric,
  failuresOnly = false,
): string {
  if (failuresOnly) {
    const errors = metric.error > 0 ? `, ${metric.error} without values` : '';
    return `${metric.failed} failed ${
      metric.failed === 1 ? 'check' : 'checks'
    }${errors}`;
  }
  const limit =
    metric.failureLimit === null ? '' : ` (limit ${metric.failureLimit})`;
  const parts = [
    `${metric.successful} successful`,
    `${metric.failed} failed${limit}`,
  ];
  if (metric.inconclusive > 0) {
    parts.push(`${metric.inconclusive} inconclusive`);
  }
  if (metric.error > 0) parts.push(`${metric.error} errors`);
  return `${metric.count} measured: ${parts.join(', ')}`;
}

/** A measured value without Argo Rollouts' brackets around a single result: `[0.91]` → `0.91`. */
export function measurementValue(value: string | null): string {
  if (value === null || value === '') return '—';
  const single = /^\[([^,[\]]*)\]$/.exec(value.trim());
  return single ? single[1] : value;
}

export type PhaseTone = 'good' | 'bad' | 'poor' | 'plain';

/** Failed and Error stand out in the error colour, Inconclusive in the warning colour. */
export function phaseTone(phase: string): PhaseTone {
  if (phase === 'Failed' || phase === 'Error') return 'bad';
  if (phase === 'Inconclusive') return 'poor';
  return phase === 'Successful' ? 'good' : 'plain';
}

/** The metrics that failed (or erred): what made an aborted rollout stop. */
export function failedMetrics(
  rollout: ProgressiveRollout,
): RolloutAnalysisMetric[] {
  return (rollout.analysis?.metrics ?? []).filter(
    m => phaseTone(m.phase) === 'bad',
  );
}

/** Flagger's analysis as the backend may send it: the run's failed checks and threshold. */
type FlaggerAnalysis = NonNullable<ProgressiveRollout['analysis']> & {
  failedChecks?: number | null;
  threshold?: number | null;
};

/**
 * Flagger's failed checks against its threshold: the run's own counts when the answer carries
 * them (`failedChecks`, `threshold`), else the most failures of a metric and its limit.
 */
export function flaggerChecks(rollout: ProgressiveRollout): {
  failed: number;
  threshold: number | null;
} {
  const analysis = rollout.analysis as FlaggerAnalysis | null;
  const metrics = analysis?.metrics ?? [];
  return {
    failed:
      typeof analysis?.failedChecks === 'number'
        ? analysis.failedChecks
        : Math.max(0, ...metrics.map(m => m.failed)),
    threshold:
      typeof analysis?.threshold === 'number'
        ? analysis.threshold
        : metrics.find(m => m.failureLimit !== null)?.failureLimit ?? null,
  };
}

function describePromote(
  rollout: ProgressiveRollout,
  service: string,
  environment: string,
): string {
  const where = `Promote ${service} in ${environment}`;
  const canary = sideVersion(rollout.canary);
  if (rollout.strategy === 'blueGreen') {
    return `${where}: the preview version ${canary} becomes active and takes all traffic from ${sideVersion(
      rollout.stable,
    )}.`;
  }
  const { step, steps } = rollout;
  if (step === null || steps === null) {
    return `${where}: ${
      CONTROLLER_NAMES[rollout.controller]
    } moves the canary ${canary} on.`;
  }
  if (step >= steps) {
    return `${where}: the rollout ends and ${canary} takes all traffic.`;
  }
  const weight = weightAfterStep(rollout.stepList, step + 1, rollout.weight);
  const detail = weight === null ? '' : `, weight ${weight} %`;
  return `${where} to the next step (step ${step + 1} of ${steps}${detail}).`;
}

/**
 * What an action will do, for its confirmation: `Promote checkout in prod to the next step
 * (step 3 of 6, weight 40 %).`, `Abort: traffic goes back to the stable version v1.4.0; Git
 * still asks for v1.5.0 — roll back in Git to stay there.`
 */
export function describeRolloutAction(
  action: RolloutAction,
  rollout: ProgressiveRollout,
  context: { service: string; environment: string; gitVersion: string | null },
): string {
  const { service, environment } = context;
  const canary = sideVersion(rollout.canary);
  switch (action) {
    case 'promote':
      return describePromote(rollout, service, environment);
    case 'promoteFull':
      return `Promote ${service} in ${environment} in full: the remaining steps, analyses and pauses are skipped and ${canary} takes all traffic at once.`;
    case 'abort':
      return `Abort: traffic goes back to the stable version ${sideVersion(
        rollout.stable,
      )}; Git still asks for ${
        context.gitVersion ?? canary
      } — roll back in Git to stay there.`;
    case 'retry':
      return `Retry the rollout of ${canary} in ${environment}: it starts again from the first step, with its analyses.`;
    default:
      return `Restart the pods of ${service} in ${environment}: they are replaced a few at a time; the version and the traffic stay as they are.`;
  }
}

type OverviewRollout = NonNullable<OverviewEnvironment['rollout']>;

/** The fleet cell's chip: `canary 40 %`, `paused at 20 %`, `aborted`, or `preview` (blue-green). */
export function rolloutChipLabel(rollout: OverviewRollout): string {
  if (rollout.health === 'Degraded') return 'aborted';
  // Without a weight it is blue-green: the new version runs as the preview.
  if (rollout.weight === null) return 'preview';
  return rollout.health === 'Paused'
    ? `paused at ${rollout.weight} %`
    : `canary ${rollout.weight} %`;
}

/** The chip's tooltip: `step 3 of 6`, or the health without steps. */
export function rolloutChipTitle(rollout: OverviewRollout): string {
  return rollout.step !== null && rollout.steps !== null
    ? `step ${rollout.step} of ${rollout.steps}`
    : `rollout ${rollout.health.toLowerCase()}`;
}
