/*
 * Cluster object fixtures: what the Kubernetes, Argo CD and Flux APIs return for a service that
 * is deployed and healthy. `failureScenarios.ts` breaks these snapshots one failure mode at a time.
 *
 * Plain data on purpose: other tests feed these objects to the live-state readers as if they came
 * from `@kubernetes/client-node`, so nothing here depends on `kubernetes-models` at run time
 * (`clusterObjects.test.ts` checks every object against those schemas instead).
 *
 * Everything is deterministic: uids, hashes, shas and resourceVersions are derived from a seed
 * string, and every timestamp is relative to FIXTURE_NOW, so snapshots compare equal across runs.
 * Fields follow what the API server really serialises: zero counters are omitted (a Deployment
 * with no ready pod has no `readyReplicas`), unset times are `null`.
 */

import { createHash } from 'node:crypto';

/** A Kubernetes object as read from the API: kind, metadata and free-form spec/status. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    [field: string]: any;
  };
  [field: string]: any;
};

/** The objects the live-state readers list, by plural resource name. */
export type ClusterSnapshot = {
  deployments: KubeObject[];
  pods: KubeObject[];
  horizontalpodautoscalers: KubeObject[];
  persistentvolumeclaims: KubeObject[];
  events: KubeObject[];
  applications: KubeObject[];
  kustomizations: KubeObject[];
  helmreleases: KubeObject[];
  gitrepositories: KubeObject[];
  ocirepositories: KubeObject[];
};

export function emptySnapshot(): ClusterSnapshot {
  return {
    deployments: [],
    pods: [],
    horizontalpodautoscalers: [],
    persistentvolumeclaims: [],
    events: [],
    applications: [],
    kustomizations: [],
    helmreleases: [],
    gitrepositories: [],
    ocirepositories: [],
  };
}

/** Every object of a snapshot, in resource order. */
export function snapshotObjects(snapshot: ClusterSnapshot): KubeObject[] {
  return Object.values(snapshot).flat();
}

// ---------------------------------------------------------------------------------------------
// Time and identifiers
// ---------------------------------------------------------------------------------------------

/** The "current time" of every fixture; use it as the clock in tests. */
export const FIXTURE_NOW = '2026-11-25T12:00:00.000Z';
const NOW_MS = Date.parse(FIXTURE_NOW);
const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/** A `metav1.Time` (RFC 3339, second precision) `minutes` before FIXTURE_NOW. */
export function minutesAgo(minutes: number): string {
  return new Date(NOW_MS - Math.round(minutes * MINUTE_MS))
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/** A `metav1.MicroTime` (microsecond precision), as the events.k8s.io recorder writes it. */
export function microTimeAgo(minutes: number, seed: string): string {
  const micros = String(parseInt(hashHex(`us:${seed}`, 5), 16) % 1_000_000);
  return minutesAgo(minutes).replace('Z', `.${micros.padStart(6, '0')}Z`);
}

/** An RFC 3339 time with nanoseconds, as `flux reconcile` writes `reconcile.fluxcd.io/requestedAt`. */
export function nanoTimeAgo(minutes: number, seed: string): string {
  const nanos = String(parseInt(hashHex(`ns:${seed}`, 8), 16) % 1_000_000_000);
  return minutesAgo(minutes).replace('Z', `.${nanos.padStart(9, '0')}Z`);
}

/** Hex digits derived from `seed` (sha256, extended by rounds); stable across runs. */
function hashHex(seed: string, length: number): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    out += createHash('sha256').update(`${round}:${seed}`).digest('hex');
  }
  return out.slice(0, length);
}

/** A version-4 UUID derived from `seed`. */
export function fakeUid(seed: string): string {
  const h = hashHex(`uid:${seed}`, 32);
  const variant = '89ab'[parseInt(h[16], 16) % 4];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(
    13,
    16,
  )}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
}

/** A 40-hex Git commit sha derived from `seed`. */
export function fakeGitSha(seed: string): string {
  return hashHex(`sha1:${seed}`, 40);
}

/** A 64-hex sha256 digest (without the `sha256:` prefix) derived from `seed`. */
export function fakeSha256(seed: string): string {
  return hashHex(`sha256:${seed}`, 64);
}

/** A numeric resourceVersion, as etcd revisions look on a busy cluster. */
export function fakeResourceVersion(seed: string): string {
  return String(
    48_000_000 + (parseInt(hashHex(`rv:${seed}`, 7), 16) % 2_000_000),
  );
}

// The alphabet Kubernetes uses for generated name suffixes and pod-template-hash (no vowels).
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A generated-name suffix (`guestbook-7d9c5b8f4c-x2x7k`), derived from `seed`. */
export function nameSuffix(seed: string, length: number): string {
  const h = hashHex(`name:${seed}`, length * 2);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += NAME_ALPHABET[parseInt(h.slice(i * 2, i * 2 + 2), 16) % 27];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conventions shared by all fixtures
// ---------------------------------------------------------------------------------------------

export const GITOPS_REPO_URL = 'https://github.com/acme/gitops-repo.git';
export const IMAGE_REGISTRY = 'ghcr.io/acme';
export const ARGOCD_NAMESPACE = 'argocd';
export const FLUX_NAMESPACE = 'flux-system';
export const NODES = [
  'ip-10-0-11-24.eu-west-1.compute.internal',
  'ip-10-0-12-181.eu-west-1.compute.internal',
  'ip-10-0-13-97.eu-west-1.compute.internal',
];
const CONTROL_PLANE_NODE = 'ip-10-0-10-5.eu-west-1.compute.internal';

export type Engine = 'argocd' | 'flux';

/** The Git commit that sets `service` to `tag` in `env`: each version is its own commit. */
export function revisionFor(service: string, env: string, tag: string): string {
  return fakeGitSha(`${service}/${env}@${tag}`);
}

/** `ghcr.io/acme/<service>:<tag>`, `...@sha256:<digest>` or both. */
export function imageRef(
  service: string,
  tag?: string,
  digest?: string,
): string {
  const repo = `${IMAGE_REGISTRY}/${service}`;
  return `${repo}${tag ? `:${tag}` : ''}${digest ? `@sha256:${digest}` : ''}`;
}

/** The `imageID` the kubelet reports: the repository pinned to the pulled manifest digest. */
export function imageIdFor(image: string, digest?: string): string {
  const repo = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^:/]+$/, '');
  const pinned = digest ?? image.match(/@sha256:([0-9a-f]{64})$/)?.[1];
  return `${repo}@sha256:${pinned ?? fakeSha256(image)}`;
}

