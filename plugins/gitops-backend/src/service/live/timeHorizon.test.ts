import { ProblemType } from '@gitops-backstage/plugin-gitops-common';
import { DiagnoseContext, diagnose } from './diagnose';
import { KubeObject } from './kinds';
import { ServiceObjects } from './selectServiceObjects';
import { TimeHorizon, overdue } from './timeHorizon';

const NOW = Date.parse('2026-12-04T10:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** A `metav1.Time` (RFC 3339, whole seconds) as the API server writes it. */
function time(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('TimeHorizon', () => {
  it('keeps the earliest finite moment, Infinity without one', () => {
    const horizon = new TimeHorizon();
    expect(horizon.at).toBe(Infinity);
    horizon.note(NOW + 5 * MINUTE);
    horizon.note(NaN);
    horizon.note(Infinity);
    horizon.note(NOW + 2 * MINUTE);
    horizon.note(NOW + 9 * MINUTE);
    expect(horizon.at).toBe(NOW + 2 * MINUTE);
  });
});

describe('overdue', () => {
  it.each([
    // now - since vs limit: overdue, and what the horizon then holds
    [
      'well before the limit',
      NOW - MINUTE,
      5 * MINUTE,
      false,
      NOW + 4 * MINUTE + 1,
    ],
    [
      'a millisecond before it',
      NOW - 5 * MINUTE + 1,
      5 * MINUTE,
      false,
      NOW + 2,
    ],
    ['exactly at it', NOW - 5 * MINUTE, 5 * MINUTE, false, NOW + 1],
    ['a millisecond past it', NOW - 5 * MINUTE - 1, 5 * MINUTE, true, Infinity],
    ['long past it', NOW - 60 * MINUTE, 5 * MINUTE, true, Infinity],
    [
      'since in the future (clock skew)',
      NOW + MINUTE,
      0,
      false,
      NOW + MINUTE + 1,
    ],
    ['an unknown since', NaN, 5 * MINUTE, false, Infinity],
  ])('%s', (_name, since, limit, expected, at) => {
    const horizon = new TimeHorizon();
    expect(overdue(NOW, since, limit, horizon)).toBe(expected);
    expect(horizon.at).toBe(at);
  });

  it('notes the first moment it says overdue', () => {
    const horizon = new TimeHorizon();
    const since = NOW - 90 * SECOND;
    overdue(NOW, since, 3 * MINUTE, horizon);
    expect(overdue(horizon.at - 1, since, 3 * MINUTE, undefined)).toBe(false);
    expect(overdue(horizon.at, since, 3 * MINUTE, undefined)).toBe(true);
  });

  it('works without a horizon', () => {
    expect(overdue(NOW, NOW - MINUTE, 5 * MINUTE, undefined)).toBe(false);
    expect(overdue(NOW, NOW - 6 * MINUTE, 5 * MINUTE, undefined)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Objects as the Kubernetes, Argo CD and Flux APIs return them
// ---------------------------------------------------------------------------------------------

const SERVICE = 'guestbook';
const NAMESPACE = 'guestbook-prod';
const REPO_URL = 'https://github.com/acme/gitops-repo.git';
const SHA = '2f1e4c7a9b3d5e6f8a0b1c2d3e4f5a6b7c8d9e0f';
const NODE = 'ip-10-0-11-24.eu-west-1.compute.internal';

function serviceObjects(over: Partial<ServiceObjects>): ServiceObjects {
  return {
    analysisRuns: [],
    pods: [],
    pvcs: [],
    events: [],
    parents: [],
    ...over,
  };
}

/** A Synced, Healthy, auto-syncing Application last reconciled at `reconciledAt`. */
function argoApplication(reconciledAt: number): KubeObject {
  const source = {
    repoURL: REPO_URL,
    path: `apps/${SERVICE}/overlays/prod`,
    targetRevision: 'main',
  };
  const destination = {
    server: 'https://kubernetes.default.svc',
    namespace: NAMESPACE,
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${SERVICE}-prod`,
      namespace: 'argocd',
      uid: '5b0c1d2e-3f40-4a51-8b62-7c83d94ea5f6',
      resourceVersion: '48211907',
      generation: 31,
      creationTimestamp: time(NOW - 120 * 24 * 60 * MINUTE),
      labels: { 'app.kubernetes.io/name': SERVICE },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source,
      destination,
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
    status: {
      sync: {
        status: 'Synced',
        revision: SHA,
        comparedTo: { source, destination },
      },
      health: {
        status: 'Healthy',
        lastTransitionTime: time(NOW - 2 * 24 * 60 * MINUTE),
      },
      reconciledAt: time(reconciledAt),
      operationState: {
        operation: {
          sync: { revision: SHA, prune: true },
          initiatedBy: { automated: true },
        },
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: time(NOW - 2 * 24 * 60 * MINUTE - 6 * SECOND),
        finishedAt: time(NOW - 2 * 24 * 60 * MINUTE),
      },
      sourceType: 'Kustomize',
      summary: { images: [`ghcr.io/acme/${SERVICE}:v1.0.3`] },
      controllerNamespace: 'argocd',
    },
  };
}

const FLUX_REVISION = `main@sha1:${SHA}`;

/** The GitRepository the Kustomization applies, its artifact fetched two days ago. */
function gitRepository(): KubeObject {
  const fetched = time(NOW - 2 * 24 * 60 * MINUTE);
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: {
      name: 'gitops-repo',
      namespace: 'flux-system',
      uid: '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d',
      resourceVersion: '48211911',
      generation: 1,
      creationTimestamp: time(NOW - 120 * 24 * 60 * MINUTE),
      finalizers: ['finalizers.fluxcd.io'],
    },
    spec: {
      interval: '1m',
      url: REPO_URL,
      ref: { branch: 'main' },
      timeout: '60s',
    },
    status: {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Succeeded',
          message: `stored artifact for revision '${FLUX_REVISION}'`,
          observedGeneration: 1,
          lastTransitionTime: fetched,
        },
      ],
      artifact: {
        digest: `sha256:${'ab'.repeat(32)}`,
        lastUpdateTime: fetched,
        path: `gitrepository/flux-system/gitops-repo/${SHA}.tar.gz`,
        revision: FLUX_REVISION,
        size: 48_213,
        url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/gitops-repo/${SHA}.tar.gz`,
      },
    },
  };
}

/**
 * A Kustomization (interval 1m) whose spec was changed at `specChangedAt` (generation 4, the
 * server-side apply in `managedFields`) while kustomize-controller last observed generation 3.
 */
function kustomization(specChangedAt: number): KubeObject {
  const ready = time(NOW - 2 * 24 * 60 * MINUTE);
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: `${SERVICE}-prod`,
      namespace: 'flux-system',
      uid: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
      resourceVersion: '48211958',
      generation: 4,
      creationTimestamp: time(NOW - 120 * 24 * 60 * MINUTE),
      finalizers: ['finalizers.fluxcd.io'],
      managedFields: [
        {
          manager: 'kustomize-controller',
          operation: 'Apply',
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          time: time(specChangedAt),
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:path': {}, 'f:interval': {} } },
        },
        {
          manager: 'kustomize-controller',
          operation: 'Update',
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          time: time(specChangedAt - 10 * MINUTE),
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:status': { 'f:observedGeneration': {} } },
          subresource: 'status',
        },
      ],
    },
    spec: {
      interval: '1m',
      retryInterval: '1m',
      path: `./${SERVICE}/apps/overlays/prod`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'gitops-repo' },
      targetNamespace: NAMESPACE,
      timeout: '3m',
    },
    status: {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message: `Applied revision: ${FLUX_REVISION}`,
          observedGeneration: 3,
          lastTransitionTime: ready,
        },
      ],
      lastAppliedRevision: FLUX_REVISION,
      lastAttemptedRevision: FLUX_REVISION,
    },
  };
}

