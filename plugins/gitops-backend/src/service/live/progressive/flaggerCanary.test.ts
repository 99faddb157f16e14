import { ProgressiveRollout } from '@gitops-backstage/plugin-gitops-common';
import { minutesAgo } from '../__fixtures__/clusterObjects';
import { CANARY_IMAGE, STABLE_IMAGE } from '../__fixtures__/progressive';
import {
  buildCanary,
  flaggerEvent,
  flaggerScenarios,
} from '../__fixtures__/progressiveFlagger';
import { flaggerRolloutStatus, thresholdCondition } from './flaggerCanary';
import { progressiveRollout } from './progressiveRollout';
import { scenarioObjects } from './__testUtils__/scenarioObjects';

const DESIRED_IMAGE = 'ghcr.io/acme/guestbook';
const HALT = (value: string) =>
  `Halt guestbook.guestbook-prod advancement request-success-rate ${value} < 99`;

const side = (
  image: string,
  revision: string,
  ready: number,
  pods = ready,
) => ({
  image,
  revision,
  ready,
  pods,
});

describe('flaggerCanaryState', () => {
  const cases: Array<[string, () => any, Partial<ProgressiveRollout>]> = [
    [
      'progressing at 30 %: the primary serves v1.0.4, the target runs v1.0.5, one failed check',
      flaggerScenarios.progressingAt30,
      {
        controller: 'flagger',
        kind: 'Canary',
        name: 'guestbook',
        namespace: 'guestbook-prod',
        strategy: 'canary',
        phase: 'Progressing',
        health: 'Progressing',
        message: 'New revision detected, progressing canary analysis.',
        step: null,
        steps: null,
        stepList: [],
        weight: 30,
        maxWeight: 50,
        paused: null,
        aborted: null,
        stable: side(STABLE_IMAGE, 'guestbook-primary', 3),
        canary: side(CANARY_IMAGE, 'guestbook', 3),
        analysis: {
          name: 'guestbook',
          state: 'Running',
          type: 'canary',
          revision: null,
          message: '1 of 5 failed checks',
          startedAt: null,
          failedChecks: 1,
          threshold: 5,
          metrics: [
            expect.objectContaining({
              name: 'request-success-rate',
              phase: 'Running',
              successCondition: '>= 99',
              provider: 'prometheus',
              failed: 1,
              count: 1,
              measurements: [
                {
                  phase: 'Failed',
                  value: '98.12',
                  finishedAt: '2026-11-25T11:58:00.000Z',
                  message: HALT('98.12'),
                },
              ],
            }),
            expect.objectContaining({
              name: 'request-duration',
              phase: 'Running',
              successCondition: '<= 500',
              failed: 0,
              measurements: [],
            }),
          ],
        },
      },
    ],
    [
      'waiting for promotion at a gate: Paused, at the maximum weight',
      flaggerScenarios.waitingPromotion,
      {
        phase: 'WaitingPromotion',
        health: 'Paused',
        weight: 50,
        paused:
          'WaitingPromotion for approval since 11:57:00 UTC (confirm-promotion webhook approve-promotion)',
        canary: side(CANARY_IMAGE, 'guestbook', 3),
        analysis: expect.objectContaining({
          state: 'Running',
          failedChecks: 0,
        }),
      },
    ],
    [
      'failed: Degraded, the cause from its events (Flagger resets failedChecks to 0)',
      flaggerScenarios.failedChecks,
      {
        phase: 'Failed',
        health: 'Degraded',
        weight: 0,
        aborted: {
          at: minutesAgo(1),
          message: `Canary analysis failed, Deployment scaled to zero; Rolling back guestbook.guestbook-prod failed checks threshold reached 5; last failed check: ${HALT(
            '87.50',
          )}`,
        },
        stable: side(STABLE_IMAGE, 'guestbook-primary', 3),
        canary: side(CANARY_IMAGE, 'guestbook', 0),
        analysis: expect.objectContaining({
          state: 'Failed',
          failedChecks: 0,
          threshold: 5,
          metrics: [
            expect.objectContaining({
              name: 'request-success-rate',
              phase: 'Failed',
              failed: 5,
              measurements: ['97.10', '95.42', '93.80', '91.25', '87.50'].map(
                value => expect.objectContaining({ phase: 'Failed', value }),
              ),
            }),
            expect.objectContaining({
              name: 'request-duration',
              phase: 'Successful',
              failed: 0,
            }),
          ],
        }),
      },
    ],
  ];

  it.each(cases)('%s', (_name, scenario, expected) => {
    const state = progressiveRollout(
      scenarioObjects(scenario()),
      DESIRED_IMAGE,
    );
    expect(state).toEqual(expect.objectContaining(expected));
  });

  it("does not count an earlier revision's failed checks against this analysis", () => {
    const scenario = flaggerScenarios.progressingAt30();
    const [canary] = scenario.snapshot.canaries!;
    // The analysis started 14 minutes ago (Promoted turned Unknown); this is older.
    scenario.snapshot.events!.push(flaggerEvent(canary, HALT('42.00'), 30));
    const state = progressiveRollout(scenarioObjects(scenario), DESIRED_IMAGE);
    expect(state!.analysis!.metrics[0].measurements.map(m => m.value)).toEqual([
      '98.12',
    ]);
  });

  it('counts repeats of one event and reads no-values checks as errors', () => {
    const scenario = flaggerScenarios.progressingAt30();
    const [canary] = scenario.snapshot.canaries!;
    scenario.snapshot.events = [
      flaggerEvent(canary, HALT('98.12'), 3, 2),
      flaggerEvent(
        canary,
        'Halt advancement no values found for nginx metric request-success-rate probably guestbook.guestbook-prod is not receiving traffic: no values found',
        2,
      ),
      flaggerEvent(
        canary,
        'Halt advancement no values found for custom metric: request-duration: no values found',
        1,
      ),
    ];
    const [metric, duration] = progressiveRollout(
      scenarioObjects(scenario),
      DESIRED_IMAGE,
    )!.analysis!.metrics;
    expect(duration).toEqual(expect.objectContaining({ failed: 1, error: 1 }));
    expect(metric).toEqual(
      expect.objectContaining({
        failed: 3,
        error: 1,
        measurements: [
          expect.objectContaining({ phase: 'Failed', value: '98.12' }),
          expect.objectContaining({ phase: 'Error', value: null }),
        ],
      }),
    );
  });

  it('reads blue/green (iterations, no weights) and a Canary without its events', () => {
    const scenario = flaggerScenarios.failedChecks();
    const [canary] = scenario.snapshot.canaries!;
    canary.spec.analysis = {
      interval: '1m',
      threshold: 2,
      iterations: 10,
      metrics: [],
    };
    scenario.snapshot.events = [];
    const state = progressiveRollout(scenarioObjects(scenario), DESIRED_IMAGE)!;
    expect(state.strategy).toBe('blueGreen');
    expect(state.weight).toBeNull();
    expect(state.aborted?.message).toBe(
      'Canary analysis failed, Deployment scaled to zero; the analysis fails at 2 failed checks',
    );
  });
});

