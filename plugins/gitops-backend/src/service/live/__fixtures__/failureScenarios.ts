/*
 * One cluster snapshot per failure mode of the failure-modes table (failure-modes.md in the
 * shared docs): the signals it lists are exactly what these objects show. Each scenario
 * starts from a healthy service (clusterObjects.ts) and changes only what that failure changes
 * on a real cluster, so a reader under test should report the scenario's problem type and,
 * unless `alsoProduces` says otherwise, nothing else.
 *
 * Defaults: service `guestbook`, environment `prod`, running `v1.0.3` with 3 replicas.
 */
import type { ProblemType } from '@gitops-backstage/plugin-gitops-common';
import {
  ClusterSnapshot,
  Engine,
  KubeObject,
  NODES,
  PodOptions,
  buildArgoApplication,
  buildEvent,
  buildGitRepository,
  buildKustomization,
  buildOciRepository,
  buildPod,
  buildPvc,
  buildReadyPods,
  buildSchedulerEvent,
  condition,
  fakeSha256,
  fakeUid,
  healthyArgoService,
  healthyFluxHelmService,
  healthyFluxService,
  imageRef,
  minutesAgo,
  podName,
  revisionFor,
  templateHashFor,
} from './clusterObjects';

/** The contract's `problems[].type` values. */
export type { ProblemType };

export interface ScenarioOptions {
  service?: string;
  env?: string;
  /** The version running (and declared in Git) before the failure. */
  tag?: string;
  replicas?: number;
  /** Which controller deploys the service; workload scenarios default to Argo CD. */
  engine?: Engine;
}

/** For scenarios caused by rolling out a new version. */
export interface RolloutScenarioOptions extends ScenarioOptions {
  /** The version being rolled out (declared in Git); defaults to `v1.0.4`. */
  newTag?: string;
}

interface Context {
  service: string;
  env: string;
  namespace: string;
  tag: string;
  replicas: number;
  engine: Engine;
}

function resolve(o: ScenarioOptions = {}): Context {
  const service = o.service ?? 'guestbook';
  const env = o.env ?? 'prod';
  return {
    service,
    env,
    namespace: `${service}-${env}`,
    tag: o.tag ?? 'v1.0.3',
    replicas: o.replicas ?? 3,
    engine: o.engine ?? 'argocd',
  };
}

function healthy(ctx: Context): ClusterSnapshot {
  const options = {
    service: ctx.service,
    env: ctx.env,
    tag: ctx.tag,
    replicas: ctx.replicas,
  };
  return ctx.engine === 'argocd'
    ? healthyArgoService(options)
    : healthyFluxService(options);
}

function single(objects: KubeObject[], what: string): KubeObject {
  if (objects.length !== 1) {
    throw new Error(`expected one ${what}, found ${objects.length}`);
  }
  return objects[0];
}

// ---------------------------------------------------------------------------------------------
// Editing helpers
// ---------------------------------------------------------------------------------------------

/** Sets the Deployment's replica counters; zero counters are omitted as the API server does. */
function setReplicaCounts(
  deployment: KubeObject,
  counts: {
    replicas: number;
    updated: number;
    ready: number;
    available: number;
  },
) {
  const values: Record<string, number> = {
    replicas: counts.replicas,
    updatedReplicas: counts.updated,
    readyReplicas: counts.ready,
    availableReplicas: counts.available,
    unavailableReplicas: counts.replicas - counts.available,
  };
  for (const [field, value] of Object.entries(values)) {
    if (value > 0) {
      deployment.status[field] = value;
    } else {
      delete deployment.status[field];
    }
  }
}

function setDeploymentCondition(
  deployment: KubeObject,
  type: 'Available' | 'Progressing',
  fields: { status: 'True' | 'False'; reason: string; message: string },
  minutes: { transition?: number; update: number },
) {
  const conditions: Record<string, any>[] = deployment.status.conditions;
  const existing = conditions.find(c => c.type === type)!;
  Object.assign(existing, fields, {
    lastUpdateTime: minutesAgo(minutes.update),
    ...(minutes.transition !== undefined
      ? { lastTransitionTime: minutesAgo(minutes.transition) }
      : {}),
  });
}

/** Fewer available pods than the Deployment needs (maxUnavailable rounds down to 0 for 3). */
function markUnavailable(deployment: KubeObject, sinceMinutesAgo: number) {
  setDeploymentCondition(
    deployment,
    'Available',
    {
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      message: 'Deployment does not have minimum availability.',
    },
    { transition: sinceMinutesAgo, update: sinceMinutesAgo },
  );
}

/** Argo CD's health for the app and its Deployment (no-op for Flux, which has no `wait` here). */
function setArgoHealth(
  snapshot: ClusterSnapshot,
  status: 'Healthy' | 'Progressing' | 'Degraded',
  message: string | undefined,
  sinceMinutesAgo: number,
) {
  const withMessage = message ? { message } : {};
  for (const app of snapshot.applications) {
    app.status.health = {
      status,
      ...withMessage,
      lastTransitionTime: minutesAgo(sinceMinutesAgo),
    };
    const deployment = app.status.resources.find(
      (r: Record<string, any>) => r.kind === 'Deployment',
    );
    deployment.health = { status, ...withMessage };
  }
}

function podRef(ctx: Context, image: string, index: number) {
  const name = podName({ ...ctx, image, index });
  return { name, uid: fakeUid(`Pod/${ctx.namespace}/${name}`) };
}

/**
 * Starts rolling out `newTag`: Git and the controller are at the new commit, the Deployment
 * template runs the new image, and one surge pod of the new ReplicaSet exists next to the
 * old pods (maxSurge 25% → 1, maxUnavailable 25% → 0 for 3 replicas).
 */
