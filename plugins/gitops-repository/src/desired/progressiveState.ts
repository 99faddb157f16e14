import {
  DesiredAnalysisMetric,
  DesiredProgressive,
  RolloutStep,
} from '@gitops-backstage/plugin-gitops-common';
import { KubernetesObject } from './buildKustomization';
import { isPlainObject } from './parseYaml';

/*
 * How Git asks a service's version to be rolled out progressively, read from rendered
 * manifests: an Argo Rollouts `Rollout` (argoproj.io/v1alpha1) that is the workload, or a
 * Flagger `Canary` (flagger.app/v1beta1) whose targetRef is the workload. Field names follow
 * argo-rollouts' pkg/apis/rollouts/v1alpha1 (as @kubernetes-models/argo-rollouts has them) and
 * flagger's pkg/apis/flagger/v1beta1/canary.go and metric.go.
 */

/** Flagger's metrics that need no MetricTemplate: it queries the mesh or ingress itself. */
const FLAGGER_BUILTIN_METRICS = ['request-success-rate', 'request-duration'];

/**
 * The Rollout's strategy when the workload is a Rollout, else the Flagger Canary that targets
 * the workload; `null` when neither is in the render.
 */
export function extractProgressive(
  resources: KubernetesObject[],
  workload: KubernetesObject,
): DesiredProgressive | null {
  if (workload.kind === 'Rollout')
    return rolloutProgressive(workload, resources);
  const canary = resources.find(
    r =>
      r.kind === 'Canary' &&
      String(r.apiVersion ?? '').startsWith('flagger.app/') &&
      r.spec?.targetRef?.kind === workload.kind &&
      r.spec?.targetRef?.name === workload.metadata?.name,
  );
  return canary ? canaryProgressive(canary, resources) : null;
}

function rolloutProgressive(
  rollout: KubernetesObject,
  resources: KubernetesObject[],
): DesiredProgressive {
  const strategy = isPlainObject(rollout.spec?.strategy)
    ? rollout.spec.strategy
    : {};
  const blueGreen = isPlainObject(strategy.blueGreen)
    ? strategy.blueGreen
    : null;
  const canary = isPlainObject(strategy.canary) ? strategy.canary : {};
  const ref = rollout.spec?.workloadRef;
  const common = {
    controller: 'argo-rollouts' as const,
    kind: 'Rollout' as const,
    name: String(rollout.metadata?.name),
    workloadRef: isPlainObject(ref) && ref.name ? String(ref.name) : null,
  };
  if (blueGreen) {
    return {
      ...common,
      strategy: 'blueGreen',
      steps: [],
      activeService: stringOrNull(blueGreen.activeService),
      previewService: stringOrNull(blueGreen.previewService),
      metrics: analysisMetrics(
        [blueGreen.prePromotionAnalysis, blueGreen.postPromotionAnalysis],
        resources,
      ),
    };
  }
  const steps: unknown[] = Array.isArray(canary.steps) ? canary.steps : [];
  return {
    ...common,
    strategy: 'canary',
    steps: steps.filter(isPlainObject).map(rolloutStep),
    metrics: analysisMetrics(
      [
        // Background analysis runs for the whole rollout, step analyses at their step.
        canary.analysis,
        ...steps.map(step => (isPlainObject(step) ? step.analysis : null)),
        ...steps.map(step =>
          isPlainObject(step) && isPlainObject(step.experiment)
            ? { templates: step.experiment.analyses }
            : null,
        ),
      ],
      resources,
    ),
  };
}

