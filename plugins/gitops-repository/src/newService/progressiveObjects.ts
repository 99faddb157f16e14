import { Resources } from './sizing';
import { deployment, serviceLabels } from './workloadObjects';

/*
 * Progressive delivery of a new service (`progressiveDelivery: canary`): the last environment
 * runs an Argo Rollouts Rollout (argoproj.io/v1alpha1) instead of its Deployment, with canary
 * steps that an AnalysisTemplate on Prometheus checks.
 */

export const DEFAULT_PROMETHEUS_ADDRESS =
  'http://prometheus.monitoring.svc.cluster.local:9090';

/** The AnalysisTemplate the canary's analysis step runs. */
export const SUCCESS_RATE_TEMPLATE = 'success-rate';

/**
 * The share of the service's requests over the last 2 minutes that did not fail with a 5xx:
 * the counter the service template's skeleton exposes, by the `service` label Prometheus gives
 * what it scrapes through a Service. `{{args.service-name}}` is filled in by Argo Rollouts.
 */
export const SUCCESS_RATE_QUERY =
  'sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))';

/**
 * Why the analysis numbers are what they are: written above them in the files, where whoever
 * tunes them reads it.
 */
export const ANALYSIS_NUMBERS_NOTE = [
  'interval 1m, count 3: three measurements a minute apart over the 2m window of the query.',
  'successCondition: at least 95 % of requests answered without a 5xx. Without a traffic router',
  "the canary's weight is its share of the pods and the query sees the whole service: a canary",
  'failing every request at weight 20 brings it to 80 %.',
  'failureLimit 1: one bad minute (a cold cache, a restarting pod) passes; a second fails the',
  'analysis, and Argo Rollouts aborts: every request goes back to the stable version.',
  'No traffic means no samples: the measurement errors rather than passes.',
].join('\n');

/**
 * The canary steps: 20 % of the pods for 2 minutes, then the analysis, then 40, 60 and 80 %
 * for 2 minutes each before all pods run the new version. The analysis at 20 % decides early,
 * while most requests still reach the stable version.
 */
export function canarySteps(service: string) {
  const pause = { pause: { duration: '2m' } };
  return [
    { setWeight: 20 },
    pause,
    {
      analysis: {
        templates: [{ templateName: SUCCESS_RATE_TEMPLATE }],
        args: [{ name: 'service-name', value: service }],
      },
    },
    { setWeight: 40 },
    pause,
    { setWeight: 60 },
    pause,
    { setWeight: 80 },
    pause,
  ].map(step => structuredClone(step));
}

/**
 * The Rollout that replaces the service's Deployment: the same selector, labels and pod
 * template (hardening, probes, /tmp), with the canary steps as its strategy.
 */
export function rollout(o: {
  name: string;
  image: string;
  port: number;
  resources: Resources;
}) {
  const { metadata, spec } = deployment(o);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata,
    spec: { ...spec, strategy: { canary: { steps: canarySteps(o.name) } } },
  };
}

/** The numbers of the success-rate metric; see {@link ANALYSIS_NUMBERS_NOTE}. */
export const SUCCESS_RATE_METRIC = {
  interval: '1m',
  count: 3,
  successCondition: 'result[0] >= 0.95',
  failureLimit: 1,
} as const;

export function successRateAnalysisTemplate(o: {
  name: string;
  prometheusAddress: string;
}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: SUCCESS_RATE_TEMPLATE, labels: serviceLabels(o.name) },
    spec: {
      args: [{ name: 'service-name' }],
      metrics: [
        {
          name: SUCCESS_RATE_TEMPLATE,
          ...SUCCESS_RATE_METRIC,
          provider: {
            prometheus: {
              address: o.prometheusAddress,
              query: SUCCESS_RATE_QUERY,
            },
          },
        },
      ],
    },
  };
}
