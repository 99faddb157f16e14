import { KubeObject } from './kinds';

/** Measurements an AnalysisRun keeps per metric: the last ones, as the lane shows them. */
export const MEASUREMENTS_KEPT = 5;

/** Longest query or message kept (a PromQL query or a provider's error can be long). */
const TEXT_MAX = 2000;

const text = (value: unknown) =>
  typeof value === 'string' ? value.slice(0, TEXT_MAX) : undefined;

/**
 * What the cache keeps of an Argo Rollouts Rollout: replicas, selector, the containers' names
 * and images, the workloadRef, the strategy's steps and analysis, pause and restart; and the
 * status but for the traffic providers' (ALB) details. The pod template's probes, volumes and
 * environment are not read.
 */
export function slimRollout(object: KubeObject): KubeObject {
  const spec = object.spec ?? {};
  const canary = spec.strategy?.canary;
  const blueGreen = spec.strategy?.blueGreen;
  object.spec = {
    replicas: spec.replicas,
    selector: spec.selector,
    template: spec.template && {
      metadata: { labels: spec.template.metadata?.labels },
      spec: {
        containers: (spec.template.spec?.containers ?? []).map((c: any) => ({
          name: c?.name,
          image: c?.image,
        })),
      },
    },
    workloadRef: spec.workloadRef,
    strategy: {
      canary: canary && {
        steps: canary.steps,
        analysis: canary.analysis && {
          templates: canary.analysis.templates,
          startingStep: canary.analysis.startingStep,
        },
        // Only whether traffic is routed: without it the weight is a replica ratio.
        trafficRouting: canary.trafficRouting ? {} : undefined,
      },
      blueGreen: blueGreen && {
        activeService: blueGreen.activeService,
        previewService: blueGreen.previewService,
        autoPromotionEnabled: blueGreen.autoPromotionEnabled,
        autoPromotionSeconds: blueGreen.autoPromotionSeconds,
        prePromotionAnalysis: blueGreen.prePromotionAnalysis && {
          templates: blueGreen.prePromotionAnalysis.templates,
        },
        postPromotionAnalysis: blueGreen.postPromotionAnalysis && {
          templates: blueGreen.postPromotionAnalysis.templates,
        },
      },
    },
    paused: spec.paused,
    restartAt: spec.restartAt,
  };
  if (object.status) {
    const { alb: _alb, albs: _albs, ...status } = object.status;
    object.status = status;
  }
  return object;
}

/**
 * What the cache keeps of an AnalysisRun: each metric's conditions, limits, interval and
 * provider query; the run's phase and message, and per metric its counts and last
 * {@link MEASUREMENTS_KEPT} measurements. A run measuring every minute for an hour holds
 * sixty measurements per metric; the lane shows the last few.
 */
export function slimAnalysisRun(object: KubeObject): KubeObject {
  const spec = object.spec ?? {};
  object.spec = {
    metrics: (Array.isArray(spec.metrics) ? spec.metrics : []).map(
      (m: any) => ({
        name: m?.name,
        successCondition: m?.successCondition,
        failureCondition: m?.failureCondition,
        failureLimit: m?.failureLimit,
        inconclusiveLimit: m?.inconclusiveLimit,
        interval: m?.interval,
        count: m?.count,
        provider: slimProvider(m?.provider),
      }),
    ),
  };
  const status = object.status;
  if (status) {
    object.status = {
      phase: status.phase,
      message: text(status.message),
      startedAt: status.startedAt,
      completedAt: status.completedAt,
      runSummary: status.runSummary,
      metricResults: (Array.isArray(status.metricResults)
        ? status.metricResults
        : []
      ).map((r: any) => ({
        name: r?.name,
        phase: r?.phase,
        count: r?.count,
        successful: r?.successful,
        failed: r?.failed,
        inconclusive: r?.inconclusive,
        error: r?.error,
        consecutiveError: r?.consecutiveError,
        message: text(r?.message),
        // The query with the run's args filled in (spec.metrics keeps `{{args.…}}`).
        ...(typeof r?.metadata?.ResolvedPrometheusQuery === 'string'
          ? {
              metadata: {
                ResolvedPrometheusQuery: text(
                  r.metadata.ResolvedPrometheusQuery,
                ),
              },
            }
          : {}),
        measurements: (Array.isArray(r?.measurements) ? r.measurements : [])
          .slice(-MEASUREMENTS_KEPT)
          .map((m: any) => ({
            phase: m?.phase,
            value: text(m?.value),
            startedAt: m?.startedAt,
            finishedAt: m?.finishedAt,
            message: text(m?.message),
          })),
      })),
    };
  }
  return object;
}

/** A metric's provider: its type and, where it has one, its query. */
function slimProvider(provider: any) {
  if (!provider || typeof provider !== 'object') return undefined;
  const [type] = Object.keys(provider);
  if (!type) return undefined;
  const query = text(provider[type]?.query);
  return { [type]: query === undefined ? {} : { query } };
}

/**
 * What the cache keeps of a Flagger Canary: its target, the analysis settings the lane shows
 * (interval, threshold, weights, metrics, the webhooks' names, types and URLs, which decide
 * whether it can be promoted or rolled back from the portal), whether it is suspended or skips
 * the analysis; and the status but for the specs' hashes and tracked configs.
 */
export function slimCanary(object: KubeObject): KubeObject {
  const spec = object.spec ?? {};
  const analysis = spec.analysis ?? {};
  object.spec = {
    targetRef: spec.targetRef,
    autoscalerRef: spec.autoscalerRef && {
      apiVersion: spec.autoscalerRef.apiVersion,
      kind: spec.autoscalerRef.kind,
      name: spec.autoscalerRef.name,
    },
    progressDeadlineSeconds: spec.progressDeadlineSeconds,
    skipAnalysis: spec.skipAnalysis,
    suspend: spec.suspend,
    analysis: {
      interval: analysis.interval,
      threshold: analysis.threshold,
      iterations: analysis.iterations,
      maxWeight: analysis.maxWeight,
      stepWeight: analysis.stepWeight,
      stepWeights: analysis.stepWeights,
      stepWeightPromotion: analysis.stepWeightPromotion,
      metrics: (Array.isArray(analysis.metrics) ? analysis.metrics : []).map(
        (m: any) => ({
          name: m?.name,
          interval: m?.interval,
          threshold: m?.threshold,
          thresholdRange: m?.thresholdRange,
          query: text(m?.query),
          templateRef: m?.templateRef,
        }),
      ),
      webhooks: (Array.isArray(analysis.webhooks) ? analysis.webhooks : []).map(
        (w: any) => ({ name: w?.name, type: w?.type, url: w?.url }),
      ),
    },
  };
  if (object.status) {
    const {
      lastAppliedSpec: _applied,
      lastPromotedSpec: _promoted,
      trackedConfigs: _configs,
      ...status
    } = object.status;
    object.status = status;
  }
  return object;
}
