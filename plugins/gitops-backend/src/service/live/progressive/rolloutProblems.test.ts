import { condition } from '../__fixtures__/clusterObjects';
import {
  CANARY_HASH,
  ProgressiveScenario,
  argoScenarios,
} from '../__fixtures__/progressive';
import { flaggerScenarios } from '../__fixtures__/progressiveFlagger';
import { diagnose } from '../diagnose';
import { HINTS } from '../hints';
import { rolloutProblems } from './rolloutProblems';
import { scenarioObjects } from './__testUtils__/scenarioObjects';

const DESIRED = {
  layout: 'kustomize' as const,
  image: 'ghcr.io/acme/guestbook',
  tag: 'v1.0.5',
  digest: null,
  replicas: null,
  autoscaling: null,
  resources: null,
  namespace: 'guestbook-prod',
  workload: 'guestbook',
  source: {
    repo: 'r',
    branch: 'main',
    path: 'apps/guestbook/prod',
    revision: 'x',
  },
  warnings: [],
};

const problemsOf = (scenario: ProgressiveScenario) =>
  rolloutProblems(scenarioObjects(scenario), DESIRED.image).map(p => ({
    type: p.type,
    severity: p.severity,
    message: p.message,
    object: `${p.object.kind}/${p.object.metadata?.name}`,
  }));

/** The analysis step's run turned into a rollout past its progress deadline. */
function pastDeadline(aborted = false): ProgressiveScenario {
  const scenario = aborted
    ? argoScenarios.abortedBySuccessRate()
    : argoScenarios.analysisRunning();
  const [rollout] = scenario.snapshot.rollouts!;
  const message = 'ReplicaSet "guestbook-5d8f" has timed out progressing.';
  rollout.status.conditions = [
    ...rollout.status.conditions.filter((c: any) => c.type !== 'Progressing'),
    {
      ...condition(
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        message,
        1,
      ),
      lastUpdateTime: '2026-11-25T11:59:00Z',
    },
  ];
  rollout.status.phase = 'Degraded';
  return scenario;
}

const RUN = `guestbook-${CANARY_HASH}-3-3`;

