import {
  RolloutAnalysis,
  RolloutAnalysisMetric,
} from '@gitops-backstage/plugin-gitops-common';
import { KubeObject } from '../kinds';
import { ROLLOUT_HASH_LABEL } from './progressiveObjects';
import { intOrNull } from './rolloutSides';

/*
 * The analysis of an Argo Rollouts Rollout: its AnalysisRuns (analysis_types.go) as the lane
 * shows them.
 */

/** Measurements shown per metric. */
const MEASUREMENTS_SHOWN = 5;

const RUN_TYPES: Record<string, RolloutAnalysis['type']> = {
  Step: 'step',
  Background: 'background',
  PrePromotion: 'prePromotion',
  PostPromotion: 'postPromotion',
};

/**
 * The analysis that decides the current step (or, blue-green, the promotion), else the
 * background one, else the newest run; `null` when the Rollout has none.
 */
export function shownAnalysis(
  rollout: KubeObject,
  runs: readonly KubeObject[],
): RolloutAnalysis | null {
  const status = rollout.status ?? {};
  const candidates: Array<[any, RolloutAnalysis['type']]> = [
    [status.canary?.currentStepAnalysisRunStatus, 'step'],
    [status.blueGreen?.prePromotionAnalysisRunStatus, 'prePromotion'],
    [status.blueGreen?.postPromotionAnalysisRunStatus, 'postPromotion'],
    [status.canary?.currentBackgroundAnalysisRunStatus, 'background'],
  ];
  const named = candidates.find(([s]) => s?.name);
  if (named) {
    const [ref, type] = named;
    const run = runs.find(r => r.metadata?.name === ref.name);
    if (run) return analysisOf(run, type);
    return {
      name: ref.name,
      state: ref.status ?? 'Pending',
      type,
      revision: null,
      message: ref.message ?? null,
      startedAt: null,
      metrics: [],
    };
  }
  return runs[0] ? analysisOf(runs[0]) : null;
}

/** An AnalysisRun as the lane shows it: its phase and each metric's last measurements. */
export function analysisOf(
  run: KubeObject,
  type?: RolloutAnalysis['type'],
): RolloutAnalysis {
  const status = run.status ?? {};
  const specs: any[] = Array.isArray(run.spec?.metrics) ? run.spec.metrics : [];
  const results: any[] = Array.isArray(status.metricResults)
    ? status.metricResults
    : [];
  const names = [
    ...new Set([...specs, ...results].map(m => m?.name).filter(Boolean)),
  ];
  return {
    name: String(run.metadata?.name),
    state: status.phase || 'Pending',
    type: type ?? RUN_TYPES[run.metadata?.labels?.['rollout-type']] ?? 'step',
    revision: run.metadata?.labels?.[ROLLOUT_HASH_LABEL] ?? null,
    message: status.message || null,
    startedAt: status.startedAt ?? run.metadata?.creationTimestamp ?? null,
    metrics: names.map(name =>
      metricOf(
        specs.find(m => m?.name === name),
        results.find(r => r?.name === name),
        String(name),
      ),
    ),
  };
}

function metricOf(spec: any, result: any, name: string): RolloutAnalysisMetric {
  const provider = spec?.provider ? Object.keys(spec.provider)[0] : undefined;
  const count = (value: unknown) => (typeof value === 'number' ? value : 0);
  return {
    name,
    phase: result?.phase ?? 'Pending',
    successCondition: spec?.successCondition ?? null,
    failureCondition: spec?.failureCondition ?? null,
    provider: provider ?? null,
    // Argo Rollouts keeps `{{args.…}}` in the run's spec and records the Prometheus query it
    // ran, args filled in, in the result's metadata.
    query:
      result?.metadata?.ResolvedPrometheusQuery ||
      (provider && spec.provider[provider]?.query) ||
      null,
    count: count(result?.count),
    successful: count(result?.successful),
    failed: count(result?.failed),
    inconclusive: count(result?.inconclusive),
    error: count(result?.error),
    // Unset, Argo Rollouts tolerates no failure.
    failureLimit:
      spec?.failureLimit === undefined ? 0 : intOrNull(spec.failureLimit),
    measurements: (Array.isArray(result?.measurements)
      ? result.measurements
      : []
    )
      .slice(-MEASUREMENTS_SHOWN)
      .map((m: any) => ({
        phase: m?.phase ?? 'Pending',
        value: m?.value ?? null,
        finishedAt: m?.finishedAt ?? null,
        message: m?.message ?? null,
      })),
    message: result?.message || null,
  };
}