function rollOut(
  snapshot: ClusterSnapshot,
  ctx: Context,
  o: {
    newTag: string;
    startedMinutesAgo: number;
    newPod: Omit<
      PodOptions,
      'service' | 'namespace' | 'image' | 'index' | 'createdMinutesAgo'
    >;
  },
): KubeObject {
  const oldImage = imageRef(ctx.service, ctx.tag);
  const newImage = imageRef(ctx.service, o.newTag);
  const newHash = templateHashFor(ctx.namespace, ctx.service, newImage);
  const deployment = single(snapshot.deployments, 'Deployment');
  const generation = deployment.metadata.generation + 1;
  deployment.metadata.generation = generation;
  deployment.metadata.annotations['deployment.kubernetes.io/revision'] =
    String(generation);
  deployment.spec.template.spec.containers[0].image = newImage;
  deployment.status.observedGeneration = generation;
  const newReady = o.newPod.container?.ready ?? true ? 1 : 0;
  setReplicaCounts(deployment, {
    replicas: ctx.replicas + 1,
    updated: 1,
    ready: ctx.replicas + newReady,
    available: ctx.replicas + newReady,
  });
  setDeploymentCondition(
    deployment,
    'Progressing',
    {
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${ctx.service}-${newHash}" is progressing.`,
    },
    { update: o.startedMinutesAgo },
  );

  const pod = buildPod({
    ...o.newPod,
    service: ctx.service,
    namespace: ctx.namespace,
    image: newImage,
    index: 0,
    createdMinutesAgo: o.startedMinutesAgo,
  });
  snapshot.pods.push(pod);

  const revision = revisionFor(ctx.service, ctx.env, o.newTag);
  const synced = o.startedMinutesAgo + 0.1;
  if (ctx.engine === 'argocd') {
    const previous = single(snapshot.applications, 'Application');
    const app = buildArgoApplication({
      service: ctx.service,
      env: ctx.env,
      namespace: ctx.namespace,
      revision,
      images: [oldImage, newImage],
      hasHpa: snapshot.horizontalpodautoscalers.length > 0,
      syncedMinutesAgo: synced,
    });
    app.status.history = [
      ...previous.status.history,
      { ...app.status.history[0], id: previous.status.history[0].id + 1 },
    ];
    snapshot.applications = [app];
    setArgoHealth(
      snapshot,
      'Progressing',
      `Waiting for rollout to finish: 1 out of ${ctx.replicas} new replicas have been updated...`,
      o.startedMinutesAgo,
    );
  } else {
    snapshot.kustomizations = [
      buildKustomization({
        service: ctx.service,
        env: ctx.env,
        namespace: ctx.namespace,
        appliedRevision: `main@sha1:${revision}`,
        source: { kind: 'GitRepository', name: ctx.service },
        hasHpa: snapshot.horizontalpodautoscalers.length > 0,
        appliedMinutesAgo: synced,
      }),
    ];
    snapshot.gitrepositories = [
      buildGitRepository({
        name: ctx.service,
        revision,
        fetchedMinutesAgo: synced + 0.2,
      }),
    ];
  }
  return pod;
}

/** Replaces the `index`-th ready pod with a rebuilt one (same name) in another state. */
function replacePod(
  snapshot: ClusterSnapshot,
  ctx: Context,
  index: number,
  changes: Partial<PodOptions>,
): KubeObject {
  const image = imageRef(ctx.service, ctx.tag);
  const name = podName({ ...ctx, image, index });
  const position = snapshot.pods.findIndex(p => p.metadata.name === name);
  const pod = buildPod({
    service: ctx.service,
    namespace: ctx.namespace,
    image,
    index,
    createdMinutesAgo: 2 * 24 * 60 + 1,
    ...changes,
  });
  snapshot.pods[position] = pod;
  return pod;
}

function kubeletEvent(
  pod: KubeObject,
  o: {
    type?: 'Normal' | 'Warning';
    reason: string;
    message: string;
    count: number;
    firstMinutesAgo: number;
    lastMinutesAgo: number;
  },
): KubeObject {
  return buildEvent({
    involved: pod,
    fieldPath: `spec.containers{${pod.spec.containers[0].name}}`,
    type: o.type ?? 'Warning',
    reason: o.reason,
    message: o.message,
    count: o.count,
    firstMinutesAgo: o.firstMinutesAgo,
    lastMinutesAgo: o.lastMinutesAgo,
    component: 'kubelet',
    host: pod.spec.nodeName,
  });
}

function readinessFailures(
  pod: KubeObject,
  sinceMinutesAgo: number,
): KubeObject {
  return kubeletEvent(pod, {
    reason: 'Unhealthy',
    message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    // periodSeconds 10 → six failures a minute.
    count: Math.floor(sinceMinutesAgo * 6),
    firstMinutesAgo: sinceMinutesAgo,
    lastMinutesAgo: 0.1,
  });
}

// ---------------------------------------------------------------------------------------------
// Workload failures
// ---------------------------------------------------------------------------------------------

/** A new version crashes on start: its surge pod is in CrashLoopBackOff, old pods keep serving. */
export function crashLoopBackOff(
  o: RolloutScenarioOptions = {},
): ClusterSnapshot {
  const ctx = resolve(o);
  const newTag = o.newTag ?? 'v1.0.4';
  const snapshot = healthy(ctx);
  const { name, uid } = podRef(ctx, imageRef(ctx.service, newTag), 0);
  const pod = rollOut(snapshot, ctx, {
    newTag,
    startedMinutesAgo: 8,
    newPod: {
      container: {
        ready: false,
        started: false,
        restartCount: 5,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 2m40s restarting failed container=${ctx.service} pod=${name}_${ctx.namespace}(${uid})`,
          },
        },
        lastState: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: minutesAgo(1.3),
            finishedAt: minutesAgo(1.25),
            containerID: `containerd://${fakeSha256(`container:${name}:5`)}`,
          },
        },
      },
    },
  });
  snapshot.events.push(
    kubeletEvent(pod, {
      reason: 'BackOff',
      message: `Back-off restarting failed container ${ctx.service} in pod ${name}_${ctx.namespace}(${uid})`,
      count: 31,
      firstMinutesAgo: 7.6,
      lastMinutesAgo: 0.2,
    }),
  );
  return snapshot;
}

