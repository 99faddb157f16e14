import { gitIn } from 'gitops-testkit';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  createExampleRemote,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';

jest.setTimeout(60_000);

const API = '/api/gitops/entities/default/component';
const FETCH_INTERVAL_SECONDS = 1;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * The Git remote moved away and back under a running backend (a real bare repository on
 * disk): reads keep the last fetched revision and say so, writes answer 503 and leave the
 * branch as it was, and everything is current again without a restart.
 */
describe('a Git remote that does not answer', () => {
  let repo: ReturnType<typeof createExampleRemote>;
  beforeEach(() => {
    repo = createExampleRemote('gitops-outage-');
  });
  afterEach(() => repo.cleanup());

  it('answers from the last fetched revision, marks it stale, refuses writes with 503 and recovers', async () => {
    const server = await startPromotionBackend({
      remote: repo.remote,
      workDir: repo.workDir,
      gitops: {
        git: {
          cacheDir: fs.mkdtempSync(path.join(repo.workDir, 'cache-')),
          fetchIntervalSeconds: FETCH_INTERVAL_SECONDS,
        },
      },
    });
    const environments = async () => {
      const res = await request(server).get(`${API}/guestbook/environments`);
      expect(res.status).toBe(200);
      return res.body.environments as any[];
    };
    const before = await environments();
    const tags = before.map(e => [e.name, e.desired?.tag]);
    expect(tags.every(([, tag]) => typeof tag === 'string')).toBe(true);
    expect(before.every(e => e.desired.stale === undefined)).toBe(true);
    const head = gitIn(repo.remote, 'rev-parse', 'main');

    const away = `${repo.remote}-away`;
    fs.renameSync(repo.remote, away);
    await sleep(FETCH_INTERVAL_SECONDS * 1000 + 100);

    // Reads: same versions, marked stale with the repository, the time and the revision.
    const times: number[] = [];
    let during: any[] = [];
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      during = await environments();
      times.push(Date.now() - started);
    }
    expect(during.map(e => [e.name, e.desired?.tag])).toEqual(tags);
    for (const env of during) {
      expect(env.desired.stale).toBe(true);
      expect(env.desired.staleReason).toMatch(
        new RegExp(
          `^repository example: no answer since \\d\\d:\\d\\d:\\d\\d UTC; showing revision ${head.slice(
            0,
            7,
          )}$`,
        ),
      );
      expect(env.error ?? null).toBeNull();
    }
    const overview = await request(server).get('/api/gitops/overview');
    const row = overview.body.items.find(
      (item: any) => item.entityRef === 'component:default/guestbook',
    );
    expect(row.environments.every((e: any) => e.stale === true)).toBe(true);

    // Health: degraded; details only for a signed-in caller.
    const anonymous = await request(server)
      .get('/api/gitops/health')
      .set('authorization', 'Bearer mock-none-token');
    expect(anonymous.body).toEqual({ status: 'degraded' });
    const health = await request(server).get('/api/gitops/health');
    expect(health.body.status).toBe('degraded');
    expect(health.body.repositories).toEqual([
      expect.objectContaining({
        repository: repo.remote,
        provider: 'git',
        stale: true,
        revision: head,
        message: expect.stringMatching(/^repository example: no answer since/),
      }),
    ]);

    // Writes: 503 naming the repository and since when; nothing written.
    for (const [change, body] of [
      ['promotions', { from: 'dev', to: 'staging' }],
      ['scale', { environment: 'staging', replicas: 3 }],
      ['rollback', { environment: 'staging', toTag: 'v1.0.3' }],
    ] as const) {
      const refused = await request(server)
        .post(`${API}/guestbook/${change}`)
        .send(body);
      expect(refused.status).toBe(503);
      expect(refused.body.error.name).toBe('ServiceUnavailableError');
      expect(refused.body.error.message).toMatch(
        /^Cannot write to .*: repository remote: no answer since \d\d:\d\d:\d\d UTC; showing revision [0-9a-f]{7} \(git fetch failed: .*\); nothing was written$/,
      );
      expect(refused.body.error.message).toContain(repo.remote);
    }
    expect(gitIn(away, 'rev-parse', 'main')).toBe(head);
    // The plan still reads the stale revision: a dry run shows what would be written.
    const dry = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging', dryRun: true });
    expect(dry.status).toBe(200);

    // Back: current again on a later read, without a restart.
    fs.renameSync(away, repo.remote);
    let recovered: any[] = [];
    const back = Date.now();
    for (let i = 0; i < 50; i++) {
      await sleep(200);
      recovered = await environments();
      if (recovered.every(e => e.desired.stale === undefined)) break;
    }
    const recoveryMs = Date.now() - back;
    expect(recovered.map(e => [e.name, e.desired?.tag])).toEqual(tags);
    expect(recovered.every(e => e.desired.stale === undefined)).toBe(true);
    expect((await request(server).get('/api/gitops/health')).body.status).toBe(
      'ok',
    );
    const promoted = await request(server)
      .post(`${API}/guestbook/promotions`)
      .send({ from: 'dev', to: 'staging' });
    expect(promoted.status).toBe(201);
    expect(gitIn(repo.remote, 'rev-parse', 'main^')).toBe(head);

    // eslint-disable-next-line no-console
    console.log(
      `git outage: environments reads ${times.join(
        ', ',
      )} ms (fetch interval ${FETCH_INTERVAL_SECONDS} s); current again ${recoveryMs} ms after the remote came back`,
    );
    expect(Math.max(...times.slice(1))).toBeLessThan(1000);
  });
});