const POD = `${SERVICE}-7d9c5b8f4c-x2x7k`;

/** A running pod whose container is not ready (its readiness probe fails). */
function notReadyPod(): KubeObject {
  const started = time(NOW - 3 * 60 * MINUTE);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: POD,
      generateName: `${SERVICE}-7d9c5b8f4c-`,
      namespace: NAMESPACE,
      uid: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      resourceVersion: '48211963',
      creationTimestamp: started,
      labels: {
        'app.kubernetes.io/name': SERVICE,
        'pod-template-hash': '7d9c5b8f4c',
      },
    },
    spec: {
      containers: [
        {
          name: SERVICE,
          image: `ghcr.io/acme/${SERVICE}:v1.0.3`,
          readinessProbe: {
            httpGet: { path: '/healthz', port: 8080 },
            periodSeconds: 10,
          },
        },
      ],
      nodeName: NODE,
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: started },
        { type: 'Ready', status: 'False', lastTransitionTime: started },
      ],
      containerStatuses: [
        {
          name: SERVICE,
          ready: false,
          started: true,
          restartCount: 0,
          image: `ghcr.io/acme/${SERVICE}:v1.0.3`,
          imageID: `ghcr.io/acme/${SERVICE}@sha256:${'cd'.repeat(32)}`,
          state: { running: { startedAt: started } },
        },
      ],
    },
  };
}

