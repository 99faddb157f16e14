import {
  abortedCanary,
  blueGreenPreview,
  flaggerCanary,
  guestbookCanarySteps,
  pausedCanary,
  rolloutMetric,
} from '../../__fixtures__/progressive';
import {
  describeRolloutAction,
  flaggerChecks,
  measurementValue,
  metricCondition,
  metricCounts,
  rolloutActionName,
  rolloutChipLabel,
  rolloutChipTitle,
  stepState,
  stepSummary,
  weightAfterStep,
} from './rolloutFormat';

const prod = {
  service: 'guestbook',
  environment: 'prod',
  gitVersion: 'v1.0.3',
};

describe('rolloutFormat', () => {
  it('says where the rollout stands: step and weight, or weight of max', () => {
    expect(stepSummary(pausedCanary)).toBe('step 2 of 6 · weight 20 %');
    expect(stepSummary(flaggerCanary)).toBe('weight 30 % of 50 %');
    expect(stepSummary(blueGreenPreview)).toBe('');
  });

  it('places each step as done, current or to do', () => {
    expect([0, 1, 2].map(i => stepState(i, 2))).toEqual([
      'done',
      'current',
      'todo',
    ]);
    expect(stepState(0, null)).toBe('todo');
  });

  it('finds the weight in force after a step', () => {
    expect(weightAfterStep(guestbookCanarySteps, 3, 20)).toBe(40);
    expect(weightAfterStep(guestbookCanarySteps, 4, 20)).toBe(40);
    expect(weightAfterStep([], 1, 30)).toBe(30);
  });

  it('writes conditions, counts and values of a metric', () => {
    const [successRate, latency] = abortedCanary.analysis!.metrics;
    expect(metricCondition(successRate)).toBe('success: result[0] >= 0.95');
    expect(metricCondition(latency)).toBe(
      'success: result[0] <= 0.5 · failure: result[0] > 1',
    );
    expect(
      metricCondition(
        rolloutMetric({ successCondition: null, failureCondition: null }),
      ),
    ).toBe('no condition');
    expect(metricCounts(successRate)).toBe(
      '4 measured: 1 successful, 3 failed (limit 2)',
    );
    expect(
      metricCounts(
        rolloutMetric({
          count: 3,
          inconclusive: 1,
          error: 2,
          failureLimit: null,
        }),
      ),
    ).toBe('3 measured: 0 successful, 0 failed, 1 inconclusive, 2 errors');
    expect(measurementValue('[0.91]')).toBe('0.91');
    expect(measurementValue('[0.9, 0.8]')).toBe('[0.9, 0.8]');
    expect(measurementValue('98.2')).toBe('98.2');
    expect(measurementValue(null)).toBe('—');
  });

  it("counts Flagger's failed checks against the threshold", () => {
    expect(flaggerChecks(flaggerCanary)).toEqual({ failed: 1, threshold: 5 });
    // The run's own counts when the answer carries them.
    const run = { ...flaggerCanary.analysis!, failedChecks: 2, threshold: 10 };
    expect(flaggerChecks({ ...flaggerCanary, analysis: run })).toEqual({
      failed: 2,
      threshold: 10,
    });
    expect(metricCounts(rolloutMetric({ failed: 2, error: 1 }), true)).toBe(
      '2 failed checks, 1 without values',
    );
    expect(flaggerChecks({ ...flaggerCanary, analysis: null })).toEqual({
      failed: 0,
      threshold: null,
    });
  });

  it('says what each action will do', () => {
    expect(describeRolloutAction('promote', pausedCanary, prod)).toBe(
      'Promote guestbook in prod to the next step (step 3 of 6, weight 40 %).',
    );
    expect(describeRolloutAction('abort', pausedCanary, prod)).toBe(
      'Abort: traffic goes back to the stable version v1.0.2; Git still asks for v1.0.3 — roll back in Git to stay there.',
    );
    expect(
      describeRolloutAction('promote', { ...pausedCanary, step: 6 }, prod),
    ).toBe(
      'Promote guestbook in prod: the rollout ends and v1.0.3 takes all traffic.',
    );
    expect(describeRolloutAction('promote', blueGreenPreview, prod)).toBe(
      'Promote guestbook in prod: the preview version v1.0.3 becomes active and takes all traffic from v1.0.2.',
    );
    expect(describeRolloutAction('promoteFull', pausedCanary, prod)).toMatch(
      /remaining steps, analyses and pauses are skipped and v1\.0\.3 takes all traffic/,
    );
    expect(describeRolloutAction('retry', abortedCanary, prod)).toMatch(
      /^Retry the rollout of v1\.0\.3 in prod/,
    );
    expect(describeRolloutAction('restart', flaggerCanary, prod)).toMatch(
      /^Restart the pods of guestbook in prod/,
    );
  });

  it('names each action button uniquely per environment', () => {
    expect(rolloutActionName('promote', 'prod')).toBe(
      'Promote the rollout in prod',
    );
    expect(rolloutActionName('promoteFull', 'prod')).toBe(
      'Promote the rollout in prod fully',
    );
    expect(rolloutActionName('restart', 'prod')).toBe(
      'Restart the pods of the rollout in prod',
    );
  });

  it("words the fleet's chip and its tooltip", () => {
    const at = (
      health: 'Progressing' | 'Paused' | 'Degraded' | 'Unknown',
      weight: number | null,
    ) => ({ health, weight, step: 3, steps: 6 });
    expect(rolloutChipLabel(at('Progressing', 40))).toBe('canary 40 %');
    expect(rolloutChipLabel(at('Paused', 20))).toBe('paused at 20 %');
    expect(rolloutChipLabel(at('Degraded', 0))).toBe('aborted');
    expect(rolloutChipLabel(at('Paused', null))).toBe('preview');
    expect(rolloutChipTitle(at('Progressing', 40))).toBe('step 3 of 6');
    expect(
      rolloutChipTitle({
        health: 'Progressing',
        weight: 30,
        step: null,
        steps: null,
      }),
    ).toBe('rollout progressing');
  });
});