function imagePullFailure(
  o: RolloutScenarioOptions,
  reason: 'ImagePullBackOff' | 'ErrImagePull',
): ClusterSnapshot {
  const ctx = resolve(o);
  const newTag = o.newTag ?? 'v1.0.4';
  const image = imageRef(ctx.service, newTag);
  const pullError = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
  const snapshot = healthy(ctx);
  // ErrImagePull is the first failed pull; the kubelet backs off (ImagePullBackOff) from then on.
  const started = reason === 'ErrImagePull' ? 0.6 : 4;
  const pod = rollOut(snapshot, ctx, {
    newTag,
    startedMinutesAgo: started,
    newPod: {
      container: {
        ready: false,
        started: false,
        imageID: '',
        state: {
          waiting:
            reason === 'ErrImagePull'
              ? { reason, message: pullError }
              : {
                  reason,
                  message: `Back-off pulling image "${image}": ErrImagePull: ${pullError}`,
                },
        },
      },
    },
  });
  const pulls = reason === 'ErrImagePull' ? 1 : 5;
  snapshot.events.push(
    kubeletEvent(pod, {
      type: 'Normal',
      reason: 'Pulling',
      message: `Pulling image "${image}"`,
      count: pulls,
      firstMinutesAgo: started - 0.05,
      lastMinutesAgo: 0.5,
    }),
    kubeletEvent(pod, {
      reason: 'Failed',
      message: `Failed to pull image "${image}": ${pullError}`,
      count: pulls,
      firstMinutesAgo: started - 0.1,
      lastMinutesAgo: 0.5,
    }),
    kubeletEvent(pod, {
      reason: 'Failed',
      message: 'Error: ErrImagePull',
      count: pulls,
      firstMinutesAgo: started - 0.1,
      lastMinutesAgo: 0.5,
    }),
  );
  if (reason === 'ImagePullBackOff') {
    snapshot.events.push(
      kubeletEvent(pod, {
        type: 'Normal',
        reason: 'BackOff',
        message: `Back-off pulling image "${image}"`,
        count: 16,
        firstMinutesAgo: started - 0.2,
        lastMinutesAgo: 0.1,
      }),
      kubeletEvent(pod, {
        reason: 'Failed',
        message: 'Error: ImagePullBackOff',
        count: 16,
        firstMinutesAgo: started - 0.2,
        lastMinutesAgo: 0.1,
      }),
    );
  }
  return snapshot;
}

/** A new version whose tag does not exist: the surge pod is in ImagePullBackOff. */
export function imagePullBackOff(
  o: RolloutScenarioOptions = {},
): ClusterSnapshot {
  return imagePullFailure(o, 'ImagePullBackOff');
}

/** The same, caught at the first failed pull (`ErrImagePull`). */
export function errImagePull(o: RolloutScenarioOptions = {}): ClusterSnapshot {
  return imagePullFailure(o, 'ErrImagePull');
}

/** Two pods were OOM-killed (exit 137) and restarted; they are running again. */
export function oomKilled(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve(o);
  const snapshot = healthy(ctx);
  [0, 1].slice(0, ctx.replicas).forEach((index, i) => {
    const name = podName({
      ...ctx,
      image: imageRef(ctx.service, ctx.tag),
      index,
    });
    const restartedMinutesAgo = 12 + i * 47;
    replacePod(snapshot, ctx, index, {
      readyChangedMinutesAgo: restartedMinutesAgo - 0.3,
      container: {
        restartCount: 3 - i,
        state: { running: { startedAt: minutesAgo(restartedMinutesAgo) } },
        lastState: {
          terminated: {
            exitCode: 137,
            reason: 'OOMKilled',
            startedAt: minutesAgo(restartedMinutesAgo + 190),
            finishedAt: minutesAgo(restartedMinutesAgo + 0.1),
            containerID: `containerd://${fakeSha256(
              `container:${name}:${2 - i}`,
            )}`,
          },
        },
      },
    });
  });
  return snapshot;
}

/** A dependency is down: two pods run but fail their readiness probe (HTTP 503). */
export function probeFailing(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve(o);
  const snapshot = healthy(ctx);
  const since = 7;
  // All but the first pod fail; with the default 3 replicas that is 1 of 3 available.
  for (let index = 1; index < ctx.replicas; index++) {
    const pod = replacePod(snapshot, ctx, index, {
      readyChangedMinutesAgo: since - 0.4,
      container: { ready: false },
    });
    snapshot.events.push(readinessFailures(pod, since));
  }
  const deployment = single(snapshot.deployments, 'Deployment');
  setReplicaCounts(deployment, {
    replicas: ctx.replicas,
    updated: ctx.replicas,
    ready: 1,
    available: 1,
  });
  markUnavailable(deployment, since - 0.4);
  setArgoHealth(
    snapshot,
    'Progressing',
    `Waiting for rollout to finish: 1 of ${ctx.replicas} updated replicas are available...`,
    since - 0.4,
  );
  return snapshot;
}