/** The kubelet's core/v1 Warning event for the failing probe, last seen at `lastSeen`. */
function probeFailedEvent(lastSeen: number): KubeObject {
  const first = lastSeen - 20 * MINUTE;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${POD}.187d4e2b9c1a0f3e`,
      namespace: NAMESPACE,
      uid: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
      resourceVersion: '48211970',
      creationTimestamp: time(first),
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: POD,
      namespace: NAMESPACE,
      uid: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      resourceVersion: '48211963',
      fieldPath: `spec.containers{${SERVICE}}`,
    },
    reason: 'Unhealthy',
    message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    source: { component: 'kubelet', host: NODE },
    firstTimestamp: time(first),
    lastTimestamp: time(lastSeen),
    count: 120,
    type: 'Warning',
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: NODE,
  };
}

function diagnoseAt(
  objects: ServiceObjects,
  at: number,
  horizon?: TimeHorizon,
) {
  const context: DiagnoseContext = {
    desired: null,
    expectAutoSync: true,
    argoReconcileSeconds: 180,
    now: new Date(at),
    horizon,
  };
  return diagnose(objects, context).map(p => p.type);
}

describe('the horizon through diagnose', () => {
  const reconciledAt = NOW - 2 * MINUTE;
  const specChangedAt = NOW - MINUTE;
  const lastSeen = NOW - 10 * MINUTE;
  it.each<[string, ServiceObjects, number, ProblemType, 'appears' | 'goes']>([
    [
      'an Argo CD Application reconciled 2 min ago (stale after 3 × 180 s)',
      serviceObjects({ application: argoApplication(reconciledAt) }),
      reconciledAt + 540 * SECOND + 1,
      'StaleReconcile',
      'appears',
    ],
    [
      'a Flux Kustomization whose spec changed 1 min ago, not observed (interval 1m)',
      serviceObjects({
        kustomization: kustomization(specChangedAt),
        source: gitRepository(),
      }),
      specChangedAt + 3 * MINUTE + 1,
      'StaleReconcile',
      'appears',
    ],
    [
      'a Warning event last seen 10 min ago (recent for 30 min)',
      serviceObjects({
        pods: [notReadyPod()],
        events: [probeFailedEvent(lastSeen)],
      }),
      lastSeen + 30 * MINUTE + 1,
      'ProbeFailing',
      'goes',
    ],
  ])(
    'notes the moment the answer flips for %s',
    (_name, objects, flip, type, change) => {
      const horizon = new TimeHorizon();
      const now = diagnoseAt(objects, NOW, horizon);
      expect(horizon.at).toBe(flip);

      const before = diagnoseAt(objects, flip - 1);
      const after = diagnoseAt(objects, flip);
      expect(now).toEqual(before);
      expect({ before, after }).toEqual(
        change === 'appears'
          ? { before: [], after: [type] }
          : { before: [type], after: [] },
      );
    },
  );

  it('notes nothing for an answer that time alone does not change', () => {
    const horizon = new TimeHorizon();
    const objects = serviceObjects({
      application: argoApplication(NOW - 20 * MINUTE),
      pods: [notReadyPod()],
      events: [probeFailedEvent(NOW - 45 * MINUTE)],
    });
    // Already stale, and the event already out of the window: both stay so.
    expect(diagnoseAt(objects, NOW, horizon)).toEqual(['StaleReconcile']);
    expect(horizon.at).toBe(Infinity);
  });

  it('notes the earliest of several flips', () => {
    const horizon = new TimeHorizon();
    const objects = serviceObjects({
      application: argoApplication(reconciledAt),
      pods: [notReadyPod()],
      events: [probeFailedEvent(NOW - 25 * MINUTE)],
    });
    diagnoseAt(objects, NOW, horizon);
    // The event leaves the window 5 min from now, before the Application is stale (7 min).
    expect(horizon.at).toBe(NOW - 25 * MINUTE + 30 * MINUTE + 1);
    expect(diagnoseAt(objects, horizon.at, new TimeHorizon())).toEqual([]);
  });
});