/** Labels on the Deployment and its pod template. */
export function workloadLabels(service: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': service,
    'backstage.io/kubernetes-id': service,
  };
}

/** Which controller applied an object, and so which labels/annotations it carries. */
export type ManagedBy =
  | { engine: 'argocd'; application: string }
  | { engine: 'flux'; kustomization: string }
  | { engine: 'flux-helm'; helmRelease: string; releaseName: string };

function managedMetadata(
  by: ManagedBy,
  object: { group: string; kind: string; namespace: string; name: string },
): { labels: Record<string, string>; annotations: Record<string, string> } {
  switch (by.engine) {
    case 'argocd':
      // Argo CD 3 tracks resources by annotation by default.
      return {
        labels: {},
        annotations: {
          'argocd.argoproj.io/tracking-id': `${by.application}:${object.group}/${object.kind}:${object.namespace}/${object.name}`,
        },
      };
    case 'flux':
      return {
        labels: {
          'kustomize.toolkit.fluxcd.io/name': by.kustomization,
          'kustomize.toolkit.fluxcd.io/namespace': FLUX_NAMESPACE,
        },
        annotations: {},
      };
    default:
      return {
        labels: {
          'app.kubernetes.io/managed-by': 'Helm',
          'helm.toolkit.fluxcd.io/name': by.helmRelease,
          'helm.toolkit.fluxcd.io/namespace': FLUX_NAMESPACE,
        },
        annotations: {
          'meta.helm.sh/release-name': by.releaseName,
          'meta.helm.sh/release-namespace': object.namespace,
        },
      };
  }
}

/** Object metadata as the API server returns it. */
export function objectMeta(
  kind: string,
  namespace: string,
  name: string,
  extra: {
    createdMinutesAgo: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
    [field: string]: any;
  },
): KubeObject['metadata'] {
  const { createdMinutesAgo, labels, annotations, ...rest } = extra;
  const seed = `${kind}/${namespace}/${name}`;
  return {
    name,
    namespace,
    uid: fakeUid(seed),
    resourceVersion: fakeResourceVersion(seed),
    creationTimestamp: minutesAgo(createdMinutesAgo),
    ...(labels && Object.keys(labels).length ? { labels } : {}),
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
    ...rest,
  };
}