/** A replacement pod (its node was drained) fits on no node: Pending, PodScheduled False. */
export function unschedulable(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve(o);
  const snapshot = healthy(ctx);
  const message =
    '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
  const since = 9;
  const image = imageRef(ctx.service, ctx.tag);
  const gone = podName({ ...ctx, image, index: ctx.replicas - 1 });
  snapshot.pods = snapshot.pods.filter(p => p.metadata.name !== gone);
  const pending = buildPod({
    service: ctx.service,
    namespace: ctx.namespace,
    image,
    index: ctx.replicas,
    createdMinutesAgo: since,
    node: null,
    unschedulableMessage: message,
  });
  snapshot.pods.push(pending);
  snapshot.events.push(
    buildSchedulerEvent({
      involved: pending,
      reason: 'FailedScheduling',
      message,
      firstMinutesAgo: since,
      series: { count: 6, lastMinutesAgo: 0.8 },
    }),
  );
  const deployment = single(snapshot.deployments, 'Deployment');
  setReplicaCounts(deployment, {
    replicas: ctx.replicas,
    updated: ctx.replicas,
    ready: ctx.replicas - 1,
    available: ctx.replicas - 1,
  });
  markUnavailable(deployment, since);
  setArgoHealth(
    snapshot,
    'Progressing',
    `Waiting for rollout to finish: ${ctx.replicas - 1} of ${
      ctx.replicas
    } updated replicas are available...`,
    since,
  );
  return snapshot;
}

const DATA_VOLUME = 'data';

/** Single-replica Deployment (Recreate) with a ReadWriteOnce claim `<service>-data`. */
function withDataVolume(ctx: Context, pvc: KubeObject): ClusterSnapshot {
  const snapshot = healthy({ ...ctx, replicas: 1 });
  const deployment = single(snapshot.deployments, 'Deployment');
  deployment.spec.strategy = { type: 'Recreate' };
  deployment.spec.template.spec.volumes = [
    {
      name: DATA_VOLUME,
      persistentVolumeClaim: { claimName: pvc.metadata.name },
    },
  ];
  deployment.spec.template.spec.containers[0].volumeMounts = [
    { name: DATA_VOLUME, mountPath: `/var/lib/${ctx.service}` },
  ];
  snapshot.persistentvolumeclaims = [pvc];
  return snapshot;
}

/** A data-volume pod stuck in ContainerCreating on `node`. */
function podWaitingForVolume(
  ctx: Context,
  o: { index: number; createdMinutesAgo: number; node: string },
): KubeObject {
  return buildPod({
    service: ctx.service,
    namespace: ctx.namespace,
    image: imageRef(ctx.service, ctx.tag),
    index: o.index,
    createdMinutesAgo: o.createdMinutesAgo,
    node: o.node,
    phase: 'Pending',
    readyToStartContainers: false,
    volumes: [
      {
        name: DATA_VOLUME,
        persistentVolumeClaim: { claimName: `${ctx.service}-data` },
      },
    ],
    volumeMounts: [{ name: DATA_VOLUME, mountPath: `/var/lib/${ctx.service}` }],
    container: {
      ready: false,
      started: false,
      imageID: '',
      state: { waiting: { reason: 'ContainerCreating' } },
    },
  });
}

function volumeUnavailable(snapshot: ClusterSnapshot, since: number) {
  const deployment = single(snapshot.deployments, 'Deployment');
  setReplicaCounts(deployment, {
    replicas: 1,
    updated: 1,
    ready: 0,
    available: 0,
  });
  markUnavailable(deployment, since);
  setArgoHealth(
    snapshot,
    'Progressing',
    'Waiting for rollout to finish: 0 of 1 updated replicas are available...',
    since,
  );
}

/**
 * The claim `<service>-data` stays Pending (the CSI driver cannot create the volume) and the
 * pod waits in ContainerCreating with FailedMount / FailedAttachVolume events.
 *
 * This combines both signals of the failure mode in one snapshot so a reader is exercised on
 * each; `volumeMultiAttach` is the node-failure case with a Bound claim.
 */
export function volumePending(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve(o);
  const since = 14;
  const claim = `${ctx.service}-data`;
  const pvc = buildPvc({
    name: claim,
    namespace: ctx.namespace,
    phase: 'Pending',
    storageClassName: 'gp3',
    createdMinutesAgo: since,
    labels: { 'app.kubernetes.io/name': ctx.service },
    annotations: {
      'volume.beta.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com',
      'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com',
      'volume.kubernetes.io/selected-node': NODES[0],
    },
  });
  const snapshot = withDataVolume(ctx, pvc);
  const pod = podWaitingForVolume(ctx, {
    index: 0,
    createdMinutesAgo: since,
    node: NODES[0],
  });
  snapshot.pods = [pod];
  const volumeName = `pvc-${pvc.metadata.uid}`;
  const tokenVolume = pod.spec.volumes[1].name;
  snapshot.events.push(
    buildEvent({
      involved: pvc,
      type: 'Warning',
      reason: 'ProvisioningFailed',
      message: `failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = Could not create volume "${volumeName}": could not create volume in EC2: operation error EC2: CreateVolume, https response error StatusCode: 403, api error UnauthorizedOperation: You are not authorized to perform this operation.`,
      count: 9,
      firstMinutesAgo: since - 0.1,
      lastMinutesAgo: 1.2,
      component:
        'ebs.csi.aws.com_ebs-csi-controller-6b8f9d7c4d-q7x2m_5f0c2a8e-3b1d-4c6e-9a7f-2d8e1b4c6a90',
    }),
    buildEvent({
      involved: pod,
      type: 'Warning',
      reason: 'FailedAttachVolume',
      message: `AttachVolume.Attach failed for volume "${volumeName}" : timed out waiting for external-attacher of ebs.csi.aws.com CSI driver to attach volume`,
      count: 4,
      firstMinutesAgo: since - 2,
      lastMinutesAgo: 2,
      component: 'attachdetach-controller',
    }),
    buildEvent({
      involved: pod,
      type: 'Warning',
      reason: 'FailedMount',
      message: `Unable to attach or mount volumes: unmounted volumes=[${DATA_VOLUME}], unattached volumes=[${DATA_VOLUME} ${tokenVolume}]: timed out waiting for the condition`,
      count: 6,
      firstMinutesAgo: since - 2.1,
      lastMinutesAgo: 0.3,
      component: 'kubelet',
      host: NODES[0],
    }),
  );
  volumeUnavailable(snapshot, since);
  return snapshot;
}

/**
 * Node failure with a ReadWriteOnce volume: the old pod is stuck Terminating on the dead node,
 * which still holds the volume, so its replacement cannot attach it (Multi-Attach error).
 */
