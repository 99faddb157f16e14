import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ChangeAuditor } from '../audit/auditChange';
import { KubeObject } from '../live/kinds';
import {
  RolloutActionBody,
  RolloutActionService,
} from './RolloutActionService';
import {
  MERGE_PATCH,
  NOW,
  clusterKubeConfig,
  recordingKubeApi,
  sent,
  status,
} from './__testUtils__/recordingKubeApi';

const ROLLOUT_PATH =
  '/apis/argoproj.io/v1alpha1/namespaces/checkout-prod/rollouts/checkout';
const CANARY_PATH =
  '/apis/flagger.app/v1beta1/namespaces/shop/canaries/podinfo';
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout', namespace: 'default' },
};
const actor = {
  ref: 'user:default/jane',
  name: 'Jane',
  email: 'jane@example.com',
};

const pausedRollout: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'checkout', namespace: 'checkout-prod' },
  spec: { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
  status: {
    currentPodHash: 'b7c9',
    stableRS: '5f6d',
    currentStepIndex: 1,
    pauseConditions: [{ reason: 'CanaryPauseStep' }],
  },
};

function canary(phase: string, webhooks: object[]): KubeObject {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'shop' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      analysis: { webhooks },
    },
    status: { phase },
  };
}
const PROMOTION_GATE = {
  name: 'promotion gate',
  type: 'confirm-promotion',
  url: 'http://flagger-loadtester.test/gate/check',
};