/** A status condition (`metav1.Condition` shape: Flux, and most of Kubernetes). */
export function condition(
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  transitionMinutesAgo: number,
  extra: Record<string, any> = {},
): Record<string, any> {
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: minutesAgo(transitionMinutesAgo),
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// Workload: Deployment, pods, HPA, PVC, events
// ---------------------------------------------------------------------------------------------

/** An HPA on CPU: `cpu` is the target utilisation, `currentCpu` the observed one. */
export interface HpaOptions {
  min: number;
  max: number;
  current: number;
  cpu: number;
  /** Observed average CPU utilisation in percent; defaults to a comfortable 60% of target. */
  currentCpu?: number;
}

/**
 * The pod-template-hash of the ReplicaSet that runs `image` (changes with the template). Like
 * the real one, it is a 32-bit hash in decimal with each digit mapped into the safe alphabet,
 * so it only uses the characters 4-9, b, c, d and f.
 */
export function templateHashFor(
  namespace: string,
  service: string,
  image: string,
): string {
  const hash = parseInt(hashHex(`rs:${namespace}/${service}/${image}`, 8), 16);
  return [...String(hash)]
    .map(d => NAME_ALPHABET[d.charCodeAt(0) % 27])
    .join('');
}

function podTemplateSpec(service: string, image: string): Record<string, any> {
  const probe = (path: string) => ({
    httpGet: { path, port: 'http', scheme: 'HTTP' },
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  });
  return {
    containers: [
      {
        name: service,
        image,
        imagePullPolicy: 'IfNotPresent',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        resources: {
          requests: { cpu: '250m', memory: '256Mi' },
          limits: { memory: '512Mi' },
        },
        readinessProbe: probe('/healthz/ready'),
        livenessProbe: { ...probe('/healthz/live'), initialDelaySeconds: 10 },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
  };
}

export interface DeploymentOptions {
  service: string;
  namespace: string;
  image: string;
  replicas: number;
  managedBy: ManagedBy;
  /** metadata.generation, also the `deployment.kubernetes.io/revision`. */
  generation?: number;
  /** When the current ReplicaSet finished rolling out. */
  rolledOutMinutesAgo?: number;
}

/** A Deployment whose current ReplicaSet is fully rolled out and available. */
export function buildDeployment(o: DeploymentOptions): KubeObject {
  const generation = o.generation ?? 4;
  const rolledOut = o.rolledOutMinutesAgo ?? 2 * DAY_MINUTES;
  const hash = templateHashFor(o.namespace, o.service, o.image);
  const managed = managedMetadata(o.managedBy, {
    group: 'apps',
    kind: 'Deployment',
    namespace: o.namespace,
    name: o.service,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMeta('Deployment', o.namespace, o.service, {
      createdMinutesAgo: 45 * DAY_MINUTES,
      generation,
      labels: { ...workloadLabels(o.service), ...managed.labels },
      annotations: {
        'deployment.kubernetes.io/revision': String(generation),
        ...managed.annotations,
      },
    }),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': o.service } },
      template: {
        metadata: { labels: workloadLabels(o.service) },
        spec: podTemplateSpec(o.service, o.image),
      },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: generation,
      replicas: o.replicas,
      updatedReplicas: o.replicas,
      readyReplicas: o.replicas,
      availableReplicas: o.replicas,
      conditions: [
        {
          ...condition(
            'Available',
            'True',
            'MinimumReplicasAvailable',
            'Deployment has minimum availability.',
            rolledOut,
          ),
          lastUpdateTime: minutesAgo(rolledOut),
        },
        {
          ...condition(
            'Progressing',
            'True',
            'NewReplicaSetAvailable',
            `ReplicaSet "${o.service}-${hash}" has successfully progressed.`,
            45 * DAY_MINUTES,
          ),
          lastUpdateTime: minutesAgo(rolledOut),
        },
      ],
    },
  };
}

/** What the kubelet reports for the service's container; defaults to running and ready. */
export interface ContainerStatusOptions {
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  /** `{ running }`, `{ waiting }` or `{ terminated }`; defaults to running since pod start. */
  state?: Record<string, any>;
  lastState?: Record<string, any>;
  /** Empty until the image was pulled. */
  imageID?: string;
}

export interface PodOptions {
  service: string;
  namespace: string;
  image: string;
  /** Distinguishes sibling pods of one ReplicaSet. */
  index: number;
  createdMinutesAgo: number;
  /** `null`: not scheduled; defaults to spreading over NODES. */
  node?: string | null;
  phase?: 'Running' | 'Pending';
  container?: ContainerStatusOptions;
  /** Set for an unscheduled pod: the scheduler's PodScheduled message. */
  unschedulableMessage?: string;
  /** Extra pod volumes (the service account token volume is always there). */
  volumes?: Record<string, any>[];
  volumeMounts?: Record<string, any>[];
  /** False while the sandbox waits for volumes. */
  readyToStartContainers?: boolean;
  /** When Ready last flipped; defaults to just after the container started. */
  readyChangedMinutesAgo?: number;
}

export function podName(
  o: Pick<PodOptions, 'service' | 'namespace' | 'image' | 'index'>,
): string {
  const hash = templateHashFor(o.namespace, o.service, o.image);
  return `${o.service}-${hash}-${nameSuffix(
    `pod:${o.namespace}/${o.image}/${o.index}`,
    5,
  )}`;
}

/** The projected service-account token volume every pod gets from the admission plugin. */
function serviceAccountTokenVolume(name: string): Record<string, any> {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
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
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
              },
            ],
          },
        },
      ],
    },
  };
}

function podCondition(
  type: string,
  status: boolean,
  minutes: number,
  reason?: string,
  message?: string,
): Record<string, any> {
  return {
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: minutesAgo(minutes),
    ...(reason ? { reason, message } : {}),
  };
}

