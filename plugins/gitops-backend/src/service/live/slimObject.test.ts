import { isExpiredEvent, slimObject } from './slimObject';

const managedFields = [
  {
    manager: 'kustomize-controller',
    operation: 'Apply',
    time: '2026-11-28T10:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:interval': {} } },
  },
  {
    manager: 'helm-controller',
    operation: 'Update',
    time: '2026-11-28T11:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': {} },
    subresource: 'status',
  },
];

describe('slimObject', () => {
  it('keeps of a pod what the diagnosis reads and drops the rest', () => {
    const pod = slimObject('pods', {
      metadata: {
        name: 'p',
        namespace: 'n',
        uid: '0d46a1c2-5b1e-4c3f-9a61-7f2b8e0c4d13',
        resourceVersion: '4711',
        creationTimestamp: '2026-11-28T09:59:00Z',
        labels: { app: 'x' },
        managedFields,
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}',
          'sidecar.istio.io/status': '{"big":true}',
        },
        ownerReferences: [{ kind: 'ReplicaSet', name: 'x-7d4b9c8f6d' }],
      },
      spec: {
        nodeName: 'node-1',
        containers: [{ name: 'app', image: 'i:1', env: [{ name: 'A' }] }],
        volumes: [
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
          { name: 'token', projected: { sources: [] } },
        ],
        tolerations: [{ key: 'x' }],
      },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: '2026-11-28T10:00:00Z',
            observedGeneration: 1,
          },
          { type: 'Initialized', status: 'True' },
          { type: 'ContainersReady', status: 'True' },
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient memory.',
          },
        ],
        containerStatuses: [
          {
            name: 'app',
            image: 'i:1',
            imageID: 'i@sha256:0d46',
            containerID: 'containerd://0d46',
            ready: true,
            started: true,
            restartCount: 2,
            state: { running: { startedAt: '2026-11-28T10:00:00Z' } },
            lastState: {
              terminated: {
                reason: 'OOMKilled',
                exitCode: 137,
                startedAt: '2026-11-28T09:59:10Z',
                finishedAt: '2026-11-28T09:59:58Z',
                containerID: 'containerd://9b21',
              },
            },
            volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets' }],
            resources: { limits: { memory: '128Mi' } },
          },
        ],
      },
    });
    expect(pod).toStrictEqual({
      metadata: {
        name: 'p',
        namespace: 'n',
        resourceVersion: '4711',
        labels: { app: 'x' },
      },
      spec: {
        containers: [{ name: 'app', image: 'i:1' }],
        volumes: [
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        ],
      },
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: undefined,
            message: undefined,
          },
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient memory.',
          },
        ],
        containerStatuses: [
          {
            name: 'app',
            image: 'i:1',
            ready: true,
            started: true,
            restartCount: 2,
            state: { running: {} },
            lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
          },
        ],
        initContainerStatuses: undefined,
      },
    });
  });

  it('keeps one status for pods that differ only in their times and names', () => {
    const podStartedAt = (name: string, minute: number) => {
      const time = `2026-11-28T10:${String(minute).padStart(2, '0')}:00Z`;
      return slimObject('pods', {
        metadata: { name, namespace: 'n', creationTimestamp: time, uid: name },
        spec: { nodeName: `node-${minute}`, containers: [{ name: 'app' }] },
        status: {
          phase: 'Running',
          startTime: time,
          conditions: [
            { type: 'Ready', status: 'True', lastTransitionTime: time },
          ],
          containerStatuses: [
            {
              name: 'app',
              ready: true,
              restartCount: 0,
              containerID: `containerd://${name}`,
              state: { running: { startedAt: time } },
              lastState: {},
            },
          ],
        },
      });
    };
    const [a, b] = [podStartedAt('a', 1), podStartedAt('b', 2)];
    expect(a.metadata?.name).toBe('a');
    expect(b.metadata?.name).toBe('b');
    expect(a.status).toBe(b.status);
    expect(a.spec).toBe(b.spec);
    const crashing = slimObject('pods', {
      metadata: { name: 'c', namespace: 'n' },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    });
    expect(crashing.status).not.toBe(a.status);
    expect(crashing.status.containerStatuses[0].state).toEqual({
      waiting: { reason: 'CrashLoopBackOff' },
    });
  });

  it.each([
    ['kustomizations', true],
    ['helmreleases', true],
    ['deployments', false],
    ['applications', false],
  ] as const)(
    'keeps when each writer wrote a %s (for StaleReconcile): %s',
    (kind, kept) => {
      const object = slimObject(kind, {
        metadata: { name: 'x', managedFields: structuredClone(managedFields) },
      });
      expect(object.metadata?.managedFields).toEqual(
        kept
          ? [
              {
                manager: 'kustomize-controller',
                operation: 'Apply',
                time: '2026-11-28T10:00:00Z',
              },
              {
                manager: 'helm-controller',
                operation: 'Update',
                time: '2026-11-28T11:00:00Z',
                subresource: 'status',
              },
            ]
          : undefined,
      );
    },
  );

  it('keeps of an Argo CD Application its roll-up, not one entry per managed object', () => {
    const app = slimObject('applications', {
      metadata: { name: 'a' },
      status: {
        history: [
          {
            id: 1,
            revision: 'abc',
            deployedAt: '2026-11-28T10:00:00Z',
            source: { repoURL: 'https://git.example/repo', path: 'apps/a' },
          },
        ],
        sync: {
          status: 'Synced',
          revision: 'abc',
          comparedTo: { source: { repoURL: 'https://git.example/repo' } },
        },
        health: { status: 'Healthy' },
        resources: [{ kind: 'Deployment', name: 'a', status: 'Synced' }],
        summary: { images: ['i:1'] },
        operationState: {
          phase: 'Succeeded',
          finishedAt: '2026-11-28T10:00:00Z',
          syncResult: { revision: 'abc', resources: [{ kind: 'Deployment' }] },
        },
      },
    });
    expect(app.status).toEqual({
      sync: { status: 'Synced', revision: 'abc', revisions: undefined },
      health: { status: 'Healthy' },
      conditions: undefined,
      reconciledAt: undefined,
      // When each revision was deployed, without its sources.
      history: [{ revision: 'abc', deployedAt: '2026-11-28T10:00:00Z' }],
      operationState: {
        phase: 'Succeeded',
        message: undefined,
        startedAt: undefined,
        finishedAt: '2026-11-28T10:00:00Z',
        syncResult: { revision: 'abc', revisions: undefined },
      },
    });
  });

  it('keeps of a Deployment its pod template labels and containers only', () => {
    const deployment = slimObject('deployments', {
      metadata: { name: 'd' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' }, annotations: { big: 'x' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'i:1',
                resources: { limits: { cpu: '1' } },
                env: [{ name: 'A', value: 'b' }],
              },
            ],
            volumes: [{ name: 'v', emptyDir: {} }],
            tolerations: [{ key: 'x' }],
          },
        },
      },
    });
    expect(deployment.spec).toEqual({
      replicas: 2,
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: {
          containers: [
            { name: 'app', image: 'i:1', resources: { limits: { cpu: '1' } } },
          ],
        },
      },
    });
  });

  it.each([
    ['59 minutes', 59, false],
    ['61 minutes', 61, true],
  ])(
    'takes a Warning event last seen %s ago as expired: %s',
    (_n, minutes, expired) => {
      const now = Date.parse('2026-11-28T12:00:00Z');
      const event = {
        lastTimestamp: new Date(now - minutes * 60_000).toISOString(),
      };
      expect(isExpiredEvent(event, now)).toBe(expired);
    },
  );
});