describe('RolloutActionService', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  let api: ReturnType<typeof recordingKubeApi>;
  let found: { rollout?: KubeObject; canary?: KubeObject };
  const insert = jest.fn();
  const logger = mockServices.logger.mock();
  beforeEach(() => {
    api = recordingKubeApi(server);
    api.objects[ROLLOUT_PATH] = pausedRollout;
    found = { rollout: pausedRollout };
    insert.mockReset();
  });
  afterEach(() => server.resetHandlers());

  function service(timeoutMs = 2000) {
    return new RolloutActionService({
      config: {
        environments: [
          { name: 'prod', cluster: 'local', namespace: '{service}-{env}' },
          { name: 'preview', namespace: '{service}-{env}' },
        ],
      } as any,
      locator: {
        locate: () => ({
          entityRef: 'component:default/checkout',
          repository: {},
          provider: { resolveBranch: async () => 'main' },
        }),
      } as any,
      reader: { read: async () => ({ state: null }) } as any,
      live: {
        covers: (env: { cluster?: string }) => Boolean(env.cluster),
        // The live state's copy is slim; the action is decided on the fresh GET.
        find: async () => ({
          cluster: 'local',
          found: {
            rollout: found.rollout && { ...found.rollout, status: {} },
            canary: found.canary && { ...found.canary, status: {} },
          },
        }),
      } as any,
      kubeConfig: () => clusterKubeConfig(),
      store: { insert } as any,
      audit: new ChangeAuditor({
        auditor: mockServices.auditor.mock(),
        logger,
        productionEnvironments: ['prod'],
      }),
      logger,
      timeoutMs,
      now: () => NOW,
    });
  }

  const run = (body: RolloutActionBody, timeoutMs?: number) =>
    service(timeoutMs).request(entity, body, actor);

  it('reads the Rollout fresh, sends the promote and records it', async () => {
    const result = await run({ environment: 'prod', action: 'promote' });
    expect(sent(api.requests)).toEqual([
      { method: 'GET', path: ROLLOUT_PATH, contentType: null, body: '' },
      {
        method: 'PATCH',
        path: `${ROLLOUT_PATH}/status`,
        contentType: MERGE_PATCH,
        body: '{"status":{"pauseConditions":null}}',
      },
    ]);
    expect(result.httpStatus).toBe(201);
    expect(result.action).toMatchObject({
      action: 'rollout',
      status: 'Requested',
      to: 'prod',
      actor: 'user:default/jane',
      message:
        'promote requested on Rollout checkout-prod/checkout in cluster local',
    });
    expect(insert).toHaveBeenCalledWith(
      expect.objectContaining({
        id: result.action.id,
        action: 'rollout',
        request: { environment: 'prod', action: 'promote' },
      }),
    );
  });

  it('refuses what the state does not allow with 409 and the reason, sending only the GET', async () => {
    await expect(
      run({ environment: 'prod', action: 'retry' }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message:
        'retry refused on Rollout checkout-prod/checkout: only an aborted rollout can be retried',
    });
    expect(api.requests.map(r => r.method)).toEqual(['GET']);
    expect(insert).not.toHaveBeenCalled();
  });

  it('answers a dry run with the requests it would send, sending only the GET', async () => {
    api.objects[ROLLOUT_PATH] = {
      ...pausedRollout,
      status: { ...pausedRollout.status, pauseConditions: [] },
    };
    const result = await run({
      environment: 'prod',
      action: 'promote',
      dryRun: true,
    });
    expect(result.httpStatus).toBe(200);
    expect(result.action).toMatchObject({
      id: null,
      status: 'DryRun',
      message:
        'promote planned on Rollout checkout-prod/checkout in cluster local',
      requests: [
        {
          method: 'PATCH',
          path: `${ROLLOUT_PATH}/status`,
          contentType: MERGE_PATCH,
          body: { status: { pauseConditions: null, currentStepIndex: 2 } },
          ifNotFound: [
            {
              method: 'PATCH',
              path: ROLLOUT_PATH,
              body: {
                spec: { paused: false },
                status: { pauseConditions: null, currentStepIndex: 2 },
              },
            },
          ],
        },
      ],
    });
    expect(api.requests.map(r => r.method)).toEqual(['GET']);
    expect(insert).not.toHaveBeenCalled();
  });

  it('answers 404 without a Rollout or Canary and 400 without a cluster, asking nothing', async () => {
    found = {};
    await expect(
      run({ environment: 'prod', action: 'abort' }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        'No Argo Rollouts Rollout or Flagger Canary rolls out component:default/checkout in prod',
    });
    await expect(
      run({ environment: 'preview', action: 'abort' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message:
        'preview has no cluster configured: there is no rollout controller to ask',
    });
    expect(api.requests).toEqual([]);
  });

  it('opens the Flagger load tester gate the Canary waits at', async () => {
    found = { canary: canary('WaitingPromotion', [PROMOTION_GATE]) };
    api.objects[CANARY_PATH] = found.canary!;
    const result = await run({ environment: 'prod', action: 'promote' });
    expect(sent(api.requests)).toEqual([
      { method: 'GET', path: CANARY_PATH, contentType: null, body: '' },
      {
        method: 'POST',
        path: '/api/v1/namespaces/test/services/flagger-loadtester:80/proxy/gate/open',
        contentType: 'application/json',
        body: '{"name":"podinfo","namespace":"shop"}',
      },
    ]);
    expect(result.action.message).toBe(
      'promote requested on Canary shop/podinfo in cluster local',
    );
  });

  it('answers 400 for what Flagger cannot do (asking nothing) and 409 for a Canary without gates', async () => {
    found = { canary: canary('Progressing', []) };
    api.objects[CANARY_PATH] = found.canary!;
    await expect(
      run({ environment: 'prod', action: 'promoteFull' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^promoteFull is not supported by Flagger \(Canary shop\/podinfo\): /,
      ),
    });
    expect(api.requests).toEqual([]);
    await expect(
      run({ environment: 'prod', action: 'promote' }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(
        /^promote refused on Canary shop\/podinfo: .*confirm-promotion webhook/,
      ),
    });
    expect(api.requests.map(r => r.method)).toEqual(['GET']);
  });

  it('answers 403 naming the grant when the cluster refuses, recording nothing', async () => {
    api.respond = r =>
      r.method === 'PATCH'
        ? status(403, 'rollouts.argoproj.io is forbidden')
        : undefined;
    await expect(
      run({ environment: 'prod', action: 'abort' }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'grant patch on rollouts/status (argoproj.io) in namespace checkout-prod',
      ),
    });
    expect(insert).not.toHaveBeenCalled();
  });

  it('answers 502 when the cluster is down and 504 when it does not answer in time', async () => {
    api.respond = () => HttpResponse.error();
    await expect(
      run({ environment: 'prod', action: 'abort' }),
    ).rejects.toMatchObject({
      name: 'UpstreamError',
      statusCode: 502,
      message: expect.stringMatching(
        /^Cluster local: could not read Rollout checkout-prod\/checkout: the cluster's API server did not answer/,
      ),
    });
    api.respond = () =>
      new Promise(resolve => setTimeout(() => resolve(undefined), 500));
    await expect(
      run({ environment: 'prod', action: 'abort' }, 100),
    ).rejects.toMatchObject({
      name: 'UpstreamError',
      statusCode: 504,
      message:
        "Cluster local: the cluster's API server did not answer the read of Rollout checkout-prod/checkout within 0.1 s",
    });
    expect(insert).not.toHaveBeenCalled();
  });
});