export function volumeMultiAttach(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve(o);
  const since = 6;
  const deadNode = NODES[2];
  const pvc = buildPvc({
    name: `${ctx.service}-data`,
    namespace: ctx.namespace,
    phase: 'Bound',
    storageClassName: 'gp3',
    createdMinutesAgo: 45 * 24 * 60,
    labels: { 'app.kubernetes.io/name': ctx.service },
  });
  const snapshot = withDataVolume(ctx, pvc);
  const volume = {
    volumes: [
      {
        name: DATA_VOLUME,
        persistentVolumeClaim: { claimName: pvc.metadata.name },
      },
    ],
    volumeMounts: [{ name: DATA_VOLUME, mountPath: `/var/lib/${ctx.service}` }],
  };
  const old = buildPod({
    service: ctx.service,
    namespace: ctx.namespace,
    image: imageRef(ctx.service, ctx.tag),
    index: 0,
    createdMinutesAgo: 2 * 24 * 60 + 1,
    node: deadNode,
    ...volume,
  });
  // The node controller marked the pod not ready and evicted it; the dead kubelet never confirms.
  old.metadata.deletionTimestamp = minutesAgo(since);
  old.metadata.deletionGracePeriodSeconds = 30;
  old.status.conditions = old.status.conditions.map((c: Record<string, any>) =>
    c.type === 'Ready'
      ? { ...c, status: 'False', lastTransitionTime: minutesAgo(since + 5) }
      : c,
  );
  old.status.conditions.push(
    condition(
      'DisruptionTarget',
      'True',
      'DeletionByTaintManager',
      'Taint manager: deleting due to NoExecute taint',
      since,
      { lastProbeTime: null },
    ),
  );
  const pod = podWaitingForVolume(ctx, {
    index: 1,
    createdMinutesAgo: since,
    node: NODES[0],
  });
  snapshot.pods = [old, pod];
  const volumeName = pvc.spec.volumeName;
  snapshot.events.push(
    buildEvent({
      involved: pod,
      type: 'Warning',
      reason: 'FailedAttachVolume',
      message: `Multi-Attach error for volume "${volumeName}" Volume is already exclusively attached to one node and can't be attached to another`,
      count: 1,
      firstMinutesAgo: since - 0.05,
      lastMinutesAgo: since - 0.05,
      component: 'attachdetach-controller',
    }),
    buildEvent({
      involved: pod,
      type: 'Warning',
      reason: 'FailedMount',
      message: `Unable to attach or mount volumes: unmounted volumes=[${DATA_VOLUME}], unattached volumes=[${DATA_VOLUME}], failed to process volumes=[]: timed out waiting for the condition`,
      count: 2,
      firstMinutesAgo: since - 2.1,
      lastMinutesAgo: 0.1,
      component: 'kubelet',
      host: NODES[0],
    }),
  );
  volumeUnavailable(snapshot, since);
  return snapshot;
}

/** Load beyond the ceiling: the HPA runs maxReplicas (10) at 95% CPU against a 70% target. */
export function hpaAtMax(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve(o);
  const options = {
    service: ctx.service,
    env: ctx.env,
    tag: ctx.tag,
    replicas: ctx.replicas,
    hpa: { min: 3, max: 10, current: 10, cpu: 70, currentCpu: 95 },
  };
  return ctx.engine === 'argocd'
    ? healthyArgoService(options)
    : healthyFluxService(options);
}

/** A new version never becomes ready: ProgressDeadlineExceeded after 600s, old pods serve. */
export function rolloutStuck(o: RolloutScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve(o);
  const newTag = o.newTag ?? 'v1.0.4';
  const started = 14;
  const snapshot = healthy(ctx);
  const pod = rollOut(snapshot, ctx, {
    newTag,
    startedMinutesAgo: started,
    newPod: { container: { ready: false } },
  });
  snapshot.events.push(readinessFailures(pod, started - 0.3));
  const deployment = single(snapshot.deployments, 'Deployment');
  const hash = templateHashFor(
    ctx.namespace,
    ctx.service,
    imageRef(ctx.service, newTag),
  );
  setDeploymentCondition(
    deployment,
    'Progressing',
    {
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${ctx.service}-${hash}" has timed out progressing.`,
    },
    { transition: started - 10, update: started - 10 },
  );
  setArgoHealth(
    snapshot,
    'Degraded',
    `Deployment "${ctx.service}" exceeded its progress deadline`,
    started - 10,
  );
  return snapshot;
}

// ---------------------------------------------------------------------------------------------
// GitOps controller failures
// ---------------------------------------------------------------------------------------------

// A commit that keeps the version but breaks the overlay, so the failure is not also drift.
const BROKEN_COMMIT = 'resources';
const INVALID_DEPLOYMENT =
  'Deployment.apps "guestbook" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1';

/** Argo CD cannot apply the latest commit: the sync operation failed after its retries. */
export function syncFailedArgo(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'argocd' });
  const snapshot = healthy(ctx);
  const app = single(snapshot.applications, 'Application');
  const revision = revisionFor(
    ctx.service,
    ctx.env,
    `${ctx.tag}+${BROKEN_COMMIT}`,
  );
  const invalid = INVALID_DEPLOYMENT.replace('guestbook', ctx.service);
  const message = `one or more objects failed to apply, reason: ${invalid}`;
  app.status.sync.status = 'OutOfSync';
  app.status.sync.revision = revision;
  app.status.resources[0].status = 'OutOfSync';
  app.status.conditions = [
    {
      type: 'SyncError',
      message: `Failed sync attempt to ${revision}: ${message} (retried 5 times).`,
      lastTransitionTime: minutesAgo(6),
    },
  ];
  app.status.operationState = {
    ...app.status.operationState,
    operation: {
      ...app.status.operationState.operation,
      sync: { ...app.status.operationState.operation.sync, revision },
    },
    phase: 'Failed',
    message: `${message} (retried 5 times).`,
    retryCount: 5,
    startedAt: minutesAgo(9),
    finishedAt: minutesAgo(6),
    syncResult: {
      ...app.status.operationState.syncResult,
      revision,
      resources: [
        {
          ...app.status.operationState.syncResult.resources[0],
          status: 'SyncFailed',
          message: invalid,
          hookPhase: 'Failed',
        },
      ],
    },
  };
  // Degraded as specified for this fixture. On a real cluster a rejected apply usually leaves the
  // live objects, and so Argo CD's health, unchanged: readers must not infer SyncFailed from health.
  setArgoHealth(snapshot, 'Degraded', undefined, 6);
  return snapshot;
}

