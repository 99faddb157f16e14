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
        labels: { app: 'x' },
        managedFields,
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}',
          keep: 'me',
        },
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
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 2 }],
      },
    });
    expect(pod).toEqual({
      metadata: {
        name: 'p',
        namespace: 'n',
        labels: { app: 'x' },
        annotations: { keep: 'me' },
      },
      spec: {
        nodeName: 'node-1',
        containers: [{ name: 'app', image: 'i:1' }],
        volumes: [
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        ],
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 2 }],
        initContainerStatuses: undefined,
        startTime: undefined,
      },
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

  it('keeps only the newest sync of an Argo CD history', () => {
    const app = slimObject('applications', {
      metadata: { name: 'a' },
      status: { history: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    });
    expect(app.status.history).toEqual([{ id: 3 }]);
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