/** One canary step as the lane names it, e.g. `weight 20 %`, `pause 5m`, `analysis success-rate`. */
export function rolloutStep(step: Record<string, any>): RolloutStep {
  if (typeof step.setWeight === 'number') {
    return {
      kind: 'setWeight',
      label: `weight ${step.setWeight} %`,
      weight: step.setWeight,
    };
  }
  if (step.pause !== undefined) {
    const duration = isPlainObject(step.pause)
      ? step.pause.duration
      : undefined;
    // A duration is a string with a unit (`5m`) or a number of seconds.
    let label = 'pause until promoted';
    if (typeof duration === 'number') label = `pause ${duration}s`;
    else if (duration) label = `pause ${duration}`;
    return { kind: 'pause', label, weight: null };
  }
  if (isPlainObject(step.analysis)) {
    return {
      kind: 'analysis',
      label: `analysis ${templateNames(step.analysis.templates).join(', ')}`,
      weight: null,
    };
  }
  if (isPlainObject(step.experiment)) {
    const names = (
      Array.isArray(step.experiment.templates) ? step.experiment.templates : []
    )
      .map((t: unknown) => (isPlainObject(t) ? t.name : null))
      .filter(Boolean);
    const duration = step.experiment.duration
      ? ` for ${step.experiment.duration}`
      : '';
    return {
      kind: 'experiment',
      label: `experiment ${names.join(', ')}${duration}`.trim(),
      weight: null,
    };
  }
  return { kind: 'other', label: otherStepLabel(step), weight: null };
}

/** setCanaryScale, setHeaderRoute, setMirrorRoute, plugin, or a step this reader does not know. */
function otherStepLabel(step: Record<string, any>): string {
  const scale = step.setCanaryScale;
  if (isPlainObject(scale)) {
    if (scale.matchTrafficWeight) return 'canary scale matches the weight';
    if (scale.replicas !== undefined)
      return `canary scale ${scale.replicas} replicas`;
    if (scale.weight !== undefined) return `canary scale ${scale.weight} %`;
    return 'canary scale';
  }
  if (isPlainObject(step.setHeaderRoute))
    return `header route ${step.setHeaderRoute.name ?? ''}`.trim();
  if (isPlainObject(step.setMirrorRoute))
    return `mirror route ${step.setMirrorRoute.name ?? ''}`.trim();
  if (isPlainObject(step.plugin))
    return `plugin ${step.plugin.name ?? ''}`.trim();
  return Object.keys(step)[0] ?? 'step';
}

/**
 * The metrics of the AnalysisTemplates (ClusterAnalysisTemplates with `clusterScope`) the
 * analyses name, where the render holds them, each once; a template's own `templates` are
 * followed. Templates outside the render (often a platform's ClusterAnalysisTemplates) add none.
 */