/** The status of a pod bound to `node`, with the container as `o.container` describes it. */
function scheduledPodStatus(
  o: PodOptions,
  name: string,
  node: string,
  volumeMounts: Record<string, any>[],
): Record<string, any> {
  const c = o.container ?? {};
  const ready = c.ready ?? true;
  const started = o.createdMinutesAgo - 0.1;
  const state = c.state ?? { running: { startedAt: minutesAgo(started) } };
  const readyChanged = o.readyChangedMinutesAgo ?? started - 0.2;
  const notReady = `containers with unready status: [${o.service}]`;
  const readiness = (type: string) =>
    ready
      ? podCondition(type, true, readyChanged)
      : podCondition(type, false, readyChanged, 'ContainersNotReady', notReady);
  const subnet = 11 + NODES.indexOf(node);
  const hostIP = `10.0.${subnet}.${10 + NODES.indexOf(node)}`;
  const podIP = `10.0.${subnet}.${40 + ((o.index * 37) % 200)}`;
  const sandboxReady = o.readyToStartContainers ?? true;
  return {
    phase: o.phase ?? 'Running',
    conditions: [
      podCondition('PodReadyToStartContainers', sandboxReady, started),
      podCondition('Initialized', true, o.createdMinutesAgo),
      readiness('Ready'),
      readiness('ContainersReady'),
      podCondition('PodScheduled', true, o.createdMinutesAgo),
    ],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(sandboxReady ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: minutesAgo(o.createdMinutesAgo),
    containerStatuses: [
      {
        name: o.service,
        state,
        lastState: c.lastState ?? {},
        ready,
        restartCount: c.restartCount ?? 0,
        image: o.image,
        imageID: c.imageID ?? imageIdFor(o.image),
        ...(state.running || state.terminated
          ? {
              containerID: `containerd://${fakeSha256(
                `container:${name}:${c.restartCount ?? 0}`,
              )}`,
            }
          : {}),
        started: c.started ?? Boolean(state.running),
        volumeMounts: volumeMounts.map(m => ({
          name: m.name,
          mountPath: m.mountPath,
          ...(m.readOnly
            ? { readOnly: true, recursiveReadOnly: 'Disabled' }
            : {}),
        })),
      },
    ],
    qosClass: 'Burstable',
  };
}

/** A pod of the ReplicaSet that runs `image`, with the status the kubelet reports for it. */
export function buildPod(o: PodOptions): KubeObject {
  const hash = templateHashFor(o.namespace, o.service, o.image);
  const name = podName(o);
  const replicaSet = `${o.service}-${hash}`;
  const node = o.node === undefined ? NODES[o.index % NODES.length] : o.node;
  const tokenVolume = `kube-api-access-${nameSuffix(`token:${name}`, 5)}`;
  const template = podTemplateSpec(o.service, o.image);
  const volumeMounts = [
    ...(o.volumeMounts ?? []),
    {
      name: tokenVolume,
      readOnly: true,
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
    },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: objectMeta('Pod', o.namespace, name, {
      createdMinutesAgo: o.createdMinutesAgo,
      generateName: `${replicaSet}-`,
      labels: { ...workloadLabels(o.service), 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: replicaSet,
          uid: fakeUid(`ReplicaSet/${o.namespace}/${replicaSet}`),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    }),
    spec: {
      ...template,
      containers: [{ ...template.containers[0], volumeMounts }],
      volumes: [...(o.volumes ?? []), serviceAccountTokenVolume(tokenVolume)],
      serviceAccountName: 'default',
      serviceAccount: 'default',
      ...(node ? { nodeName: node } : {}),
      tolerations: ['not-ready', 'unreachable'].map(taint => ({
        key: `node.kubernetes.io/${taint}`,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      })),
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: node
      ? scheduledPodStatus(o, name, node, volumeMounts)
      : {
          phase: 'Pending',
          conditions: [
            podCondition(
              'PodScheduled',
              false,
              o.createdMinutesAgo,
              'Unschedulable',
              o.unschedulableMessage ?? '0/3 nodes are available.',
            ),
          ],
          qosClass: 'Burstable',
        },
  };
}

/** `count` running, ready pods of the ReplicaSet that runs `image`. */
export function buildReadyPods(o: {
  service: string;
  namespace: string;
  image: string;
  count: number;
  createdMinutesAgo: number;
  imageID?: string;
  firstIndex?: number;
}): KubeObject[] {
  return Array.from({ length: o.count }, (_, i) =>
    buildPod({
      service: o.service,
      namespace: o.namespace,
      image: o.image,
      index: (o.firstIndex ?? 0) + i,
      createdMinutesAgo: o.createdMinutesAgo,
      container: o.imageID ? { imageID: o.imageID } : undefined,
    }),
  );
}

export function buildHpa(o: {
  service: string;
  namespace: string;
  hpa: HpaOptions;
  managedBy: ManagedBy;
}): KubeObject {
  const { min, max, current, cpu } = o.hpa;
  const currentCpu = o.hpa.currentCpu ?? Math.round(cpu * 0.6);
  const atMax = current >= max && currentCpu > cpu;
  const managed = managedMetadata(o.managedBy, {
    group: 'autoscaling',
    kind: 'HorizontalPodAutoscaler',
    namespace: o.namespace,
    name: o.service,
  });
  // averageValue: the utilisation applied to the 250m CPU request.
  const averageValue = `${Math.round((250 * currentCpu) / 100)}m`;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: objectMeta('HorizontalPodAutoscaler', o.namespace, o.service, {
      createdMinutesAgo: 45 * DAY_MINUTES,
      labels: { ...workloadLabels(o.service), ...managed.labels },
      annotations: managed.annotations,
    }),
    spec: {
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: o.service,
      },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: cpu },
          },
        },
      ],
    },
    status: {
      currentReplicas: current,
      desiredReplicas: current,
      lastScaleTime: minutesAgo(atMax ? 22 : 3 * 60),
      currentMetrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            current: { averageUtilization: currentCpu, averageValue },
          },
        },
      ],
      conditions: [
        condition(
          'AbleToScale',
          'True',
          'ReadyForNewScale',
          'recommended size matches current size',
          40,
        ),
        condition(
          'ScalingActive',
          'True',
          'ValidMetricFound',
          'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
          45 * DAY_MINUTES,
        ),
        atMax
          ? condition(
              'ScalingLimited',
              'True',
              'TooManyReplicas',
              'the desired replica count is more than the maximum replica count',
              22,
            )
          : condition(
              'ScalingLimited',
              'False',
              'DesiredWithinRange',
              'the desired count is within the acceptable range',
              3 * 60,
            ),
      ],
    },
  };
}

