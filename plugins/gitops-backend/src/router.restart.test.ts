import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { gitIn } from 'gitops-testkit';
import {
  BackendProcess,
  freePort,
} from './__testUtils__/backendProcessControl';
import {
  guestbookEntity,
  guestbookObjects,
  until,
} from './__testUtils__/guestbook';
import { HttpKubeApi } from './__testUtils__/httpKubeApi';
import { createExampleRemote } from './__testUtils__/promotionBackend';

/*
 * The backend is killed (SIGKILL, a real child process) in the middle of a change: after the
 * commit before the push lands, after the push before the record, and while the change is
 * tracked. The kill points are the remote's own hooks (pre-receive rejects and kills,
 * post-receive kills after the ref moved), so nothing in the plugin is instrumented.
 */

jest.setTimeout(180_000);

const PG =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

const API = '/entities/default/component/guestbook';

function clusterObjects(tags: { dev: string; staging: string }) {
  return guestbookObjects({
    dev: { tag: tags.dev, replicas: 1 },
    staging: { tag: tags.staging, replicas: 1 },
  });
}

/** Commits on the remote's main that carry an action-id trailer, newest first. */
function actionCommits(remote: string): Array<{ sha: string; id: string }> {
  return gitIn(
    remote,
    'log',
    '--format=%H %(trailers:key=Gitops-Action-Id,valueonly,separator=)',
    'main',
  )
    .split('\n')
    .map(line => line.trim().split(' '))
    .filter(parts => parts.length === 2 && parts[1])
    .map(([sha, id]) => ({ sha, id }));
}

function head(remote: string) {
  return gitIn(remote, 'rev-parse', 'main').trim();
}

