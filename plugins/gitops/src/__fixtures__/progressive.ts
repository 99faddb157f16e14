import {
  EnvironmentsResponse,
  ProgressiveRollout,
  RolloutAnalysisMetric,
  RolloutMeasurement,
  RolloutStep,
} from '@gitops-backstage/plugin-gitops-common';
import { guestbookEnvironments, guestbookProd } from './guestbook';

// Progressive rollouts as the environments answer them: prod of the guestbook rolls v1.0.3
// out over v1.0.2 (Git asks for v1.0.3 in prod), with Argo Rollouts or Flagger.

const IMAGE = 'ghcr.io/acme/guestbook';

/** The canary steps of the guestbook Rollout: six, the second a pause until promoted. */
export const guestbookCanarySteps: RolloutStep[] = [
  { kind: 'setWeight', label: 'weight 20 %', weight: 20 },
  { kind: 'pause', label: 'pause until promoted', weight: null },
  { kind: 'setWeight', label: 'weight 40 %', weight: 40 },
  { kind: 'pause', label: 'pause 5m', weight: null },
  { kind: 'analysis', label: 'analysis success-rate', weight: null },
  { kind: 'setWeight', label: 'weight 80 %', weight: 80 },
];

const SUCCESS_RATE_QUERY =
  'sum(rate(http_requests_total{service="guestbook-canary",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="guestbook-canary"}[2m]))';

/** A measurement without a message. */
function measured(
  phase: string,
  value: string,
  finishedAt: string,
): RolloutMeasurement {
  return { phase, value, finishedAt, message: null };
}

/** An Argo Rollouts metric; counts and measurements from `overrides`. */
export function rolloutMetric(
  overrides: Partial<RolloutAnalysisMetric> = {},
): RolloutAnalysisMetric {
  return {
    name: 'success-rate',
    phase: 'Successful',
    successCondition: 'result[0] >= 0.95',
    failureCondition: null,
    provider: 'prometheus',
    query: SUCCESS_RATE_QUERY,
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    failureLimit: 2,
    measurements: [],
    message: null,
    ...overrides,
  };
}

/** Argo Rollouts canary paused on its second step (until promoted) at 20 %. */
export const pausedCanary: ProgressiveRollout = {
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
  stepList: guestbookCanarySteps,
  weight: 20,
  paused: 'CanaryPauseStep since 12:04:10 UTC',
  aborted: null,
  stable: {
    image: `${IMAGE}:v1.0.2`,
    revision: '6b8f9c7d4',
    ready: 4,
    pods: 4,
  },
  canary: {
    image: `${IMAGE}:v1.0.3`,
    revision: '7c9d5f6b8',
    ready: 1,
    pods: 1,
  },
  analysis: {
    name: 'guestbook-7c9d5f6b8-7-background',
    state: 'Running',
    type: 'background',
    revision: '7c9d5f6b8',
    message: null,
    startedAt: '2026-11-25T12:03:40Z',
    metrics: [
      rolloutMetric({
        phase: 'Running',
        count: 2,
        successful: 2,
        measurements: [
          measured('Successful', '[0.991]', '2026-11-25T12:04:40Z'),
          measured('Successful', '[0.987]', '2026-11-25T12:05:40Z'),
        ],
      }),
    ],
  },
  actions: [
    { action: 'promote', allowed: true, reason: null },
    { action: 'promoteFull', allowed: true, reason: null },
    { action: 'abort', allowed: true, reason: null },
    {
      action: 'retry',
      allowed: false,
      reason: 'Only an aborted rollout can be retried',
    },
    { action: 'restart', allowed: true, reason: null },
  ],
};

const ABORT_MESSAGE =
  'RolloutAborted: Rollout aborted update to revision 7: Metric "success-rate" assessed Failed due to failed (3) > failureLimit (2)';