export function buildPvc(o: {
  name: string;
  namespace: string;
  phase: 'Pending' | 'Bound';
  storageClassName: string;
  storage?: string;
  createdMinutesAgo: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}): KubeObject {
  const storage = o.storage ?? '10Gi';
  const volumeName = `pvc-${fakeUid(
    `PersistentVolumeClaim/${o.namespace}/${o.name}`,
  )}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: objectMeta('PersistentVolumeClaim', o.namespace, o.name, {
      createdMinutesAgo: o.createdMinutesAgo,
      labels: o.labels,
      annotations: o.annotations,
      finalizers: ['kubernetes.io/pvc-protection'],
    }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage } },
      storageClassName: o.storageClassName,
      volumeMode: 'Filesystem',
      ...(o.phase === 'Bound' ? { volumeName } : {}),
    },
    status:
      o.phase === 'Bound'
        ? {
            phase: 'Bound',
            accessModes: ['ReadWriteOnce'],
            capacity: { storage },
          }
        : { phase: 'Pending' },
  };
}

function objectReference(
  o: KubeObject,
  fieldPath?: string,
): Record<string, any> {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    namespace: o.metadata.namespace,
    uid: o.metadata.uid,
    resourceVersion: o.metadata.resourceVersion,
    ...(fieldPath ? { fieldPath } : {}),
  };
}

/** Event names are `<object>.<first-seen time in unix nanoseconds, hex>`. */
function eventName(
  involved: KubeObject,
  firstMinutesAgo: number,
  seed: string,
): string {
  const nanos =
    BigInt(Date.parse(minutesAgo(firstMinutesAgo))) * 1_000_000n +
    BigInt(parseInt(hashHex(`ev:${seed}`, 6), 16));
  return `${involved.metadata.name}.${nanos.toString(16)}`;
}

export interface EventOptions {
  involved: KubeObject;
  /** `spec.containers{name}` for container-level events. */
  fieldPath?: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  count: number;
  firstMinutesAgo: number;
  lastMinutesAgo: number;
  /** `kubelet` (with the node as host) or a controller such as `attachdetach-controller`. */
  component: string;
  host?: string;
}

/**
 * A core/v1 Event from the legacy recorder (kubelet, controller-manager): repeats are folded
 * into `count` / `firstTimestamp` / `lastTimestamp`, `eventTime` stays null and there is no series.
 */
export function buildEvent(o: EventOptions): KubeObject {
  const namespace = o.involved.metadata.namespace;
  const name = eventName(
    o.involved,
    o.firstMinutesAgo,
    `${o.reason}/${o.message}`,
  );
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: objectMeta('Event', namespace, name, {
      createdMinutesAgo: o.firstMinutesAgo,
    }),
    involvedObject: objectReference(o.involved, o.fieldPath),
    reason: o.reason,
    message: o.message,
    source: { component: o.component, ...(o.host ? { host: o.host } : {}) },
    firstTimestamp: minutesAgo(o.firstMinutesAgo),
    lastTimestamp: minutesAgo(o.lastMinutesAgo),
    count: o.count,
    type: o.type,
    eventTime: null,
    reportingComponent: o.component,
    reportingInstance: o.host ?? '',
  };
}

/**
 * A scheduler event: written through events.k8s.io/v1 and read back as core/v1, so the legacy
 * time fields are null and repeats are in `series`.
 */
export function buildSchedulerEvent(o: {
  involved: KubeObject;
  reason: string;
  message: string;
  firstMinutesAgo: number;
  /** Repeats after the first: `series.count` and when the last one was observed. */
  series?: { count: number; lastMinutesAgo: number };
}): KubeObject {
  const namespace = o.involved.metadata.namespace;
  const name = eventName(
    o.involved,
    o.firstMinutesAgo,
    `${o.reason}/${o.message}`,
  );
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: objectMeta('Event', namespace, name, {
      createdMinutesAgo: o.firstMinutesAgo,
    }),
    involvedObject: objectReference(o.involved),
    reason: o.reason,
    message: o.message,
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    type: 'Warning',
    eventTime: microTimeAgo(o.firstMinutesAgo, name),
    ...(o.series
      ? {
          series: {
            count: o.series.count,
            lastObservedTime: microTimeAgo(
              o.series.lastMinutesAgo,
              `${name}/last`,
            ),
          },
        }
      : {}),
    action: 'Scheduling',
    reportingComponent: 'default-scheduler',
    reportingInstance: `default-scheduler-${CONTROL_PLANE_NODE}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Argo CD
// ---------------------------------------------------------------------------------------------

export interface ArgoApplicationOptions {
  service: string;
  env: string;
  namespace: string;
  revision: string;
  /** Images of the live pods, as Argo CD lists them in `status.summary.images`. */
  images: string[];
  hasHpa: boolean;
  /** When the last sync finished. */
  syncedMinutesAgo?: number;
}

/** A Synced, Healthy, auto-syncing Application for `apps/<service>/overlays/<env>`. */
export function buildArgoApplication(o: ArgoApplicationOptions): KubeObject {
  const name = `${o.service}-${o.env}`;
  const synced = o.syncedMinutesAgo ?? 2 * DAY_MINUTES;
  const source = {
    repoURL: GITOPS_REPO_URL,
    path: `apps/${o.service}/overlays/${o.env}`,
    targetRevision: 'main',
  };
  const destination = {
    server: 'https://kubernetes.default.svc',
    namespace: o.namespace,
  };
  const managed = [
    { group: 'apps', version: 'v1', kind: 'Deployment' },
    ...(o.hasHpa
      ? [
          {
            group: 'autoscaling',
            version: 'v2',
            kind: 'HorizontalPodAutoscaler',
          },
        ]
      : []),
  ];
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: objectMeta('Application', ARGOCD_NAMESPACE, name, {
      createdMinutesAgo: 120 * DAY_MINUTES,
      generation: 31,
      labels: { 'app.kubernetes.io/name': o.service },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    }),
    spec: {
      project: 'default',
      source,
      destination,
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true'],
        retry: {
          limit: 5,
          backoff: { duration: '5s', factor: 2, maxDuration: '3m' },
        },
      },
    },
    status: {
      sync: {
        status: 'Synced',
        revision: o.revision,
        comparedTo: { source, destination },
      },
      health: { status: 'Healthy', lastTransitionTime: minutesAgo(synced - 1) },
      reconciledAt: minutesAgo(1),
      operationState: {
        operation: {
          sync: {
            revision: o.revision,
            prune: true,
            syncOptions: ['CreateNamespace=true'],
          },
          initiatedBy: { automated: true },
          retry: {
            limit: 5,
            backoff: { duration: '5s', factor: 2, maxDuration: '3m' },
          },
        },
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: minutesAgo(synced + 0.1),
        finishedAt: minutesAgo(synced),
        syncResult: {
          revision: o.revision,
          source,
          resources: managed.map(r => ({
            ...r,
            namespace: o.namespace,
            name: o.service,
            status: 'Synced',
            message: `${r.kind.toLowerCase()}.${r.group} configured`,
            hookPhase: 'Running',
            syncPhase: 'Sync',
          })),
        },
      },
      history: [
        {
          id: 17,
          revision: o.revision,
          deployStartedAt: minutesAgo(synced + 0.1),
          deployedAt: minutesAgo(synced),
          source,
          initiatedBy: { automated: true },
        },
      ],
      resources: managed.map(r => ({
        ...r,
        namespace: o.namespace,
        name: o.service,
        status: 'Synced',
        health: { status: 'Healthy' },
      })),
      sourceType: 'Kustomize',
      summary: { images: o.images },
      controllerNamespace: ARGOCD_NAMESPACE,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Flux
// ---------------------------------------------------------------------------------------------

function sourceArtifact(
  kind: string,
  name: string,
  revision: string,
  updatedMinutesAgo: number,
) {
  const id = fakeSha256(`artifact:${kind}/${name}/${revision}`);
  const path = `${kind.toLowerCase()}/${FLUX_NAMESPACE}/${name}/${revision
    .split(':')
    .pop()}.tar.gz`;
  return {
    digest: `sha256:${id}`,
    lastUpdateTime: minutesAgo(updatedMinutesAgo),
    path,
    revision,
    size: 40_000 + (parseInt(id.slice(0, 4), 16) % 20_000),
    url: `http://source-controller.${FLUX_NAMESPACE}.svc.cluster.local./${path}`,
  };
}

/** A GitRepository on `main` whose artifact is `main@sha1:<revision>`. */
export function buildGitRepository(o: {
  name: string;
  revision: string;
  fetchedMinutesAgo?: number;
}): KubeObject {
  const generation = 1;
  const flux = `main@sha1:${o.revision}`;
  const fetched = o.fetchedMinutesAgo ?? 2 * DAY_MINUTES;
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: objectMeta('GitRepository', FLUX_NAMESPACE, o.name, {
      createdMinutesAgo: 120 * DAY_MINUTES,
      generation,
      finalizers: ['finalizers.fluxcd.io'],
    }),
    spec: {
      interval: '1m',
      url: GITOPS_REPO_URL,
      ref: { branch: 'main' },
      secretRef: { name: 'gitops-repo-auth' },
      timeout: '60s',
    },
    status: {
      observedGeneration: generation,
      conditions: [
        condition(
          'Ready',
          'True',
          'Succeeded',
          `stored artifact for revision '${flux}'`,
          fetched,
          {
            observedGeneration: generation,
          },
        ),
        condition(
          'ArtifactInStorage',
          'True',
          'Succeeded',
          `stored artifact for revision '${flux}'`,
          fetched,
          {
            observedGeneration: generation,
          },
        ),
      ],
      artifact: sourceArtifact('GitRepository', o.name, flux, fetched),
    },
  };
}

/** An OCIRepository of rendered manifests, tag `<env>`, built from `main@sha1:<revision>`. */
export function buildOciRepository(o: {
  name: string;
  env: string;
  revision: string;
  fetchedMinutesAgo?: number;
}): KubeObject {
  const generation = 1;
  const fetched = o.fetchedMinutesAgo ?? 2 * DAY_MINUTES;
  const url = `oci://${IMAGE_REGISTRY}/manifests/${o.name}`;
  const revision = `${o.env}@sha256:${fakeSha256(
    `oci:${o.name}/${o.revision}`,
  )}`;
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: objectMeta('OCIRepository', FLUX_NAMESPACE, o.name, {
      createdMinutesAgo: 120 * DAY_MINUTES,
      generation,
      finalizers: ['finalizers.fluxcd.io'],
    }),
    spec: {
      interval: '5m',
      url,
      ref: { tag: o.env },
      provider: 'generic',
      secretRef: { name: 'ghcr-auth' },
      timeout: '60s',
    },
    status: {
      observedGeneration: generation,
      url,
      conditions: [
        condition(
          'Ready',
          'True',
          'Succeeded',
          `stored artifact for digest '${revision}'`,
          fetched,
          {
            observedGeneration: generation,
          },
        ),
        condition(
          'ArtifactInStorage',
          'True',
          'Succeeded',
          `stored artifact for digest '${revision}'`,
          fetched,
          {
            observedGeneration: generation,
          },
        ),
      ],
      artifact: {
        ...sourceArtifact('OCIRepository', o.name, revision, fetched),
        metadata: {
          'org.opencontainers.image.created': minutesAgo(fetched + 3),
          'org.opencontainers.image.revision': `main@sha1:${o.revision}`,
          'org.opencontainers.image.source': GITOPS_REPO_URL,
        },
      },
    },
  };
}

