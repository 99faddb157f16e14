import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { gitIn } from 'gitops-testkit';
import knexFactory from 'knex';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  createExampleRemote,
  exampleEntities,
} from './__testUtils__/promotionBackend';
import {
  PrivatePostgres,
  createPrivatePostgres,
  privatePostgresAvailable,
} from './__testUtils__/privatePostgres';
import { gitopsPlugin } from './plugin';

jest.setTimeout(60_000);

const API = '/api/gitops/entities/default/component';
/** PolicyService reads the active freezes at most this often (its default freezeCacheMs). */
const FREEZE_CACHE_MS = 5000;
const OUTAGE_MESSAGE =
  /^The GitOps database is not answering: .+; retry shortly$/;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Times one request; the answer and how long it took. */
async function timed(req: request.Test) {
  const started = Date.now();
  const res = await req;
  return { res, ms: Date.now() - started };
}

/**
 * A real PostgreSQL 15 of this test's own (the machine's shared server keeps running) is
 * stopped with `pg_ctl stop -m fast` under a running backend and started again: changes answer
 * 503 and write nothing to Git while it is down, reads that need no database keep answering,
 * and the same backend serves changes again once it is back, with every record kept.
 */
const describeWithPostgres = privatePostgresAvailable()
  ? describe
  : describe.skip;