/** Argo Rollouts canary aborted on its analysis step: success-rate failed three times. */
export const abortedCanary: ProgressiveRollout = {
  ...pausedCanary,
  phase: 'Degraded',
  health: 'Degraded',
  message: ABORT_MESSAGE,
  step: 5,
  weight: 0,
  paused: null,
  aborted: { at: '2026-11-25T12:21:40Z', message: ABORT_MESSAGE },
  canary: { ...pausedCanary.canary!, ready: 0, pods: 0 },
  analysis: {
    name: 'guestbook-7c9d5f6b8-7-5',
    state: 'Failed',
    type: 'step',
    revision: '7c9d5f6b8',
    message:
      'Metric "success-rate" assessed Failed due to failed (3) > failureLimit (2)',
    startedAt: '2026-11-25T12:17:40Z',
    metrics: [
      rolloutMetric({
        phase: 'Failed',
        count: 4,
        successful: 1,
        failed: 3,
        measurements: [
          measured('Successful', '[0.97]', '2026-11-25T12:18:40Z'),
          measured('Failed', '[0.91]', '2026-11-25T12:19:40Z'),
          measured('Failed', '[0.88]', '2026-11-25T12:20:40Z'),
          measured('Failed', '[0.86]', '2026-11-25T12:21:40Z'),
        ],
        message: 'failed (3) > failureLimit (2)',
      }),
      rolloutMetric({
        name: 'latency-p99',
        phase: 'Successful',
        successCondition: 'result[0] <= 0.5',
        failureCondition: 'result[0] > 1',
        query:
          'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{service="guestbook-canary"}[2m])) by (le))',
        count: 4,
        successful: 4,
        failureLimit: 0,
        measurements: [
          measured('Successful', '[0.21]', '2026-11-25T12:21:40Z'),
        ],
      }),
    ],
  },
  actions: [
    {
      action: 'promote',
      allowed: false,
      reason: 'The rollout was aborted: retry it, or promote it in full',
    },
    { action: 'promoteFull', allowed: true, reason: null },
    {
      action: 'abort',
      allowed: false,
      reason: 'The rollout is already aborted',
    },
    { action: 'retry', allowed: true, reason: null },
    { action: 'restart', allowed: true, reason: null },
  ],
};

/** A Flagger canary at 30 % of its maximum 50 %, one failed check of five tolerated. */
export const flaggerCanary: ProgressiveRollout = {
  controller: 'flagger',
  kind: 'Canary',
  name: 'guestbook',
  namespace: 'guestbook-prod',
  strategy: 'canary',
  phase: 'Progressing',
  health: 'Progressing',
  message: 'Advance guestbook.guestbook-prod canary weight 30',
  step: null,
  steps: null,
  stepList: [],
  weight: 30,
  maxWeight: 50,
  paused: null,
  aborted: null,
  stable: {
    image: `${IMAGE}:v1.0.2`,
    revision: 'guestbook-primary',
    ready: 3,
    pods: 3,
  },
  canary: {
    image: `${IMAGE}:v1.0.3`,
    revision: 'guestbook',
    ready: 3,
    pods: 3,
  },
  analysis: {
    name: 'guestbook',
    state: 'Running',
    type: 'canary',
    revision: null,
    message: null,
    startedAt: '2026-11-25T12:00:10Z',
    metrics: [
      rolloutMetric({
        name: 'request-success-rate',
        phase: 'Failed',
        successCondition: '>= 99',
        query: null,
        count: 3,
        successful: 2,
        failed: 1,
        failureLimit: 5,
        measurements: [measured('Failed', '98.2', '2026-11-25T12:02:10Z')],
      }),
      rolloutMetric({
        name: 'request-duration',
        phase: 'Successful',
        successCondition: '<= 500',
        query: null,
        count: 3,
        successful: 3,
        failureLimit: 5,
        measurements: [measured('Successful', '212', '2026-11-25T12:02:10Z')],
      }),
    ],
  },
  actions: [
    {
      action: 'promote',
      allowed: false,
      reason: 'Flagger promotes by itself when the analysis passes',
    },
    {
      action: 'promoteFull',
      allowed: false,
      reason: 'Flagger promotes by itself when the analysis passes',
    },
    {
      action: 'abort',
      allowed: false,
      reason: 'Flagger rolls back by itself when the checks fail',
    },
    {
      action: 'retry',
      allowed: false,
      reason: 'Flagger starts a new analysis on a new revision',
    },
    { action: 'restart', allowed: true, reason: null },
  ],
};

/** Argo Rollouts blue-green waiting for promotion: the preview runs, the active serves. */
export const blueGreenPreview: ProgressiveRollout = {
  ...pausedCanary,
  strategy: 'blueGreen',
  step: null,
  steps: null,
  stepList: [],
  weight: null,
  paused: 'BlueGreenPause since 12:04:10 UTC',
  analysis: null,
};

/** The guestbook with prod mid-canary (paused at step 2 of 6, 20 %); dev and staging plain. */
export const guestbookEnvironmentsProgressive: EnvironmentsResponse = {
  ...guestbookEnvironments,
  environments: [
    guestbookEnvironments.environments[0],
    guestbookEnvironments.environments[1],
    { ...guestbookProd, rollout: pausedCanary },
  ],
};

/** The same with prod's rollout replaced, e.g. by {@link abortedCanary}. */
export function withProdRollout(
  rollout: ProgressiveRollout | null,
): EnvironmentsResponse {
  return {
    ...guestbookEnvironmentsProgressive,
    environments: [
      ...guestbookEnvironmentsProgressive.environments.slice(0, 2),
      { ...guestbookProd, rollout },
    ],
  };
}
