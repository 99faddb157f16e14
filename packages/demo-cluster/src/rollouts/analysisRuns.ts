/*
 * DEMO ONLY. Argo Rollouts' AnalysisRuns (argoproj.io/v1alpha1) as its analysis controller
 * writes them: a run made from the step's AnalysisTemplates with the step's arguments resolved
 * (`spec.args`; the metrics keep their `{{args.…}}` placeholders, the resolved query goes to
 * `status.metricResults[].metadata.ResolvedPrometheusQuery`), a measurement per metric every
 * `interval` until `count`, each assessed by `successCondition` / `failureCondition`, the
 * metric Failed once its failures exceed `failureLimit`, the run as its worst metric
 * (`pkg/apis/rollouts/v1alpha1/analysis_types.go`, `analysis/analysis.go`).
 */
import { KubeObject } from '../ObjectStore';
import { RolloutAnalysisArg, durationSeconds } from './canarySteps';
import { evaluateCondition } from './conditionExpr';

export type AnalysisPhase =
  | 'Pending'
  | 'Running'
  | 'Successful'
  | 'Failed'
  | 'Error'
  | 'Inconclusive';

/** Argo Rollouts' `AnalysisPhase.Completed()`. */
export function completed(phase: string | undefined): boolean {
  return ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(
    String(phase),
  );
}

/** How much worse a phase is (`analysisutil.IsWorse`). */
const WORSE: Record<string, number> = {
  Successful: 0,
  Inconclusive: 1,
  Error: 2,
  Failed: 3,
};

/** Measurements kept per metric (Argo Rollouts' default retention). */
const KEPT_MEASUREMENTS = 10;

/** Consecutive errors tolerated by default (`consecutiveErrorLimit`). */
const CONSECUTIVE_ERROR_LIMIT = 4;

/** metav1.Time as the API serves it: seconds. */
export function metaTime(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What the rollout knows when it resolves an analysis step's arguments. */
export interface ArgContext {
  rollout: KubeObject;
  /** `podTemplateHashValue: Latest`: the canary's hash. */
  latestHash: string;
  /** `podTemplateHashValue: Stable`. */
  stableHash: string;
}

/** A field of the Rollout by path: `metadata.labels['app']`, `spec.template.spec.containers[0].image`. */
function fieldOf(object: any, fieldPath: string): string | undefined {
  const parts = fieldPath
    .replace(/\[['"]([^'"]+)['"]\]/g, '.$1')
    .split(/[.[\]]+/)
    .filter(Boolean);
  let value = object;
  for (const part of parts) value = value?.[part];
  return value === undefined || value === null || typeof value === 'object'
    ? undefined
    : String(value);
}

/**
 * The run's arguments: the templates' (with their defaults) overridden by the step's, each
 * `valueFrom` resolved; an argument left without a value is an error, as in Argo Rollouts.
 */
export function resolveArgs(
  templates: readonly KubeObject[],
  stepArgs: readonly RolloutAnalysisArg[],
  context: ArgContext,
): Array<{ name: string; value: string }> {
  const values = new Map<string, string | undefined>();
  for (const template of templates) {
    for (const arg of template.spec?.args ?? []) {
      if (!values.has(arg.name) || arg.value !== undefined)
        values.set(arg.name, arg.value);
    }
  }
  for (const arg of stepArgs) {
    let value = arg.value;
    const from = arg.valueFrom;
    if (from?.podTemplateHashValue === 'Latest') value = context.latestHash;
    else if (from?.podTemplateHashValue === 'Stable')
      value = context.stableHash;
    else if (from?.fieldRef)
      value = fieldOf(context.rollout, from.fieldRef.fieldPath);
    values.set(arg.name, value);
  }
  return [...values].map(([name, value]) => {
    if (value === undefined) throw new Error(`args.${name} was not resolved`);
    return { name, value };
  });
}

/** `{{args.name}}` (and `{{ args.name }}`) replaced by the arguments' values. */
export function resolveTemplate(
  text: string,
  args: ReadonlyArray<{ name: string; value: string }>,
): string {
  return text.replace(
    /\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g,
    (whole, name) => args.find(a => a.name === name)?.value ?? whole,
  );
}

/** An AnalysisRun started by a Rollout's analysis step, before its first measurement. */
export function newAnalysisRun(o: {
  name: string;
  rollout: KubeObject;
  templates: readonly KubeObject[];
  args: ReadonlyArray<{ name: string; value: string }>;
  labels: Record<string, string>;
  revision: number;
  now: Date;
}): KubeObject {
  const { rollout } = o;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: o.name,
      namespace: rollout.metadata.namespace,
      labels: o.labels,
      annotations: { 'rollout.argoproj.io/revision': String(o.revision) },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: rollout.metadata.name,
          uid: rollout.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      args: o.args.map(a => ({ ...a })),
      metrics: o.templates.flatMap(t => structuredClone(t.spec?.metrics ?? [])),
    },
    status: { phase: 'Pending', startedAt: metaTime(o.now) },
  };
}

