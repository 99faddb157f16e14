import { KubernetesObject } from './buildKustomization';
import { extractProgressive } from './progressiveState';
import { invalidObjects } from 'gitops-testkit';

const podTemplate = {
  metadata: { labels: { app: 'guestbook' } },
  spec: {
    containers: [{ name: 'guestbook', image: 'ghcr.io/acme/guestbook:v1' }],
  },
};

const successRate: KubernetesObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'success-rate' },
  spec: {
    args: [{ name: 'service-name' }],
    metrics: [
      {
        name: 'success-rate',
        interval: '1m',
        count: 3,
        successCondition: 'result[0] >= 0.95',
        failureLimit: 1,
        provider: {
          prometheus: {
            address: 'http://prometheus.monitoring:9090',
            query: 'sum(rate(http_requests_total{code!~"5.."}[2m]))',
          },
        },
      },
    ],
    // A template may take in others' metrics.
    templates: [{ templateName: 'latency' }],
  },
};

const latency: KubernetesObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'latency' },
  spec: {
    metrics: [
      {
        name: 'p99',
        failureCondition: 'result > 0.5',
        provider: {
          web: { url: 'http://latency.monitoring/p99', jsonPath: '{$.p99}' },
        },
      },
    ],
  },
};

const errorBudget: KubernetesObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'ClusterAnalysisTemplate',
  metadata: { name: 'error-budget' },
  spec: {
    metrics: [
      {
        name: 'error-budget',
        successCondition: 'result < 1',
        interval: '5m',
        provider: { datadog: { query: 'avg:errors{service:guestbook}' } },
      },
    ],
  },
};

const canaryRollout: KubernetesObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'guestbook' },
  spec: {
    replicas: 5,
    selector: { matchLabels: { app: 'guestbook' } },
    template: podTemplate,
    strategy: {
      canary: {
        analysis: {
          templates: [{ templateName: 'error-budget', clusterScope: true }],
        },
        steps: [
          { setWeight: 20 },
          { pause: {} },
          { pause: { duration: '5m' } },
          { pause: { duration: 30 } },
          {
            analysis: {
              templates: [{ templateName: 'success-rate' }],
              args: [{ name: 'service-name', value: 'guestbook' }],
            },
          },
          {
            experiment: {
              duration: '10m',
              templates: [
                { name: 'baseline', specRef: 'stable' },
                { name: 'canary', specRef: 'canary' },
              ],
              analyses: [
                { name: 'compare', templateName: 'success-rate' },
                { name: 'elsewhere', templateName: 'not-in-the-render' },
              ],
            },
          },
          { setCanaryScale: { replicas: 2 } },
          { setHeaderRoute: { name: 'beta-testers' } },
          { setWeight: 100 },
        ],
      },
    },
  },
};

