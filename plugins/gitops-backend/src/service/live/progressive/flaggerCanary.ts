import {
  LiveState,
  ProgressiveRollout,
  RolloutAnalysis,
  RolloutAnalysisMetric,
  RolloutMeasurement,
} from '@gitops-backstage/plugin-gitops-common';
import { KubeObject, condition, matchesSelector } from '../kinds';
import { eventLastSeen } from '../slimObject';
import { rolloutActionStates } from './actionStates';
import { rolloutSide, serviceImage, timeOfDay } from './rolloutSides';

/*
 * A Flagger Canary (flagger.app/v1beta1) as the lane shows it, from its status as Flagger
 * writes it (pkg/apis/flagger/v1beta1/canary.go, status.go). Flagger keeps no record of its
 * checks besides `failedChecks`: which metric failed, and with what value, is in the Warning
 * events it records on the Canary (`Halt <name>.<ns> advancement <metric> 87.50 < 99`).
 */

/** What {@link flaggerCanaryState} reads. */
export interface FlaggerCanaryInput {
  canary: KubeObject;
  /** The Deployment `spec.targetRef` names: the canary side (scaled to zero between runs). */
  target?: KubeObject;
  /** Flagger's `<target>-primary` Deployment: the stable side, which serves. */
  primary?: KubeObject;
  /** The pods of both. */
  pods: readonly KubeObject[];
  /** Warning events; those about the Canary are read. */
  events: readonly KubeObject[];
  desiredImage?: string | null;
}

/** Failed checks shown per metric. */
const MEASUREMENTS_SHOWN = 5;

/** Phases in which a canary analysis is under way (or waits at a gate). */
const RUNNING = ['Progressing', 'Waiting', 'WaitingPromotion'];
/** Phases in which the analysis passed and the primary is being updated. */
const PROMOTING = ['Promoting', 'Finalising'];

const HEALTH: Record<string, ProgressiveRollout['health']> = {
  Initialized: 'Healthy',
  Succeeded: 'Healthy',
  Initializing: 'Progressing',
  Progressing: 'Progressing',
  Promoting: 'Progressing',
  Finalising: 'Progressing',
  Terminating: 'Progressing',
  Waiting: 'Paused',
  WaitingPromotion: 'Paused',
  Failed: 'Degraded',
};

const HALT = /^Halt \S+ advancement (\S+) (\S+) ([<>]) (\S+)$/;
// `… for metric: <m>` (older), `… for custom metric: <m>: <error>`, `… for istio metric <m>
// probably <name>.<ns> is not receiving traffic: <error>`.
const NO_VALUES =
  /^Halt advancement no values found for (?:\S+ )?metric:? (\S+?):?(?:\s|$)/;

/** The Canary's phase, weights, sides, checks and the actions the portal can take. */
export function flaggerCanaryState(
  input: FlaggerCanaryInput,
): ProgressiveRollout {
  const { canary, target, primary } = input;
  const status = canary.status ?? {};
  const analysis = canary.spec?.analysis ?? {};
  const phase = String(status.phase || 'Unknown');
  const strategy = isBlueGreen(analysis) ? 'blueGreen' : 'canary';
  const options = {
    desiredImage: input.desiredImage,
    workloadName: target?.metadata?.name,
  };
  const sideOf = (deployment: KubeObject) =>
    rolloutSide(
      String(deployment.metadata?.name),
      input.pods.filter(p =>
        matchesSelector(deployment.spec?.selector, p.metadata?.labels),
      ),
      serviceImage(deployment.spec?.template?.spec?.containers, options),
      options,
    );
  const underWay = RUNNING.includes(phase) || PROMOTING.includes(phase);
  const events = canaryEvents(canary, input.events);
  return {
    controller: 'flagger',
    kind: 'Canary',
    name: String(canary.metadata?.name),
    namespace: String(canary.metadata?.namespace ?? ''),
    strategy,
    phase,
    health: HEALTH[phase] ?? 'Unknown',
    message: condition(canary, 'Promoted')?.message ?? null,
    step: null,
    steps: null,
    stepList: [],
    weight: strategy === 'canary' ? numberOr(status.canaryWeight, 0) : null,
    maxWeight: maxWeightOf(analysis),
    paused: canaryPaused(canary),
    aborted:
      phase === 'Failed'
        ? {
            at:
              condition(canary, 'Promoted')?.lastTransitionTime ??
              status.lastTransitionTime ??
              null,
            message: canaryFailure(canary, events),
          }
        : null,
    stable: primary ? sideOf(primary) : null,
    canary: target && (underWay || phase === 'Failed') ? sideOf(target) : null,
    analysis: canaryAnalysis(canary, events),
    actions: rolloutActionStates(canary),
  };
}