/** A failed run that could not be made (a missing template, an unresolved argument). */
export function erroredAnalysisRun(
  run: KubeObject,
  message: string,
  now: Date,
) {
  return {
    ...run,
    status: {
      phase: 'Error',
      message,
      startedAt: run.status?.startedAt ?? metaTime(now),
      completedAt: metaTime(now),
    },
  };
}

/** What a measurement found: the query's values, or why there are none. */
export type MeasureResult = number[] | Error;

/** Options of {@link advanceAnalysisRun}. */
export interface AdvanceOptions {
  now: Date;
  /** Multiplies intervals and initial delays (1: as the template says). */
  timeScale: number;
  /** When the run last measured each metric (ms), finer than the status's seconds. */
  lastMeasured: Map<string, number>;
  /** Takes one measurement of a metric, its query resolved. */
  measure: (
    metric: Record<string, any>,
    query: string | undefined,
  ) => MeasureResult;
}

/**
 * The run one moment later: each metric measured when its interval has passed (a measurement
 * at once, then every `interval` until `count`), assessed, and the run's phase, message and
 * summary from its metrics. A terminated run (`spec.terminate`) measures no more and ends.
 */
export function advanceAnalysisRun(
  run: KubeObject,
  o: AdvanceOptions,
): KubeObject {
  if (completed(run.status?.phase)) return run;
  const next = structuredClone(run);
  const terminating = next.spec?.terminate === true;
  const status = next.status ?? {};
  const startedAt = Date.parse(status.startedAt ?? '') || o.now.getTime();
  const args = next.spec?.args ?? [];
  const results: any[] = status.metricResults ?? [];
  for (const metric of next.spec?.metrics ?? []) {
    let result = results.find(r => r.name === metric.name);
    if (!result) {
      result = { name: metric.name, phase: 'Pending' };
      results.push(result);
    }
    if (completed(result.phase)) continue;
    const key = `${next.metadata.namespace}/${next.metadata.name}/${metric.name}`;
    if (!terminating && due(metric, result, key, startedAt, o)) {
      takeMeasurement(metric, result, args, o);
      o.lastMeasured.set(key, o.now.getTime());
    }
    result.phase = assessMetric(metric, result, terminating);
  }
  status.metricResults = results;
  // Terminating, every metric assesses as done: the run ends with its worst.
  const { phase, message } = assessRun(next.spec?.metrics ?? [], results);
  status.phase = phase;
  const runMessage = message ?? (terminating ? 'Run Terminated' : undefined);
  if (completed(phase) && runMessage) status.message = runMessage;
  else delete status.message;
  status.runSummary = summary(next.spec?.metrics ?? [], results);
  if (completed(phase)) status.completedAt = metaTime(o.now);
  next.status = status;
  return next;
}

function due(
  metric: Record<string, any>,
  result: Record<string, any>,
  key: string,
  startedAt: number,
  o: AdvanceOptions,
): boolean {
  const taken = (result.measurements ?? []).length;
  const count = effectiveCount(metric);
  if (count !== null && (result.count ?? 0) >= count) return false;
  const scale = (v: unknown) => (durationSeconds(v) ?? 0) * 1000 * o.timeScale;
  if (taken === 0)
    return o.now.getTime() >= startedAt + scale(metric.initialDelay);
  const interval = durationSeconds(metric.interval);
  if (interval === null) return false;
  const last =
    o.lastMeasured.get(key) ??
    Date.parse(result.measurements[taken - 1].finishedAt ?? '');
  return o.now.getTime() >= last + interval * 1000 * o.timeScale;
}

/** `Metric.EffectiveCount()`: 1 without interval and count, unbounded with an interval only. */
function effectiveCount(metric: Record<string, any>): number | null {
  if (metric.count !== undefined) return Number(metric.count);
  return metric.interval ? null : 1;
}