export interface KustomizationOptions {
  service: string;
  env: string;
  namespace: string;
  /** The source artifact revision applied, e.g. `main@sha1:<sha>`. */
  appliedRevision: string;
  source: { kind: 'GitRepository' | 'OCIRepository'; name: string };
  hasHpa: boolean;
  /** When the controller last reconciled (and handled a requested reconcile). */
  reconciledMinutesAgo?: number;
  /** When the applied revision was first applied. */
  appliedMinutesAgo?: number;
}

/** A Ready Kustomization for `./<service>/apps/overlays/<env>`. */
export function buildKustomization(o: KustomizationOptions): KubeObject {
  const name = `${o.service}-${o.env}`;
  const generation = 3;
  const reconciled = o.reconciledMinutesAgo ?? 1;
  const applied = o.appliedMinutesAgo ?? 2 * DAY_MINUTES;
  const requestedAt = nanoTimeAgo(reconciled, `Kustomization/${name}`);
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: objectMeta('Kustomization', FLUX_NAMESPACE, name, {
      createdMinutesAgo: 120 * DAY_MINUTES,
      generation,
      // `flux reconcile kustomization` (run by CI after each push) writes this annotation.
      annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
      finalizers: ['finalizers.fluxcd.io'],
    }),
    spec: {
      interval: '5m',
      retryInterval: '1m',
      path: `./${o.service}/apps/overlays/${o.env}`,
      prune: true,
      sourceRef: o.source,
      targetNamespace: o.namespace,
      timeout: '3m',
    },
    status: {
      observedGeneration: generation,
      conditions: [
        condition(
          'Ready',
          'True',
          'ReconciliationSucceeded',
          `Applied revision: ${o.appliedRevision}`,
          // A condition's lastTransitionTime moves only when its status changes: a Kustomization
          // Ready since the revision was applied keeps that time however often it reconciles.
          applied,
          { observedGeneration: generation },
        ),
      ],
      lastAppliedRevision: o.appliedRevision,
      lastAttemptedRevision: o.appliedRevision,
      lastHandledReconcileAt: requestedAt,
      // kustomize-controller >= v1.5 (Flux 2.5) keeps one entry per applied manifest digest.
      history: [
        {
          digest: `sha256:${fakeSha256(
            `manifests:${name}/${o.appliedRevision}`,
          )}`,
          firstReconciled: minutesAgo(applied),
          lastReconciled: minutesAgo(reconciled),
          lastReconciledDuration: '1.482913117s',
          lastReconciledStatus: 'ReconciliationSucceeded',
          totalReconciliations: Math.max(
            1,
            Math.floor((applied - reconciled) / 5),
          ),
          metadata: { revision: o.appliedRevision },
        },
      ],
      inventory: {
        entries: [
          { id: `${o.namespace}_${o.service}_apps_Deployment`, v: 'v1' },
          ...(o.hasHpa
            ? [
                {
                  id: `${o.namespace}_${o.service}_autoscaling_HorizontalPodAutoscaler`,
                  v: 'v2',
                },
              ]
            : []),
        ],
      },
    },
  };
}

