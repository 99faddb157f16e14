import { createHash } from 'node:crypto';
import { KubeObject } from './ObjectStore';

/** A pod of the demo, as the reconciler tracks it. */
export interface DemoPod {
  name: string;
  image: string;
  /** Template hash of the ReplicaSet generation it belongs to. */
  hash: string;
  outcome: 'runs' | 'crashes' | 'missing';
  startedAt: string;
  restarts: number;
}

/** Everything a Deployment shows. */
export interface WorkloadView {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  image: string;
  replicas: number;
  generation: number;
  pods: DemoPod[];
  /** The newest template hash: pods with it are `updated`. */
  hash: string;
  /** When the current rollout started; drives Progressing and its deadline. */
  rolloutStartedAt: string;
  progressDeadlineSeconds: number;
  now: Date;
}

export function templateHash(image: string): string {
  return createHash('sha256').update(image).digest('hex').slice(0, 10);
}

const ready = (p: DemoPod) => p.outcome === 'runs';

export function buildDeployment(w: WorkloadView): KubeObject {
  const updated = w.pods.filter(p => p.hash === w.hash);
  const readyCount = w.pods.filter(ready).length;
  const updatedReady = updated.filter(ready).length;
  const complete =
    updatedReady >= w.replicas && w.pods.length === updated.length;
  const deadline =
    Date.parse(w.rolloutStartedAt) + w.progressDeadlineSeconds * 1000;
  const stuck = !complete && w.now.getTime() > deadline;
  const rs = `${w.name}-${w.hash}`;
  let progressing;
  if (complete) {
    progressing = {
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${rs}" has successfully progressed.`,
    };
  } else if (stuck) {
    progressing = {
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rs}" has timed out progressing.`,
    };
  } else {
    progressing = {
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${rs}" is progressing.`,
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: w.labels,
      generation: w.generation,
      annotations: {
        'deployment.kubernetes.io/revision': String(w.generation),
      },
    },
    spec: {
      replicas: w.replicas,
      progressDeadlineSeconds: w.progressDeadlineSeconds,
      selector: { matchLabels: w.labels },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
      },
      template: {
        metadata: { labels: w.labels },
        spec: { containers: [{ name: w.name, image: w.image }] },
      },
    },
    status: {
      observedGeneration: w.generation,
      replicas: w.pods.length,
      updatedReplicas: updated.length,
      readyReplicas: readyCount,
      availableReplicas: readyCount,
      ...(w.pods.length - readyCount > 0
        ? { unavailableReplicas: w.pods.length - readyCount }
        : {}),
      conditions: [
        {
          type: 'Available',
          status: readyCount >= Math.min(w.replicas, 1) ? 'True' : 'False',
          reason:
            readyCount >= Math.min(w.replicas, 1)
              ? 'MinimumReplicasAvailable'
              : 'MinimumReplicasUnavailable',
          lastUpdateTime: w.rolloutStartedAt,
          lastTransitionTime: w.rolloutStartedAt,
        },
        {
          type: 'Progressing',
          ...progressing,
          lastUpdateTime: w.now.toISOString(),
          lastTransitionTime: w.rolloutStartedAt,
        },
      ],
    },
  };
}

export function buildPod(
  w: Pick<WorkloadView, 'namespace' | 'name' | 'labels' | 'now'> & {
    /**
     * The label of the pod's template hash: `pod-template-hash` (a Deployment's ReplicaSets),
     * `rollouts-pod-template-hash` (an Argo Rollouts Rollout's).
     */
    hashLabel?: string;
  },
  pod: DemoPod,
): KubeObject {
  const isReady = pod.outcome === 'runs';
  let state: Record<string, any> = { running: { startedAt: pod.startedAt } };
  if (pod.outcome === 'missing') {
    state = {
      waiting: {
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${pod.image}": not found in the registry`,
      },
    };
  } else if (pod.outcome === 'crashes') {
    state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off restarting failed container ${w.name} in pod ${pod.name}`,
      },
    };
  }
  const condition = (type: string, status: boolean) => ({
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: pod.startedAt,
    ...(status ? {} : { reason: 'ContainersNotReady' }),
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace: w.namespace,
      labels: { ...w.labels, [w.hashLabel ?? 'pod-template-hash']: pod.hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${w.name}-${pod.hash}`,
          controller: true,
          uid: `rs-${pod.hash}`,
        },
      ],
    },
    spec: {
      containers: [{ name: w.name, image: pod.image }],
      nodeName: 'demo-node',
    },
    status: {
      phase: pod.outcome === 'missing' ? 'Pending' : 'Running',
      startTime: pod.startedAt,
      conditions: [
        condition('PodScheduled', true),
        condition('Initialized', true),
        condition('ContainersReady', isReady),
        condition('Ready', isReady),
      ],
      containerStatuses: [
        {
          name: w.name,
          image: pod.image,
          imageID: '',
          ready: isReady,
          started: isReady,
          restartCount: pod.restarts,
          state,
          ...(pod.outcome === 'crashes'
            ? {
                lastState: {
                  terminated: {
                    reason: 'Error',
                    exitCode: 1,
                    finishedAt: w.now.toISOString(),
                  },
                },
              }
            : {}),
        },
      ],
    },
  };
}

/** An autoscaler v2 with a CPU target; `atMax` adds the ScalingLimited condition. */
export function buildHpa(o: {
  namespace: string;
  name: string;
  /** The kind it scales (default Deployment; an Argo Rollouts Rollout's is `Rollout`). */
  targetKind?: 'Deployment' | 'Rollout';
  min: number;
  max: number;
  current: number;
  desired: number;
  cpuTarget: number;
  cpuNow: number;
  now: Date;
}): KubeObject {
  const limited = o.desired >= o.max && o.current >= o.max;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      scaleTargetRef:
        o.targetKind === 'Rollout'
          ? {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Rollout',
              name: o.name,
            }
          : { apiVersion: 'apps/v1', kind: 'Deployment', name: o.name },
      minReplicas: o.min,
      maxReplicas: o.max,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: o.cpuTarget },
          },
        },
      ],
    },
    status: {
      currentReplicas: o.current,
      desiredReplicas: o.desired,
      currentMetrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            current: { averageUtilization: o.cpuNow },
          },
        },
      ],
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          reason: 'ReadyForNewScale',
          lastTransitionTime: o.now.toISOString(),
        },
        {
          type: 'ScalingLimited',
          status: limited ? 'True' : 'False',
          reason: limited ? 'TooManyReplicas' : 'DesiredWithinRange',
          message: limited
            ? 'the desired replica count is more than the maximum replica count'
            : 'the desired count is within the acceptable range',
          lastTransitionTime: o.now.toISOString(),
        },
      ],
    },
  };
}

/** A Warning event about a pod, as the kubelet reports pull failures and back-offs. */
export function buildWarning(o: {
  namespace: string;
  pod: string;
  reason: string;
  message: string;
  count: number;
  now: Date;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${o.pod}.${o.reason.toLowerCase()}`,
      namespace: o.namespace,
    },
    type: 'Warning',
    reason: o.reason,
    message: o.message,
    count: o.count,
    involvedObject: { kind: 'Pod', name: o.pod, namespace: o.namespace },
    firstTimestamp: o.now.toISOString(),
    lastTimestamp: o.now.toISOString(),
    source: { component: 'kubelet', host: 'demo-node' },
  };
}
