import { RolloutAction } from '@gitops-backstage/plugin-gitops-common';
import { setupServer } from 'msw/node';
import { KubeObject } from '../live/kinds';
import { ClusterRequests } from './clusterRequests';
import { flaggerRequests, loadTesterService } from './flaggerCommands';
import {
  NOW,
  clusterKubeConfig,
  recordingKubeApi,
  sent,
  status,
} from './__testUtils__/recordingKubeApi';

const GATES = [
  {
    name: 'start gate',
    type: 'confirm-rollout',
    url: 'http://flagger-loadtester.test/gate/check',
  },
  {
    name: 'load test',
    type: 'rollout',
    url: 'http://flagger-loadtester.test/',
  },
  {
    name: 'promotion gate',
    type: 'confirm-promotion',
    url: 'http://flagger-loadtester.test.svc.cluster.local:8080/gate/check',
  },
  {
    name: 'rollback',
    type: 'rollback',
    url: 'http://flagger-loadtester/rollback/check',
  },
];

function canary(phase: string, webhooks: object[] = GATES): KubeObject {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'shop' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      analysis: { interval: '1m', threshold: 5, webhooks },
    },
    status: { phase, canaryWeight: 10 },
  };
}

describe('flaggerCommands: the load tester gates and kubectl rollout restart', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  let api: ReturnType<typeof recordingKubeApi>;
  beforeEach(() => {
    api = recordingKubeApi(server);
  });
  afterEach(() => server.resetHandlers());

  function act(object: KubeObject, action: RolloutAction) {
    return new ClusterRequests(clusterKubeConfig(), {
      timeoutMs: 2000,
    }).sendAll(flaggerRequests(object, action, NOW));
  }

  it.each<[string, string, string]>([
    [
      'Waiting',
      'confirm-rollout',
      '/api/v1/namespaces/test/services/flagger-loadtester:80/proxy/gate/open',
    ],
    [
      'WaitingPromotion',
      'confirm-promotion',
      '/api/v1/namespaces/test/services/flagger-loadtester:8080/proxy/gate/open',
    ],
  ])(
    'promote at %s opens the gate of the %s webhook through the service proxy',
    async (phase, _type, path) => {
      api.respond = () => new Response(null, { status: 202 });
      await act(canary(phase), 'promote');
      expect(sent(api.requests)).toEqual([
        {
          method: 'POST',
          path,
          contentType: 'application/json',
          body: '{"name":"podinfo","namespace":"shop"}',
        },
      ]);
    },
  );

  it('promote while Progressing opens a confirm-traffic-increase gate, and refuses without one', async () => {
    const hooks = [
      ...GATES,
      {
        name: 'step gate',
        type: 'confirm-traffic-increase',
        url: 'https://gates.flagger/gate/check',
      },
    ];
    await act(canary('Progressing', hooks), 'promote');
    expect(sent(api.requests)).toEqual([
      {
        method: 'POST',
        path: '/api/v1/namespaces/flagger/services/https:gates:443/proxy/gate/open',
        contentType: 'application/json',
        body: '{"name":"podinfo","namespace":"shop"}',
      },
    ]);
    expect(() =>
      flaggerRequests(canary('Progressing'), 'promote', NOW),
    ).toThrow(
      'Canary shop/podinfo advances on its own: it has no confirm-traffic-increase webhook to open',
    );
  });

  it('abort opens the rollback gate; the namespace defaults to the Canary’s', async () => {
    await act(canary('Progressing'), 'abort');
    expect(sent(api.requests)).toEqual([
      {
        method: 'POST',
        path: '/api/v1/namespaces/shop/services/flagger-loadtester:80/proxy/rollback/open',
        contentType: 'application/json',
        body: '{"name":"podinfo","namespace":"shop"}',
      },
    ]);
  });

  it('restart patches the target Deployment as kubectl rollout restart does', async () => {
    await act(canary('Succeeded'), 'restart');
    expect(sent(api.requests)).toEqual([
      {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/shop/deployments/podinfo',
        contentType: 'application/strategic-merge-patch+json',
        body: '{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-12-04T08:09:10Z"}}}}}',
      },
    ]);
  });

  it('answers why for what Flagger cannot do, sending nothing', () => {
    expect(() =>
      flaggerRequests(canary('Progressing'), 'promoteFull', NOW),
    ).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: 'Flagger has no promoteFull',
      }),
    );
    expect(() => flaggerRequests(canary('Failed'), 'retry', NOW)).toThrow(
      'Flagger has no retry',
    );
    expect(() =>
      flaggerRequests(canary('WaitingPromotion', []), 'promote', NOW),
    ).toThrow(
      expect.objectContaining({
        name: 'ConflictError',
        message:
          "Canary shop/podinfo has no confirm-promotion webhook: add one calling the load tester's /gate/check (http://flagger-loadtester.<namespace>/gate/check) to promote from the portal",
      }),
    );
    expect(() =>
      flaggerRequests(canary('Progressing', []), 'abort', NOW),
    ).toThrow(/^Canary shop\/podinfo has no rollback webhook: /);
    expect(() => flaggerRequests(canary('Succeeded'), 'promote', NOW)).toThrow(
      'Canary shop/podinfo is Succeeded: no gate waits for a promotion',
    );
    const halted = [
      {
        name: 'promotion gate',
        type: 'confirm-promotion',
        url: 'http://flagger-loadtester.test/gate/halt',
      },
    ];
    expect(() =>
      flaggerRequests(canary('WaitingPromotion', halted), 'promote', NOW),
    ).toThrow(
      `the webhook "promotion gate" of Canary shop/podinfo calls /gate/halt, which no request opens: point it at the load tester's /gate/check`,
    );
    const outside = [
      { ...halted[0], url: 'https://approvals.example.com/gate/check' },
    ];
    expect(() =>
      flaggerRequests(canary('WaitingPromotion', outside), 'promote', NOW),
    ).toThrow(
      /calls https:\/\/approvals.example.com\/gate\/check, which is not a Service in the cluster/,
    );
    expect(api.requests).toEqual([]);
  });

  it('names the load tester and the grant when the proxy is refused or has no endpoints', async () => {
    api.respond = () =>
      status(403, 'services "flagger-loadtester:80" is forbidden');
    await expect(
      act(canary('WaitingPromotion'), 'promote'),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'the backend\'s cluster credentials may not call Service test/flagger-loadtester (the load tester the webhook "promotion gate" of Canary shop/podinfo calls): grant create on services/proxy in namespace test to its service account (see examples/rbac)',
    });
    api.respond = () =>
      status(
        503,
        'no endpoints available for service "flagger-loadtester:8080"',
      );
    await expect(
      act(canary('WaitingPromotion'), 'promote'),
    ).rejects.toMatchObject({
      name: 'ClusterRequestError',
      message: expect.stringMatching(
        /^the cluster answered 503 to the call of Service test\/flagger-loadtester .*: no endpoints available/,
      ),
    });
  });

  it.each<[string, object]>([
    [
      'http://flagger-loadtester/gate/check',
      { name: 'flagger-loadtester', namespace: 'shop', port: 80 },
    ],
    [
      'http://flagger-loadtester.test:9090/x/gate/check',
      {
        name: 'flagger-loadtester',
        namespace: 'test',
        port: 9090,
        path: '/x/gate/check',
      },
    ],
    [
      'https://lt.test.svc.cluster.local/gate/check',
      { scheme: 'https', name: 'lt', namespace: 'test', port: 443 },
    ],
    [
      'http://lt.test.svc.example.internal/gate/check',
      { name: 'lt', namespace: 'test' },
    ],
  ])('reads the Service of %s', (url, expected) => {
    expect(loadTesterService(url, 'shop')).toMatchObject(expected);
  });

  it.each([
    'http://gate.example.com/gate/check',
    'http://10.0.0.12/gate/check',
    'ftp://lt.test/gate/check',
    'not a url',
  ])('reads no Service in %s', url => {
    expect(loadTesterService(url, 'shop')).toBeNull();
  });
});