function analysisMetrics(
  analyses: unknown[],
  resources: KubernetesObject[],
): DesiredAnalysisMetric[] {
  const metrics: DesiredAnalysisMetric[] = [];
  const seen = new Set<string>();
  const visit = (refs: unknown) => {
    for (const ref of Array.isArray(refs) ? refs : []) {
      if (!isPlainObject(ref) || !ref.templateName) continue;
      const kind = ref.clusterScope
        ? 'ClusterAnalysisTemplate'
        : 'AnalysisTemplate';
      const key = `${kind}/${ref.templateName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const template = resources.find(
        r =>
          r.kind === kind &&
          String(r.apiVersion ?? '').startsWith('argoproj.io/') &&
          r.metadata?.name === ref.templateName,
      );
      if (!template) continue;
      for (const metric of list(template.spec?.metrics)) {
        metrics.push(argoMetric(metric, String(ref.templateName)));
      }
      visit(template.spec?.templates);
    }
  };
  for (const analysis of analyses) {
    if (isPlainObject(analysis)) visit(analysis.templates);
  }
  return metrics;
}

function argoMetric(
  metric: Record<string, any>,
  template: string,
): DesiredAnalysisMetric {
  const providers = isPlainObject(metric.provider) ? metric.provider : {};
  const [provider] = Object.keys(providers);
  const settings = provider ? providers[provider] : undefined;
  let query: string | null = null;
  if (isPlainObject(settings)) {
    // Prometheus, Datadog, New Relic, Wavefront, Graphite, InfluxDB and SkyWalking take a
    // query; a web metric asks a URL.
    query = stringOrNull(settings.query) ?? stringOrNull(settings.url);
  }
  return {
    name: String(metric.name),
    template,
    successCondition: stringOrNull(metric.successCondition),
    failureCondition: stringOrNull(metric.failureCondition),
    interval: stringOrNull(metric.interval),
    provider: provider ?? null,
    query,
  };
}

function canaryProgressive(
  canary: KubernetesObject,
  resources: KubernetesObject[],
): DesiredProgressive {
  // `canaryAnalysis` is the field's name before Flagger 1.0, still read by Flagger.
  const analysis = isPlainObject(canary.spec?.analysis)
    ? canary.spec.analysis
    : canary.spec?.canaryAnalysis ?? {};
  const stepWeights = Array.isArray(analysis.stepWeights)
    ? analysis.stepWeights.filter((w: unknown) => typeof w === 'number')
    : null;
  // Without weights Flagger runs `iterations` against the whole new version: blue/green.
  const weighted =
    analysis.stepWeight !== undefined ||
    stepWeights !== null ||
    analysis.maxWeight !== undefined;
  return {
    controller: 'flagger',
    kind: 'Canary',
    name: String(canary.metadata?.name),
    strategy: !weighted && analysis.iterations ? 'blueGreen' : 'canary',
    steps: [],
    workloadRef: null,
    interval: stringOrNull(analysis.interval),
    threshold: numberOrNull(analysis.threshold),
    maxWeight: numberOrNull(analysis.maxWeight),
    stepWeight: numberOrNull(analysis.stepWeight),
    stepWeights,
    metrics: list(analysis.metrics).map(metric =>
      flaggerMetric(metric, resources),
    ),
  };
}

function flaggerMetric(
  metric: Record<string, any>,
  resources: KubernetesObject[],
): DesiredAnalysisMetric {
  const name = String(metric.name);
  const ref = isPlainObject(metric.templateRef) ? metric.templateRef : null;
  // A render holds one namespace's objects: the name finds the MetricTemplate.
  const template = ref
    ? resources.find(
        r =>
          r.kind === 'MetricTemplate' &&
          String(r.apiVersion ?? '').startsWith('flagger.app/') &&
          r.metadata?.name === ref.name &&
          (!ref.namespace ||
            !r.metadata?.namespace ||
            r.metadata.namespace === ref.namespace),
      )
    : undefined;
  let provider: string | null = null;
  let query: string | null = null;
  if (template) {
    provider = stringOrNull(template.spec?.provider?.type);
    query = stringOrNull(template.spec?.query);
  } else if (!ref && typeof metric.query === 'string') {
    // The deprecated inline query is PromQL against Flagger's metrics server.
    provider = 'prometheus';
    query = metric.query;
  } else if (!ref && FLAGGER_BUILTIN_METRICS.includes(name)) {
    provider = 'builtin';
  }
  return {
    name,
    template: ref ? String(ref.name) : null,
    successCondition: thresholdCondition(metric, name),
    failureCondition: null,
    interval: stringOrNull(metric.interval),
    provider,
    query,
  };
}

/**
 * Flagger's `thresholdRange` as a condition: `>= 99`, `<= 500`, or both. The deprecated
 * `threshold` is a minimum for the success rate and a maximum for everything else.
 */
function thresholdCondition(
  metric: Record<string, any>,
  name: string,
): string | null {
  const range = isPlainObject(metric.thresholdRange)
    ? metric.thresholdRange
    : null;
  if (range) {
    const parts = [
      typeof range.min === 'number' ? `>= ${range.min}` : null,
      typeof range.max === 'number' ? `<= ${range.max}` : null,
    ].filter(Boolean);
    return parts.length ? parts.join(' and ') : null;
  }
  if (typeof metric.threshold === 'number') {
    return name === 'request-success-rate'
      ? `>= ${metric.threshold}`
      : `<= ${metric.threshold}`;
  }
  return null;
}

function templateNames(refs: unknown): string[] {
  return list(refs)
    .map(ref => ref.templateName)
    .filter(Boolean)
    .map(String);
}

function list(value: unknown): Record<string, any>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
