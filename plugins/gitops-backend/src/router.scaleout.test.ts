import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import supertest from 'supertest';
import {
  createExampleRemote,
  exampleEntities,
} from './__testUtils__/promotionBackend';
import { gitopsPlugin } from './plugin';

/*
 * Two backend instances, as a scaled-out deployment runs them: one PostgreSQL, one Redis
 * (Backstage's cache service, on 127.0.0.1:6379 here), the real scheduler.
 */

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

describe('two backend instances', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
  afterAll(() => server.close());

  let workDir: string;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-scaleout-'));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it('share registry answers through the cache service, run the tracker on one instance at a time, and serve the same state', async () => {
    const knex = await databases.init('POSTGRES_15');
    const example = createExampleRemote('gitops-scaleout-remote-');
    const remote = example.remote;
    const tagLists: string[] = [];
    server.use(
      http.get('https://ghcr.io/token', () =>
        HttpResponse.json({ token: 't' }),
      ),
      http.get('https://ghcr.io/v2/:org/:name/tags/list', ({ params }) => {
        tagLists.push(`${params.org}/${params.name}`);
        return HttpResponse.json({
          tags: ['v1.0.3', 'v1.0.4', 'v1.0.5', 'v1.0.6'],
        });
      }),
      http.get(
        'https://ghcr.io/v2/:org/:name/manifests/:tag',
        () =>
          new HttpResponse(null, {
            headers: { 'docker-content-digest': `sha256:${'c'.repeat(64)}` },
          }),
      ),
    );
    const start = (name: string) =>
      startTestBackend({
        features: [
          gitopsPlugin,
          catalogServiceMock.factory({ entities: exampleEntities }),
          mockServices.database.factory({ knex }),
          cacheServiceFactory,
          schedulerServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              backend: {
                cache: { store: 'redis', connection: 'redis://127.0.0.1:6379' },
              },
              gitops: {
                repositories: [
                  { name: 'example', url: remote, provider: 'git' },
                ],
                environments: [
                  { name: 'dev' },
                  { name: 'staging' },
                  { name: 'prod' },
                ],
                registries: [{ host: 'ghcr.io' }],
                git: {
                  cacheDir: fs.mkdtempSync(path.join(workDir, `${name}-`)),
                  fetchIntervalSeconds: 1,
                },
                promotion: { trackIntervalSeconds: 1 },
              },
            },
          }),
        ],
      });
    const a = await start('a');
    const b = await start('b');
    try {
      const environments = async (backend: typeof a) => {
        const res = await supertest(backend.server).get(
          '/api/gitops/entities/default/component/guestbook/environments',
        );
        expect(res.status).toBe(200);
        return res.body.environments;
      };
      const fromA = await environments(a);
      const fromB = await environments(b);
      expect(fromA.map((e: any) => e.registry)).toEqual(
        fromB.map((e: any) => e.registry),
      );
      expect(fromA[0].registry).toMatchObject({
        image: 'ghcr.io/acme/guestbook',
        newer: expect.any(Array),
      });
      // One instance asked the registry; the other read the answer from Redis. (None, when
      // an earlier run left the answer there within its TTL.)
      expect(
        tagLists.filter(r => r === 'acme/guestbook').length,
      ).toBeLessThanOrEqual(1);

      // The tracker is one scheduled task for both instances, locked in the shared database.
      const tasks = await knex('backstage_backend_tasks__tasks').where(
        'id',
        'like',
        '%gitops-action-tracker%',
      );
      expect(tasks).toHaveLength(1);

      // A change made through one instance is seen by the other: record and Git.
      const promoted = await supertest(a.server)
        .post('/api/gitops/entities/default/component/guestbook/promotions')
        .send({ from: 'dev', to: 'staging' });
      expect(promoted.status).toBe(201);
      const record = await supertest(b.server).get(
        `/api/gitops/promotions/${promoted.body.id}`,
      );
      expect(record.body).toMatchObject({
        id: promoted.body.id,
        commit: promoted.body.commit,
        version: promoted.body.version,
      });
      await new Promise(resolve => setTimeout(resolve, 1100));
      const staging = (await environments(b))[1];
      expect(staging.desired.tag).toBe(promoted.body.version.tag);
      expect(staging.desired.source.revision).toBe(promoted.body.commit);
    } finally {
      await a.stop();
      await b.stop();
      example.cleanup();
    }
  });
});