describe('rolloutProblems', () => {
  it.each([
    [
      'an indefinite pause waits for a person: a warning',
      argoScenarios.pausedAtStep2(),
      [
        {
          type: 'RolloutPaused',
          severity: 'warning',
          message:
            'Paused at step 2 of 6, canary weight 20 %: CanaryPauseStep since 11:51:00 UTC (until promoted)',
          object: 'Rollout/guestbook',
        },
      ],
    ],
    [
      'a timed pause ends by itself: information',
      argoScenarios.workloadRefTimedPause(),
      [
        {
          type: 'RolloutPaused',
          severity: 'info',
          message:
            'Paused at step 6 of 6, canary weight 60 %: CanaryPauseStep since 11:56:00 UTC (pause 10m, resumes at 12:06:00 UTC)',
          object: 'Rollout/guestbook',
        },
      ],
    ],
    [
      'a blue-green pause without auto-promotion waits for a person',
      argoScenarios.blueGreenPrePromotion(),
      [
        {
          type: 'RolloutPaused',
          severity: 'warning',
          message: 'Paused: BlueGreenPause since 11:56:00 UTC (until promoted)',
          object: 'Rollout/guestbook',
        },
      ],
    ],
    [
      'an abort names the failed metric, its measurements and condition',
      argoScenarios.abortedBySuccessRate(),
      [
        {
          type: 'RolloutAborted',
          severity: 'error',
          message:
            'Rollout aborted update to revision 3: Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0); success-rate measured [0.97], [0.96], [0.81] (success when result[0] >= 0.95; failure limit 0)',
          object: 'Rollout/guestbook',
        },
      ],
    ],
    [
      'an inconclusive analysis pauses the rollout: both say so',
      argoScenarios.inconclusiveAnalysis(),
      [
        {
          type: 'RolloutPaused',
          severity: 'warning',
          message:
            'Paused at step 4 of 6, canary weight 40 %: InconclusiveAnalysisRun since 11:59:00 UTC (until promoted or aborted)',
          object: 'Rollout/guestbook',
        },
        {
          type: 'AnalysisInconclusive',
          severity: 'warning',
          message: `AnalysisRun ${RUN}: Metric "success-rate" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0); success-rate measured [0.96], [0.95], [0.93] (success when result[0] >= 0.95; failure when result[0] < 0.90; failure limit 0)`,
          object: `AnalysisRun/${RUN}`,
        },
      ],
    ],
    ['a running analysis is no problem', argoScenarios.analysisRunning(), []],
    ['a completed rollout is no problem', argoScenarios.completed(), []],
    [
      'a rollout past its progress deadline is stuck',
      pastDeadline(),
      [
        {
          type: 'RolloutStuck',
          severity: 'error',
          message: 'ReplicaSet "guestbook-5d8f" has timed out progressing.',
          object: 'Rollout/guestbook',
        },
      ],
    ],
    [
      'an aborted rollout is aborted, not also stuck',
      pastDeadline(true),
      [expect.objectContaining({ type: 'RolloutAborted' })],
    ],
    [
      'a failed Canary: its cause and last failed check',
      flaggerScenarios.failedChecks(),
      [
        {
          type: 'CanaryFailed',
          severity: 'error',
          message:
            'Canary analysis failed, Deployment scaled to zero; Rolling back guestbook.guestbook-prod failed checks threshold reached 5; last failed check: Halt guestbook.guestbook-prod advancement request-success-rate 87.50 < 99',
          object: 'Canary/guestbook',
        },
      ],
    ],
    [
      'a Canary waiting at its promotion gate waits for a person',
      flaggerScenarios.waitingPromotion(),
      [
        {
          type: 'RolloutPaused',
          severity: 'warning',
          message:
            'Canary WaitingPromotion for approval since 11:57:00 UTC (confirm-promotion webhook approve-promotion), canary weight 50 %',
          object: 'Canary/guestbook',
        },
      ],
    ],
    [
      'a progressing Canary is no problem',
      flaggerScenarios.progressingAt30(),
      [],
    ],
  ])('%s', (_name, scenario, expected) => {
    expect(problemsOf(scenario)).toEqual(expected);
  });
});

describe('diagnose with a progressive rollout', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const diagnosed = (scenario: ProgressiveScenario) =>
    diagnose(scenarioObjects(scenario), {
      desired: DESIRED,
      expectAutoSync: false,
      argoReconcileSeconds: 180,
      now,
    });

  it('gives each rollout problem its hint, and no drift for the stable pods running v1.0.4', () => {
    expect(diagnosed(argoScenarios.abortedBySuccessRate())).toEqual([
      expect.objectContaining({
        type: 'RolloutAborted',
        hint: HINTS.RolloutAborted,
        object: 'Rollout guestbook-prod/guestbook',
      }),
    ]);
  });

  it("does not call a failed canary's target stuck: CanaryFailed says why", () => {
    const scenario = flaggerScenarios.failedChecks();
    const target = scenario.snapshot.deployments!.find(
      d => d.metadata.name === 'guestbook',
    )!;
    target.status.conditions = [
      condition(
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        'ReplicaSet "guestbook-6f7d" has timed out progressing.',
        2,
      ),
    ];
    expect(diagnosed(scenario).map(p => p.type)).toEqual(['CanaryFailed']);
  });

  it('reports drift against the Rollout template when Git moved on', () => {
    const problems = diagnose(scenarioObjects(argoScenarios.pausedAtStep2()), {
      desired: { ...DESIRED, tag: 'v1.0.6' },
      expectAutoSync: false,
      argoReconcileSeconds: 180,
      now,
    });
    expect(problems.find(p => p.type === 'Drift')).toEqual(
      expect.objectContaining({
        message:
          'image: Git ghcr.io/acme/guestbook:v1.0.6, cluster ghcr.io/acme/guestbook:v1.0.5',
        object: 'Rollout guestbook-prod/guestbook',
      }),
    );
  });
});
