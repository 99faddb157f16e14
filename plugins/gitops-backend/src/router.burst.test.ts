import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { gitIn } from 'gitops-testkit';
import { Knex } from 'knex';
import fs from 'node:fs';
import path from 'node:path';
import { setupServer } from 'msw/node';
import request from 'supertest';
import {
  LogEntry,
  ProbeRun,
  TaskRun,
  commitsWithTrailers,
  probeCheckModule,
  quantile,
  recordingRootLogger,
  recordingSchedulerFactory,
  waitFor,
} from './__testUtils__/burstBackend';
import { mergeSnapshots, shiftTimes } from './__testUtils__/clusterSnapshots';
import { FakeKubeApi } from './__testUtils__/fakeKubeApi';
import {
  createExampleRemote,
  exampleEntities,
  expectChangedYamlParses,
} from './__testUtils__/promotionBackend';
import { gitopsPlugin } from './plugin';
import { KindKey, KubeObject } from './service/live/kinds';
import {
  healthyArgoService,
  healthyFluxHelmService,
} from './service/live/__fixtures__/clusterObjects';

/*
 * Issue 31, item 3: two replicas, one burst. Two backend instances as two pods run them —
 * each its own Git clone, one bare remote, one PostgreSQL, one Redis, the real scheduler —
 * take 40 concurrent promotions, rollbacks and scales that collide on the same files. Every
 * change lands exactly once, none is lost, each request is answered; the scheduled work
 * (tracker, deployment ledger, verification) runs once for both instances.
 */

jest.setTimeout(120_000);

const CLUSTER = 'https://127.0.0.1:6443';
const API = '/api/gitops/entities/default/component';
const INSTANCES = ['a', 'b'] as const;
const SERVICES = ['guestbook', 'demo-flask-app', 'sample-app', 'podinfo'];
/** What the example repository declares before the burst. */
const INITIAL: Record<
  string,
  Record<string, { tag: string; replicas: number }>
> = {
  guestbook: {
    dev: { tag: 'v1.0.5', replicas: 1 },
    staging: { tag: 'v1.0.4', replicas: 2 },
  },
  'demo-flask-app': {
    dev: { tag: '9f8e7d6-42', replicas: 1 },
    staging: { tag: '5c4b3a2-40', replicas: 2 },
  },
  'sample-app': {
    dev: { tag: '1.4.2', replicas: 1 },
    staging: { tag: '1.4.1', replicas: 2 },
  },
  podinfo: {
    dev: { tag: '6.7.1', replicas: 1 },
    staging: { tag: '6.7.0', replicas: 2 },
  },
};
/** Finished statuses of a record that made a commit (no pull requests here). */
const COMMITTED_STATUSES = ['Committed', 'Succeeded', 'Failed'];
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

type Slot = 'promote' | 'rollback' | 'scaleStaging' | 'scaleDev';

/** One request of the burst and its answer. */
interface Change {
  i: number;
  instance: number;
  service: string;
  route: 'promotions' | 'rollback' | 'scale';
  environment: string;
  field: 'version' | 'replicas';
  body: Record<string, unknown>;
  /** What the request sets; for a promotion, what dev declares. */
  value: string | number;
  status: number;
  answer: any;
  ms: number;
}

/**
 * Ten requests per service, interleaved across services so that each instance's queue
 * alternates between files, and each service's requests alternate between the instances.
 * All of staging's changes of a service edit one file; promotions and rollbacks set the
 * same field, so only the last landed one stays, and so do the scales.
 */
function burstPlan(): Array<Omit<Change, 'status' | 'answer' | 'ms'>> {
  const slots: Slot[] = [
    'promote',
    'scaleStaging',
    'rollback',
    'scaleDev',
    'rollback',
    'scaleStaging',
    'promote',
    'scaleDev',
    'rollback',
    'scaleStaging',
  ];
  const plan: Array<Omit<Change, 'status' | 'answer' | 'ms'>> = [];
  for (let slot = 0; slot < slots.length; slot++) {
    SERVICES.forEach((service, k) => {
      let kind = slots[slot];
      // podinfo's dev replicas come from the shared base (not writable per environment).
      if (service === 'podinfo' && kind === 'scaleDev') {
        kind = slot === 3 ? 'scaleStaging' : 'rollback';
      }
      const i = plan.length;
      const common = { i, instance: (slot + k) % 2, service };
      const before = plan.filter(p => p.service === service);
      const count = (route: string, environment: string) =>
        before.filter(p => p.route === route && p.environment === environment)
          .length;
      if (kind === 'promote') {
        plan.push({
          ...common,
          route: 'promotions',
          environment: 'staging',
          field: 'version',
          body: { from: 'dev', to: 'staging' },
          value: INITIAL[service].dev.tag,
        });
      } else if (kind === 'rollback') {
        const tag = `v9.${k}.${count('rollback', 'staging') + 1}`;
        plan.push({
          ...common,
          route: 'rollback',
          environment: 'staging',
          field: 'version',
          body: { environment: 'staging', toTag: tag },
          value: tag,
        });
      } else {
        const environment = kind === 'scaleDev' ? 'dev' : 'staging';
        const replicas =
          INITIAL[service][environment].replicas +
          count('scale', environment) +
          1;
        plan.push({
          ...common,
          route: 'scale',
          environment,
          field: 'replicas',
          body: { environment, replicas },
          value: replicas,
        });
      }
    });
  }
  return plan;
}