/** The Kustomization cannot build the latest commit (duplicate key in the overlay patch). */
export function syncFailedFlux(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'flux' });
  const snapshot = healthy(ctx);
  const revision = `main@sha1:${revisionFor(
    ctx.service,
    ctx.env,
    `${ctx.tag}+${BROKEN_COMMIT}`,
  )}`;
  snapshot.gitrepositories = [
    buildGitRepository({
      name: ctx.service,
      revision: revision.split(':')[1],
      fetchedMinutesAgo: 7,
    }),
  ];
  const ks = single(snapshot.kustomizations, 'Kustomization');
  const generation = ks.metadata.generation;
  ks.status.lastAttemptedRevision = revision;
  // Reconciling stays True with ProgressingWithRetry while the controller retries; Ready is
  // the verdict (conditions sorted Stalled, Reconciling, Ready as Flux writes them).
  ks.status.conditions = [
    condition(
      'Reconciling',
      'True',
      'ProgressingWithRetry',
      `Building manifests for revision ${revision} with a timeout of 3m0s`,
      6.9,
      { observedGeneration: generation },
    ),
    condition(
      'Ready',
      'False',
      'BuildFailed',
      'kustomize build failed: map[string]interface {}(nil): yaml: unmarshal errors:\n  line 14: mapping key "image" already defined at line 11',
      0.4,
      { observedGeneration: generation },
    ),
  ];
  return snapshot;
}

/** A chart upgrade the API server rejects: HelmRelease Ready False, UpgradeFailed. */
export function syncFailedFluxHelm(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'flux' });
  const snapshot = healthyFluxHelmService({
    service: ctx.service,
    env: ctx.env,
    tag: ctx.tag,
    replicas: ctx.replicas,
    chartVersion: '1.4.2',
  });
  const hr = single(snapshot.helmreleases, 'HelmRelease');
  const chartVersion = '1.4.3';
  const generation = hr.metadata.generation + 1;
  const invalid = INVALID_DEPLOYMENT.replace('guestbook', ctx.service);
  const message = `Helm upgrade failed for release ${ctx.namespace}/${ctx.service} with chart ${ctx.service}@${chartVersion}: cannot patch "${ctx.service}" with kind Deployment: ${invalid}`;
  hr.metadata.generation = generation;
  hr.spec.chart.spec.version = chartVersion;
  const deployed = hr.status.history[0];
  hr.status = {
    ...hr.status,
    observedGeneration: generation,
    conditions: [
      condition('Ready', 'False', 'UpgradeFailed', message, 4, {
        observedGeneration: generation,
      }),
      condition('Released', 'False', 'UpgradeFailed', message, 4, {
        observedGeneration: generation,
      }),
    ],
    failures: 2,
    upgradeFailures: 2,
    lastAttemptedGeneration: generation,
    lastAttemptedRevision: chartVersion,
    lastAttemptedReleaseAction: 'upgrade',
    history: [
      {
        ...deployed,
        version: deployed.version + 1,
        status: 'failed',
        chartVersion,
        digest: `sha256:${fakeSha256(
          `release:${hr.metadata.name}/${deployed.version + 1}`,
        )}`,
        firstDeployed: minutesAgo(4.2),
        lastDeployed: minutesAgo(4.2),
      },
      deployed,
    ],
  };
  return snapshot;
}

const GIT_FETCH_ERROR =
  "failed to checkout and determine revision: unable to clone 'https://github.com/acme/gitops-repo.git': authentication required: Repository not found.";

/** source-controller cannot fetch the repository (revoked deploy key); the last artifact stays. */
export function sourceNotReadyFlux(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'flux' });
  const snapshot = healthy(ctx);
  const repo = single(snapshot.gitrepositories, 'GitRepository');
  const generation = repo.metadata.generation;
  const stored = repo.status.conditions.find(
    (c: Record<string, any>) => c.type === 'ArtifactInStorage',
  );
  repo.status.conditions = [
    condition('Ready', 'False', 'GitOperationFailed', GIT_FETCH_ERROR, 25, {
      observedGeneration: generation,
    }),
    stored,
    condition(
      'FetchFailed',
      'True',
      'GitOperationFailed',
      GIT_FETCH_ERROR,
      25,
      {
        observedGeneration: generation,
      },
    ),
  ];
  return snapshot;
}

/** The same with an OCIRepository source that the registry refuses to serve. */
export function sourceNotReadyFluxOci(
  o: ScenarioOptions = {},
): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'flux' });
  const snapshot = healthy(ctx);
  const oci = buildOciRepository({
    name: ctx.service,
    env: ctx.env,
    revision: revisionFor(ctx.service, ctx.env, ctx.tag),
  });
  const artifact = oci.status.artifact;
  const error = `failed to determine artifact digest: GET https://ghcr.io/token?scope=repository%3Aacme%2Fmanifests%2F${ctx.service}%3Apull&service=ghcr.io: DENIED: denied`;
  const stored = oci.status.conditions.find(
    (c: Record<string, any>) => c.type === 'ArtifactInStorage',
  );
  oci.status.conditions = [
    condition('Ready', 'False', 'OCIArtifactPullFailed', error, 18, {
      observedGeneration: 1,
    }),
    stored,
    condition('FetchFailed', 'True', 'OCIArtifactPullFailed', error, 18, {
      observedGeneration: 1,
    }),
  ];
  const ks = buildKustomization({
    service: ctx.service,
    env: ctx.env,
    namespace: ctx.namespace,
    appliedRevision: artifact.revision,
    source: { kind: 'OCIRepository', name: ctx.service },
    hasHpa: false,
  });
  ks.status.lastAppliedOriginRevision =
    artifact.metadata['org.opencontainers.image.revision'];
  snapshot.kustomizations = [ks];
  snapshot.gitrepositories = [];
  snapshot.ocirepositories = [oci];
  return snapshot;
}

