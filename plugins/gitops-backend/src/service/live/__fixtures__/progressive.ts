/*
 * Progressive-delivery scenarios: Argo Rollouts Rollouts and AnalysisRuns in the status format
 * the controller writes (phase and message as utils/rollout/rolloututil.go computes them), for
 * guestbook in guestbook-prod rolling v1.0.4 out to v1.0.5; the builders are in
 * progressiveRollouts.ts, Flagger's Canaries in progressiveFlagger.ts. progressive.test.ts
 * validates every Rollout and AnalysisRun with @kubernetes-models/argo-rollouts and every
 * Canary against Flagger's CRD schema.
 */
import { buildDeployment, minutesAgo } from './clusterObjects';
import {
  ARGO_APP,
  AVAILABLE,
  CANARY_HASH,
  CANARY_IMAGE,
  NAMESPACE,
  NOT_COMPLETED,
  NOT_HEALTHY,
  PAUSED,
  ProgressiveScenario,
  REVISION,
  SERVICE,
  STABLE_HASH,
  STABLE_IMAGE,
  STEPS,
  buildRollout,
  buildStepAnalysisRun,
  measurement,
  rolloutCondition,
  rolloutPods,
} from './progressiveRollouts';

export * from './progressiveRollouts';

const FAILED_MESSAGE =
  'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';
const INCONCLUSIVE_MESSAGE =
  'Metric "success-rate" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)';
const DESIRED = { image: 'ghcr.io/acme/guestbook', tag: 'v1.0.5', replicas: 5 };

/** Paused at step 2 of 6 (an indefinite pause) after setting the weight to 20 %. */
function pausedAtStep2(): ProgressiveScenario {
  const rollout = buildRollout({
    status: {
      controllerPause: true,
      currentStepIndex: 1,
      pauseConditions: [
        { reason: 'CanaryPauseStep', startTime: minutesAgo(9) },
      ],
      phase: 'Paused',
      message: 'CanaryPauseStep',
      conditions: [AVAILABLE, NOT_COMPLETED, NOT_HEALTHY, ...PAUSED(9)],
    },
  });
  return {
    name: 'Rollout paused at step 2 of 6',
    desired: DESIRED,
    snapshot: {
      rollouts: [rollout],
      pods: [...rolloutPods(STABLE_IMAGE, 4), ...rolloutPods(CANARY_IMAGE, 1)],
    },
  };
}

/** At the analysis step (index 3), weight 40 % through the traffic router, the run going. */
function analysisRunning(): ProgressiveScenario {
  const rollout = buildRollout({
    trafficRouting: true,
    status: {
      currentStepIndex: 3,
      updatedReplicas: 2,
      phase: 'Progressing',
      message: 'more replicas need to be updated',
      canary: {
        currentStepAnalysisRunStatus: {
          name: `${SERVICE}-${CANARY_HASH}-${REVISION}-3`,
          status: 'Running',
        },
        weights: {
          canary: {
            podTemplateHash: CANARY_HASH,
            serviceName: `${SERVICE}-canary`,
            weight: 40,
          },
          stable: {
            podTemplateHash: STABLE_HASH,
            serviceName: `${SERVICE}-stable`,
            weight: 60,
          },
        },
      },
      conditions: [
        AVAILABLE,
        NOT_COMPLETED,
        NOT_HEALTHY,
        rolloutCondition(
          'Progressing',
          'True',
          'ReplicaSetUpdated',
          `ReplicaSet "${SERVICE}-${CANARY_HASH}" is progressing.`,
          3,
        ),
      ],
    },
  });
  const run = buildStepAnalysisRun({
    rollout,
    phase: 'Running',
    measurements: [
      measurement('Successful', 0.991, 3),
      measurement('Successful', 0.987, 2),
      measurement('Running', null, 1),
    ],
  });
  return {
    name: 'Rollout running its step analysis',
    desired: DESIRED,
    snapshot: {
      rollouts: [rollout],
      analysisruns: [run],
      pods: [...rolloutPods(STABLE_IMAGE, 5), ...rolloutPods(CANARY_IMAGE, 2)],
    },
  };
}

/** Aborted at the analysis step: success-rate measured 0.81 with no failure allowed. */
function abortedBySuccessRate(): ProgressiveScenario {
  const aborted = `Rollout aborted update to revision ${REVISION}: ${FAILED_MESSAGE}`;
  const rollout = buildRollout({
    status: {
      abort: true,
      abortedAt: minutesAgo(2),
      currentStepIndex: 3,
      updatedReplicas: 0,
      phase: 'Degraded',
      message: `RolloutAborted: ${aborted}`,
      canary: {
        currentStepAnalysisRunStatus: {
          name: `${SERVICE}-${CANARY_HASH}-${REVISION}-3`,
          status: 'Failed',
          message: FAILED_MESSAGE,
        },
      },
      conditions: [
        AVAILABLE,
        NOT_COMPLETED,
        NOT_HEALTHY,
        rolloutCondition('Progressing', 'False', 'RolloutAborted', aborted, 2),
      ],
    },
  });
  const run = buildStepAnalysisRun({
    rollout,
    phase: 'Failed',
    message: FAILED_MESSAGE,
    measurements: [
      measurement('Successful', 0.97, 5),
      measurement('Successful', 0.96, 4),
      measurement('Failed', 0.81, 3),
    ],
  });
  return {
    name: 'Rollout aborted by a failed success-rate',
    desired: DESIRED,
    snapshot: {
      rollouts: [rollout],
      analysisruns: [run],
      // The canary is scaled down on abort: only the stable pods are left.
      pods: rolloutPods(STABLE_IMAGE, 5),
    },
  };
}

