import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import {
  CANARY_IMAGE,
  ProgressiveScenario,
  argoScenarios,
} from '../__fixtures__/progressive';
import { flaggerScenarios } from '../__fixtures__/progressiveFlagger';
import { detectDrift } from '../drift';
import { liveState } from '../liveState';
import { scenarioObjects } from './__testUtils__/scenarioObjects';

const desired = (tag: string, replicas: number | null): DesiredState => ({
  layout: 'kustomize',
  image: 'ghcr.io/acme/guestbook',
  tag,
  digest: null,
  replicas,
  autoscaling: null,
  resources: null,
  namespace: 'guestbook-prod',
  workload: 'guestbook',
  source: { repo: 'r', branch: 'main', path: 'p', revision: 'x' },
  warnings: [],
});

describe('liveState of a progressive rollout', () => {
  it.each<[string, ProgressiveScenario, Record<string, any>]>([
    [
      'a paused Rollout: its template, its replicas, Progressing with the pause',
      argoScenarios.pausedAtStep2(),
      {
        workload: 'guestbook',
        images: [CANARY_IMAGE],
        replicas: { desired: 5, ready: 5, updated: 1, available: 5 },
        rollout: {
          status: 'Progressing',
          message: 'CanaryPauseStep since 11:51:00 UTC (until promoted)',
        },
        pods: { total: 5, ready: 5, restarts: 0 },
      },
    ],
    [
      "a Rollout with a workloadRef: the Deployment's template",
      argoScenarios.workloadRefTimedPause(),
      { workload: 'guestbook', images: [CANARY_IMAGE] },
    ],
    [
      'an aborted Rollout is Failed',
      argoScenarios.abortedBySuccessRate(),
      {
        rollout: {
          status: 'Failed',
          message: expect.stringMatching(/^RolloutAborted: Rollout aborted/),
        },
      },
    ],
    [
      'a completed Rollout is Complete',
      argoScenarios.completed(),
      { rollout: { status: 'Complete', message: null } },
    ],
    [
      "a Canary under way: the primary's replicas, the target's image",
      flaggerScenarios.progressingAt30(),
      {
        workload: 'guestbook',
        images: [CANARY_IMAGE],
        replicas: { desired: 3, ready: 3, updated: 3, available: 3 },
        rollout: {
          status: 'Progressing',
          message:
            'Flagger Progressing, canary weight 30 %: New revision detected, progressing canary analysis.',
        },
        pods: { total: 6, ready: 6, restarts: 0 },
      },
    ],
    [
      'a failed Canary is Failed, the primary still serving',
      flaggerScenarios.failedChecks(),
      {
        replicas: expect.objectContaining({ desired: 3, ready: 3 }),
        rollout: {
          status: 'Failed',
          message: 'Canary analysis failed, Deployment scaled to zero.',
        },
      },
    ],
  ])('%s', (_name, scenario, expected) => {
    expect(
      liveState('prod', 'guestbook-prod', scenarioObjects(scenario)),
    ).toEqual(expect.objectContaining(expected));
  });
});

describe('detectDrift during a progressive rollout', () => {
  it.each<[string, ProgressiveScenario, DesiredState, any[]]>([
    [
      'the stable pods run v1.0.4 by design: no drift while the template is v1.0.5',
      argoScenarios.pausedAtStep2(),
      desired('v1.0.5', 5),
      [],
    ],
    [
      'Git moved on: the Rollout template is behind',
      argoScenarios.analysisRunning(),
      desired('v1.0.6', 5),
      [
        {
          field: 'image',
          desired: 'ghcr.io/acme/guestbook:v1.0.6',
          live: 'ghcr.io/acme/guestbook:v1.0.5',
        },
      ],
    ],
    [
      'replicas of the Rollout (not of the scaled-down workloadRef Deployment)',
      argoScenarios.workloadRefTimedPause(),
      desired('v1.0.5', 4),
      [{ field: 'replicas', desired: 4, live: 5 }],
    ],
    [
      'Flagger scaled the target to zero: replicas are the primary’s',
      flaggerScenarios.failedChecks(),
      desired('v1.0.5', 3),
      [],
    ],
  ])('%s', (_name, scenario, wanted, expected) => {
    expect(detectDrift(wanted, scenarioObjects(scenario))).toEqual(expected);
  });
});