describeWithPostgres(
  'PostgreSQL stopped and started under a running backend',
  () => {
    let pg: PrivatePostgres;
    let repo: ReturnType<typeof createExampleRemote>;
    let startMs: number;
    beforeAll(async () => {
      pg = await createPrivatePostgres();
      startMs = await pg.start();
      repo = createExampleRemote('gitops-db-restart-');
    });
    afterAll(async () => {
      await pg?.cleanup();
      repo?.cleanup();
    });

    it('answers 503 for changes while it is down, keeps every record and serves again without a restart', async () => {
      const backend = await startTestBackend({
        features: [
          gitopsPlugin,
          catalogServiceMock.factory({ entities: exampleEntities }),
          // Backstage's own database service (Knex, pg driver, its pool settings), as a
          // deployment runs it, on the private server.
          databaseServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              backend: {
                database: {
                  client: 'pg',
                  connection: {
                    host: pg.host,
                    port: pg.port,
                    user: 'postgres',
                  },
                },
              },
              gitops: {
                repositories: [
                  { name: 'example', url: repo.remote, provider: 'git' },
                ],
                environments: [
                  { name: 'dev' },
                  { name: 'staging' },
                  { name: 'prod' },
                ],
                git: {
                  cacheDir: fs.mkdtempSync(path.join(repo.workDir, 'cache-')),
                  fetchIntervalSeconds: 1,
                },
              },
            },
          }),
        ],
      });
      const server = backend.server;
      // What the plugin wrote, read beside it (Backstage gives each plugin its own database).
      const db = knexFactory({
        client: 'pg',
        connection: `${pg.connectionString}/backstage_plugin_gitops`,
        pool: { min: 0, max: 1 },
      });
      const head = () => gitIn(repo.remote, 'rev-parse', 'main');
      const refs = () =>
        gitIn(repo.remote, 'for-each-ref', '--format=%(refname) %(objectname)');
      const change = (service: string, kind: string, body: object) =>
        request(server).post(`${API}/${service}/${kind}`).send(body);
      const record = (id: string) =>
        request(server).get(`/api/gitops/promotions/${id}`);
      const history = () =>
        request(server).get(`${API}/guestbook/history?environment=staging`);
      const environments = (service: string) =>
        request(server).get(`${API}/${service}/environments`);

      try {
        // Running: changes commit and are recorded; every read answers.
        const recorded: any[] = [];
        for (const [service, kind, body] of [
          ['guestbook', 'promotions', { from: 'dev', to: 'staging' }],
          ['podinfo', 'scale', { environment: 'staging', replicas: 3 }],
        ] as const) {
          const res = await change(service, kind, body);
          expect(res.status).toBe(201);
          expect(res.body.commit).toBe(head());
          recorded.push(res.body);
        }
        for (const action of recorded) {
          const res = await record(action.id);
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({
            id: action.id,
            commit: action.commit,
          });
        }
        const envBefore = await environments('guestbook');
        expect(envBefore.status).toBe(200);
        const tagsBefore = envBefore.body.environments.map((e: any) => [
          e.name,
          e.desired.tag,
        ]);
        const historyBefore = await history();
        expect(historyBefore.status).toBe(200);
        expect(historyBefore.body.actions.map((a: any) => a.id)).toContain(
          recorded[0].id,
        );
        // Stop while changes and reads are in flight. A read answers from the database or
        // 503; a change answers 201 with its commit on the branch, or 503 — never 500.
        // (Whether a change the stop caught between its commit and its record may answer
        // 503 is up to the write-ahead record; the changes made while it is down, below, are
        // held to "no commit".)
        const changesInFlight = Promise.all(
          (
            [
              ['guestbook', 'scale', { environment: 'dev', replicas: 2 }],
              ['podinfo', 'scale', { environment: 'staging', replicas: 5 }],
              ['guestbook', 'scale', { environment: 'staging', replicas: 4 }],
            ] as const
          ).map(([service, kind, body]) => change(service, kind, body)),
        );
        let stopped = false;
        const readsInFlight: number[] = [];
        const reading = (async () => {
          while (!stopped) {
            const answers = await Promise.all([
              record(recorded[0].id),
              history(),
            ]);
            readsInFlight.push(...answers.map(a => a.status));
          }
        })();
        await sleep(30);
        const stopMs = await pg.stop();
        const stoppedAt = Date.now();
        stopped = true;
        await reading;
        const changedInFlight = await changesInFlight;
        expect(readsInFlight.filter(s => s !== 200 && s !== 503)).toEqual([]);
        expect(
          changedInFlight
            .filter(r => r.status !== 201 && r.status !== 503)
            .map(r => [r.status, r.body]),
        ).toEqual([]);
        const log = gitIn(repo.remote, 'log', '--format=%H', 'main');
        const caught: any[] = [];
        for (const res of changedInFlight.filter(r => r.status === 201)) {
          expect(log).toContain(res.body.commit);
          caught.push(res.body);
        }
        const headBefore = head();
        const refsBefore = refs();

        // Down: what needs the database answers 503 at once; Git-only reads answer.
        const outageMs: number[] = [];
        const down = await timed(record(recorded[1].id));
        outageMs.push(down.ms);
        expect(down.res.status).toBe(503);
        expect(down.res.body.error.name).toBe('ServiceUnavailableError');
        expect(down.res.body.error.message).toMatch(OUTAGE_MESSAGE);
        const historyDown = await timed(history());
        outageMs.push(historyDown.ms);
        expect(historyDown.res.status).toBe(503);
        const envDown = await environments('guestbook');
        expect(envDown.status).toBe(200);
        expect(
          envDown.body.environments.map((e: any) => [e.name, e.desired.tag]),
        ).toEqual(tagsBefore);
        expect((await request(server).get('/api/gitops/overview')).status).toBe(
          200,
        );
        // Health says why changes are refused.
        const healthDown = await request(server).get('/api/gitops/health');
        expect(healthDown.body).toMatchObject({
          status: 'degraded',
          database: { ready: false, error: expect.any(String) },
        });

        for (const [service, kind, body] of [
          ['guestbook', 'promotions', { from: 'staging', to: 'prod' }],
          ['podinfo', 'scale', { environment: 'staging', replicas: 4 }],
          [
            'guestbook',
            'rollback',
            { environment: 'staging', toTag: 'v1.0.3' },
          ],
        ] as const) {
          const refused = await timed(change(service, kind, body));
          outageMs.push(refused.ms);
          expect(refused.res.status).toBe(503);
          expect(refused.res.body.error).toEqual({
            name: 'ServiceUnavailableError',
            message: expect.stringMatching(OUTAGE_MESSAGE),
          });
        }
        // Nothing written for a 503: the same branch heads, no new branch.
        expect(head()).toBe(headBefore);
        expect(refs()).toBe(refsBefore);
        // These changes came while PolicyService still held the freezes it read before the
        // stop, so nothing of the database was read before their push: the record written
        // before the push is what answered 503 with nothing written. Once the freezes are
        // old, the environments say the policy could not be read.
        await sleep(
          Math.max(0, stoppedAt + FREEZE_CACHE_MS + 200 - Date.now()),
        );
        const envLater = await environments('podinfo');
        expect(envLater.status).toBe(200);
        expect(envLater.body.environments[0].warnings).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^Promotion policy not read: /),
          ]),
        );

        // Back: the same backend serves changes again; retry the way a client would.
        const restartMs = await pg.start();
        const upAt = Date.now();
        let attempts = 0;
        const recovered = await eventually(
          () => {
            attempts++;
            return change('guestbook', 'promotions', {
              from: 'staging',
              to: 'prod',
            });
          },
          r => r.status !== 503,
        );
        const firstSuccessMs = Date.now() - upAt;
        expect(recovered.status).toBe(201);
        expect(
          (await request(server).get('/api/gitops/health')).body,
        ).toMatchObject({
          status: 'ok',
          database: { ready: true, error: null },
        });
        expect(firstSuccessMs).toBeLessThan(5000);
        expect(recovered.body.commit).toBe(head());
        expect(gitIn(repo.remote, 'rev-parse', 'main^')).toBe(headBefore);

        // A quick restart with nothing asked in between: the pool's idle connections all
        // died with it, and the first change after it must not be the one that finds out.
        const quick = await pg.restart();
        const afterQuick = await change('podinfo', 'scale', {
          environment: 'staging',
          replicas: 6,
        });
        expect(afterQuick.status).toBe(201);
        expect(afterQuick.body.commit).toBe(head());
        const answered = [...recorded, recovered.body, afterQuick.body];

        // Nothing lost: every change answered 201 has its record (eventually: a record may
        // be completed after the answer), the ones from before the outage as they were.
        for (const action of answered) {
          const res = await eventually(
            () => record(action.id),
            r => r.status === 200 && r.body.commit === action.commit,
          );
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({
            id: action.id,
            action: action.action,
            commit: action.commit,
            version: action.version,
            scaling: action.scaling,
            diff: action.diff,
          });
        }
        // A change the stop caught after its push has its record too; one whose record could
        // not be finished before the stop stays "Writing" until the unfinished-writes pass
        // finds its commit on the branch.
        for (const action of caught) {
          const res = await record(action.id);
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({
            id: action.id,
            action: action.action,
          });
          expect(
            res.body.commit === action.commit || res.body.status === 'Writing',
          ).toBe(true);
        }
        const historyAfter = await history();
        expect(historyAfter.status).toBe(200);
        expect(historyAfter.body.actions.map((a: any) => a.id)).toContain(
          recorded[0].id,
        );
        // In the database: a row for each change answered 201. Other rows could only be
        // those of changes the stop caught (a write-ahead record of one answered 503); the
        // changes refused while it was down cannot have written one.
        const ids = (
          (await db('gitops_actions').select('id')) as Array<{ id: string }>
        ).map(r => r.id);
        const answeredIds = [...answered, ...caught].map(a => a.id);
        expect(ids).toEqual(expect.arrayContaining(answeredIds));
        expect(
          ids.filter(id => !answeredIds.includes(id)).length,
        ).toBeLessThanOrEqual(
          changedInFlight.filter(r => r.status === 503).length,
        );

        // For the record (quoted in the README's faults table).
        process.stdout.write(
          `database restart: private PostgreSQL initdb ${pg.initdbMs} ms, start ${startMs} ms, stop ${stopMs} ms, start again ${restartMs} ms; ` +
            `during the stop: reads ${JSON.stringify(
              countBy(readsInFlight.map(String)),
            )}, changes ${JSON.stringify(
              countBy(changedInFlight.map(r => String(r.status))),
            )}; outage answers (503) ${outageMs.join(', ')} ms; ` +
            `first 201 ${firstSuccessMs} ms after PostgreSQL accepted connections (${attempts} attempt(s)); ` +
            `quick restart (stop ${quick.stopMs} ms, start ${quick.startMs} ms): next change ${afterQuick.status} at the first attempt\n`,
        );
      } finally {
        await db.destroy();
        await backend.stop();
      }
    });
  },
);

/** Asks again every 100 ms until `done` or 10 s, and returns the last answer. */
async function eventually<T>(
  ask: () => Promise<T>,
  done: (answer: T) => boolean,
): Promise<T> {
  const until = Date.now() + 10_000;
  let answer = await ask();
  while (!done(answer) && Date.now() < until) {
    await sleep(100);
    answer = await ask();
  }
  return answer;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
