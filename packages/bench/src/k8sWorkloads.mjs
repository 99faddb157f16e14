// The Deployment and (prod) HorizontalPodAutoscaler of a service, as the API server returns them.
import {
  CONDITION_FIELDS,
  CONTAINER_FIELDS,
  CREATED,
  STARTED,
  container,
  labels,
  managed,
  uid,
} from './k8sShared.mjs';

/** The Deployment Argo CD applied, with the status the controller reports once rolled out. */
export function deployment({ service, env, image, replicas, resourceVersion }) {
  const namespace = `${service}-${env}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: service,
      namespace,
      uid: uid(namespace, 'deployment', service),
      resourceVersion: String(resourceVersion),
      generation: 4,
      creationTimestamp: CREATED,
      labels: {
        ...labels(service),
        'app.kubernetes.io/instance': `${service}-${env}`,
      },
      annotations: {
        'deployment.kubernetes.io/revision': '4',
        'argocd.argoproj.io/tracking-id': `${service}-${env}:apps/Deployment:${namespace}/${service}`,
      },
      managedFields: [
        managed('argocd-controller', 'Apply', 'apps/v1', {
          'f:metadata': {
            'f:labels': {
              'f:app.kubernetes.io/name': {},
              'f:app.kubernetes.io/part-of': {},
              'f:backstage.io/kubernetes-id': {},
            },
          },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': {} },
              'f:spec': {
                'f:containers': {
                  [`k:{"name":"${service}"}`]: CONTAINER_FIELDS,
                },
              },
            },
          },
        }),
        managed(
          'kube-controller-manager',
          'Update',
          'apps/v1',
          {
            'f:metadata': {
              'f:annotations': {
                '.': {},
                'f:deployment.kubernetes.io/revision': {},
              },
            },
            'f:status': {
              'f:availableReplicas': {},
              'f:conditions': {
                '.': {},
                ...CONDITION_FIELDS('Available'),
                ...CONDITION_FIELDS('Progressing'),
              },
              'f:observedGeneration': {},
              'f:readyReplicas': {},
              'f:replicas': {},
              'f:updatedReplicas': {},
            },
          },
          'status',
        ),
      ],
    },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': service } },
      template: {
        metadata: { labels: labels(service) },
        spec: {
          containers: [container(service, image, env)],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
          schedulerName: 'default-scheduler',
        },
      },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 4,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: STARTED,
          lastTransitionTime: STARTED,
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: STARTED,
          lastTransitionTime: CREATED,
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${service}-7d4b9c8f6d" has successfully progressed.`,
        },
      ],
    },
  };
}

/** The prod HorizontalPodAutoscaler, below its maximum, with current metrics. */
export function hpa({
  service,
  env,
  minReplicas,
  resourceVersion,
  target = { apiVersion: 'apps/v1', kind: 'Deployment' },
}) {
  const namespace = `${service}-${env}`;
  const metric = (name, utilization) => ({
    type: 'Resource',
    resource: {
      name,
      target: { type: 'Utilization', averageUtilization: utilization },
    },
  });
  const current = (name, utilization) => ({
    type: 'Resource',
    resource: {
      name,
      current: {
        averageUtilization: utilization,
        averageValue: name === 'cpu' ? '90m' : '180Mi',
      },
    },
  });
  const cond = (type, reason, message) => ({
    type,
    status: 'True',
    lastTransitionTime: STARTED,
    reason,
    message,
  });
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: service,
      namespace,
      uid: uid(namespace, 'hpa', service),
      resourceVersion: String(resourceVersion),
      creationTimestamp: CREATED,
      labels: labels(service),
      managedFields: [
        managed('argocd-controller', 'Apply', 'autoscaling/v2', {
          'f:spec': {
            'f:maxReplicas': {},
            'f:metrics': {},
            'f:minReplicas': {},
            'f:scaleTargetRef': {},
          },
        }),
      ],
    },
    spec: {
      scaleTargetRef: { ...target, name: service },
      minReplicas,
      maxReplicas: 10,
      metrics: [metric('cpu', 70), metric('memory', 80)],
    },
    status: {
      currentReplicas: minReplicas,
      desiredReplicas: minReplicas,
      currentMetrics: [current('cpu', 45), current('memory', 62)],
      conditions: [
        cond(
          'AbleToScale',
          'ReadyForNewScale',
          'recommended size matches current size',
        ),
        cond(
          'ScalingActive',
          'ValidMetricFound',
          'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
        ),
        {
          ...cond(
            'ScalingLimited',
            'DesiredWithinRange',
            'the desired count is within the acceptable range',
          ),
          status: 'False',
        },
      ],
    },
  };
}
