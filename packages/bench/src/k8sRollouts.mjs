// Argo Rollouts objects of a service in prod, as the API server returns them: a Rollout that
// runs the Deployment's template (`workloadRef`, the Deployment scaled to zero by the
// controller) and the AnalysisRuns of its last rollouts. Field names and status formats are
// Argo Rollouts v1.7's (pkg/apis/rollouts/v1alpha1 types.go and analysis_types.go).
import { CREATED, STARTED, managed, uid } from './k8sShared.mjs';

/** The pod-template hash of a service's stable ReplicaSet (deterministic per service). */
export function stableHash(service) {
  return uid(service, 'rs').replace(/-/g, '').slice(0, 10);
}

const STEPS = [
  { setWeight: 20 },
  { pause: { duration: '5m' } },
  { analysis: { templates: [{ templateName: 'success-rate' }] } },
  { setWeight: 50 },
  { pause: {} },
  { setWeight: 80 },
  { pause: { duration: '5m' } },
];

/**
 * The Rollout, Healthy at the end of its steps, or (`paused`) waiting for a promotion at the
 * indefinite pause with 50 % of the traffic on the canary.
 */
export function rollout({ service, replicas, paused, resourceVersion }) {
  const namespace = `${service}-prod`;
  const stable = stableHash(service);
  const canary = paused ? `${stable.slice(0, 6)}c7d2` : stable;
  const step = paused ? 4 : STEPS.length;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: service,
      namespace,
      uid: uid(namespace, 'rollout', service),
      resourceVersion: String(resourceVersion),
      generation: 7,
      creationTimestamp: CREATED,
      labels: {
        'app.kubernetes.io/name': service,
        'backstage.io/kubernetes-id': service,
        'app.kubernetes.io/instance': `${service}-prod`,
      },
      annotations: {
        'rollout.argoproj.io/revision': paused ? '7' : '6',
        'argocd.argoproj.io/tracking-id': `${service}-prod:argoproj.io/Rollout:${namespace}/${service}`,
      },
      managedFields: [
        managed('argocd-controller', 'Apply', 'argoproj.io/v1alpha1', {
          'f:spec': {
            'f:replicas': {},
            'f:workloadRef': {},
            'f:strategy': { 'f:canary': { 'f:steps': {} } },
          },
        }),
        managed(
          'rollouts-controller',
          'Update',
          'argoproj.io/v1alpha1',
          { 'f:status': { '.': {}, 'f:phase': {}, 'f:stableRS': {} } },
          'status',
        ),
      ],
    },
    spec: {
      replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { 'app.kubernetes.io/name': service } },
      workloadRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: service,
        // The controller scales the Deployment to zero once the Rollout is healthy.
        scaleDown: 'onsuccess',
      },
      strategy: { canary: { steps: STEPS } },
    },
    status: {
      phase: paused ? 'Paused' : 'Healthy',
      message: paused ? 'CanaryPauseStep' : '',
      observedGeneration: '7',
      replicas,
      updatedReplicas: paused ? Math.ceil(replicas / 2) : replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      currentPodHash: canary,
      stableRS: stable,
      currentStepIndex: step,
      currentStepHash: '5f9c8b7d6',
      selector: `app.kubernetes.io/name=${service}`,
      HPAReplicas: replicas,
      ...(paused
        ? {
            pauseConditions: [
              { reason: 'CanaryPauseStep', startTime: STARTED },
            ],
            controllerPause: true,
          }
        : {}),
      canary: {
        weights: {
          canary: { podTemplateHash: canary, weight: paused ? 50 : 100 },
          stable: { podTemplateHash: stable, weight: paused ? 50 : 0 },
        },
      },
      conditions: [
        condition(
          'Available',
          'True',
          'AvailableReason',
          'Rollout has minimum availability',
        ),
        condition(
          'Progressing',
          paused ? 'Unknown' : 'True',
          paused ? 'RolloutPaused' : 'NewReplicaSetAvailable',
          paused ? 'Rollout is paused' : 'Rollout has successfully progressed',
        ),
        condition(
          'Healthy',
          paused ? 'False' : 'True',
          'RolloutHealthy',
          `Rollout is ${paused ? 'not ' : ''}healthy`,
        ),
        condition(
          'Completed',
          paused ? 'False' : 'True',
          'RolloutCompleted',
          paused
            ? 'Rollout is not completed'
            : 'Rollout completed update to revision 6',
        ),
      ],
    },
  };
}

/** The AnalysisRuns of the service's last `count` rollouts, each Successful over 3 measurements. */
export function analysisRuns({ service, count, resourceVersion }) {
  const namespace = `${service}-prod`;
  const runs = [];
  for (let r = 0; r < count; r++) {
    const revision = 6 - r;
    const hash =
      r === 0
        ? stableHash(service)
        : `${stableHash(service).slice(0, 7)}${r}aa`;
    const name = `${service}-${hash}-${revision}-2`;
    runs.push({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: {
        name,
        namespace,
        uid: uid(namespace, 'analysisrun', name),
        resourceVersion: String(resourceVersion + r),
        generation: 3,
        creationTimestamp: STARTED,
        labels: {
          'rollout-type': 'Step',
          'rollouts-pod-template-hash': hash,
          'step-index': '2',
        },
        annotations: { 'rollout.argoproj.io/revision': String(revision) },
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name: service,
            uid: uid(namespace, 'rollout', service),
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        args: [{ name: 'service-name', value: service }],
        metrics: [
          {
            name: 'success-rate',
            interval: '1m',
            count: 3,
            failureLimit: 1,
            successCondition: 'result[0] >= 0.95',
            provider: {
              prometheus: {
                address: 'http://prometheus.monitoring:9090',
                query: `sum(rate(http_requests_total{service="${service}",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="${service}"}[2m]))`,
              },
            },
          },
        ],
      },
      status: {
        phase: 'Successful',
        startedAt: STARTED,
        runSummary: { count: 1, successful: 1 },
        metricResults: [
          {
            name: 'success-rate',
            phase: 'Successful',
            count: 3,
            successful: 3,
            measurements: [0.991, 0.994, 0.989].map(value => ({
              phase: 'Successful',
              value: `[${value}]`,
              startedAt: STARTED,
              finishedAt: STARTED,
            })),
          },
        ],
      },
    });
  }
  return runs;
}

function condition(type, status, reason, message) {
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: STARTED,
    lastUpdateTime: STARTED,
  };
}
