import { HPA_TARGETS, PDB_MIN_AVAILABLE, Resources } from './sizing';
import {
  TMP_MOUNT,
  TMP_VOLUME,
  containerSecurityContext,
  podSecurityContext,
  probes,
} from './podDefaults';

/*
 * The Kubernetes objects of a Kustomize base and overlay, by name.
 */

/**
 * The labels the portal finds every object of the service by: `app.kubernetes.io/name` (Argo
 * CD's app-selector, the selectors) and `backstage.io/kubernetes-id` (the Kubernetes plugin).
 */
export function serviceLabels(name: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'backstage.io/kubernetes-id': name,
  };
}

/** The selector stays as small as possible: a Deployment's selector cannot change later. */
const selectorLabels = (name: string) => ({ 'app.kubernetes.io/name': name });

export function deployment(o: {
  name: string;
  image: string;
  port: number;
  resources: Resources;
}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, labels: serviceLabels(o.name) },
    spec: {
      selector: { matchLabels: selectorLabels(o.name) },
      template: {
        metadata: { labels: serviceLabels(o.name) },
        spec: {
          securityContext: podSecurityContext(),
          containers: [
            {
              name: o.name,
              image: o.image,
              ports: [{ name: 'http', containerPort: o.port, protocol: 'TCP' }],
              ...probes(),
              resources: o.resources,
              securityContext: containerSecurityContext(),
              volumeMounts: [TMP_MOUNT],
            },
          ],
          volumes: [TMP_VOLUME],
        },
      },
    },
  };
}

export function service(o: { name: string; port: number }) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name, labels: serviceLabels(o.name) },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(o.name),
      ports: [
        { name: 'http', port: o.port, targetPort: 'http', protocol: 'TCP' },
      ],
    },
  };
}

export function horizontalPodAutoscaler(o: {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  /** What it scales: the Deployment, or the Argo Rollouts Rollout that replaces it. */
  target?: 'Deployment' | 'Rollout';
}) {
  const utilization = (resource: string, percent: number) => ({
    type: 'Resource',
    resource: {
      name: resource,
      target: { type: 'Utilization', averageUtilization: percent },
    },
  });
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: o.name, labels: serviceLabels(o.name) },
    spec: {
      scaleTargetRef: {
        apiVersion: o.target === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
        kind: o.target ?? 'Deployment',
        name: o.name,
      },
      minReplicas: o.minReplicas,
      maxReplicas: o.maxReplicas,
      metrics: [
        utilization('cpu', HPA_TARGETS.cpu),
        utilization('memory', HPA_TARGETS.memory),
      ],
    },
  };
}

export function podDisruptionBudget(o: { name: string }) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: o.name, labels: serviceLabels(o.name) },
    spec: {
      minAvailable: PDB_MIN_AVAILABLE,
      selector: { matchLabels: selectorLabels(o.name) },
    },
  };
}