/** Argo CD cannot list the repository's refs: comparison fails, sync status Unknown. */
export function sourceNotReadyArgo(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'argocd' });
  const snapshot = healthy(ctx);
  const app = single(snapshot.applications, 'Application');
  app.status.conditions = [
    {
      type: 'ComparisonError',
      message:
        'Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = failed to list refs: authentication required: Repository not found.',
      lastTransitionTime: minutesAgo(12),
    },
  ];
  // Without a comparison there is no revision; the last applied one is in operationState.
  app.status.sync = {
    status: 'Unknown',
    comparedTo: app.status.sync.comparedTo,
  };
  return snapshot;
}

/** `flux suspend kustomization` during an incident, 10 minutes ago. */
export function suspendedFlux(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'flux' });
  const snapshot = healthy(ctx);
  const ks = single(snapshot.kustomizations, 'Kustomization');
  const suspended = buildKustomization({
    service: ctx.service,
    env: ctx.env,
    namespace: ctx.namespace,
    appliedRevision: ks.status.lastAppliedRevision,
    source: ks.spec.sourceRef,
    hasHpa: false,
    reconciledMinutesAgo: 10,
  });
  // Changing spec bumps the generation; a suspended object is not reconciled, so status lags.
  suspended.metadata.generation += 1;
  suspended.spec.suspend = true;
  snapshot.kustomizations = [suspended];
  return snapshot;
}

/**
 * Auto-sync switched off by hand: `spec.syncPolicy.automated` removed.
 *
 * Every environment of these fixtures is configured to expect auto-sync, so an Application
 * without it is paused reconciliation, not a deliberate manual-sync setup.
 */
export function suspendedArgo(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'argocd' });
  const snapshot = healthy(ctx);
  const app = single(snapshot.applications, 'Application');
  delete app.spec.syncPolicy.automated;
  app.metadata.generation += 1;
  return snapshot;
}

/** kustomize-controller stopped 40 minutes ago (interval 5m: 3 × interval is 15 minutes). */
/**
 * kustomize-controller stopped: the Kustomization's spec changed 40 minutes ago (interval 5m, so
 * stale after 15) and `observedGeneration` still names the previous generation. Its `Ready`
 * condition is True since days, which alone says nothing about staleness.
 */
export function staleReconcileFlux(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'flux' });
  const snapshot = healthy(ctx);
  const ks = single(snapshot.kustomizations, 'Kustomization');
  const observed = ks.metadata.generation;
  ks.metadata.generation = observed + 1;
  ks.metadata.managedFields = [
    {
      manager: 'kustomize-controller',
      operation: 'Apply',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      time: minutesAgo(40),
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:path': {}, 'f:interval': {} } },
    },
    {
      manager: 'kustomize-controller',
      operation: 'Update',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      time: minutesAgo(41),
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:observedGeneration': {} } },
      subresource: 'status',
    },
  ];
  return snapshot;
}

/** The application controller stopped: reconciledAt is 30 minutes old (timeout 3m → 9m). */
export function staleReconcileArgo(o: ScenarioOptions = {}): ClusterSnapshot {
  const ctx = resolve({ ...o, engine: 'argocd' });
  const snapshot = healthy(ctx);
  single(snapshot.applications, 'Application').status.reconciledAt =
    minutesAgo(30);
  return snapshot;
}

export interface DriftOptions extends ScenarioOptions {
  /** What Git declares; defaults to `v1.0.3`. */
  desiredTag?: string;
  /** What someone set with `kubectl set image`; defaults to `v1.0.2`. */
  liveTag?: string;
}

function driftedApplication(snapshot: ClusterSnapshot) {
  for (const app of snapshot.applications) {
    // Self-heal off, otherwise Argo CD would already have reverted the change.
    app.spec.syncPolicy.automated.selfHeal = false;
    app.status.sync.status = 'OutOfSync';
    app.status.resources.find(
      (r: Record<string, any>) => r.kind === 'Deployment',
    ).status = 'OutOfSync';
  }
}

/** The cluster runs `liveTag` while Git (and the last sync) says `desiredTag`. */
export function drift(o: DriftOptions = {}): ClusterSnapshot {
  const desiredTag = o.desiredTag ?? 'v1.0.3';
  const liveTag = o.liveTag ?? 'v1.0.2';
  const ctx = resolve({ ...o, tag: desiredTag });
  const snapshot = healthy(ctx);
  const live = healthy({ ...ctx, tag: liveTag });
  const deployment = single(live.deployments, 'Deployment');
  deployment.metadata.generation += 1;
  deployment.status.observedGeneration = deployment.metadata.generation;
  deployment.metadata.annotations['deployment.kubernetes.io/revision'] = String(
    deployment.metadata.generation,
  );
  const changedMinutesAgo = 95;
  setDeploymentCondition(
    deployment,
    'Progressing',
    {
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: deployment.status.conditions[1].message,
    },
    { update: changedMinutesAgo - 0.5 },
  );
  snapshot.deployments = [deployment];
  snapshot.pods = buildReadyPods({
    service: ctx.service,
    namespace: ctx.namespace,
    image: imageRef(ctx.service, liveTag),
    count: ctx.replicas,
    createdMinutesAgo: changedMinutesAgo,
  });
  for (const app of snapshot.applications) {
    app.status.summary.images = [imageRef(ctx.service, liveTag)];
  }
  driftedApplication(snapshot);
  return snapshot;
}

