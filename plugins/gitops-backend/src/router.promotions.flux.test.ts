import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { gitIn } from 'gitops-testkit';
import {
  changedLines,
  expectChangedYamlParses,
  startPromotionBackend,
  createExampleRemote,
} from './__testUtils__/promotionBackend';

jest.setTimeout(60_000);

const API = '/api/gitops/entities/default/component/sample-app';
const PINNED =
  'sha256:4b1e2f0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c';
const DIGEST_141 = `sha256:${'1'.repeat(64)}`;

/**
 * The Flux layout of sample-app: staging sets its image in a patch, prod pins a digest. GHCR
 * cannot be reached from tests, so msw answers its manifest requests.
 */
describe('changes of a Flux layout with a digest-pinned prod', () => {
  const ghcr = setupServer(
    http.get(
      'https://ghcr.io/v2/acme/sample-app/manifests/:tag',
      ({ params }) =>
        params.tag === '1.4.1'
          ? new HttpResponse(null, {
              headers: { 'docker-content-digest': DIGEST_141 },
            })
          : new HttpResponse(null, { status: 404 }),
    ),
  );
  beforeAll(() => ghcr.listen({ onUnhandledRequest: 'bypass' }));
  afterAll(() => ghcr.close());

  let workDir: string;
  let remote: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ workDir, remote, cleanup } = createExampleRemote('gitops-flux-'));
  });
  afterEach(() => cleanup());

  const start = () =>
    startPromotionBackend({
      remote,
      workDir,
      environments: [{ name: 'dev' }, { name: 'staging' }, { name: 'prod' }],
      gitops: { registries: [{ host: 'ghcr.io' }] },
    });

  it('promotes staging → prod as a new digest pin, looked up in the registry', async () => {
    const server = await start();
    const base = gitIn(remote, 'rev-parse', 'main');
    const res = await request(server)
      .post(`${API}/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 201,
      error: undefined,
    });
    expect(res.body).toMatchObject({
      version: { tag: null, digest: DIGEST_141 },
      previousVersion: { tag: null, digest: PINNED },
    });
    expect(gitIn(remote, 'log', '-1', '--format=%s', 'main')).toBe(
      'promote(prod): sample-app sha256:4b1e2f0c9d8a → sha256:111111111111 (from staging)',
    );
    expect(changedLines(gitIn(remote, 'diff', base, 'main'))).toEqual([
      `-    digest: ${PINNED}`,
      `+    digest: ${DIGEST_141}`,
    ]);
    expectChangedYamlParses(remote, base, 'main');
  });

  it('refuses a digest promotion whose tag the registry does not have, writing nothing', async () => {
    const server = await start();
    // staging gets 1.4.2, a tag the registry does not have.
    await request(server)
      .post(`${API}/promotions`)
      .send({ from: 'dev', to: 'staging' })
      .expect(201);
    const head = gitIn(remote, 'rev-parse', 'main');
    const res = await request(server)
      .post(`${API}/promotions`)
      .send({ from: 'staging', to: 'prod' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'sample-app/apps/overlays/prod pins ghcr.io/acme/sample-app by digest, and the digest of 1.4.2 is unknown: add the registry to gitops.registries or promote a digest',
    );
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(head);
  });

  it('scales prod (replicas from a JSON 6902 patch) with a kustomization replicas entry', async () => {
    const server = await start();
    const base = gitIn(remote, 'rev-parse', 'main');
    const res = await request(server)
      .post(`${API}/scale`)
      .send({ environment: 'prod', replicas: 5 });
    expect(res.status).toBe(201);
    expect(changedLines(gitIn(remote, 'diff', base, 'main'))).toEqual([
      '+replicas:',
      '+  - name: sample-app',
      '+    count: 5',
    ]);
    const envs = await request(server).get(`${API}/environments`);
    expect(
      envs.body.environments.find((e: any) => e.name === 'prod').desired
        .replicas,
    ).toBe(5);
  });

  it('rolls dev back to a tag', async () => {
    const server = await start();
    const base = gitIn(remote, 'rev-parse', 'main');
    const res = await request(server)
      .post(`${API}/rollback`)
      .send({ environment: 'dev', toTag: '1.4.1' });
    expect(res.status).toBe(201);
    expect(changedLines(gitIn(remote, 'diff', base, 'main'))).toEqual([
      '-    newTag: "1.4.2"',
      '+    newTag: "1.4.1"',
    ]);
  });
});
