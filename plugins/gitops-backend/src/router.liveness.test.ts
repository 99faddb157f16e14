import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { createExampleGitRepo } from 'gitops-testkit';
import {
  GUESTBOOK_TAGS,
  guestbookEntity,
  guestbookObjects as guestbookFixture,
  until,
} from './__testUtils__/guestbook';
import { HttpKubeApi } from './__testUtils__/httpKubeApi';
import { loadRbac } from './__testUtils__/rbac';
import { gitopsPlugin } from './plugin';
import { WATCHED_KINDS } from './service/live/kinds';

/*
 * The live side against Kubernetes API servers on real sockets: one that hangs after it was
 * warm and recovers, one hung from the start, and service accounts with least privilege.
 */

const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const TIMEOUT_S = 1;

function guestbookObjects(envs: ReadonlyArray<(typeof ENVIRONMENTS)[number]>) {
  return guestbookFixture(
    Object.fromEntries(
      envs.map(env => [
        env,
        { tag: GUESTBOOK_TAGS[env], replicas: env === 'prod' ? 3 : 1 },
      ]),
    ),
  );
}

jest.setTimeout(60_000);

describe('gitops live state on real sockets', () => {
  let workDir: string;
  let origin: string;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-liveness-'));
    origin = createExampleGitRepo(path.join(workDir, 'origin'));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  const apis: HttpKubeApi[] = [];
  const backends: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(backends.splice(0).map(b => b.stop()));
    await Promise.all(apis.splice(0).map(a => a.stop()));
  });

  async function api() {
    const started = await new HttpKubeApi().start();
    apis.push(started);
    return started;
  }

  async function startBackend(
    clusters: Array<{ name: string; url: string; namespaces?: any }>,
    clusterOf: Record<string, string>,
  ) {
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        catalogServiceMock.factory({ entities: [guestbookEntity()] }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              repositories: [{ url: origin }],
              git: { cacheDir: fs.mkdtempSync(path.join(workDir, 'cache-')) },
              clusters: clusters.map(c => ({
                ...c,
                serviceAccountToken: `${c.name}-secret`,
                skipTLSVerify: true,
              })),
              environments: ENVIRONMENTS.map(name => ({
                name,
                cluster: clusterOf[name],
              })),
              timeouts: { clusterSeconds: TIMEOUT_S, watchSeconds: 2 },
            },
          },
        }),
      ],
    });
    backends.push(backend);
    return backend;
  }

  async function environments(server: any) {
    const started = Date.now();
    const res = await supertest(server).get(
      '/api/gitops/entities/default/component/guestbook/environments',
    );
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(
      res.body.environments.map((e: any) => [e.name, e]),
    );
    return { ms: Date.now() - started, env: byName };
  }

  it('marks a cluster that hangs after it was warm stale within the time-out, shows changes made during the outage after recovery, and leaves no connection open', async () => {
    const cluster = await api();
    cluster.load(guestbookObjects(ENVIRONMENTS));
    const { server } = await startBackend(
      [{ name: 'local', url: cluster.url }],
      {
        dev: 'local',
        staging: 'local',
        prod: 'local',
      },
    );
    const kinds = Object.keys(WATCHED_KINDS).length;

    const warm = await until(
      () => environments(server),
      r => r.env.prod.live !== null && r.env.prod.error === null,
      10_000,
    );
    expect(warm.value.env.prod.live).toMatchObject({
      images: ['ghcr.io/acme/guestbook:v1.0.3'],
      stale: false,
      staleReason: null,
      warnings: [],
    });
    expect(
      Date.now() - Date.parse(warm.value.env.prod.live.observedAt),
    ).toBeLessThan(2000);

    // The API server hangs: watch streams end, new requests get no answer.
    cluster.hang();
    const outageStarted = Date.now();
    let maxOpen = 0;
    const sampler = setInterval(() => {
      maxOpen = Math.max(maxOpen, cluster.openConnections);
    }, 20);
    const stale = await until(
      () => environments(server),
      r => r.env.prod.live?.stale === true,
      10_000,
    );
    const detectedMs = Date.now() - outageStarted;
    expect(detectedMs).toBeLessThanOrEqual(TIMEOUT_S * 1000 + 700);
    // Known data is served at once, marked with its age.
    expect(stale.value.ms).toBeLessThan(200);
    expect(stale.value.env.prod).toMatchObject({
      error: null,
      live: {
        images: ['ghcr.io/acme/guestbook:v1.0.3'],
        stale: true,
        staleReason: expect.stringMatching(
          /^cluster local: no answer since \d\d:\d\d:\d\d UTC.*; showing the state from then$/,
        ),
      },
    });
    expect(stale.value.env.prod.warnings).toContain(
      stale.value.env.prod.live.staleReason,
    );
    const overview = await supertest(server).get(
      '/api/gitops/overview?status=stale',
    );
    expect(
      overview.body.items.map((i: any) =>
        i.environments.map((e: any) => [e.name, e.stale]),
      ),
    ).toEqual([
      [
        ['dev', true],
        ['staging', true],
        ['prod', true],
      ],
    ]);
    const health = await supertest(server).get('/api/gitops/health');
    expect(health.body.status).toBe('degraded');
    expect(health.body.clusters[0]).toMatchObject({
      name: 'local',
      ready: false,
      stale: true,
    });

    // A change made during the outage (someone scales and re-images prod).
    const [deployment] = guestbookObjects(['prod']).deployments!;
    deployment.spec.template.spec.containers[0].image =
      'ghcr.io/acme/guestbook:v1.0.6';
    cluster.apply('deployments', 'MODIFIED', deployment);
    // Several restarts fail while it hangs.
    await new Promise(resolve => setTimeout(resolve, 2500));
    const views = await environments(server);
    expect(views.ms).toBeLessThan(200);
    expect(views.env.prod.live.images).toEqual([
      'ghcr.io/acme/guestbook:v1.0.3',
    ]);

    const before = cluster.requests.length;
    cluster.recover();
    const recovered = await until(
      () => environments(server),
      r =>
        r.env.prod.live?.images?.[0] === 'ghcr.io/acme/guestbook:v1.0.6' &&
        r.env.prod.live?.stale === false,
      20_000,
    );
    clearInterval(sampler);
    const after = cluster.requests.slice(before);
    const deploymentRequests = after.filter(r =>
      r.startsWith('GET /apis/apps/v1/deployments'),
    );
    // One watch restart (resumed from the last resourceVersion), no new list.
    expect(deploymentRequests.length).toBeGreaterThanOrEqual(1);
    expect(deploymentRequests[0]).toMatch(/watch=true/);
    expect(deploymentRequests[0]).toMatch(/resourceVersion=\d+/);
    expect(deploymentRequests.some(r => !/watch=true/.test(r))).toBe(false);
    expect(recovered.value.env.prod.warnings).toEqual([]);
    expect(
      (await supertest(server).get('/api/gitops/health')).body.status,
    ).toBe('ok');
    // At most one watch connection per kind at any time, hung or not.
    expect(maxOpen).toBeLessThanOrEqual(kinds + 1);

    await backends.pop()!.stop();
    await until(
      async () => cluster.openConnections,
      open => open === 0,
      5000,
    );
  });

  it('answers the first view of a hung cluster within the time-out and the next 20 at once', async () => {
    const healthy = await api();
    healthy.load(guestbookObjects(['dev', 'staging']));
    const hung = await api();
    hung.load(guestbookObjects(['prod']));
    hung.hang();
    const { server } = await startBackend(
      [
        { name: 'nonprod', url: healthy.url },
        { name: 'prod', url: hung.url },
      ],
      { dev: 'nonprod', staging: 'nonprod', prod: 'prod' },
    );
    const first = await environments(server);
    expect(first.ms).toBeLessThanOrEqual(TIMEOUT_S * 1000 + 500);
    expect(first.env.prod).toMatchObject({
      live: null,
      error: expect.stringMatching(/cluster prod/),
    });
    expect(first.env.dev.live.images).toEqual([
      'ghcr.io/acme/guestbook:v1.0.5',
    ]);

    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const view = await environments(server);
      times.push(view.ms);
      expect(view.env.prod.error).toMatch(/cluster prod/);
      expect(view.env.staging.live.images).toEqual([
        'ghcr.io/acme/guestbook:v1.0.4',
      ]);
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.ceil(0.95 * times.length) - 1];
    expect(p95).toBeLessThan(100);
    // Reconnects go on in the background, one request per kind at a time.
    expect(hung.openConnections).toBeLessThanOrEqual(
      Object.keys(WATCHED_KINDS).length,
    );

    // Once it answers, prod's state shows without a restart of the backend.
    hung.recover();
    const { value } = await until(
      () => environments(server),
      r => r.env.prod.live !== null,
      20_000,
    );
    expect(value.env.prod).toMatchObject({
      error: null,
      warnings: [],
      live: { images: ['ghcr.io/acme/guestbook:v1.0.3'], stale: false },
    });
  });

  const rbacFile = (name: string) =>
    fs.readFileSync(
      path.resolve(__dirname, '../../../examples/rbac', name),
      'utf8',
    );
  const USER = 'system:serviceaccount:backstage:backstage-gitops';

  function enforce(cluster: HttpKubeApi, manifest: string, copies: string[]) {
    const rbac = loadRbac(manifest, { namespaceCopies: copies });
    cluster.authorizer = ({ verb, kind, namespace }) =>
      rbac.allows({
        user: USER,
        verb,
        apiGroup: WATCHED_KINDS[kind].group,
        resource: kind,
        namespace,
      });
  }

  /** The manifest without one resource in its read Roles: a permission someone forgot. */
  function without(manifest: string, resource: string) {
    return manifest.replace(
      /resources: \[pods, events, persistentvolumeclaims\]/g,
      `resources: [${['pods', 'events', 'persistentvolumeclaims']
        .filter(r => r !== resource)
        .join(', ')}]`,
    );
  }

  const namespaces = ENVIRONMENTS.map(env => `guestbook-${env}`);

  it.each([
    [
      'the minimal namespaced Roles',
      'namespaced.yaml',
      { fromEnvironments: true },
    ],
    ['the minimal ClusterRole', 'cluster-wide.yaml', undefined],
  ])(
    'serves every environment with %s only, and names a missing permission in warnings',
    async (_name, file, scope) => {
      const manifest = rbacFile(file);
      for (const missing of [undefined, 'persistentvolumeclaims']) {
        const cluster = await api();
        cluster.load(guestbookObjects(ENVIRONMENTS));
        enforce(
          cluster,
          missing ? without(manifest, missing) : manifest,
          scope ? namespaces : [],
        );
        const { server } = await startBackend(
          [{ name: 'local', url: cluster.url, namespaces: scope }],
          { dev: 'local', staging: 'local', prod: 'local' },
        );
        const { value } = await until(
          () => environments(server),
          r => ENVIRONMENTS.every(e => r.env[e].live?.images?.length === 1),
          10_000,
        );
        for (const env of ENVIRONMENTS) {
          expect(value.env[env]).toMatchObject({
            error: null,
            live: { images: [`ghcr.io/acme/guestbook:${GUESTBOOK_TAGS[env]}`] },
            sync: { engine: 'argocd', status: 'Synced', health: 'Healthy' },
          });
          const forbidden = new RegExp(
            `^cluster local: may not list persistentvolumeclaims${
              scope ? ` in guestbook-${env}` : ''
            } \\(403 Forbidden.*\\): grant list, watch on persistentvolumeclaims$`,
          );
          expect(
            value.env[env].warnings.map((w: string) => forbidden.test(w)),
          ).toEqual(missing ? [true] : []);
          expect(JSON.stringify(value.env[env])).not.toMatch(/cannot be read/);
        }
        // Namespaced: nothing was asked cluster-wide.
        const clusterWide = cluster.requests
          .map(r => r.split(' ')[1])
          .filter(p => !/\/namespaces\//.test(p));
        expect(clusterWide.length > 0).toBe(!scope);
        const health = await supertest(server).get('/api/gitops/health');
        const pvcs = health.body.clusters[0].kinds.persistentvolumeclaims;
        expect(pvcs.state).toBe(missing ? 'forbidden' : 'synced');
        await backends.pop()!.stop();
      }
    },
  );
});