describe('extractProgressive', () => {
  it('validates its Argo Rollouts fixtures with @kubernetes-models/argo-rollouts', () => {
    expect(
      invalidObjects([
        canaryRollout,
        blueGreenRollout(),
        successRate,
        latency,
        errorBudget,
      ]),
    ).toEqual([]);
  });

  it("reads a canary Rollout's steps in order and the metrics of the templates it names", () => {
    const resources = [canaryRollout, successRate, latency, errorBudget];
    expect(extractProgressive(resources, canaryRollout)).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'guestbook',
      strategy: 'canary',
      workloadRef: null,
      steps: [
        { kind: 'setWeight', label: 'weight 20 %', weight: 20 },
        { kind: 'pause', label: 'pause until promoted', weight: null },
        { kind: 'pause', label: 'pause 5m', weight: null },
        { kind: 'pause', label: 'pause 30s', weight: null },
        { kind: 'analysis', label: 'analysis success-rate', weight: null },
        {
          kind: 'experiment',
          label: 'experiment baseline, canary for 10m',
          weight: null,
        },
        { kind: 'other', label: 'canary scale 2 replicas', weight: null },
        { kind: 'other', label: 'header route beta-testers', weight: null },
        { kind: 'setWeight', label: 'weight 100 %', weight: 100 },
      ],
      metrics: [
        // Background analysis first, then the steps' templates, each once.
        {
          name: 'error-budget',
          template: 'error-budget',
          successCondition: 'result < 1',
          failureCondition: null,
          interval: '5m',
          provider: 'datadog',
          query: 'avg:errors{service:guestbook}',
        },
        {
          name: 'success-rate',
          template: 'success-rate',
          successCondition: 'result[0] >= 0.95',
          failureCondition: null,
          interval: '1m',
          provider: 'prometheus',
          query: 'sum(rate(http_requests_total{code!~"5.."}[2m]))',
        },
        {
          name: 'p99',
          template: 'latency',
          successCondition: null,
          failureCondition: 'result > 0.5',
          interval: null,
          provider: 'web',
          query: 'http://latency.monitoring/p99',
        },
      ],
    });
  });

  it('reads no metrics of a template the render does not hold (a platform ClusterAnalysisTemplate)', () => {
    expect(extractProgressive([canaryRollout], canaryRollout)?.metrics).toEqual(
      [],
    );
  });

  it('reads a blue-green Rollout by workloadRef: its services and promotion analyses', () => {
    const rollout = blueGreenRollout();
    expect(extractProgressive([rollout, successRate], rollout)).toMatchObject({
      strategy: 'blueGreen',
      steps: [],
      workloadRef: 'guestbook',
      activeService: 'guestbook-active',
      previewService: 'guestbook-preview',
      metrics: [{ name: 'success-rate' }],
    });
  });

  it('reads the Flagger Canary that targets the Deployment: weights, built-in and templated metrics', () => {
    const deployment: KubernetesObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo' },
      spec: { template: podTemplate },
    };
    const canary: KubernetesObject = {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo' },
      spec: {
        targetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'podinfo',
        },
        service: { port: 9898 },
        analysis: {
          interval: '1m',
          threshold: 5,
          maxWeight: 50,
          stepWeights: [1, 10, 20, 50],
          metrics: [
            {
              name: 'request-success-rate',
              thresholdRange: { min: 99 },
              interval: '1m',
            },
            {
              name: 'request-duration',
              thresholdRange: { max: 500 },
              interval: '30s',
            },
            {
              name: 'not-found-percentage',
              templateRef: {
                name: 'not-found-percentage',
                namespace: 'istio-system',
              },
              thresholdRange: { min: 0, max: 5 },
              interval: '1m',
            },
            { name: 'legacy', query: 'sum(up)', threshold: 3 },
          ],
        },
      },
    };
    const metricTemplate: KubernetesObject = {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'MetricTemplate',
      metadata: { name: 'not-found-percentage', namespace: 'istio-system' },
      spec: {
        provider: { type: 'prometheus', address: 'http://prometheus:9090' },
        query:
          'sum(rate(istio_requests_total{response_code="404"}[{{ interval }}]))',
      },
    };
    const other = {
      ...canary,
      metadata: { name: 'other' },
      spec: {
        ...canary.spec,
        targetRef: { kind: 'Deployment', name: 'other' },
      },
    };
    expect(
      extractProgressive(
        [other, deployment, canary, metricTemplate],
        deployment,
      ),
    ).toEqual({
      controller: 'flagger',
      kind: 'Canary',
      name: 'podinfo',
      strategy: 'canary',
      steps: [],
      workloadRef: null,
      interval: '1m',
      threshold: 5,
      maxWeight: 50,
      stepWeight: null,
      stepWeights: [1, 10, 20, 50],
      metrics: [
        {
          name: 'request-success-rate',
          template: null,
          successCondition: '>= 99',
          failureCondition: null,
          interval: '1m',
          provider: 'builtin',
          query: null,
        },
        {
          name: 'request-duration',
          template: null,
          successCondition: '<= 500',
          failureCondition: null,
          interval: '30s',
          provider: 'builtin',
          query: null,
        },
        {
          name: 'not-found-percentage',
          template: 'not-found-percentage',
          successCondition: '>= 0 and <= 5',
          failureCondition: null,
          interval: '1m',
          provider: 'prometheus',
          query:
            'sum(rate(istio_requests_total{response_code="404"}[{{ interval }}]))',
        },
        {
          name: 'legacy',
          template: null,
          successCondition: '<= 3',
          failureCondition: null,
          interval: null,
          provider: 'prometheus',
          query: 'sum(up)',
        },
      ],
    });
  });

  it('says blue/green for a Flagger Canary that runs iterations without weights', () => {
    const deployment: KubernetesObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo' },
    };
    const canary: KubernetesObject = {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo' },
      spec: {
        targetRef: { kind: 'Deployment', name: 'podinfo' },
        analysis: { interval: '1m', threshold: 2, iterations: 10 },
      },
    };
    expect(extractProgressive([deployment, canary], deployment)).toMatchObject({
      strategy: 'blueGreen',
      stepWeight: null,
      stepWeights: null,
      metrics: [],
    });
  });

  it('is null for a Deployment without a Canary', () => {
    const deployment: KubernetesObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'guestbook' },
    };
    expect(extractProgressive([deployment, successRate], deployment)).toBe(
      null,
    );
  });
});

function blueGreenRollout(): KubernetesObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'guestbook-rollout' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'guestbook' } },
      workloadRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'guestbook',
      },
      strategy: {
        blueGreen: {
          activeService: 'guestbook-active',
          previewService: 'guestbook-preview',
          autoPromotionEnabled: false,
          prePromotionAnalysis: {
            templates: [{ templateName: 'success-rate' }],
            args: [{ name: 'service-name', value: 'guestbook-preview' }],
          },
        },
      },
    },
  };
}
