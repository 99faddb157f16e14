import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GitopsVersion } from '@gitops-backstage/plugin-gitops-common';
import { gitIn } from 'gitops-testkit';
import fs from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import {
  createExampleRemote,
  exampleEntities,
} from './__testUtils__/promotionBackend';
import { gitopsPlugin } from './plugin';
import { VerificationStore } from './service/store/VerificationStore';

/*
 * The portal's automation on two backend instances sharing one PostgreSQL and one Git remote,
 * with the real scheduler: each verification result is acted on by exactly one instance.
 */

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const ENTITY = 'component:default/guestbook';
const API = '/api/gitops/entities/default/component/guestbook';
const CHECKS = {
  checks: [
    {
      name: 'smoke',
      kind: 'http',
      url: 'http://127.0.0.1:9/{service}',
      expectStatus: 200,
    },
  ],
};

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe('the portal automation on two instances', () => {
  it('commits one auto-promotion per verified version and one auto-rollback per failed one, never two', async () => {
    const knex = await databases.init('POSTGRES_15');
    const example = createExampleRemote('gitops-automation-');
    const start = (name: string) =>
      startTestBackend({
        features: [
          gitopsPlugin,
          catalogServiceMock.factory({ entities: exampleEntities }),
          mockServices.database.factory({ knex }),
          schedulerServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              gitops: {
                repositories: [
                  { name: 'example', url: example.remote, provider: 'git' },
                ],
                environments: [
                  { name: 'dev', verification: CHECKS },
                  {
                    name: 'staging',
                    verification: CHECKS,
                    policy: {
                      autoPromotion: { from: 'dev' },
                      rollbackOnFailedVerification: true,
                    },
                  },
                  { name: 'prod' },
                ],
                git: {
                  cacheDir: fs.mkdtempSync(
                    path.join(example.workDir, `${name}-`),
                  ),
                  fetchIntervalSeconds: 1,
                },
                automation: { intervalSeconds: 1 },
              },
            },
          }),
        ],
      });
    const a = await start('a');
    const b = await start('b');
    const head = () => gitIn(example.remote, 'rev-parse', 'main');
    const commitsSince = (base: string) =>
      gitIn(example.remote, 'log', '--format=%H%n%B%n--end--', `${base}..main`)
        .split('--end--')
        .map(s => s.trim())
        .filter(Boolean);
    const stagingTag = () =>
      /newTag: (\S+)/.exec(
        gitIn(
          example.remote,
          'show',
          'main:apps/guestbook/overlays/staging/kustomization.yaml',
        ),
      )![1];
    const verifications = await VerificationStore.create(knex);
    const record = async (
      environment: string,
      version: GitopsVersion,
      state: 'Passed' | 'Failed',
    ) => {
      const key = { entityRef: ENTITY, environment, version };
      await verifications.plan(key, new Date(0));
      await knex('gitops_verifications')
        .where({ entity_ref: ENTITY, environment })
        .whereNot('state', 'Passed')
        .whereNot('state', 'Failed')
        .update({ claimed_by: 'test', state: 'Running' });
      await verifications.finish(key, 'test', { state, checks: [] });
    };
    try {
      // v1.0.4, what staging runs, passed there before; v1.0.5 passes in dev.
      await record('staging', { tag: 'v1.0.4', digest: null }, 'Passed');
      const base = head();
      await record('dev', { tag: 'v1.0.5', digest: null }, 'Passed');
      await until('the auto-promotion', () =>
        head() !== base ? true : undefined,
      );
      // Both instances have had several passes since; still one commit.
      await new Promise(resolve => setTimeout(resolve, 4000));
      const promoted = commitsSince(base);
      expect(promoted).toHaveLength(1);
      expect(promoted[0]).toContain(
        'promote(staging): guestbook v1.0.4 → v1.0.5 (from dev)',
      );
      expect(promoted[0]).toContain(
        'Requested-by: Backstage GitOps automation <plugin:gitops/automation>',
      );
      expect(promoted[0]).toContain(
        'Gitops-Policy: auto-promotion of staging from dev',
      );
      expect(promoted[0]).toContain(
        'Gitops-Reason: v1.0.5 passed verification in dev',
      );
      expect(stagingTag()).toBe('v1.0.5');
      // The record names the plugin's own automation identity, never a user's: who set up
      // the policy is not who made the change.
      const actionId = /^Gitops-Action-Id: (\S+)$/m.exec(promoted[0])![1];
      const recorded = await supertest(a.server).get(
        `/api/gitops/promotions/${actionId}`,
      );
      expect(recorded.status).toBe(200);
      expect(recorded.body).toMatchObject({
        action: 'promote',
        actor: 'plugin:gitops/automation',
        status: 'Committed',
      });
      const author = gitIn(example.remote, 'log', '-1', '--format=%an <%ae>');
      expect(author).toBe(
        'Backstage GitOps automation <gitops-automation@backstage.invalid>',
      );
      // Either instance answers what happened.
      const seen = await until('the event on b', async () => {
        const res = await supertest(b.server).get(
          `${API}/automation?environment=staging`,
        );
        const entry = res.body.environments[0].automation[0];
        return entry.last?.state === 'Done' ? res.body : undefined;
      });
      expect(seen.environments[0].automation[0]).toMatchObject({
        engine: 'portal',
        kind: 'promotion',
        policy: 'takes versions verified in dev',
        paused: false,
        pause: null,
      });
      expect(seen.items).toEqual([
        expect.objectContaining({
          kind: 'promotion',
          state: 'Done',
          version: { tag: 'v1.0.5', digest: null },
          sourceEnvironment: 'dev',
          message: expect.stringMatching(/^promoted: commit [0-9a-f]{7}$/),
        }),
      ]);

      // v1.0.5 fails in staging: rolled back to v1.0.4, once, and not taken again.
      const promotedHead = head();
      await record('staging', { tag: 'v1.0.5', digest: null }, 'Failed');
      await until('the auto-rollback', () =>
        head() !== promotedHead ? true : undefined,
      );
      await new Promise(resolve => setTimeout(resolve, 4000));
      const rolledBack = commitsSince(promotedHead);
      expect(rolledBack).toHaveLength(1);
      expect(rolledBack[0]).toContain(
        'rollback(staging): guestbook v1.0.5 → v1.0.4 (to v1.0.4)',
      );
      expect(rolledBack[0]).toContain(
        'Gitops-Reason: v1.0.5 failed verification in staging; v1.0.4 passed there last',
      );
      expect(stagingTag()).toBe('v1.0.4');
    } finally {
      await a.stop();
      await b.stop();
      example.cleanup();
    }
  });

  it('refuses a pause where nothing is automated, and pauses with the permission', async () => {
    const knex = await databases.init('POSTGRES_15');
    const example = createExampleRemote('gitops-automation-pause-');
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        catalogServiceMock.factory({ entities: exampleEntities }),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              repositories: [
                { name: 'example', url: example.remote, provider: 'git' },
              ],
              environments: [
                { name: 'dev', verification: CHECKS },
                { name: 'staging', policy: { autoPromotion: { from: 'dev' } } },
              ],
              git: { cacheDir: path.join(example.workDir, 'cache') },
            },
          },
        }),
      ],
    });
    try {
      const server = backend.server;
      const none = await supertest(server)
        .post(`${API}/automation`)
        .send({ environment: 'dev', paused: true });
      expect(none.status).toBe(400);
      expect(none.body.error.message).toMatch(
        /^dev has no automation of component:default\/guestbook to pause/,
      );
      const bad = await supertest(server)
        .post(`${API}/automation`)
        .send({ environment: 'staging', paused: 'yes' });
      expect(bad.status).toBe(400);
      const unknown = await supertest(server)
        .post(`${API}/automation`)
        .send({ environment: 'qa', paused: true });
      expect(unknown.status).toBe(404);
      const paused = await supertest(server)
        .post(`${API}/automation`)
        .send({ environment: 'staging', paused: true, reason: 'INC-7' });
      expect(paused.status).toBe(200);
      expect(paused.body.environments[0].automation[0].paused).toBe(true);
      expect(paused.body.environments[0].automation[0].pause).toMatchObject({
        by: 'user:default/mock',
        reason: 'INC-7',
      });
      const resumed = await supertest(server)
        .post(`${API}/automation`)
        .send({ environment: 'staging', paused: false });
      expect(resumed.body.environments[0].automation[0]).toMatchObject({
        paused: false,
        pause: null,
      });
    } finally {
      await backend.stop();
      example.cleanup();
    }
  });
});
