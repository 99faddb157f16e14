// A running pod as the API server returns it: managedFields, volumes, tolerations, statuses.
import { createHash } from 'node:crypto';
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

/** A running, ready pod of the Deployment's current ReplicaSet. */
export function pod({ service, env, image, index, resourceVersion }) {
  const namespace = `${service}-${env}`;
  const hash = '7d4b9c8f6d';
  const name = `${service}-${hash}-${uid(namespace, index).slice(0, 5)}`;
  const ip = `10.${(resourceVersion >> 16) & 255}.${
    (resourceVersion >> 8) & 255
  }.${resourceVersion & 255}`;
  // Each pod was created and started at a time of its own (within the week before the
  // fleet's time), as in a cluster: no two pods share their status's timestamps.
  const offset =
    parseInt(uid(namespace, 'pod-time', index).slice(0, 8), 16) % (7 * 86400);
  const at = (time, seconds) =>
    new Date(Date.parse(time) - seconds * 1000)
      .toISOString()
      .replace('.000Z', 'Z');
  const created = at(CREATED, offset);
  const started = at(STARTED, offset);
  const condition = type => ({
    type,
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: started,
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${service}-${hash}-`,
      namespace,
      uid: uid(namespace, 'pod', name),
      resourceVersion: String(resourceVersion),
      creationTimestamp: created,
      labels: { ...labels(service), 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${service}-${hash}`,
          uid: uid(namespace, 'rs', service),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        managed('kube-controller-manager', 'Update', 'v1', {
          'f:metadata': {
            'f:generateName': {},
            'f:labels': {
              '.': {},
              'f:app.kubernetes.io/name': {},
              'f:app.kubernetes.io/part-of': {},
              'f:backstage.io/kubernetes-id': {},
              'f:pod-template-hash': {},
            },
            'f:ownerReferences': {
              '.': {},
              [`k:{"uid":"${uid(namespace, 'rs', service)}"}`]: {},
            },
          },
          'f:spec': {
            'f:containers': { [`k:{"name":"${service}"}`]: CONTAINER_FIELDS },
            'f:dnsPolicy': {},
            'f:enableServiceLinks': {},
            'f:restartPolicy': {},
            'f:schedulerName': {},
            'f:securityContext': {},
            'f:terminationGracePeriodSeconds': {},
          },
        }),
        managed(
          'kubelet',
          'Update',
          'v1',
          {
            'f:status': {
              'f:conditions': {
                ...CONDITION_FIELDS('ContainersReady'),
                ...CONDITION_FIELDS('Initialized'),
                ...CONDITION_FIELDS('PodReadyToStartContainers'),
                ...CONDITION_FIELDS('Ready'),
              },
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:hostIPs': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': {
                '.': {},
                [`k:{"ip":"${ip}"}`]: { '.': {}, 'f:ip': {} },
              },
              'f:startTime': {},
            },
          },
          'status',
        ),
      ],
    },
    spec: {
      volumes: [
        {
          name: 'kube-api-access',
          projected: {
            sources: [
              {
                serviceAccountToken: { expirationSeconds: 3607, path: 'token' },
              },
              {
                configMap: {
                  name: 'kube-root-ca.crt',
                  items: [{ key: 'ca.crt', path: 'ca.crt' }],
                },
              },
              {
                downwardAPI: {
                  items: [
                    {
                      path: 'namespace',
                      fieldRef: {
                        apiVersion: 'v1',
                        fieldPath: 'metadata.namespace',
                      },
                    },
                  ],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        {
          ...container(service, image, env),
          volumeMounts: [
            {
              name: 'kube-api-access',
              readOnly: true,
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
            },
          ],
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: `node-${index % 3}`,
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: [
        'PodReadyToStartContainers',
        'Initialized',
        'Ready',
        'ContainersReady',
        'PodScheduled',
      ].map(condition),
      hostIP: `192.168.0.${10 + (index % 3)}`,
      hostIPs: [{ ip: `192.168.0.${10 + (index % 3)}` }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: started,
      containerStatuses: [
        {
          name: service,
          state: { running: { startedAt: started } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image,
          imageID: `${image.split(':')[0]}@sha256:${createHash('sha256')
            .update(image)
            .digest('hex')}`,
          containerID: `containerd://${createHash('sha256')
            .update(name)
            .digest('hex')}`,
          started: true,
          volumeMounts: [
            {
              name: 'kube-api-access',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
              recursiveReadOnly: 'Disabled',
            },
          ],
        },
      ],
      qosClass: 'Burstable',
    },
  };
}
