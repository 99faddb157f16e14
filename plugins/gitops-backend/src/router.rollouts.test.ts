import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { FakeKubeApi } from './__testUtils__/fakeKubeApi';
import {
  createExampleRemote,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';
import { healthyArgoService } from './service/live/__fixtures__/clusterObjects';
import {
  KindKey,
  KubeObject,
  WATCHED_KINDS,
  kindPath,
} from './service/live/kinds';

jest.setTimeout(60_000);

const CLUSTER = 'https://127.0.0.1:6443';
const API = '/api/gitops/entities/default/component/guestbook/rollouts';
const ROLLOUT =
  '/apis/argoproj.io/v1alpha1/namespaces/guestbook-staging/rollouts/guestbook';

/** guestbook's staging Rollout, paused at its pause step. */
const rollout: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: {
    name: 'guestbook',
    namespace: 'guestbook-staging',
    labels: { 'backstage.io/kubernetes-id': 'guestbook' },
  },
  spec: {
    selector: { matchLabels: { app: 'guestbook' } },
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
  },
  status: {
    phase: 'Paused',
    currentPodHash: '7d9f',
    stableRS: '5c4b',
    currentStepIndex: 1,
    pauseConditions: [
      { reason: 'CanaryPauseStep', startTime: '2026-12-04T08:00:00Z' },
    ],
  },
};

/** Whether a request is one of the live cache's lists or watches (not an action's). */
function isListOrWatch(path: string) {
  return (Object.keys(WATCHED_KINDS) as KindKey[]).some(
    kind =>
      path === kindPath(kind) ||
      new RegExp(
        `^${kindPath(kind, 'NS')
          .replace(/\./g, '\\.')
          .replace('/NS/', '/[^/]+/')}$`,
      ).test(path),
  );
}

describe('POST …/rollouts', () => {
  const msw = setupServer();
  beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
  afterEach(() => msw.resetHandlers());
  afterAll(() => msw.close());

  let workDir: string;
  let remote: string;
  let cleanup: () => void;
  /** Every request to the API server that is not a list or watch: what the actions send. */
  let sent: Array<{
    method: string;
    path: string;
    type: string | null;
    body: string;
  }>;
  beforeEach(() => {
    ({ workDir, remote, cleanup } = createExampleRemote('gitops-rollouts-'));
    sent = [];
    const api = new FakeKubeApi(CLUSTER);
    api.load({
      ...healthyArgoService({
        service: 'guestbook',
        env: 'staging',
        tag: 'v1.0.4',
        replicas: 2,
      }),
      rollouts: [rollout],
    });
    msw.use(
      http.all(`${CLUSTER}/*`, async ({ request: req }) => {
        const path = new URL(req.url).pathname;
        if (req.method === 'GET' && isListOrWatch(path)) return undefined;
        sent.push({
          method: req.method,
          path,
          type: req.headers.get('content-type'),
          body: await req.text(),
        });
        return req.method === 'GET' && path === ROLLOUT
          ? HttpResponse.json(rollout)
          : HttpResponse.json({});
      }),
      ...api.handlers(),
    );
  });
  afterEach(() => cleanup());

  function start(features: any[] = []) {
    return startPromotionBackend({
      remote,
      workDir,
      features,
      environments: [{ name: 'dev' }, { name: 'staging', cluster: 'local' }],
      gitops: {
        clusters: [
          {
            name: 'local',
            url: CLUSTER,
            serviceAccountToken: 'secret',
            skipTLSVerify: true,
          },
        ],
        timeouts: { clusterSeconds: 5 },
      },
    });
  }

  it('promotes the Rollout the live state found, as kubectl argo rollouts does, and records it', async () => {
    const server = await start();
    const res = await request(server)
      .post(API)
      .send({ environment: 'staging', action: 'promote' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      action: 'rollout',
      status: 'Requested',
      to: 'staging',
      message:
        'promote requested on Rollout guestbook-staging/guestbook in cluster local',
    });
    expect(sent).toEqual([
      { method: 'GET', path: ROLLOUT, type: null, body: '' },
      {
        method: 'PATCH',
        path: `${ROLLOUT}/status`,
        type: 'application/merge-patch+json',
        body: '{"status":{"pauseConditions":null}}',
      },
    ]);
    const stored = await request(server).get(
      `/api/gitops/promotions/${res.body.id}`,
    );
    expect(stored.body).toMatchObject({
      action: 'rollout',
      status: 'Requested',
    });
  });

  it('refuses with 409 and the reason what the Rollout state does not allow: only the GET is sent', async () => {
    const server = await start();
    const res = await request(server)
      .post(API)
      .send({ environment: 'staging', action: 'retry' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'retry refused on Rollout guestbook-staging/guestbook: only an aborted rollout can be retried',
    );
    expect(sent.map(r => `${r.method} ${r.path}`)).toEqual([`GET ${ROLLOUT}`]);
  });

  it('answers 403 without gitops.rollout for the environment, sending nothing to the cluster', async () => {
    const server = await start([
      mockServices.permissions.mock({
        authorize: async requests =>
          requests.map(r => ({
            result:
              r.permission.name === 'gitops.rollout'
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })),
      }).factory,
    ]);
    const res = await request(server)
      .post(API)
      .send({ environment: 'staging', action: 'abort' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed to rollout component:default/guestbook in staging',
    });
    expect(sent).toEqual([]);
  });

  it.each<[string, object]>([
    ['an unknown action', { environment: 'staging', action: 'rollback' }],
    ['no environment', { action: 'promote' }],
    [
      'an environment that is no name',
      { environment: '../prod', action: 'promote' },
    ],
    [
      'an unknown field',
      { environment: 'staging', action: 'abort', force: true },
    ],
    [
      'a dryRun that is no boolean',
      { environment: 'staging', action: 'abort', dryRun: 'yes' },
    ],
  ])(
    'answers 400 for %s, sending nothing to the cluster',
    async (_name, body) => {
      const server = await start();
      const res = await request(server).post(API).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(sent).toEqual([]);
    },
  );

  it('names the actions in the 400 for an unknown one', async () => {
    const server = await start();
    const res = await request(server)
      .post(API)
      .send({ environment: 'staging', action: 'pause' });
    expect(res.body.error.message).toBe(
      'action must be one of promote, promoteFull, abort, retry, restart',
    );
  });
});