export interface HelmReleaseOptions {
  service: string;
  env: string;
  namespace: string;
  chartVersion: string;
  appVersion: string;
  /** Helm release version (`<name>.v<N>` secret). 1 means the last action was an install. */
  releaseVersion?: number;
  deployedMinutesAgo?: number;
}

/** A Ready HelmRelease (helm.toolkit.fluxcd.io/v2) of chart `<service>` from a HelmRepository. */
export function buildHelmRelease(o: HelmReleaseOptions): KubeObject {
  const name = `${o.service}-${o.env}`;
  const generation = 2;
  const version = o.releaseVersion ?? 4;
  const deployed = o.deployedMinutesAgo ?? 2 * DAY_MINUTES;
  const action = version === 1 ? 'install' : 'upgrade';
  const reason = version === 1 ? 'InstallSucceeded' : 'UpgradeSucceeded';
  const message = `Helm ${action} succeeded for release ${o.namespace}/${o.service}.v${version} with chart ${o.service}@${o.chartVersion}`;
  const requestedAt = nanoTimeAgo(1, `HelmRelease/${name}`);
  const configDigest = `sha256:${fakeSha256(`values:${name}`)}`;
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: objectMeta('HelmRelease', FLUX_NAMESPACE, name, {
      createdMinutesAgo: 120 * DAY_MINUTES,
      generation,
      annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
      finalizers: ['finalizers.fluxcd.io'],
    }),
    spec: {
      interval: '10m',
      releaseName: o.service,
      targetNamespace: o.namespace,
      storageNamespace: o.namespace,
      chart: {
        spec: {
          chart: o.service,
          version: o.chartVersion,
          sourceRef: {
            kind: 'HelmRepository',
            name: 'acme-charts',
            namespace: FLUX_NAMESPACE,
          },
          interval: '10m',
          reconcileStrategy: 'ChartVersion',
        },
      },
      valuesFrom: [{ kind: 'ConfigMap', name: `${o.service}-values-${o.env}` }],
      install: { remediation: { retries: 3 } },
      upgrade: { remediation: { retries: 3, remediateLastFailure: false } },
    },
    status: {
      observedGeneration: generation,
      conditions: [
        condition('Ready', 'True', reason, message, deployed, {
          observedGeneration: generation,
        }),
        condition('Released', 'True', reason, message, deployed, {
          observedGeneration: generation,
        }),
      ],
      helmChart: `${FLUX_NAMESPACE}/${FLUX_NAMESPACE}-${name}`,
      storageNamespace: o.namespace,
      lastAttemptedGeneration: generation,
      lastAttemptedReleaseAction: action,
      lastAttemptedRevision: o.chartVersion,
      lastAttemptedConfigDigest: configDigest,
      lastHandledReconcileAt: requestedAt,
      history: [
        {
          name: o.service,
          namespace: o.namespace,
          version,
          status: 'deployed',
          chartName: o.service,
          chartVersion: o.chartVersion,
          appVersion: o.appVersion,
          configDigest,
          digest: `sha256:${fakeSha256(`release:${name}/${version}`)}`,
          firstDeployed: minutesAgo(120 * DAY_MINUTES),
          lastDeployed: minutesAgo(deployed),
        },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Healthy services
// ---------------------------------------------------------------------------------------------

export interface HealthyArgoServiceOptions {
  service: string;
  env: string;
  tag: string;
  /** spec.replicas; with `hpa` the HPA owns the field and `hpa.current` pods run instead. */
  replicas: number;
  hpa?: HpaOptions;
}

export interface HealthyFluxServiceOptions {
  service: string;
  env: string;
  /** At least one of tag and digest. */
  tag?: string;
  /** 64 hex, without `sha256:`; pins the image (`<repo>:<tag>@sha256:<digest>`). */
  digest?: string;
  replicas: number;
  hpa?: HpaOptions;
}

export interface HealthyFluxHelmServiceOptions
  extends HealthyFluxServiceOptions {
  chartVersion?: string;
  /** 'install': first release (InstallSucceeded); 'upgrade' (default): UpgradeSucceeded. */
  lastAction?: 'install' | 'upgrade';
}

function buildWorkload(o: {
  service: string;
  namespace: string;
  image: string;
  imageID?: string;
  replicas: number;
  hpa?: HpaOptions;
  managedBy: ManagedBy;
}): Pick<ClusterSnapshot, 'deployments' | 'pods' | 'horizontalpodautoscalers'> {
  const replicas = o.hpa ? o.hpa.current : o.replicas;
  return {
    deployments: [
      buildDeployment({
        service: o.service,
        namespace: o.namespace,
        image: o.image,
        replicas,
        managedBy: o.managedBy,
      }),
    ],
    pods: buildReadyPods({
      service: o.service,
      namespace: o.namespace,
      image: o.image,
      imageID: o.imageID,
      count: replicas,
      createdMinutesAgo: 2 * DAY_MINUTES + 1,
    }),
    horizontalpodautoscalers: o.hpa
      ? [
          buildHpa({
            service: o.service,
            namespace: o.namespace,
            hpa: o.hpa,
            managedBy: o.managedBy,
          }),
        ]
      : [],
  };
}

/** A healthy service in `<service>-<env>`, deployed by an auto-syncing Argo CD Application. */
export function healthyArgoService(
  o: HealthyArgoServiceOptions,
): ClusterSnapshot {
  const namespace = `${o.service}-${o.env}`;
  const image = imageRef(o.service, o.tag);
  const workload = buildWorkload({
    ...o,
    namespace,
    image,
    managedBy: { engine: 'argocd', application: namespace },
  });
  return {
    ...emptySnapshot(),
    ...workload,
    applications: [
      buildArgoApplication({
        service: o.service,
        env: o.env,
        namespace,
        revision: revisionFor(o.service, o.env, o.tag),
        images: [image],
        hasHpa: Boolean(o.hpa),
      }),
    ],
  };
}

function fluxImage(o: HealthyFluxServiceOptions): {
  image: string;
  imageID: string;
  version: string;
} {
  if (!o.tag && !o.digest) {
    throw new Error('healthyFluxService needs a tag or a digest');
  }
  const image = imageRef(o.service, o.tag, o.digest);
  return {
    image,
    imageID: imageIdFor(image, o.digest),
    version: o.tag ?? `sha256:${o.digest}`,
  };
}

/** A healthy service in `<service>-<env>`, applied by a Flux Kustomization from a GitRepository. */
export function healthyFluxService(
  o: HealthyFluxServiceOptions,
): ClusterSnapshot {
  const namespace = `${o.service}-${o.env}`;
  const { image, imageID, version } = fluxImage(o);
  const revision = revisionFor(o.service, o.env, version);
  const workload = buildWorkload({
    ...o,
    namespace,
    image,
    imageID,
    managedBy: { engine: 'flux', kustomization: namespace },
  });
  return {
    ...emptySnapshot(),
    ...workload,
    kustomizations: [
      buildKustomization({
        service: o.service,
        env: o.env,
        namespace,
        appliedRevision: `main@sha1:${revision}`,
        source: { kind: 'GitRepository', name: o.service },
        hasHpa: Boolean(o.hpa),
      }),
    ],
    gitrepositories: [buildGitRepository({ name: o.service, revision })],
  };
}

/** A healthy service in `<service>-<env>`, released by a Flux HelmRelease. */
export function healthyFluxHelmService(
  o: HealthyFluxHelmServiceOptions,
): ClusterSnapshot {
  const namespace = `${o.service}-${o.env}`;
  const { image, imageID, version } = fluxImage(o);
  const workload = buildWorkload({
    ...o,
    namespace,
    image,
    imageID,
    managedBy: {
      engine: 'flux-helm',
      helmRelease: namespace,
      releaseName: o.service,
    },
  });
  return {
    ...emptySnapshot(),
    ...workload,
    helmreleases: [
      buildHelmRelease({
        service: o.service,
        env: o.env,
        namespace,
        chartVersion: o.chartVersion ?? '1.4.2',
        appVersion: version,
        releaseVersion: o.lastAction === 'install' ? 1 : 4,
      }),
    ],
  };
}
