import { ProgressiveRollout } from '@gitops-backstage/plugin-gitops-common';
import {
  CANARY_HASH,
  CANARY_IMAGE,
  STABLE_HASH,
  STABLE_IMAGE,
  argoScenarios,
  buildRollout,
} from '../__fixtures__/progressive';
import { analysisOf } from './argoAnalysis';
import { argoRolloutStatus, stepOf } from './argoRollout';
import { progressiveRollout } from './progressiveRollout';
import { scenarioObjects } from './__testUtils__/scenarioObjects';

const DESIRED_IMAGE = 'ghcr.io/acme/guestbook';
const RUN = `guestbook-${CANARY_HASH}-3-3`;
const FAILED =
  'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';

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

const STEP_LABELS = [
  'weight 20 %',
  'pause until promoted',
  'weight 40 %',
  'analysis success-rate',
  'weight 60 %',
  'pause 10m',
];

describe('argoRolloutState', () => {
  const cases: Array<[string, () => any, Partial<ProgressiveRollout>]> = [
    [
      'paused at step 2 of 6 (an indefinite pause), weight from the last setWeight',
      argoScenarios.pausedAtStep2,
      {
        controller: 'argo-rollouts',
        kind: 'Rollout',
        name: 'guestbook',
        namespace: 'guestbook-prod',
        strategy: 'canary',
        phase: 'Paused',
        health: 'Paused',
        message: 'CanaryPauseStep',
        step: 2,
        steps: 6,
        weight: 20,
        paused: 'CanaryPauseStep since 11:51:00 UTC (until promoted)',
        aborted: null,
        stable: side(STABLE_IMAGE, STABLE_HASH, 4),
        canary: side(CANARY_IMAGE, CANARY_HASH, 1),
        analysis: null,
      },
    ],
    [
      'running its step analysis, weight as the traffic router was set',
      argoScenarios.analysisRunning,
      {
        phase: 'Progressing',
        health: 'Progressing',
        message: 'more replicas need to be updated',
        step: 4,
        weight: 40,
        paused: null,
        stable: side(STABLE_IMAGE, STABLE_HASH, 5),
        canary: side(CANARY_IMAGE, CANARY_HASH, 2),
        analysis: expect.objectContaining({
          name: RUN,
          state: 'Running',
          type: 'step',
          revision: CANARY_HASH,
          metrics: [
            expect.objectContaining({
              name: 'success-rate',
              phase: 'Running',
              successCondition: 'result[0] >= 0.95',
              provider: 'prometheus',
              query: expect.stringContaining('istio_requests_total'),
              count: 2,
              successful: 2,
              failed: 0,
              failureLimit: 0,
              measurements: [
                expect.objectContaining({
                  phase: 'Successful',
                  value: '[0.991]',
                }),
                expect.objectContaining({
                  phase: 'Successful',
                  value: '[0.987]',
                }),
                {
                  phase: 'Running',
                  value: null,
                  finishedAt: null,
                  message: null,
                },
              ],
            }),
          ],
        }),
      },
    ],
    [
      'aborted by a failed metric: Degraded, weight 0, the canary scaled down',
      argoScenarios.abortedBySuccessRate,
      {
        phase: 'Degraded',
        health: 'Degraded',
        weight: 0,
        paused: null,
        aborted: {
          at: '2026-11-25T11:58:00Z',
          message: `Rollout aborted update to revision 3: ${FAILED}`,
        },
        stable: side(STABLE_IMAGE, STABLE_HASH, 5),
        canary: side(CANARY_IMAGE, CANARY_HASH, 0),
        analysis: expect.objectContaining({
          state: 'Failed',
          message: FAILED,
          metrics: [
            expect.objectContaining({
              phase: 'Failed',
              failed: 1,
              successful: 2,
              measurements: [
                expect.objectContaining({ value: '[0.97]' }),
                expect.objectContaining({ value: '[0.96]' }),
                expect.objectContaining({ phase: 'Failed', value: '[0.81]' }),
              ],
            }),
          ],
        }),
      },
    ],
    [
      'paused by an inconclusive analysis',
      argoScenarios.inconclusiveAnalysis,
      {
        health: 'Paused',
        paused:
          'InconclusiveAnalysisRun since 11:59:00 UTC (until promoted or aborted)',
        analysis: expect.objectContaining({
          state: 'Inconclusive',
          metrics: [
            expect.objectContaining({
              phase: 'Inconclusive',
              failureCondition: 'result[0] < 0.90',
              inconclusive: 1,
            }),
          ],
        }),
      },
    ],
    [
      'completed: Healthy, 100 %, one side, the last analysis kept',
      argoScenarios.completed,
      {
        phase: 'Healthy',
        health: 'Healthy',
        message: null,
        step: 6,
        steps: 6,
        weight: 100,
        paused: null,
        stable: side(CANARY_IMAGE, CANARY_HASH, 5),
        canary: null,
        analysis: expect.objectContaining({
          state: 'Successful',
          type: 'step',
        }),
      },
    ],
    [
      'blue-green paused before promotion: active and preview sides, no steps nor weight',
      argoScenarios.blueGreenPrePromotion,
      {
        strategy: 'blueGreen',
        health: 'Paused',
        step: null,
        steps: null,
        stepList: [],
        weight: null,
        paused: 'BlueGreenPause since 11:56:00 UTC (until promoted)',
        stable: side(STABLE_IMAGE, STABLE_HASH, 3),
        canary: side(CANARY_IMAGE, CANARY_HASH, 3),
      },
    ],
    [
      "with a workloadRef, in a timed pause: the Deployment's selector, the pause's end",
      argoScenarios.workloadRefTimedPause,
      {
        health: 'Paused',
        step: 6,
        weight: 60,
        paused:
          'CanaryPauseStep since 11:56:00 UTC (pause 10m, resumes at 12:06:00 UTC)',
        stable: side(STABLE_IMAGE, STABLE_HASH, 2),
        canary: side(CANARY_IMAGE, CANARY_HASH, 3),
      },
    ],
  ];

  it.each(cases)('%s', (_name, scenario, expected) => {
    const state = progressiveRollout(
      scenarioObjects(scenario()),
      DESIRED_IMAGE,
    );
    expect(state).toEqual(expect.objectContaining(expected));
    expect(state!.actions.map(a => a.action)).toEqual([
      'promote',
      'promoteFull',
      'abort',
      'retry',
      'restart',
    ]);
  });

  it('lists the canary steps as the lane shows them', () => {
    const state = progressiveRollout(
      scenarioObjects(argoScenarios.pausedAtStep2()),
      DESIRED_IMAGE,
    );
    expect(state!.stepList.map(s => s.label)).toEqual(STEP_LABELS);
    expect(state!.stepList.map(s => s.weight)).toEqual([
      20,
      null,
      40,
      null,
      60,
      null,
    ]);
  });

  it('says an abort was asked for until the controller acts on it, not the pause it ends', () => {
    const objects = scenarioObjects(argoScenarios.pausedAtStep2());
    // A person's abort through the status subresource: the controller has not run since.
    // (The cache's objects are shared and frozen below their top level: a new status.)
    const rollout = objects.rollout!;
    objects.rollout = {
      ...rollout,
      status: { ...rollout.status, abort: true },
    };
    const state = progressiveRollout(objects, DESIRED_IMAGE)!;
    expect(state.health).toBe('Degraded');
    expect(state.aborted?.message).toBe(
      'abort requested; the controller has not acted on it yet',
    );
  });

  it("tells the service's container from a sidecar by Git's image", () => {
    const objects = scenarioObjects(argoScenarios.pausedAtStep2());
    for (const pod of objects.pods) {
      pod.spec = {
        ...pod.spec,
        containers: [
          { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.0' },
          ...pod.spec.containers,
        ],
      };
    }
    const state = progressiveRollout(objects, DESIRED_IMAGE)!;
    expect(state.stable?.image).toBe(STABLE_IMAGE);
    expect(state.canary?.image).toBe(CANARY_IMAGE);
  });
});

describe('stepOf', () => {
  it.each([
    [{ setWeight: 5 }, 'setWeight', 'weight 5 %', 5],
    [{ pause: {} }, 'pause', 'pause until promoted', null],
    [{ pause: { duration: 30 } }, 'pause', 'pause 30s', null],
    [{ pause: { duration: '1h' } }, 'pause', 'pause 1h', null],
    [
      {
        analysis: {
          templates: [
            { templateName: 'success-rate' },
            { templateName: 'latency' },
          ],
        },
      },
      'analysis',
      'analysis success-rate, latency',
      null,
    ],
    [
      { experiment: { duration: '5m', templates: [{ name: 'baseline' }] } },
      'experiment',
      'experiment 5m',
      null,
    ],
    [{ setCanaryScale: { weight: 25 } }, 'other', 'canary scale 25 %', null],
    [
      { setCanaryScale: { replicas: 2 } },
      'other',
      'canary scale 2 replicas',
      null,
    ],
    [
      { setCanaryScale: { matchTrafficWeight: true } },
      'other',
      'canary scale matches traffic',
      null,
    ],
    [{ setHeaderRoute: { name: 'beta' } }, 'other', 'header route beta', null],
    [
      { setMirrorRoute: { name: 'shadow' } },
      'other',
      'mirror route shadow',
      null,
    ],
    [
      { plugin: { name: 'argoproj-labs/gatewayAPI' } },
      'other',
      'plugin argoproj-labs/gatewayAPI',
      null,
    ],
  ])('%j is a %s step: %s', (step, kind, label, weight) => {
    expect(stepOf(step)).toEqual({ kind, label, weight });
  });
});

describe('argoRolloutStatus', () => {
  const aborted = argoScenarios.abortedBySuccessRate().snapshot.rollouts![0];
  it.each([
    [
      'Healthy is Complete',
      argoScenarios.completed().snapshot.rollouts![0],
      { status: 'Complete', message: null },
    ],
    [
      'Paused is Progressing, saying why',
      argoScenarios.pausedAtStep2().snapshot.rollouts![0],
      {
        status: 'Progressing',
        message: 'CanaryPauseStep since 11:51:00 UTC (until promoted)',
      },
    ],
    [
      'Progressing with its message',
      argoScenarios.analysisRunning().snapshot.rollouts![0],
      { status: 'Progressing', message: 'more replicas need to be updated' },
    ],
    [
      'Degraded (aborted) is Failed with status.message',
      aborted,
      { status: 'Failed', message: aborted.status.message },
    ],
    [
      'a spec change not yet observed (observedGeneration is a string) is Progressing',
      buildRollout({ status: { phase: 'Healthy', observedGeneration: '6' } }),
      {
        status: 'Progressing',
        message: 'waiting for rollout spec update to be observed',
      },
    ],
    [
      'a resume the controller has not acted on is Progressing',
      buildRollout({
        status: { phase: 'Paused', controllerPause: true, currentStepIndex: 1 },
      }),
      { status: 'Progressing', message: 'waiting for rollout to unpause' },
    ],
    [
      'a Rollout the controller never reconciled is Unknown',
      { ...buildRollout({ status: {} }), status: undefined },
      { status: 'Unknown', message: null },
    ],
  ])('%s', (_name, rollout, expected) => {
    expect(argoRolloutStatus(rollout)).toEqual(expected);
  });
});

describe('analysisOf', () => {
  it("shows the query the run resolved (args filled in) over its spec's template", () => {
    const run = structuredClone(
      argoScenarios.analysisRunning().snapshot.analysisruns![0],
    );
    run.spec.metrics[0].provider.prometheus.query =
      'sum(rate(x{service="{{args.service-name}}"}[1m]))';
    run.status.metricResults[0].metadata = {
      ResolvedPrometheusQuery: 'sum(rate(x{service="guestbook"}[1m]))',
    };
    expect(analysisOf(run).metrics[0].query).toBe(
      'sum(rate(x{service="guestbook"}[1m]))',
    );
    delete run.status.metricResults[0].metadata;
    expect(analysisOf(run).metrics[0].query).toBe(
      'sum(rate(x{service="{{args.service-name}}"}[1m]))',
    );
  });
});
