/*
 * Builders of Argo Rollouts objects in the status format the controller writes
 * (pkg/apis/rollouts/v1alpha1/types.go, analysis_types.go; conditions as utils/conditions
 * words them), for guestbook in guestbook-prod rolling v1.0.4 out to v1.0.5. The scenarios
 * built from them are in progressive.ts.
 */
import {
  KubeObject,
  buildDeployment,
  buildReadyPods,
  fakeUid,
  imageRef,
  minutesAgo,
  objectMeta,
  templateHashFor,
  workloadLabels,
} from './clusterObjects';

export type { KubeObject } from './clusterObjects';

export const SERVICE = 'guestbook';
export const NAMESPACE = 'guestbook-prod';
export const STABLE_IMAGE = imageRef(SERVICE, 'v1.0.4');
export const CANARY_IMAGE = imageRef(SERVICE, 'v1.0.5');
export const STABLE_HASH = templateHashFor(NAMESPACE, SERVICE, STABLE_IMAGE);
export const CANARY_HASH = templateHashFor(NAMESPACE, SERVICE, CANARY_IMAGE);
export const REVISION = 3;
export const ARGO_APP = { engine: 'argocd' as const, application: NAMESPACE };

/** The objects of one scenario, by watched kind. */
export type ProgressiveSnapshot = Partial<
  Record<
    | 'deployments'
    | 'pods'
    | 'rollouts'
    | 'analysisruns'
    | 'canaries'
    | 'events',
    KubeObject[]
  >
>;

/** A scenario and what Git asks of it. */
export interface ProgressiveScenario {
  name: string;
  snapshot: ProgressiveSnapshot;
  desired: { image: string; tag: string; replicas: number };
}

/** The six canary steps: 20 %, wait for a person, 40 %, analysis, 60 %, 10 minutes. */
export const STEPS = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 40 },
  { analysis: { templates: [{ templateName: 'success-rate' }] } },
  { setWeight: 60 },
  { pause: { duration: '10m' } },
];

/** A Rollout condition: Rollouts set both times on every condition. */
export function rolloutCondition(
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  minutes: number,
) {
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: minutesAgo(minutes),
    lastUpdateTime: minutesAgo(minutes),
  };
}

export const AVAILABLE = rolloutCondition(
  'Available',
  'True',
  'AvailableReason',
  'Rollout has minimum availability',
  2900,
);
export const NOT_COMPLETED = rolloutCondition(
  'Completed',
  'False',
  'RolloutNotCompleted',
  `Rollout not completed, started update to revision ${REVISION} (${CANARY_HASH})`,
  12,
);
export const NOT_HEALTHY = rolloutCondition(
  'Healthy',
  'False',
  'RolloutHealthy',
  'Rollout is not healthy',
  12,
);
export const PAUSED = (minutes: number) => [
  rolloutCondition(
    'Paused',
    'True',
    'RolloutPaused',
    'Rollout is paused',
    minutes,
  ),
  rolloutCondition(
    'Progressing',
    'Unknown',
    'RolloutPaused',
    'Rollout is paused',
    minutes,
  ),
];

interface RolloutOptions {
  /** The image of the current template (`currentPodHash`). */
  image?: string;
  replicas?: number;
  steps?: any[] | null;
  blueGreen?: Record<string, any>;
  trafficRouting?: boolean;
  /** Take the template from the Deployment `guestbook` (`spec.workloadRef`). */
  workloadRef?: boolean;
  status: Record<string, any>;
}

/** A Rollout of guestbook whose stable ReplicaSet runs v1.0.4. */
export function buildRollout(o: RolloutOptions): KubeObject {
  const image = o.image ?? CANARY_IMAGE;
  const replicas = o.replicas ?? 5;
  const template = buildDeployment({
    service: SERVICE,
    namespace: NAMESPACE,
    image,
    replicas,
    managedBy: ARGO_APP,
  }).spec.template;
  const canary = o.blueGreen
    ? undefined
    : {
        steps: o.steps === null ? undefined : o.steps ?? STEPS,
        ...(o.trafficRouting
          ? {
              canaryService: `${SERVICE}-canary`,
              stableService: `${SERVICE}-stable`,
              trafficRouting: { nginx: { stableIngress: SERVICE } },
            }
          : {}),
      };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: objectMeta('Rollout', NAMESPACE, SERVICE, {
      createdMinutesAgo: 45 * 24 * 60,
      generation: 7,
      labels: workloadLabels(SERVICE),
      annotations: {
        'rollout.argoproj.io/revision': String(REVISION),
        'argocd.argoproj.io/tracking-id': `${NAMESPACE}:argoproj.io/Rollout:${NAMESPACE}/${SERVICE}`,
        ...(o.workloadRef
          ? { 'rollout.argoproj.io/workload-generation': '2' }
          : {}),
      },
    }),
    spec: {
      replicas,
      revisionHistoryLimit: 10,
      ...(o.workloadRef
        ? {
            workloadRef: {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: SERVICE,
              scaleDown: 'onsuccess',
            },
          }
        : {
            selector: { matchLabels: { 'app.kubernetes.io/name': SERVICE } },
            template,
          }),
      strategy: o.blueGreen ? { blueGreen: o.blueGreen } : { canary },
    },
    status: {
      HPAReplicas: replicas,
      availableReplicas: replicas,
      blueGreen: {},
      canary: {},
      currentPodHash: templateHashFor(NAMESPACE, SERVICE, image),
      currentStepHash: '5f8f7c9d6b',
      observedGeneration: '7',
      readyReplicas: replicas,
      replicas,
      selector: `app.kubernetes.io/name=${SERVICE}`,
      stableRS: STABLE_HASH,
      updatedReplicas: 1,
      ...(o.workloadRef ? { workloadObservedGeneration: '2' } : {}),
      ...o.status,
    },
  };
}