/** Paused by an inconclusive analysis: 0.93 is neither >= 0.95 nor < 0.90. */
function inconclusiveAnalysis(): ProgressiveScenario {
  const rollout = buildRollout({
    status: {
      controllerPause: true,
      currentStepIndex: 3,
      updatedReplicas: 2,
      pauseConditions: [
        { reason: 'InconclusiveAnalysisRun', startTime: minutesAgo(1) },
      ],
      phase: 'Paused',
      message: 'InconclusiveAnalysisRun',
      canary: {
        currentStepAnalysisRunStatus: {
          name: `${SERVICE}-${CANARY_HASH}-${REVISION}-3`,
          status: 'Inconclusive',
          message: INCONCLUSIVE_MESSAGE,
        },
      },
      conditions: [AVAILABLE, NOT_COMPLETED, NOT_HEALTHY, ...PAUSED(1)],
    },
  });
  const run = buildStepAnalysisRun({
    rollout,
    phase: 'Inconclusive',
    message: INCONCLUSIVE_MESSAGE,
    failureCondition: 'result[0] < 0.90',
    measurements: [
      measurement('Successful', 0.96, 4),
      measurement('Successful', 0.95, 3),
      measurement('Inconclusive', 0.93, 2),
    ],
  });
  return {
    name: 'Rollout paused by an inconclusive analysis',
    desired: DESIRED,
    snapshot: {
      rollouts: [rollout],
      analysisruns: [run],
      pods: [...rolloutPods(STABLE_IMAGE, 5), ...rolloutPods(CANARY_IMAGE, 2)],
    },
  };
}

/** Every step done: v1.0.5 is stable, the old analysis kept. */
function completed(): ProgressiveScenario {
  const rollout = buildRollout({
    status: {
      currentStepIndex: STEPS.length,
      stableRS: CANARY_HASH,
      updatedReplicas: 5,
      phase: 'Healthy',
      conditions: [
        AVAILABLE,
        rolloutCondition(
          'Completed',
          'True',
          'RolloutCompleted',
          'RolloutCompleted',
          1,
        ),
        rolloutCondition(
          'Healthy',
          'True',
          'RolloutHealthy',
          'Rollout is healthy',
          1,
        ),
        rolloutCondition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${SERVICE}-${CANARY_HASH}" has successfully progressed.`,
          1,
        ),
      ],
    },
  });
  const run = buildStepAnalysisRun({
    rollout,
    phase: 'Successful',
    startedMinutesAgo: 20,
    measurements: [
      measurement('Successful', 0.99, 19),
      measurement('Successful', 0.98, 18),
      measurement('Successful', 0.99, 17),
    ],
  });
  return {
    name: 'Rollout completed',
    desired: DESIRED,
    snapshot: {
      rollouts: [rollout],
      analysisruns: [run],
      pods: rolloutPods(CANARY_IMAGE, 5),
    },
  };
}

/** Blue-green: the preview runs v1.0.5, waiting to be promoted to the active Service. */
function blueGreenPrePromotion(): ProgressiveScenario {
  const rollout = buildRollout({
    replicas: 3,
    blueGreen: {
      activeService: `${SERVICE}-active`,
      previewService: `${SERVICE}-preview`,
      autoPromotionEnabled: false,
    },
    status: {
      controllerPause: true,
      updatedReplicas: 3,
      replicas: 6,
      blueGreen: { activeSelector: STABLE_HASH, previewSelector: CANARY_HASH },
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: minutesAgo(4) }],
      phase: 'Paused',
      message: 'BlueGreenPause',
      conditions: [AVAILABLE, NOT_COMPLETED, NOT_HEALTHY, ...PAUSED(4)],
    },
  });
  return {
    name: 'Blue-green Rollout paused before promotion',
    desired: { ...DESIRED, replicas: 3 },
    snapshot: {
      rollouts: [rollout],
      pods: [
        ...rolloutPods(STABLE_IMAGE, 3),
        ...rolloutPods(CANARY_IMAGE, 3, 3),
      ],
    },
  };
}

/**
 * A Rollout taking its template from the Deployment guestbook (`workloadRef`), which Argo
 * Rollouts scaled to zero; paused at the timed pause step (10 minutes) at 60 %.
 */
function workloadRefTimedPause(): ProgressiveScenario {
  const deployment = buildDeployment({
    service: SERVICE,
    namespace: NAMESPACE,
    image: CANARY_IMAGE,
    replicas: 0,
    managedBy: ARGO_APP,
    generation: 2,
  });
  deployment.status = { observedGeneration: 2 };
  const rollout = buildRollout({
    workloadRef: true,
    status: {
      controllerPause: true,
      currentStepIndex: 5,
      updatedReplicas: 3,
      pauseConditions: [
        { reason: 'CanaryPauseStep', startTime: minutesAgo(4) },
      ],
      phase: 'Paused',
      message: 'CanaryPauseStep',
      conditions: [AVAILABLE, NOT_COMPLETED, NOT_HEALTHY, ...PAUSED(4)],
    },
  });
  return {
    name: 'Rollout with a workloadRef in a timed pause',
    desired: DESIRED,
    snapshot: {
      deployments: [deployment],
      rollouts: [rollout],
      pods: [
        ...rolloutPods(STABLE_IMAGE, 2),
        ...rolloutPods(CANARY_IMAGE, 3, 2),
      ],
    },
  };
}

export const argoScenarios = {
  pausedAtStep2,
  analysisRunning,
  abortedBySuccessRate,
  inconclusiveAnalysis,
  completed,
  blueGreenPrePromotion,
  workloadRefTimedPause,
};