function takeMeasurement(
  metric: Record<string, any>,
  result: Record<string, any>,
  args: Array<{ name: string; value: string }>,
  o: AdvanceOptions,
) {
  const at = metaTime(o.now);
  const rawQuery = metric.provider?.prometheus?.query;
  const query =
    typeof rawQuery === 'string' ? resolveTemplate(rawQuery, args) : undefined;
  if (query !== undefined) {
    result.metadata = { ...result.metadata, ResolvedPrometheusQuery: query };
  }
  const found = o.measure(metric, query);
  const measurement: Record<string, any> = { startedAt: at, finishedAt: at };
  if (found instanceof Error) {
    measurement.phase = 'Error';
    measurement.message = found.message;
    result.error = (result.error ?? 0) + 1;
    result.consecutiveError = (result.consecutiveError ?? 0) + 1;
  } else {
    measurement.value = `[${found.join(',')}]`;
    let phase: AnalysisPhase;
    try {
      phase = evaluate(metric, found);
    } catch (error) {
      phase = 'Error';
      measurement.message = (error as Error).message;
    }
    measurement.phase = phase;
    if (phase === 'Error') {
      result.error = (result.error ?? 0) + 1;
      result.consecutiveError = (result.consecutiveError ?? 0) + 1;
    } else {
      result.count = (result.count ?? 0) + 1;
      const field = phase.charAt(0).toLowerCase() + phase.slice(1);
      result[field] = (result[field] ?? 0) + 1;
      delete result.consecutiveError;
    }
  }
  result.measurements = [...(result.measurements ?? []), measurement].slice(
    -KEPT_MEASUREMENTS,
  );
}

/** `evaluate.EvaluateResult`: a measurement against the metric's conditions. */
function evaluate(metric: Record<string, any>, value: number[]): AnalysisPhase {
  const success: string | undefined = metric.successCondition || undefined;
  const failure: string | undefined = metric.failureCondition || undefined;
  if (!success && !failure) return 'Successful';
  let ok = success ? evaluateCondition(success, value) : false;
  let failed = failure ? evaluateCondition(failure, value) : false;
  if (success && !failure) failed = !ok;
  if (!success && failure) ok = !failed;
  if (failed) return 'Failed';
  return ok ? 'Successful' : 'Inconclusive';
}

function limitOf(value: unknown, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

/** Why a completed metric is not Successful (`assessMetricFailureInconclusiveOrError`). */
function failureReason(
  metric: Record<string, any>,
  result: Record<string, any>,
): { phase: AnalysisPhase; message: string } | null {
  const failureLimit = limitOf(metric.failureLimit, 0);
  const inconclusiveLimit = limitOf(metric.inconclusiveLimit, 0);
  const errorLimit = limitOf(
    metric.consecutiveErrorLimit,
    CONSECUTIVE_ERROR_LIMIT,
  );
  if (failureLimit >= 0 && (result.failed ?? 0) > failureLimit) {
    return {
      phase: 'Failed',
      message: `failed (${result.failed}) > failureLimit (${failureLimit})`,
    };
  }
  if ((result.inconclusive ?? 0) > inconclusiveLimit) {
    return {
      phase: 'Inconclusive',
      message: `inconclusive (${result.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`,
    };
  }
  if ((result.consecutiveError ?? 0) > errorLimit) {
    return {
      phase: 'Error',
      message: `consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${errorLimit})`,
    };
  }
  return null;
}

/** `assessMetricStatus`. */
function assessMetric(
  metric: Record<string, any>,
  result: Record<string, any>,
  terminating: boolean,
): AnalysisPhase {
  const measurements = result.measurements ?? [];
  if (measurements.length === 0) return terminating ? 'Successful' : 'Pending';
  if (!completed(measurements[measurements.length - 1].phase)) return 'Running';
  const failure = failureReason(metric, result);
  if (failure) return failure.phase;
  const count = effectiveCount(metric);
  if (count !== null && (result.count ?? 0) >= count) return 'Successful';
  return terminating ? 'Successful' : 'Running';
}

/** `assessRunStatus`: the worst completed metric, Running while one is not done. */
function assessRun(
  metrics: Array<Record<string, any>>,
  results: Array<Record<string, any>>,
): { phase: AnalysisPhase; message?: string } {
  let worst: AnalysisPhase | undefined;
  let message: string | undefined;
  let everythingCompleted = true;
  for (const metric of metrics) {
    const result = results.find(r => r.name === metric.name);
    if (!result || !completed(result.phase)) {
      everythingCompleted = false;
      continue;
    }
    if (worst === undefined || WORSE[result.phase] > WORSE[worst]) {
      worst = result.phase;
      const failure = failureReason(metric, result);
      message = failure
        ? `Metric "${metric.name}" assessed ${result.phase} due to ${failure.message}`
        : undefined;
    }
  }
  if (!everythingCompleted || !worst) return { phase: 'Running' };
  return { phase: worst, message };
}

/** `status.runSummary`: the metrics by phase, zero counts left out as Go's omitempty does. */
function summary(
  metrics: Array<Record<string, any>>,
  results: Array<Record<string, any>>,
) {
  const counts: Record<string, number> = { count: metrics.length };
  for (const result of results) {
    if (!completed(result.phase)) continue;
    const field = result.phase.charAt(0).toLowerCase() + result.phase.slice(1);
    counts[field] = (counts[field] ?? 0) + 1;
  }
  return counts;
}