/** A service running `tag` with `replicas` pods, Synced and Healthy. */
function running(service: string, env: string, tag: string, replicas: number) {
  return service === 'podinfo'
    ? healthyFluxHelmService({ service, env, tag, replicas })
    : healthyArgoService({ service, env, tag, replicas });
}

/** Replaces one namespace's objects the way a rollout does: watch events per object. */
function rollOut(
  api: FakeKubeApi,
  namespace: string,
  snapshot: Record<string, KubeObject[]>,
) {
  for (const [kind, objects] of Object.entries(snapshot) as Array<
    [KindKey, KubeObject[]]
  >) {
    const inScope = (o: KubeObject) =>
      o.metadata?.namespace === namespace || o.metadata?.name === namespace;
    for (const old of api.list(kind).filter(inScope)) {
      if (
        !objects.some(
          o =>
            o.metadata?.name === old.metadata?.name &&
            o.metadata?.namespace === old.metadata?.namespace,
        )
      )
        api.emit(kind, 'DELETED', old);
    }
    for (const object of objects) api.emit(kind, 'MODIFIED', object);
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  }
  return groups;
}

/** Seconds of an ISO 8601 duration such as `PT1S` or `PT60S`; NaN for others. */
function cadenceSeconds(cadence: string): number {
  const match = /^PT(\d+(?:\.\d+)?)S$/.exec(cadence);
  return match ? Number(match[1]) : NaN;
}

