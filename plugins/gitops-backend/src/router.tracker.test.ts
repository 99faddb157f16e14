import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { KubeObject } from './service/live/kinds';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { FakeKubeApi } from './__testUtils__/fakeKubeApi';
import { mergeSnapshots, shiftTimes } from './__testUtils__/clusterSnapshots';
import {
  createExampleRemote,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';
import { healthyArgoService } from './service/live/__fixtures__/clusterObjects';
import { crashLoopBackOff } from './service/live/__fixtures__/failureScenarios';

jest.setTimeout(60_000);

const CLUSTER = 'https://127.0.0.1:6443';
const API = '/api/gitops/entities/default/component';

/** Replaces one namespace's objects the way a rollout does: watch events per object. */
function rollOut(
  api: FakeKubeApi,
  namespace: string,
  snapshot: Record<string, KubeObject[]>,
) {
  for (const [kind, objects] of Object.entries(snapshot) as any) {
    const inScope = (o: KubeObject) =>
      o.metadata?.namespace === namespace || o.metadata?.name === namespace; // Applications are named after it in argocd
    for (const old of api.list(kind).filter(inScope)) {
      if (
        !objects.some(
          (o: KubeObject) =>
            o.metadata?.name === old.metadata?.name &&
            o.metadata?.namespace === old.metadata?.namespace,
        )
      )
        api.emit(kind, 'DELETED', old);
    }
    for (const object of objects) api.emit(kind, 'MODIFIED', object);
  }
}

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe('tracking and engine requests against a cluster', () => {
  const msw = setupServer();
  beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
  afterEach(() => msw.resetHandlers());
  afterAll(() => msw.close());

  let workDir: string;
  let remote: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ workDir, remote, cleanup } = createExampleRemote('gitops-tracker-'));
  });
  afterEach(() => cleanup());

  function cluster() {
    const api = new FakeKubeApi(CLUSTER);
    const dev = healthyArgoService({
      service: 'guestbook',
      env: 'dev',
      tag: 'v1.0.5',
      replicas: 1,
    });
    const staging = healthyArgoService({
      service: 'guestbook',
      env: 'staging',
      tag: 'v1.0.4',
      replicas: 2,
    });
    const merged = mergeSnapshots(dev, staging);
    api.load(shiftTimes(merged));
    msw.use(...api.handlers());
    return api;
  }

  function start() {
    return startPromotionBackend({
      remote,
      workDir,
      // The real scheduler (on the test database), as in a deployed backend.
      features: [schedulerServiceFactory],
      environments: [
        { name: 'dev', cluster: 'local', autoSync: true },
        {
          name: 'staging',
          cluster: 'local',
          autoSync: true,
          promotion: { requireHealthySource: true },
        },
      ],
      gitops: {
        clusters: [
          {
            name: 'local',
            url: CLUSTER,
            serviceAccountToken: 'secret',
            skipTLSVerify: true,
          },
        ],
        promotion: { trackIntervalSeconds: 1 },
        timeouts: { clusterSeconds: 2 },
      },
    });
  }

  it('follows a promotion from Committed to Succeeded when staging runs it Synced and Healthy', async () => {
    const api = cluster();
    const server = await start();
    const res = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 201,
      error: undefined,
    });
    expect(res.body.gates).toContainEqual({
      state: 'pass',
      retryAt: null,
      evidence: {
        status: 'Synced',
        health: 'Healthy',
        images: ['ghcr.io/acme/guestbook:v1.0.5'],
      },
      name: 'healthySource',
      passed: true,
      message: 'dev runs v1.0.5, Synced and Healthy',
    });
    const id = res.body.id;
    const get = async () =>
      (await request(server).get(`/api/gitops/promotions/${id}`)).body;

    // Still the old version in the cluster: the record waits.
    await new Promise(resolve => setTimeout(resolve, 2500));
    expect(await get()).toMatchObject({
      status: 'Committed',
      finishedAt: null,
    });

    rollOut(
      api,
      'guestbook-staging',
      shiftTimes(
        healthyArgoService({
          service: 'guestbook',
          env: 'staging',
          tag: 'v1.0.5',
          replicas: 2,
        }),
      ),
    );
    const done = await waitFor(get, r => r.status !== 'Committed');
    expect(done).toMatchObject({
      status: 'Succeeded',
      message: 'staging runs v1.0.5, Synced and Healthy',
    });
    expect(Date.parse(done.finishedAt)).toBeGreaterThan(
      Date.parse(done.createdAt),
    );
  });

  it('fails a promotion whose new version crash-loops, with the reason', async () => {
    const api = cluster();
    const server = await start();
    const res = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect(res.status).toBe(201);
    const snapshot = crashLoopBackOff({
      service: 'guestbook',
      env: 'staging',
      tag: 'v1.0.4',
      newTag: 'v1.0.5',
      replicas: 2,
    });
    rollOut(api, 'guestbook-staging', shiftTimes(snapshot));
    const done = await waitFor(
      async () =>
        (
          await request(server).get(`/api/gitops/promotions/${res.body.id}`)
        ).body,
      r => r.status !== 'Committed',
    );
    expect(done.status).toBe('Failed');
    expect(done.message).toMatch(
      /^staging is (Degraded|Progressing|failing) with the change — CrashLoopBackOff: /,
    );
  });

  it('asks Argo CD to refresh the Application that deploys the service, and records it', async () => {
    cluster();
    const patches: Array<{ url: string; type: string | null; body: any }> = [];
    msw.use(
      http.patch(
        `${CLUSTER}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/:name`,
        async ({ request: req, params }) => {
          patches.push({
            url: new URL(req.url).pathname,
            type: req.headers.get('content-type'),
            body: await req.json(),
          });
          return HttpResponse.json({
            metadata: { name: params.name, namespace: 'argocd' },
          });
        },
      ),
    );
    const server = await start();
    const res = await request(server)
      .post(`${API}/guestbook/sync`)
      .send({ environment: 'staging', action: 'refresh' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      action: 'sync',
      status: 'Requested',
      to: 'staging',
      message:
        'refresh requested on Application argocd/guestbook-staging in cluster local',
    });
    expect(patches).toEqual([
      {
        url: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/guestbook-staging',
        type: 'application/merge-patch+json',
        body: {
          metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } },
        },
      },
    ]);
    const unsupported = await request(server)
      .post(`${API}/guestbook/sync`)
      .send({ environment: 'staging', action: 'suspend' });
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error.message).toBe(
      'Application guestbook-staging supports refresh, sync, not suspend',
    );
  });
});