/** Ready pods of a Rollout's ReplicaSet: labelled `rollouts-pod-template-hash`, as Argo does. */
export function rolloutPods(
  image: string,
  count: number,
  firstIndex = 0,
): KubeObject[] {
  return buildReadyPods({
    service: SERVICE,
    namespace: NAMESPACE,
    image,
    count,
    createdMinutesAgo: image === STABLE_IMAGE ? 2900 : 11,
    firstIndex,
  }).map(pod => {
    const { 'pod-template-hash': hash, ...labels } = pod.metadata.labels;
    return {
      ...pod,
      metadata: {
        ...pod.metadata,
        labels: { ...labels, 'rollouts-pod-template-hash': hash },
      },
    };
  });
}

/** A measurement of the success-rate query: Prometheus results are a vector, `[0.97]`. */
export function measurement(
  phase: string,
  value: number | null,
  minutes: number,
): Record<string, any> {
  return {
    phase,
    startedAt: minutesAgo(minutes),
    ...(phase === 'Running'
      ? {}
      : { finishedAt: minutesAgo(minutes - 0.1), value: `[${value}]` }),
  };
}

const SUCCESS_RATE_QUERY =
  'sum(irate(istio_requests_total{reporter="source",destination_service=~"{{args.service-name}}",response_code!~"5.*"}[5m])) / sum(irate(istio_requests_total{reporter="source",destination_service=~"{{args.service-name}}"}[5m]))';

/**
 * The AnalysisRun the analysis step (index 3) started from the ClusterAnalysisTemplate
 * success-rate, owned by the Rollout and named as the controller names it.
 */
export function buildStepAnalysisRun(o: {
  rollout: KubeObject;
  phase: 'Running' | 'Successful' | 'Failed' | 'Inconclusive';
  measurements: Record<string, any>[];
  message?: string;
  failureCondition?: string;
  startedMinutesAgo?: number;
  hash?: string;
}): KubeObject {
  const hash = o.hash ?? CANARY_HASH;
  const name = `${SERVICE}-${hash}-${REVISION}-3`;
  const started = o.startedMinutesAgo ?? 6;
  const count = (phase: string) =>
    o.measurements.filter(m => m.phase === phase).length;
  const done = o.phase !== 'Running';
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: objectMeta('AnalysisRun', NAMESPACE, name, {
      createdMinutesAgo: started,
      generation: 2,
      labels: {
        'rollout-type': 'Step',
        'rollouts-pod-template-hash': hash,
        'step-index': '3',
      },
      annotations: { 'rollout.argoproj.io/revision': String(REVISION) },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: SERVICE,
          uid: o.rollout.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    }),
    spec: {
      args: [
        {
          name: 'service-name',
          value: `${SERVICE}-canary.${NAMESPACE}.svc.cluster.local`,
        },
      ],
      metrics: [
        {
          name: 'success-rate',
          interval: '1m',
          count: 3,
          successCondition: 'result[0] >= 0.95',
          ...(o.failureCondition
            ? { failureCondition: o.failureCondition }
            : {}),
          failureLimit: 0,
          provider: {
            prometheus: {
              address: 'http://prometheus.monitoring.svc.cluster.local:9090',
              query: SUCCESS_RATE_QUERY.replace(
                /\{\{args\.service-name\}\}/g,
                `${SERVICE}-canary.${NAMESPACE}.svc.cluster.local`,
              ),
            },
          },
        },
      ],
    },
    status: {
      phase: o.phase,
      ...(o.message ? { message: o.message } : {}),
      startedAt: minutesAgo(started),
      ...(done ? { completedAt: minutesAgo(1) } : {}),
      runSummary: {
        count: 1,
        ...(o.phase === 'Successful' ? { successful: 1 } : {}),
        ...(o.phase === 'Failed' ? { failed: 1 } : {}),
        ...(o.phase === 'Inconclusive' ? { inconclusive: 1 } : {}),
      },
      dryRunSummary: {},
      metricResults: [
        {
          name: 'success-rate',
          phase: o.phase,
          count: o.measurements.filter(m => m.phase !== 'Running').length,
          ...(count('Successful') ? { successful: count('Successful') } : {}),
          ...(count('Failed') ? { failed: count('Failed') } : {}),
          ...(count('Inconclusive')
            ? { inconclusive: count('Inconclusive') }
            : {}),
          measurements: o.measurements,
          ...(o.phase === 'Successful' ? { consecutiveSuccess: 3 } : {}),
        },
      ],
    },
  };
}

/** The uid of the guestbook Rollout (every scenario's). */
export const ROLLOUT_UID = fakeUid(`Rollout/${NAMESPACE}/${SERVICE}`);