/**
 * `rollout` of the live state while Flagger analyses or promotes (Progressing) or after it
 * failed the canary (Failed); null when idle, the primary Deployment then tells.
 */
export function flaggerRolloutStatus(
  canary: KubeObject,
): LiveState['rollout'] | null {
  const phase = String(canary.status?.phase ?? '');
  const message = condition(canary, 'Promoted')?.message ?? null;
  if (phase === 'Failed') return { status: 'Failed', message };
  if (RUNNING.includes(phase) || PROMOTING.includes(phase)) {
    const weight = canary.status?.canaryWeight;
    return {
      status: 'Progressing',
      message: `Flagger ${phase}${
        typeof weight === 'number' && weight > 0
          ? `, canary weight ${weight} %`
          : ''
      }${message ? `: ${message}` : ''}`,
    };
  }
  return null;
}

/** Blue/green in Flagger: a number of iterations and no traffic weights (nor A/B match). */
function isBlueGreen(analysis: any): boolean {
  return (
    typeof analysis.iterations === 'number' &&
    analysis.stepWeight === undefined &&
    !Array.isArray(analysis.stepWeights) &&
    !Array.isArray(analysis.match)
  );
}

function maxWeightOf(analysis: any): number | null {
  if (typeof analysis.maxWeight === 'number') return analysis.maxWeight;
  const weights = analysis.stepWeights;
  return Array.isArray(weights) && weights.length > 0
    ? weights[weights.length - 1]
    : null;
}

/** Why the canary waits: a gate webhook not yet opened, or a suspended Canary. */
export function canaryPaused(canary: KubeObject): string | null {
  const phase = canary.status?.phase;
  const since = timeOfDay(canary.status?.lastTransitionTime);
  const gate = (type: string) =>
    (canary.spec?.analysis?.webhooks ?? []).find((w: any) => w?.type === type);
  if (phase === 'Waiting' || phase === 'WaitingPromotion') {
    const type = phase === 'Waiting' ? 'confirm-rollout' : 'confirm-promotion';
    const hook = gate(type);
    return `${phase} for approval${
      since ? ` since ${since}` : ''
    } (${type} webhook${hook ? ` ${hook.name}` : ''})`;
  }
  if (canary.spec?.suspend === true) return 'suspended (spec.suspend)';
  return null;
}

/**
 * Warning events Flagger recorded on this Canary, oldest first; while an analysis runs, only
 * those since it started (when the Promoted condition turned Unknown), so the checks of an
 * earlier revision are not counted against this one.
 */
export function canaryEvents(
  canary: KubeObject,
  events: readonly KubeObject[],
): KubeObject[] {
  const phase = String(canary.status?.phase ?? '');
  const promoted = condition(canary, 'Promoted');
  const started =
    (RUNNING.includes(phase) || PROMOTING.includes(phase)) &&
    promoted?.status === 'Unknown'
      ? Date.parse(promoted.lastTransitionTime ?? '')
      : NaN;
  return events
    .filter(
      e =>
        e.involvedObject?.kind === 'Canary' &&
        e.involvedObject?.name === canary.metadata?.name &&
        !(eventLastSeen(e) < started),
    )
    .sort((a, b) => eventLastSeen(a) - eventLastSeen(b));
}

/**
 * Why Flagger failed the canary: the Promoted condition's message (`Canary analysis failed,
 * Deployment scaled to zero.`), the rollback's cause from its event (`failed checks threshold
 * reached 5`, a progress deadline, a rollback webhook) and the last failed check.
 */
export function canaryFailure(
  canary: KubeObject,
  events: readonly KubeObject[],
): string {
  const promoted =
    condition(canary, 'Promoted')?.message ?? 'Canary analysis failed.';
  const rollback = [...events]
    .reverse()
    .find(e => /^Rolling back /.test(String(e.message)));
  const halt = [...events]
    .reverse()
    .find(
      e => HALT.test(String(e.message)) || NO_VALUES.test(String(e.message)),
    );
  const threshold = canary.spec?.analysis?.threshold;
  const parts = [String(promoted).replace(/\.$/, '')];
  if (rollback) parts.push(String(rollback.message));
  else if (typeof threshold === 'number') {
    parts.push(`the analysis fails at ${threshold} failed checks`);
  }
  if (halt) parts.push(`last failed check: ${halt.message}`);
  return parts.join('; ');
}