describe('two backend instances, one burst of 40 changes', () => {
  const msw = setupServer();
  const logs: LogEntry[] = [];
  const runs: TaskRun[] = [];
  const probes: ProbeRun[] = [];
  const summary: string[] = [];
  let knex: Knex;
  let api: FakeKubeApi;
  let remote: string;
  let cleanup: () => void;
  const servers: any[] = [];
  const stops: Array<() => Promise<void>> = [];
  let start: string;
  let startedAt: number;
  let changes: Change[] = [];
  let landed: Change[] = [];
  /** Commits of the branch, newest first. */
  let order: string[] = [];
  let rolledOutAt: number;

  /** The newest landed change of one field of one environment (branch order). */
  const newest = (
    service: string,
    environment: string,
    field: Change['field'],
  ) =>
    landed
      .filter(
        c =>
          c.service === service &&
          c.environment === environment &&
          c.field === field,
      )
      .sort(
        (x, y) =>
          order.indexOf(x.answer.commit) - order.indexOf(y.answer.commit),
      )[0];
  /** Sorts changes by where their commits are on the branch, oldest first. */
  const oldestFirst = (list: Change[]) =>
    [...list].sort(
      (x, y) => order.indexOf(y.answer.commit) - order.indexOf(x.answer.commit),
    );
  /** What the branch should declare after the burst. */
  const expectedFinal = (service: string, environment: string) => ({
    tag:
      newest(service, environment, 'version')?.value ??
      INITIAL[service][environment].tag,
    replicas:
      newest(service, environment, 'replicas')?.value ??
      INITIAL[service][environment].replicas,
  });

  beforeAll(async () => {
    msw.listen({ onUnhandledRequest: 'bypass' });
    knex = await databases.init('POSTGRES_15');
    const example = createExampleRemote('gitops-burst-');
    ({ remote, cleanup } = example);
    api = new FakeKubeApi(CLUSTER);
    api.load(
      shiftTimes(
        mergeSnapshots(
          ...SERVICES.flatMap(service =>
            ['dev', 'staging'].map(env =>
              running(
                service,
                env,
                INITIAL[service][env].tag,
                INITIAL[service][env].replicas,
              ),
            ),
          ),
        ),
      ),
    );
    msw.use(...api.handlers());
    startedAt = Date.now();
    for (const instance of INSTANCES) {
      const backend = await startTestBackend({
        features: [
          gitopsPlugin,
          catalogServiceMock.factory({ entities: exampleEntities }),
          mockServices.database.factory({ knex }),
          cacheServiceFactory,
          recordingRootLogger(instance, logs),
          recordingSchedulerFactory(instance, runs),
          probeCheckModule(instance, probes),
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
                  { name: 'dev', cluster: 'local', autoSync: true },
                  {
                    name: 'staging',
                    cluster: 'local',
                    autoSync: true,
                    verification: {
                      checks: [{ name: 'probe', kind: 'burst-probe' }],
                    },
                  },
                ],
                clusters: [
                  {
                    name: 'local',
                    url: CLUSTER,
                    serviceAccountToken: 'secret',
                    skipTLSVerify: true,
                  },
                ],
                git: {
                  // Separate clones, as separate pods have.
                  cacheDir: fs.mkdtempSync(
                    path.join(example.workDir, `${instance}-`),
                  ),
                  fetchIntervalSeconds: 5,
                },
                promotion: { trackIntervalSeconds: 1 },
                metrics: { recordIntervalSeconds: 1 },
                verification: { intervalSeconds: 1 },
                // One user, 20 changes per instance: above the default 30 a minute.
                rateLimit: { changesPerMinute: 1000 },
                // A clone may lag the branch by a fetch interval and a fetch (gitSeconds).
                // 15 s, not 5: on a CI machine of 2 cores running every suite, a fetch of
                // 5 s timed out and its 503s were load, not what this test is about.
                timeouts: { clusterSeconds: 2, gitSeconds: 15 },
              },
            },
          }),
        ],
      });
      servers.push(backend.server);
      stops.push(() => backend.stop());
    }
    start = gitIn(remote, 'rev-parse', 'main');

    // The burst: 40 requests at once, half on each instance.
    const plan = burstPlan();
    const burstStarted = Date.now();
    changes = await Promise.all(
      plan.map(async change => {
        const t0 = Date.now();
        try {
          const res = await request(servers[change.instance])
            .post(`${API}/${change.service}/${change.route}`)
            .send(change.body)
            .timeout({ response: 50_000 });
          return {
            ...change,
            status: res.status,
            answer: res.body,
            ms: Date.now() - t0,
          };
        } catch (error) {
          // No answer within the time-out: recorded as status 0.
          return {
            ...change,
            status: 0,
            answer: { error: String(error) },
            ms: Date.now() - t0,
          };
        }
      }),
    );
    const burstMs = Date.now() - burstStarted;
    landed = changes.filter(c => c.status === 201);
    order = gitIn(remote, 'rev-list', 'main').split('\n');

    const times = changes.map(c => c.ms);
    const statusCounts = [...groupBy(changes, c => String(c.status))]
      .map(([status, items]) => `${status}×${items.length}`)
      .join(', ');
    const attempts = logs
      .map(l => / after (\d+) attempt\(s\)$/.exec(l.message)?.[1])
      .filter((a): a is string => a !== undefined)
      .map(Number);
    const replans = logs.filter(l =>
      /moved during a write \(attempt \d+\); re-planning/.test(l.message),
    );

    // The engines deploy what Git declares now, right away (a webhook, not a poll): the
    // instances' clones may not have fetched the last commits yet.
    for (const service of SERVICES) {
      for (const environment of ['dev', 'staging']) {
        const { tag, replicas } = expectedFinal(service, environment);
        rollOut(
          api,
          `${service}-${environment}`,
          shiftTimes(
            running(service, environment, String(tag), Number(replicas)),
          ),
        );
      }
    }
    rolledOutAt = Date.now();
    summary.push(
      `burst: ${changes.length} requests in ${burstMs} ms; answers ${statusCounts}`,
      `answer time: p50 ${quantile(times, 0.5)} ms, p95 ${quantile(
        times,
        0.95,
      )} ms, max ${Math.max(...times)} ms`,
      `push attempts per commit: ${
        attempts.length
          ? `mean ${(
              attempts.reduce((x, y) => x + y, 0) / attempts.length
            ).toFixed(2)}, max ${Math.max(...attempts)} (${
              attempts.filter(a => a > 1).length
            } of ${attempts.length} re-planned)`
          : 'not logged'
      }; re-plans on a moved branch: ${INSTANCES.map(
        instance =>
          `${instance} ${replans.filter(l => l.instance === instance).length}`,
      ).join(', ')}`,
    );
    const byCommit = new Map(landed.map(c => [c.answer.commit, c]));
    summary.push(
      `commits in branch order, by the instance that answered: ${[...order]
        .reverse()
        .map(sha => byCommit.get(sha))
        .filter(Boolean)
        .map(c => INSTANCES[c!.instance])
        .join('')}`,
      ...logs
        .filter(l => / after ([2-9]|\d\d+) attempt\(s\)$/.test(l.message))
        .map(
          l => `  +${l.at - burstStarted} ms on ${l.instance}: ${l.message}`,
        ),
    );
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
    msw.close();
    cleanup?.();
    process.stdout.write(`\n${summary.join('\n')}\n`);
  });

  it('answers every request: 201 with a commit, or 200 NoChange for a promotion already there', () => {
    // No 5xx, no time-out, no refusal: each request lands or finds nothing to do.
    expect(
      changes
        .filter(c => ![200, 201].includes(c.status))
        .map(
          c =>
            `${c.route} ${c.service} ${JSON.stringify(c.body)} on ${
              INSTANCES[c.instance]
            }: ${c.status} after ${c.ms} ms — ${
              c.answer?.error?.message ?? c.answer?.error
            }`,
        ),
    ).toEqual([]);
    for (const change of landed) {
      expect(change.answer).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'Committed',
        commit: expect.stringMatching(/^[0-9a-f]{40}$/),
        to: change.environment,
        entityRef: `component:default/${change.service}`,
      });
      expect(
        change.field === 'version'
          ? change.answer.version?.tag
          : change.answer.scaling?.replicas,
      ).toBe(change.value);
    }
    for (const change of changes.filter(c => c.status === 200)) {
      // Only a second promotion of the same version can find nothing to do.
      expect(change.route).toBe('promotions');
      expect(change.answer).toMatchObject({ status: 'NoChange', commit: null });
    }
    // Every service's first promotion, rollbacks and scales change something: they land.
    expect(landed.length).toBeGreaterThanOrEqual(
      changes.length - SERVICES.length,
    );
  });

  it('lands each answered change as exactly one commit on the remote branch, and nothing else', () => {
    const commits = commitsWithTrailers(remote, start, 'main');
    expect(gitIn(remote, 'rev-list', '--merges', '--count', 'main')).toBe('0');
    expect(commits.filter(c => c.actionId === null)).toEqual([]);
    const byAction = groupBy(commits, c => c.actionId!);
    expect([...byAction].filter(([, list]) => list.length !== 1)).toEqual([]);
    expect([...byAction.keys()].sort()).toEqual(
      landed.map(c => c.answer.id).sort(),
    );
    for (const change of landed) {
      expect(byAction.get(change.answer.id)![0].sha).toBe(change.answer.commit);
    }
    // NoChange answers wrote nothing (with or without a record id).
    expect(
      changes.filter(
        c => c.status === 200 && c.answer.id && byAction.has(c.answer.id),
      ),
    ).toEqual([]);
    expect(commits).toHaveLength(landed.length);
    expectChangedYamlParses(remote, start, 'main');
    summary.push(
      `remote: ${commits.length} commits for ${
        landed.length
      } answers 201 (and ${
        changes.filter(c => c.status === 200).length
      } NoChange), no merges, no commit without an answer`,
    );
  });

  it('keeps a record of every change that either instance answers with its commit', async () => {
    for (const change of landed) {
      for (const server of servers) {
        const res = await request(server).get(
          `/api/gitops/promotions/${change.answer.id}`,
        );
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          id: change.answer.id,
          commit: change.answer.commit,
          to: change.environment,
          entityRef: `component:default/${change.service}`,
        });
        expect(COMMITTED_STATUSES).toContain(res.body.status);
      }
    }
    const rows = await knex('gitops_actions').select(
      'id',
      'status',
      'commit_sha',
    );
    const withCommit = rows.filter(r => r.commit_sha !== null);
    expect(withCommit.map(r => r.id).sort()).toEqual(
      landed.map(c => c.answer.id).sort(),
    );
    // No record claims a commit it does not have.
    expect(
      rows.filter(
        r =>
          r.commit_sha === null &&
          ['Committed', 'PullRequestOpened', 'Succeeded'].includes(r.status),
      ),
    ).toEqual([]);
  });

  it('leaves the files as the last landed change of each field says, on both instances', async () => {
    const head = gitIn(remote, 'rev-parse', 'main');
    for (const service of SERVICES) {
      for (const [index, server] of servers.entries()) {
        const environments = await waitFor(
          async () =>
            (
              await request(server).get(`${API}/${service}/environments`)
            ).body.environments as any[],
          list => list.every(e => e.desired?.source?.revision === head),
          10_000,
        );
        for (const env of ['dev', 'staging']) {
          const desired = environments.find(e => e.name === env)?.desired;
          expect({
            instance: INSTANCES[index],
            service,
            env,
            revision: desired?.source?.revision,
            tag: desired?.tag,
            replicas: desired?.replicas,
          }).toEqual({
            instance: INSTANCES[index],
            service,
            env,
            revision: head,
            ...expectedFinal(service, env),
          });
        }
      }
    }
  });

  it('tracks each record to its outcome once, verifies each new version once, and ledgers each deployment once', async () => {
    // Every record of the burst is final: none left being written, all tracked to the end.
    const pending = () =>
      knex('gitops_actions')
        .whereIn('status', ['Committed', 'PullRequestOpened', 'Writing'])
        .select('id', 'action', 'environment', 'status', 'message');
    expect(await waitFor(pending, rows => rows.length === 0, 30_000)).toEqual(
      [],
    );

    // What each record became: Succeeded when the environment runs its change, Failed when a
    // later commit replaced it. A record whose value no later commit changed must succeed.
    const records = new Map<string, any>();
    for (const change of landed) {
      const res = await request(servers[change.i % 2]).get(
        `/api/gitops/promotions/${change.answer.id}`,
      );
      records.set(change.answer.id, res.body);
    }
    const wrong: string[] = [];
    for (const [, group] of groupBy(
      landed,
      c => `${c.service}#${c.environment}#${c.field}`,
    )) {
      const sorted = oldestFirst(group);
      const last = sorted[sorted.length - 1].value;
      sorted.forEach((change, index) => {
        const record = records.get(change.answer.id);
        const laterDiffers = sorted
          .slice(index + 1)
          .some(c => c.value !== change.value);
        let expected: string[] = ['Succeeded', 'Failed'];
        if (change.value !== last) expected = ['Failed'];
        else if (!laterDiffers) expected = ['Succeeded'];
        if (!expected.includes(record.status)) {
          const finishedBy = logs.find(l =>
            l.message.includes(` ${change.answer.id} of `),
          );
          wrong.push(
            `${change.route} ${change.service} ${change.environment} ${
              change.value
            } (${change.answer.commit.slice(0, 7)}, answered by ${
              INSTANCES[change.instance]
            }, ${sorted.length - index - 1} later in its field): ${
              record.status
            } — ${record.message} [finished by the tracker on ${
              finishedBy?.instance ?? '?'
            }]; expected ${expected.join(' or ')}`,
          );
        }
      });
    }
    expect(wrong).toEqual([]);

    // Each record was finished by one tracker run on one instance, once.
    const finished = groupBy(
      logs.filter(l =>
        /^(promote|rollback|scale) [0-9a-f-]{36} of \S+ in \S+: (Succeeded|Failed) — /.test(
          l.message,
        ),
      ),
      l => l.message.split(' ')[1],
    );
    for (const change of landed) {
      expect({
        id: change.answer.id,
        finished: (finished.get(change.answer.id) ?? []).length,
      }).toEqual({ id: change.answer.id, finished: 1 });
    }

    // Verification: one run per (service, environment, version) that ran Synced and Healthy,
    // on one instance, though both instances plan and claim.
    await waitFor(
      async () =>
        (
          await knex('gitops_verifications')
            .whereIn('state', ['Pending', 'Running'])
            .select('state')
        ).length,
      n => n === 0,
      15_000,
    );
    const probed = groupBy(
      probes,
      p => `${p.entityRef}#${p.environment}#${p.version}`,
    );
    expect([...probed].filter(([, list]) => list.length !== 1)).toEqual([]);
    const verifications = await knex('gitops_verifications').select(
      'entity_ref',
      'environment',
      'version_key',
      'state',
      'attempts',
      'checks',
    );
    for (const service of SERVICES) {
      const { tag } = expectedFinal(service, 'staging');
      const entityRef = `component:default/${service}`;
      expect({
        service,
        tag,
        probes: (probed.get(`${entityRef}#staging#${tag}`) ?? []).length,
        runs: verifications
          .filter(
            v =>
              v.entity_ref === entityRef &&
              v.environment === 'staging' &&
              v.version_key.startsWith(`${tag}@`),
          )
          .map(v => `${v.state}: ${JSON.parse(v.checks)[0]?.detail}`),
      }).toEqual({
        service,
        tag,
        probes: 1,
        runs: [
          `Passed: probed on ${
            probed.get(`${entityRef}#staging#${tag}`)?.[0]?.instance
          }`,
        ],
      });
    }

    // The ledger: one row per (entity, environment, commit), and the newest commit of each
    // changed environment recorded once it runs.
    const newestCommit = new Map<string, string>();
    for (const change of oldestFirst(landed)) {
      newestCommit.set(
        `component:default/${change.service}#${change.environment}`,
        change.answer.commit,
      );
    }
    const ledger = await waitFor(
      () => knex('gitops_deployments').select(),
      rows =>
        [...newestCommit].every(([key, commit]) =>
          rows.some(
            r =>
              `${r.entity_ref}#${r.environment}` === key &&
              r.revision === commit,
          ),
        ),
      15_000,
    );
    const duplicates = await knex('gitops_deployments')
      .select('entity_ref', 'environment', 'revision')
      .count({ rows: '*' })
      .groupBy('entity_ref', 'environment', 'revision')
      .havingRaw('count(*) > 1');
    expect(duplicates).toEqual([]);
    for (const [key, commit] of newestCommit) {
      expect({
        key,
        rows: ledger
          .filter(
            r =>
              `${r.entity_ref}#${r.environment}` === key &&
              r.revision === commit,
          )
          .map(r => r.outcome),
      }).toEqual({ key, rows: ['succeeded'] });
    }
    const statuses = [...groupBy([...records.values()], r => r.status)]
      .map(([status, list]) => `${status} ${list.length}`)
      .join(', ');
    summary.push(
      `tracker: ${statuses} within ${
        Date.now() - rolledOutAt
      } ms of the rollout, each finished once`,
      `verification: ${probes.length} runs (${INSTANCES.map(
        instance =>
          `${instance} ${probes.filter(p => p.instance === instance).length}`,
      ).join(', ')}), none twice`,
      `ledger: ${ledger.length} rows, no duplicate (entity, environment, commit)`,
    );
  });

  it('runs each scheduled task on one instance at a time, as often as its cadence says', () => {
    const windowEnd = Date.now();
    const cadences = new Map<string, number>();
    for (const entry of logs) {
      const match = /^Registered scheduled task: (\S+), (\{.*\})$/.exec(
        entry.message,
      );
      if (match) {
        cadences.set(match[1], cadenceSeconds(JSON.parse(match[2]).cadence));
      }
    }
    expect(runs.filter(r => r.error)).toEqual([]);
    const lines: string[] = [];
    const overlaps: string[] = [];
    const tooOften: string[] = [];
    for (const [task, list] of groupBy(runs, r => r.task)) {
      const perInstance = INSTANCES.map(
        instance =>
          `${instance} ${list.filter(r => r.instance === instance).length}`,
      ).join(', ');
      lines.push(`${task} (${list[0].scope}): ${perInstance}`);
      if (list[0].scope === 'global') {
        // Never two at once, across instances.
        const sorted = [...list].sort((x, y) => x.start - y.start);
        for (let k = 1; k < sorted.length; k++) {
          if ((sorted[k - 1].end ?? Infinity) > sorted[k].start) {
            overlaps.push(
              `${task}: a run on ${sorted[k].instance} started while one on ${
                sorted[k - 1].instance
              } ran`,
            );
          }
        }
        // Not once per instance: at most one run per cadence over the window (and the first).
        const cadence = cadences.get(task) ?? NaN;
        const most = Math.floor((windowEnd - startedAt) / 1000 / cadence) + 2;
        if (list.length > most) {
          tooOften.push(
            `${task}: ${list.length} runs, at most ${most} at one per ${cadence} s`,
          );
        }
      }
    }
    expect(overlaps).toEqual([]);
    expect(tooOften).toEqual([]);
    expect(cadences.get('gitops-action-tracker')).toBe(1);
    expect(cadences.get('gitops-deployment-recorder')).toBe(1);
    summary.push(
      `scheduled runs over ${Math.round(
        (windowEnd - startedAt) / 1000,
      )} s (per instance): ${lines.join('; ')}`,
    );
  });
});