describe('thresholdCondition', () => {
  it.each([
    [{ thresholdRange: { min: 99 } }, '>= 99'],
    [{ thresholdRange: { max: 500 } }, '<= 500'],
    [{ thresholdRange: { min: 1, max: 5 } }, '>= 1 and <= 5'],
    [{ threshold: 1 }, '<= 1'],
    [{ templateRef: { name: 'error-rate' } }, null],
  ])('%j reads %s', (metric, expected) => {
    expect(thresholdCondition(metric)).toBe(expected);
  });
});

describe('flaggerRolloutStatus', () => {
  const canary = (phase: any, canaryWeight = 0) =>
    buildCanary({ phase, canaryWeight, failedChecks: 0, minutes: 1 });
  it.each([
    [
      'an analysis under way is Progressing, with the weight',
      canary('Progressing', 30),
      {
        status: 'Progressing',
        message:
          'Flagger Progressing, canary weight 30 %: New revision detected, progressing canary analysis.',
      },
    ],
    [
      'a failed canary is Failed',
      canary('Failed'),
      {
        status: 'Failed',
        message: 'Canary analysis failed, Deployment scaled to zero.',
      },
    ],
    ['an idle canary leaves it to the primary', canary('Succeeded'), null],
  ])('%s', (_name, object, expected) => {
    expect(flaggerRolloutStatus(object)).toEqual(expected);
  });
});