/**
 * Flagger's analysis: the Canary's metrics with the condition each must meet, their failed
 * checks (from the Halt events, newest last) and the run's failed checks against its
 * threshold. Flagger reports failures only: `count` is the failed checks seen.
 */
function canaryAnalysis(
  canary: KubeObject,
  events: readonly KubeObject[],
): RolloutAnalysis | null {
  const status = canary.status ?? {};
  const analysis = canary.spec?.analysis ?? {};
  const metrics: any[] = Array.isArray(analysis.metrics)
    ? analysis.metrics
    : [];
  const phase = String(status.phase ?? '');
  if (metrics.length === 0 && !RUNNING.includes(phase) && phase !== 'Failed') {
    return null;
  }
  const state = analysisState(phase);
  const failedChecks = numberOr(status.failedChecks, 0);
  const threshold = numberOr(analysis.threshold, null);
  return {
    name: String(canary.metadata?.name),
    state,
    type: 'canary',
    revision: null,
    message:
      threshold === null
        ? null
        : `${failedChecks} of ${threshold} failed checks${
            typeof status.iterations === 'number' && status.iterations > 0
              ? `, iteration ${status.iterations}${
                  typeof analysis.iterations === 'number'
                    ? ` of ${analysis.iterations}`
                    : ''
                }`
              : ''
          }`,
    startedAt: null,
    metrics: metrics.map(m => canaryMetric(m, events, state)),
    failedChecks,
    threshold,
  };
}

function analysisState(phase: string): string {
  if (RUNNING.includes(phase)) return 'Running';
  if (phase === 'Failed') return 'Failed';
  if (PROMOTING.includes(phase) || phase === 'Succeeded') return 'Successful';
  return 'Pending';
}

function canaryMetric(
  metric: any,
  events: readonly KubeObject[],
  state: string,
): RolloutAnalysisMetric {
  const name = String(metric?.name);
  const { measurements, failed, errors } = haltMeasurements(name, events);
  let phase = state;
  // In a failed run, the metrics Flagger recorded no failed check of passed theirs.
  if (state === 'Failed') phase = failed > 0 ? 'Failed' : 'Successful';
  return {
    name,
    phase,
    successCondition: thresholdCondition(metric),
    failureCondition: null,
    provider: metric?.templateRef?.name
      ? `MetricTemplate ${metric.templateRef.name}`
      : 'prometheus',
    query: metric?.query ?? null,
    count: failed,
    successful: 0,
    failed,
    inconclusive: 0,
    error: errors,
    failureLimit: null,
    measurements: measurements.slice(-MEASUREMENTS_SHOWN),
    message: null,
  };
}

/** `>= 99`, `<= 500`, `>= 1 and <= 5` from `thresholdRange`; `<= x` from the old `threshold`. */
export function thresholdCondition(metric: any): string | null {
  const range = metric?.thresholdRange;
  const parts: string[] = [];
  if (typeof range?.min === 'number') parts.push(`>= ${range.min}`);
  if (typeof range?.max === 'number') parts.push(`<= ${range.max}`);
  if (parts.length === 0 && typeof metric?.threshold === 'number') {
    parts.push(`<= ${metric.threshold}`);
  }
  return parts.length > 0 ? parts.join(' and ') : null;
}

/**
 * A metric's failed checks as Flagger recorded them, oldest first: one measurement per event,
 * and the count of failures over the events' counts (identical messages are one event).
 */
function haltMeasurements(metric: string, events: readonly KubeObject[]) {
  const measurements: RolloutMeasurement[] = [];
  let failed = 0;
  let errors = 0;
  for (const event of events) {
    const message = String(event.message ?? '');
    const halt = HALT.exec(message);
    const noValues = NO_VALUES.exec(message);
    if (halt?.[1] !== metric && noValues?.[1] !== metric) continue;
    const at = eventLastSeen(event);
    const times = Math.max(1, numberOr(event.count ?? event.series?.count, 1));
    failed += times;
    if (!halt) errors += times;
    measurements.push({
      phase: halt ? 'Failed' : 'Error',
      value: halt ? halt[2] : null,
      finishedAt: Number.isFinite(at) ? new Date(at).toISOString() : null,
      message,
    });
  }
  return { measurements, failed, errors };
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