export interface ReplicaDriftOptions extends ScenarioOptions {
  /** What Git declares; defaults to 3. */
  desiredReplicas?: number;
  /** What someone set with `kubectl scale`; defaults to 5. No HPA owns the field. */
  liveReplicas?: number;
}

/** The Deployment was scaled by hand to `liveReplicas` while Git says `desiredReplicas`. */
export function driftReplicas(o: ReplicaDriftOptions = {}): ClusterSnapshot {
  const desired = o.desiredReplicas ?? 3;
  const live = o.liveReplicas ?? 5;
  const ctx = resolve({ ...o, replicas: desired });
  const snapshot = healthy(ctx);
  const deployment = single(snapshot.deployments, 'Deployment');
  deployment.spec.replicas = live;
  setReplicaCounts(deployment, {
    replicas: live,
    updated: live,
    ready: live,
    available: live,
  });
  snapshot.pods.push(
    ...buildReadyPods({
      service: ctx.service,
      namespace: ctx.namespace,
      image: imageRef(ctx.service, ctx.tag),
      count: live - desired,
      firstIndex: desired,
      createdMinutesAgo: 50,
    }),
  );
  driftedApplication(snapshot);
  return snapshot;
}

// ---------------------------------------------------------------------------------------------
// The scenario table
// ---------------------------------------------------------------------------------------------

export interface FailureScenario {
  /** The `problems[].type` a reader must report for this snapshot. */
  type: ProblemType;
  name: string;
  engine: Engine;
  snapshot: ClusterSnapshot;
  service: string;
  env: string;
  namespace: string;
  /** What Git declares for the environment (image repository, tag, replicas or null with an HPA). */
  desired: {
    image: string;
    tag: string | null;
    digest: string | null;
    replicas: number | null;
  };
  /** Further problems the same snapshot rightly shows (e.g. the failing probes of a stuck rollout). */
  alsoProduces: ProblemType[];
}

function scenario(
  type: ProblemType,
  name: string,
  engine: Engine,
  snapshot: ClusterSnapshot,
  desired: { tag?: string; replicas?: number | null } = {},
  alsoProduces: ProblemType[] = [],
): FailureScenario {
  const ctx = resolve();
  return {
    type,
    name,
    engine,
    snapshot,
    service: ctx.service,
    env: ctx.env,
    namespace: ctx.namespace,
    desired: {
      image: imageRef(ctx.service),
      tag: desired.tag ?? ctx.tag,
      digest: null,
      replicas:
        desired.replicas === undefined ? ctx.replicas : desired.replicas,
    },
    alsoProduces,
  };
}

const rollout = { tag: 'v1.0.4' };

/**
 * Every scenario with the problem type it must produce. The snapshots are built once and shared:
 * call the scenario function instead when a test needs to change one.
 */
export const failureScenarios: FailureScenario[] = [
  scenario(
    'CrashLoopBackOff',
    'crashLoopBackOff',
    'argocd',
    crashLoopBackOff(),
    rollout,
  ),
  scenario(
    'CrashLoopBackOff',
    'crashLoopBackOff (Flux)',
    'flux',
    crashLoopBackOff({ engine: 'flux' }),
    rollout,
  ),
  scenario(
    'ImagePullBackOff',
    'imagePullBackOff',
    'argocd',
    imagePullBackOff(),
    rollout,
  ),
  scenario(
    'ImagePullBackOff',
    'errImagePull',
    'argocd',
    errImagePull(),
    rollout,
  ),
  scenario('OOMKilled', 'oomKilled', 'argocd', oomKilled()),
  scenario('ProbeFailing', 'probeFailing', 'argocd', probeFailing()),
  scenario('Unschedulable', 'unschedulable', 'argocd', unschedulable()),
  scenario('VolumePending', 'volumePending', 'argocd', volumePending(), {
    replicas: 1,
  }),
  scenario(
    'VolumePending',
    'volumeMultiAttach',
    'argocd',
    volumeMultiAttach(),
    {
      replicas: 1,
    },
  ),
  scenario('HPAAtMax', 'hpaAtMax', 'argocd', hpaAtMax(), { replicas: null }),
  scenario('RolloutStuck', 'rolloutStuck', 'argocd', rolloutStuck(), rollout, [
    'ProbeFailing',
  ]),
  scenario('SyncFailed', 'syncFailedArgo', 'argocd', syncFailedArgo()),
  scenario('SyncFailed', 'syncFailedFlux', 'flux', syncFailedFlux()),
  scenario('SyncFailed', 'syncFailedFluxHelm', 'flux', syncFailedFluxHelm()),
  scenario(
    'SourceNotReady',
    'sourceNotReadyFlux',
    'flux',
    sourceNotReadyFlux(),
  ),
  scenario(
    'SourceNotReady',
    'sourceNotReadyFluxOci',
    'flux',
    sourceNotReadyFluxOci(),
  ),
  scenario(
    'SourceNotReady',
    'sourceNotReadyArgo',
    'argocd',
    sourceNotReadyArgo(),
  ),
  scenario('Suspended', 'suspendedFlux', 'flux', suspendedFlux()),
  scenario('Suspended', 'suspendedArgo', 'argocd', suspendedArgo()),
  scenario(
    'StaleReconcile',
    'staleReconcileFlux',
    'flux',
    staleReconcileFlux(),
  ),
  scenario(
    'StaleReconcile',
    'staleReconcileArgo',
    'argocd',
    staleReconcileArgo(),
  ),
  scenario('Drift', 'drift', 'argocd', drift(), { tag: 'v1.0.3' }),
  scenario('Drift', 'driftReplicas', 'argocd', driftReplicas(), {
    replicas: 3,
  }),
];
