import { KubeObject } from '../ObjectStore';
import {
  MeasureResult,
  advanceAnalysisRun,
  newAnalysisRun,
  resolveArgs,
} from './analysisRuns';
import { evaluateCondition } from './conditionExpr';
import { invalidObjects } from 'gitops-testkit';

const rollout: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: {
    name: 'checkout',
    namespace: 'checkout-prod',
    uid: 'u-1',
    labels: { team: 'payments' },
  },
  spec: { template: { spec: { containers: [{ image: 'x:v1' }] } } },
};

const template = (metric: Record<string, any>): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 't' },
  spec: {
    args: [{ name: 'hash' }, { name: 'window', value: '1m' }],
    metrics: [
      {
        name: 'm',
        provider: {
          prometheus: {
            query: 'rate(x{h="{{args.hash}}"}[{{ args.window }}])',
          },
        },
        ...metric,
      },
    ],
  },
});

/** A run of one metric, measured `values` one after the other, 10 s apart. */
function runOf(metric: Record<string, any>, values: MeasureResult[]) {
  let at = Date.parse('2026-01-01T00:00:00Z');
  let run = newAnalysisRun({
    name: 'checkout-abc-2-2',
    rollout,
    templates: [template(metric)],
    args: [
      { name: 'hash', value: 'abc' },
      { name: 'window', value: '1m' },
    ],
    labels: { 'rollout-type': 'Step' },
    revision: 2,
    now: new Date(at),
  });
  const lastMeasured = new Map<string, number>();
  const queue = [...values];
  for (let i = 0; i < 20 && queue.length > 0; i++) {
    run = advanceAnalysisRun(run, {
      now: new Date(at),
      timeScale: 1,
      lastMeasured,
      measure: () => queue.shift()!,
    });
    at += 10_000;
  }
  return run;
}

describe('AnalysisRuns as Argo Rollouts assesses them', () => {
  it('resolves the arguments: values, pod hashes, fields of the Rollout, template defaults', () => {
    expect(
      resolveArgs(
        [template({})],
        [
          { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
          { name: 'stable', valueFrom: { podTemplateHashValue: 'Stable' } },
          {
            name: 'ns',
            valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
          },
          {
            name: 'team',
            valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } },
          },
          {
            name: 'image',
            valueFrom: {
              fieldRef: { fieldPath: 'spec.template.spec.containers[0].image' },
            },
          },
        ],
        { rollout, latestHash: 'new', stableHash: 'old' },
      ),
    ).toEqual([
      { name: 'hash', value: 'new' },
      { name: 'window', value: '1m' },
      { name: 'stable', value: 'old' },
      { name: 'ns', value: 'checkout-prod' },
      { name: 'team', value: 'payments' },
      { name: 'image', value: 'x:v1' },
    ]);
    expect(() =>
      resolveArgs([template({})], [], {
        rollout,
        latestHash: '',
        stableHash: '',
      }),
    ).toThrow('args.hash was not resolved');
  });

  it('succeeds after count measurements that pass, with the resolved query', () => {
    const run = runOf(
      { interval: '10s', count: 3, successCondition: 'result[0] >= 0.95' },
      [[0.99], [0.98], [0.97], [0.2]],
    );
    expect(run.status).toMatchObject({
      phase: 'Successful',
      runSummary: { count: 1, successful: 1 },
      metricResults: [
        {
          name: 'm',
          phase: 'Successful',
          count: 3,
          successful: 3,
          metadata: { ResolvedPrometheusQuery: 'rate(x{h="abc"}[1m])' },
        },
      ],
    });
    expect(
      run.status.metricResults[0].measurements.map((m: any) => m.value),
    ).toEqual(['[0.99]', '[0.98]', '[0.97]']);
    expect(run.status).not.toHaveProperty('message');
    expect(invalidObjects([run])).toEqual([]);
  });

  it('fails once the failures exceed failureLimit', () => {
    const run = runOf(
      {
        interval: '10s',
        count: 5,
        successCondition: 'result[0] >= 0.95',
        failureLimit: 1,
      },
      [[0.9], [0.99], [0.9], [0.99], [0.99]],
    );
    expect(run.status).toMatchObject({
      phase: 'Failed',
      message:
        'Metric "m" assessed Failed due to failed (2) > failureLimit (1)',
      runSummary: { count: 1, failed: 1 },
      metricResults: [{ count: 3, successful: 1, failed: 2 }],
    });
  });

  it('is inconclusive between a success and a failure condition', () => {
    const run = runOf(
      {
        successCondition: 'result[0] >= 0.95',
        failureCondition: 'result[0] < 0.5',
      },
      [[0.7]],
    );
    expect(run.status).toMatchObject({
      phase: 'Inconclusive',
      message:
        'Metric "m" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
      metricResults: [{ count: 1, inconclusive: 1 }],
    });
  });

  it('errs after more consecutive errors than consecutiveErrorLimit', () => {
    const none = () => new Error('no data');
    const run = runOf({ interval: '10s', count: 3, consecutiveErrorLimit: 1 }, [
      none(),
      none(),
      [1],
    ]);
    expect(run.status).toMatchObject({
      phase: 'Error',
      message:
        'Metric "m" assessed Error due to consecutiveErrors (2) > consecutiveErrorLimit (1)',
      metricResults: [{ error: 2, consecutiveError: 2 }],
    });
    expect(run.status.metricResults[0].measurements[0]).toMatchObject({
      phase: 'Error',
      message: 'no data',
    });
  });

  it('evaluates the conditions the demo uses', () => {
    expect(evaluateCondition('result[0] >= 0.95', [0.95])).toBe(true);
    expect(evaluateCondition('result[0] >= 0.95', [0.9])).toBe(false);
    expect(
      evaluateCondition('len(result) > 0 && result[0] < 0.05', [0.01]),
    ).toBe(true);
    expect(evaluateCondition('result > 2 or not (result == 1)', [1])).toBe(
      false,
    );
    expect(evaluateCondition('!(result[0] < 1) || false', [1])).toBe(true);
    expect(() => evaluateCondition('result[1] > 0', [1])).toThrow(
      'index out of range',
    );
    expect(() => evaluateCondition('asInt(result)', [1])).toThrow(
      'unknown name',
    );
  });
});