describe('a backend killed in the middle of a change', () => {
  const prefix = `gitops_restart_${process.pid}_`;
  let example: ReturnType<typeof createExampleRemote>;
  let cluster: HttpKubeApi;
  let backend: BackendProcess;

  beforeAll(async () => {
    example = createExampleRemote('gitops-restart-');
    cluster = await new HttpKubeApi().start();
    cluster.load(clusterObjects({ dev: 'v1.0.5', staging: 'v1.0.4' }));
    const hooks = path.join(example.remote, 'hooks');
    // The kill points: a flag file names the hook that kills the backend (its pid in a file).
    for (const [hook, exit] of [
      ['pre-receive', 1],
      ['post-receive', 0],
    ] as const) {
      const script = path.join(hooks, hook);
      fs.writeFileSync(
        script,
        `#!/bin/sh\ncat > /dev/null\nflag="${example.workDir}/kill-${hook}"\nif [ -f "$flag" ]; then\n  rm -f "$flag"\n  kill -9 "$(cat ${example.workDir}/backend.pid)"\n  exit ${exit}\nfi\nexit 0\n`,
      );
      fs.chmodSync(script, 0o755);
    }
    backend = new BackendProcess({
      workDir: example.workDir,
      port: await freePort(),
      databasePrefix: prefix,
      entities: [guestbookEntity()],
      gitops: {
        repositories: [
          { name: 'example', url: example.remote, provider: 'git' },
        ],
        environments: [
          { name: 'dev', cluster: 'local' },
          { name: 'staging', cluster: 'local' },
          { name: 'prod' },
        ],
        clusters: [
          {
            name: 'local',
            url: cluster.url,
            serviceAccountToken: 'local-token',
            skipTLSVerify: true,
          },
        ],
        git: {
          cacheDir: path.join(example.workDir, 'cache'),
          fetchIntervalSeconds: 1,
        },
        promotion: { trackIntervalSeconds: 1, unfinishedWriteSeconds: 2 },
        // The test asks again every 50 ms while a record is settled.
        rateLimit: { changesPerMinute: 1000 },
        timeouts: { clusterSeconds: 2, watchSeconds: 5 },
      },
    });
  });

  afterAll(async () => {
    await backend?.kill();
    await cluster?.stop();
    example?.cleanup();
    const admin = knexFactory({ client: 'pg', connection: PG });
    await admin.raw(`DROP DATABASE IF EXISTS ${prefix}gitops WITH (FORCE)`);
    await admin.destroy();
  });

  async function start() {
    const ms = await backend.start();
    fs.writeFileSync(
      path.join(example.workDir, 'backend.pid'),
      String(backend.pid),
    );
    return ms;
  }

  const promote = (key: string) =>
    backend.request(
      'POST',
      `${API}/promotions`,
      { from: 'dev', to: 'staging' },
      { 'idempotency-key': key },
    );

  const record = async (id: string) =>
    (await backend.request('GET', `/promotions/${id}`)).body;

  it('loses and duplicates nothing when killed before the push, after it, and while tracking', async () => {
    const timings: Record<string, number> = {};
    timings.firstStartMs = await start();
    const base = head(example.remote);

    // 1. Killed after the commit, before the push lands (the remote's pre-receive kills the
    // backend and rejects the push).
    fs.writeFileSync(path.join(example.workDir, 'kill-pre-receive'), '');
    const lost = await promote('key-before-push').catch(error => error);
    expect(String(lost)).toMatch(/fetch failed/); // the answer never came
    expect(await backend.exited()).toBe('SIGKILL');
    expect(head(example.remote)).toBe(base);

    let restartedAt = Date.now();
    timings.restartMs = await start();
    // Within the grace the record is still being written: the same key is told so (409), not
    // run. Then recovery finds no commit with the record's id: Failed, and the key is free.
    const answers: Array<{ status: number; body: any }> = [];
    const settled = await until(
      async () => {
        const answer = await promote('key-before-push');
        answers.push(answer);
        return answer;
      },
      r => r.status !== 409,
      20_000,
    );
    timings.settledBeforePushMs = Date.now() - restartedAt;
    for (const early of answers.slice(0, -1)) {
      expect(early.body.error.message).toMatch(/is still being written/);
    }
    const retried = settled.value;
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({
      status: 'Committed',
      version: { tag: 'v1.0.5' },
      previousVersion: { tag: 'v1.0.4' },
    });
    const commits = actionCommits(example.remote);
    expect(commits).toEqual([
      { sha: retried.body.commit, id: retried.body.id },
    ]);
    expect(head(example.remote)).toBe(retried.body.commit);
    const history = await backend.request(
      'GET',
      `${API}/history?environment=staging`,
    );
    const cutOff = history.body.actions.filter(
      (a: any) => a.id !== retried.body.id,
    );
    expect(cutOff).toEqual([
      expect.objectContaining({
        status: 'Failed',
        commit: null,
        message: expect.stringMatching(
          /stopped before the push landed: nothing was written/,
        ),
      }),
    ]);

    // 2. Killed after the push, before the record (post-receive kills once the ref moved):
    // scale staging, which makes a second commit.
    fs.writeFileSync(path.join(example.workDir, 'kill-post-receive'), '');
    const beforeScale = head(example.remote);
    const scaleLost = await backend
      .request(
        'POST',
        `${API}/scale`,
        { environment: 'staging', replicas: 3 },
        { 'idempotency-key': 'key-after-push' },
      )
      .catch(error => error);
    expect(String(scaleLost)).toMatch(/fetch failed/);
    expect(await backend.exited()).toBe('SIGKILL');
    const pushed = head(example.remote);
    expect(pushed).not.toBe(beforeScale);
    const scaleCommit = actionCommits(example.remote)[0];
    expect(scaleCommit.sha).toBe(pushed);

    restartedAt = Date.now();
    await start();
    const replay = await until(
      () =>
        backend.request(
          'POST',
          `${API}/scale`,
          { environment: 'staging', replicas: 3 },
          { 'idempotency-key': 'key-after-push' },
        ),
      r => r.status !== 409,
      20_000,
    );
    timings.settledAfterPushMs = Date.now() - restartedAt;
    // The first request's record, finished from the commit's trailer: no second commit.
    expect(replay.value.status).toBe(200);
    expect(replay.value.body).toMatchObject({
      id: scaleCommit.id,
      action: 'scale',
      status: 'Committed',
      commit: pushed,
      message: expect.stringMatching(/stopped after the push/),
    });
    // Without the key the same scale is a no-op: the branch already says 3.
    const again = await backend.request('POST', `${API}/scale`, {
      environment: 'staging',
      replicas: 3,
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('NoChange');
    expect(head(example.remote)).toBe(pushed);
    expect(actionCommits(example.remote).map(c => c.id)).toEqual([
      scaleCommit.id,
      retried.body.id,
    ]);

    // 3. Killed while both changes are tracked: the cluster runs them while the backend is
    // down, and tracking resumes after the restart.
    expect((await record(retried.body.id)).status).toBe('Committed');
    await backend.kill();
    const objects = clusterObjects({ dev: 'v1.0.5', staging: 'v1.0.5' });
    for (const deployment of objects.deployments ?? []) {
      if (deployment.metadata.namespace === 'guestbook-staging') {
        deployment.spec.replicas = 3;
        Object.assign(deployment.status, {
          replicas: 3,
          readyReplicas: 3,
          availableReplicas: 3,
          updatedReplicas: 3,
        });
      }
    }
    cluster.load(objects);
    restartedAt = Date.now();
    await start();
    const tracked = await until(
      async () => [await record(retried.body.id), await record(scaleCommit.id)],
      ([promotion, scale]) =>
        promotion.status !== 'Committed' && scale.status !== 'Committed',
      30_000,
    );
    timings.trackingResumedMs = Date.now() - restartedAt;
    expect(tracked.value.map(r => r.status)).toEqual([
      'Succeeded',
      'Succeeded',
    ]);
    expect(actionCommits(example.remote)).toHaveLength(2);
    process.stdout.write(`restart timings: ${JSON.stringify(timings)}\n`);
  });
});
