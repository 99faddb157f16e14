import { RolloutAction } from '@gitops-backstage/plugin-gitops-common';
import { KubeObject, argoScenarios } from '../__fixtures__/progressive';
import { GATES, flaggerScenarios } from '../__fixtures__/progressiveFlagger';
import { rolloutActionStates } from './actionStates';

const rolloutOf = (scenario: () => any): KubeObject =>
  scenario().snapshot.rollouts[0];
const canaryOf = (scenario: () => any): KubeObject =>
  scenario().snapshot.canaries[0];

/** Which actions are allowed, in the lane's order. */
const allowed = (object: KubeObject) =>
  Object.fromEntries(
    rolloutActionStates(object).map(s => [s.action, s.allowed]),
  ) as Record<RolloutAction, boolean>;

const yes = true;
const no = false;

describe('rolloutActionStates', () => {
  it.each([
    [
      'Rollout paused at a step',
      rolloutOf(argoScenarios.pausedAtStep2),
      { promote: yes, promoteFull: yes, abort: yes, retry: no, restart: yes },
    ],
    [
      'Rollout mid-steps, its analysis running (promote skips the step)',
      rolloutOf(argoScenarios.analysisRunning),
      { promote: yes, promoteFull: yes, abort: yes, retry: no, restart: yes },
    ],
    [
      'aborted Rollout',
      rolloutOf(argoScenarios.abortedBySuccessRate),
      { promote: no, promoteFull: yes, abort: no, retry: yes, restart: no },
    ],
    [
      'Rollout paused by an inconclusive analysis',
      rolloutOf(argoScenarios.inconclusiveAnalysis),
      { promote: yes, promoteFull: yes, abort: yes, retry: no, restart: yes },
    ],
    [
      'completed Rollout',
      rolloutOf(argoScenarios.completed),
      { promote: no, promoteFull: no, abort: no, retry: no, restart: yes },
    ],
    [
      'blue-green Rollout paused before promotion',
      rolloutOf(argoScenarios.blueGreenPrePromotion),
      { promote: yes, promoteFull: yes, abort: yes, retry: no, restart: yes },
    ],
    [
      'Canary progressing, no gate webhook',
      canaryOf(flaggerScenarios.progressingAt30),
      { promote: no, promoteFull: no, abort: no, retry: no, restart: yes },
    ],
    [
      "Canary waiting at the load tester's gates",
      canaryOf(flaggerScenarios.waitingPromotion),
      { promote: yes, promoteFull: no, abort: yes, retry: no, restart: yes },
    ],
    [
      'failed Canary (restart is the new revision Flagger analyses again)',
      canaryOf(flaggerScenarios.failedChecks),
      { promote: no, promoteFull: no, abort: no, retry: no, restart: yes },
    ],
  ])('%s', (_name, object, expected) => {
    expect(allowed(object)).toEqual(expected);
    for (const state of rolloutActionStates(object)) {
      expect(state.reason === null).toBe(state.allowed);
    }
  });

  it('says why an action is refused', () => {
    const reasons = (object: KubeObject) =>
      Object.fromEntries(
        rolloutActionStates(object).map(s => [s.action, s.reason]),
      );
    expect(reasons(rolloutOf(argoScenarios.completed))).toEqual({
      promote:
        'no update is in progress: the stable version is the desired one',
      promoteFull:
        'no update is in progress: the stable version is the desired one',
      abort: 'no update is in progress: the stable version is the desired one',
      retry: 'only an aborted rollout can be retried',
      restart: null,
    });
    expect(reasons(rolloutOf(argoScenarios.abortedBySuccessRate))).toEqual(
      expect.objectContaining({
        promote:
          'the rollout was aborted: retry it (or promote it fully) first',
        abort: 'the rollout is already aborted',
      }),
    );
    expect(reasons(canaryOf(flaggerScenarios.progressingAt30))).toEqual({
      promote: expect.stringMatching(
        /confirm-promotion webhook .*\/gate\/check/,
      ),
      promoteFull: expect.stringMatching(/spec\.skipAnalysis/),
      abort: expect.stringMatching(/rollback webhook .*\/rollback\/check/),
      retry: expect.stringMatching(/pod template changes/),
      restart: null,
    });
  });

  it('refuses the gates outside an analysis, and every gate that is not the load tester', () => {
    const idle = canaryOf(flaggerScenarios.waitingPromotion);
    idle.status.phase = 'Succeeded';
    expect(allowed(idle)).toEqual(
      expect.objectContaining({ promote: no, abort: no }),
    );
    expect(rolloutActionStates(idle)[0].reason).toBe(
      'no analysis is running (phase Succeeded)',
    );

    const slack = canaryOf(flaggerScenarios.waitingPromotion);
    slack.spec.analysis.webhooks = GATES.map(g => ({
      ...g,
      url: 'https://hooks.slack.com/services/T000/B000/XXXX',
    }));
    expect(allowed(slack)).toEqual(
      expect.objectContaining({ promote: no, abort: no }),
    );

    const trafficGate = canaryOf(flaggerScenarios.progressingAt30);
    trafficGate.spec.analysis.webhooks.push({
      name: 'step-by-step',
      type: 'confirm-traffic-increase',
      url: 'http://flagger-loadtester.test:8080/gate/check/',
    });
    expect(allowed(trafficGate).promote).toBe(yes);
  });

  it('refuses a restart of a suspended Canary', () => {
    const suspended = canaryOf(flaggerScenarios.failedChecks);
    suspended.spec.suspend = true;
    expect(rolloutActionStates(suspended).at(-1)).toEqual({
      action: 'restart',
      allowed: false,
      reason:
        'the Canary is suspended (spec.suspend): Flagger does not analyse a new revision',
    });
  });
});
