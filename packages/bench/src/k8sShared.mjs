// Builders of the Kubernetes objects a fake cluster serves for one service in one environment.
// They carry what real API objects carry (managedFields, owner references, probes, conditions,
// container statuses) because the benchmark measures memory and list/parse cost: skeleton
// objects would make both look several times cheaper than they are.
import { createHash } from 'node:crypto';

export const CREATED = '2026-11-20T08:00:00Z';
export const STARTED = '2026-11-20T08:00:12Z';

/** Deterministic UID, so the same fleet always yields the same objects. */
export function uid(...parts) {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(
    16,
    20,
  )}-${h.slice(20, 32)}`;
}

export function managed(manager, operation, apiVersion, fields, subresource) {
  return {
    manager,
    operation,
    apiVersion,
    time: CREATED,
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
    ...(subresource ? { subresource } : {}),
  };
}

// The field-ownership trees the API server records for a container and a pod status.
export const CONTAINER_FIELDS = {
  '.': {},
  'f:env': {
    '.': {},
    'k:{"name":"LOG_LEVEL"}': { '.': {}, 'f:name': {}, 'f:value': {} },
  },
  'f:image': {},
  'f:imagePullPolicy': {},
  'f:livenessProbe': {
    '.': {},
    'f:failureThreshold': {},
    'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} },
    'f:periodSeconds': {},
  },
  'f:name': {},
  'f:ports': {
    '.': {},
    'k:{"containerPort":8080,"protocol":"TCP"}': {
      '.': {},
      'f:containerPort': {},
      'f:name': {},
      'f:protocol': {},
    },
  },
  'f:readinessProbe': {
    '.': {},
    'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} },
    'f:periodSeconds': {},
  },
  'f:resources': {
    '.': {},
    'f:limits': { '.': {}, 'f:cpu': {}, 'f:memory': {} },
    'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} },
  },
  'f:terminationMessagePath': {},
  'f:terminationMessagePolicy': {},
};
export const CONDITION_FIELDS = type => ({
  [`k:{"type":"${type}"}`]: {
    '.': {},
    'f:lastProbeTime': {},
    'f:lastTransitionTime': {},
    'f:status': {},
    'f:type': {},
  },
});

export function container(service, image, env) {
  const prod = env === 'prod';
  return {
    name: service,
    image,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [{ name: 'LOG_LEVEL', value: prod ? 'info' : 'debug' }],
    resources: {
      limits: { cpu: prod ? '500m' : '250m', memory: prod ? '512Mi' : '256Mi' },
      requests: {
        cpu: prod ? '200m' : '100m',
        memory: prod ? '256Mi' : '128Mi',
      },
    },
    livenessProbe: {
      httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 20,
      successThreshold: 1,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
}

export function labels(service) {
  return {
    'app.kubernetes.io/name': service,
    'app.kubernetes.io/part-of': service,
    'backstage.io/kubernetes-id': service,
  };
}
