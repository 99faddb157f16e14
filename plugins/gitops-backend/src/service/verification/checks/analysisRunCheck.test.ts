import type {
  ProgressiveRollout,
  RolloutAnalysis,
} from '@gitops-backstage/plugin-gitops-common';
import { VerificationContext } from '@gitops-backstage/plugin-gitops-node';
import { createAnalysisRunCheck } from './analysisRunCheck';

const metric = {
  name: 'success-rate',
  phase: 'Successful',
  successCondition: 'result[0] >= 0.95',
  failureCondition: null,
  provider: 'prometheus',
  query: 'sum(rate(…))',
  count: 3,
  successful: 3,
  failed: 0,
  inconclusive: 0,
  error: 0,
  failureLimit: 0,
  measurements: [
    { phase: 'Successful', value: '[0.98]', finishedAt: null, message: null },
    { phase: 'Successful', value: '[0.99]', finishedAt: null, message: null },
  ],
  message: null,
};

function analysis(extra: Partial<RolloutAnalysis> = {}): RolloutAnalysis {
  return {
    name: 'checkout-6d4f9c-3-2',
    state: 'Successful',
    type: 'step',
    revision: '6d4f9c',
    message: null,
    startedAt: '2026-12-04T10:00:00Z',
    metrics: [metric],
    ...extra,
  };
}

function rollout(a: RolloutAnalysis | null): ProgressiveRollout {
  return {
    controller: 'argo-rollouts',
    kind: 'Rollout',
    name: 'checkout',
    namespace: 'checkout-prod',
    strategy: 'canary',
    phase: 'Healthy',
    health: 'Healthy',
    message: null,
    step: 8,
    steps: 8,
    stepList: [],
    weight: 100,
    paused: null,
    aborted: null,
    stable: {
      image: 'ghcr.io/acme/checkout:v2.4.0',
      revision: '6d4f9c',
      ready: 3,
      pods: 3,
    },
    canary: null,
    analysis: a,
    actions: [],
  };
}

const context = (r: ProgressiveRollout | null): VerificationContext => ({
  entityRef: 'component:default/checkout',
  service: 'checkout',
  environment: 'prod',
  namespace: 'checkout-prod',
  version: { tag: 'v2.4.0', digest: null },
  image: 'ghcr.io/acme/checkout',
  revision: null,
  annotations: {},
  templateValues: {},
  rollout: r,
});

describe('analysisRun check', () => {
  const check = createAnalysisRunCheck();
  const spec = (options: Record<string, unknown> = {}) => ({
    name: 'canary-analysis',
    kind: 'analysisRun',
    options,
  });

  it.each<
    [string, ProgressiveRollout | null, Record<string, unknown>, string, RegExp]
  >([
    [
      'a successful analysis of the stable revision passes',
      rollout(analysis()),
      {},
      'Passed',
      /checkout-6d4f9c-3-2 Successful/,
    ],
    [
      'a failed analysis fails',
      rollout(
        analysis({
          state: 'Failed',
          message: 'Metric "success-rate" assessed Failed',
        }),
      ),
      {},
      'Failed',
      /assessed Failed/,
    ],
    [
      'an inconclusive analysis is inconclusive',
      rollout(analysis({ state: 'Inconclusive' })),
      {},
      'Inconclusive',
      /Inconclusive/,
    ],
    [
      'a running analysis is retried',
      rollout(analysis({ state: 'Running' })),
      {},
      'Error',
      /not finished/,
    ],
    [
      'no rollout in the watches is retried',
      null,
      {},
      'Error',
      /no Argo Rollouts Rollout or Flagger Canary/,
    ],
    [
      'a rollout without analysis measured nothing',
      rollout(null),
      {},
      'Inconclusive',
      /ran no analysis/,
    ],
    [
      'an analysis of another revision is not evidence',
      rollout(analysis({ revision: '77aa01' })),
      {},
      'Inconclusive',
      /revision 77aa01, not of the stable 6d4f9c/,
    ],
    [
      'a required metric the run did not measure',
      rollout(analysis()),
      { metrics: ['latency-p99'] },
      'Inconclusive',
      /no metric latency-p99/,
    ],
  ])('%s', async (_what, r, options, state, detail) => {
    const outcome = await check.run(
      spec(options),
      context(r),
      new AbortController().signal,
    );
    expect(outcome.state).toBe(state);
    expect(outcome.detail).toMatch(detail);
  });

  it('reports each metric with its counts, last value and condition', async () => {
    const outcome = await check.run(
      spec(),
      context(rollout(analysis())),
      new AbortController().signal,
    );
    expect(outcome.value).toBe(
      'success-rate 3/3 successful, last [0.99] (result[0] >= 0.95)',
    );
  });

  it('refuses metrics that are not a list of names', () => {
    expect(() => check.validate!(spec({ metrics: [3] }))).toThrow(/metrics/);
  });
});
