import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import {
  VerificationCheckKind,
  VerificationCheckOutcome,
} from '@gitops-backstage/plugin-gitops-node';
import { readGitopsConfig } from '../config';
import { VerificationStore } from '../store/VerificationStore';
import { environmentStatus } from '../../__testUtils__/environmentStatus';
import {
  VerificationRunner,
  VerificationRunnerOptions,
} from './VerificationRunner';

jest.setTimeout(60_000);

const ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'guestbook',
    namespace: 'default',
    annotations: { 'gitops.backstage.io/path': 'apps/guestbook' },
  },
  spec: { owner: 'guests' },
};
const KEY = {
  entityRef: 'component:default/guestbook',
  environment: 'staging',
  version: { tag: 'v1.0.5', digest: null },
};

/** A check kind that answers from a queue and counts its runs. */
function scriptedKind(outcomes: VerificationCheckOutcome[]) {
  const runs: string[] = [];
  const kind: VerificationCheckKind = {
    kind: 'scripted',
    run: async (spec, context) => {
      runs.push(`${spec.name} ${context.environment} ${context.version.tag}`);
      // Slow enough that two instances overlap.
      await new Promise(resolve => setTimeout(resolve, 50));
      return outcomes.length > 1 ? outcomes.shift()! : outcomes[0];
    },
  };
  return { kind, runs };
}

const PASSED: VerificationCheckOutcome = {
  state: 'Passed',
  value: 0.004,
  threshold: '< 0.01',
  detail: 'error ratio 0.004',
};
const FAILED: VerificationCheckOutcome = {
  state: 'Failed',
  value: 0.12,
  threshold: '< 0.01',
  detail: 'error ratio 0.12',
};
const ERROR: VerificationCheckOutcome = {
  state: 'Error',
  value: null,
  threshold: null,
  detail: 'Prometheus did not answer',
};

function runnerOn(
  store: VerificationStore,
  kind: VerificationCheckKind,
  state: { statuses: EnvironmentStatus[]; now: Date },
  overrides: Partial<VerificationRunnerOptions> = {},
) {
  const config = readGitopsConfig(
    new ConfigReader({
      gitops: {
        verification: { maxAttempts: 3, backoffSeconds: 30 },
        environments: [
          { name: 'dev' },
          {
            name: 'staging',
            verification: {
              checks: [{ name: 'error-ratio', kind: 'scripted' }],
            },
          },
          { name: 'prod', policy: { verifiedIn: ['staging'] } },
        ],
      },
    }),
    ScmIntegrations.fromConfig(new ConfigReader({})),
  );
  let basis = 0;
  return new VerificationRunner({
    config,
    catalog: catalogServiceMock({ entities: [ENTITY] }),
    auth: mockServices.auth(),
    store,
    logger: mockServices.logger.mock(),
    kinds: new Map([[kind.kind, kind]]),
    environments: {
      getEnvironments: async () => ({ environments: state.statuses }),
      basis: async () => `head-${basis++}`,
      isCurrent: () => false,
    },
    now: () => state.now,
    ...overrides,
  });
}

/** `count` services like guestbook, for passes over a fleet. */
const fleetOf = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    ...ENTITY,
    metadata: { ...ENTITY.metadata, name: `service-${i}` },
  }));

describe('VerificationRunner', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'two instances on one database run each version once, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const { kind, runs } = scriptedKind([PASSED]);
      const state = {
        statuses: [environmentStatus({ tag: 'v1.0.5' })],
        now: new Date(),
      };
      const one = runnerOn(await VerificationStore.create(knex), kind, state);
      const two = runnerOn(await VerificationStore.create(knex), kind, state);
      const passes = await Promise.all([one.runOnce(), two.runOnce()]);
      expect(passes.map(p => p.planned).reduce((a, b) => a + b)).toBe(1);
      // Whichever instance planned it, one of them ran it, once.
      await Promise.all([one.runOnce(), two.runOnce()]);
      expect(runs).toEqual(['error-ratio staging v1.0.5']);
      const store = await VerificationStore.create(knex);
      expect(await store.get(KEY)).toMatchObject({
        state: 'Passed',
        attempts: 1,
        checks: [{ name: 'error-ratio', state: 'Passed', value: 0.004 }],
      });
      // Passes over the same version plan nothing more.
      expect((await one.runOnce()).planned).toBe(0);
      expect(runs).toHaveLength(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'retries a check that errs with backoff, then ends Inconclusive, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const { kind, runs } = scriptedKind([ERROR]);
      const state = {
        statuses: [environmentStatus({ tag: 'v1.0.5' })],
        now: new Date(),
      };
      const store = await VerificationStore.create(knex);
      const runner = runnerOn(store, kind, state);
      await runner.runOnce();
      expect(await store.get(KEY)).toMatchObject({
        state: 'Pending',
        attempts: 1,
        nextAttemptAt: new Date(state.now.getTime() + 30_000).toISOString(),
      });
      await runner.runDue();
      expect(runs).toHaveLength(1); // not due yet
      state.now = new Date(state.now.getTime() + 31_000);
      await runner.runDue();
      expect(await store.get(KEY)).toMatchObject({
        state: 'Pending',
        attempts: 2,
        nextAttemptAt: new Date(state.now.getTime() + 60_000).toISOString(),
      });
      state.now = new Date(state.now.getTime() + 61_000);
      await runner.runDue();
      expect(runs).toHaveLength(3);
      expect(await store.get(KEY)).toMatchObject({
        state: 'Inconclusive',
        attempts: 3,
        nextAttemptAt: null,
        checks: [{ state: 'Error', detail: 'Prometheus did not answer' }],
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps a failed result over a restart and runs it again on request, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const { kind, runs } = scriptedKind([FAILED, PASSED]);
      const state = {
        statuses: [environmentStatus({ tag: 'v1.0.5' })],
        now: new Date(),
      };
      await runnerOn(
        await VerificationStore.create(knex),
        kind,
        state,
      ).runOnce();
      // A new instance (a restart) reads the result and does not run it again.
      const store = await VerificationStore.create(knex);
      const restarted = runnerOn(store, kind, state);
      await restarted.runOnce();
      expect(runs).toHaveLength(1);
      expect(await store.get(KEY)).toMatchObject({
        state: 'Failed',
        checks: [{ value: 0.12, threshold: '< 0.01' }],
      });
      expect(await store.rerun(KEY, 'user:default/alice', state.now)).toBe(
        true,
      );
      await restarted.runDue();
      expect(await store.get(KEY)).toMatchObject({
        state: 'Passed',
        requestedBy: 'user:default/alice',
      });
      expect(runs).toHaveLength(2);
    },
  );

  it.each(databases.eachSupportedId())(
    'plans nothing until the version runs Synced and Healthy, and a new version gets its own run, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const { kind, runs } = scriptedKind([PASSED]);
      const state = {
        statuses: [
          environmentStatus({
            tag: 'v1.0.5',
            sync: ['OutOfSync', 'Progressing'],
          }),
        ],
        now: new Date(),
      };
      const store = await VerificationStore.create(knex);
      const runner = runnerOn(store, kind, state);
      expect(await runner.runOnce()).toEqual({ planned: 0, ran: 0 });
      state.statuses = [environmentStatus({ tag: 'v1.0.5' })];
      expect((await runner.runOnce()).planned).toBe(1);
      state.statuses = [environmentStatus({ tag: 'v1.0.6' })];
      expect((await runner.runOnce()).planned).toBe(1);
      expect(runs).toEqual([
        'error-ratio staging v1.0.5',
        'error-ratio staging v1.0.6',
      ]);
      expect(
        (await store.list(KEY.entityRef, 'staging')).map(r => r.version.tag),
      ).toEqual(expect.arrayContaining(['v1.0.5', 'v1.0.6']));
    },
  );

  it.each(databases.eachSupportedId())(
    'puts a run off while the environment is not settled (a scale after the version was planned), and ends one whose version was replaced, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const { kind, runs } = scriptedKind([PASSED]);
      const state = {
        statuses: [environmentStatus({ tag: 'v1.0.5' })],
        now: new Date(),
      };
      const store = await VerificationStore.create(knex);
      const runner = runnerOn(store, kind, state);
      expect(await runner.planPass()).toBe(1);
      // Scaled before the checks ran: Progressing, not every pod ready.
      state.statuses = [
        environmentStatus({ tag: 'v1.0.5', sync: ['Synced', 'Progressing'] }),
      ];
      expect(await runner.runDue()).toBe(1);
      expect(runs).toEqual([]);
      const waiting = await store.get(KEY);
      expect(waiting).toMatchObject({
        state: 'Pending',
        attempts: 0,
        checks: [
          {
            name: 'settled',
            state: 'Inconclusive',
            detail:
              'waiting: staging is not running v1.0.5 Synced and Healthy (Synced, Progressing)',
          },
        ],
      });
      expect(Date.parse(waiting!.nextAttemptAt!)).toBeGreaterThan(
        state.now.getTime(),
      );
      // Settled again: the checks run once it is due, and pass.
      state.statuses = [environmentStatus({ tag: 'v1.0.5' })];
      await runner.runDue();
      expect(runs).toEqual([]);
      state.now = new Date(state.now.getTime() + 10 * 60_000);
      await runner.runDue();
      expect(runs).toEqual(['error-ratio staging v1.0.5']);
      expect(await store.get(KEY)).toMatchObject({
        state: 'Passed',
        attempts: 1,
      });

      // A version replaced in Git before its checks ran is not verified.
      const next = { ...KEY, version: { tag: 'v1.0.6', digest: null } };
      await store.plan(next, state.now);
      state.statuses = [environmentStatus({ tag: 'v1.0.7' })];
      await runner.runDue();
      expect(await store.get(next)).toMatchObject({
        state: 'Inconclusive',
        nextAttemptAt: null,
        checks: [{ detail: 'not verified: staging now declares v1.0.7' }],
      });
      expect(runs).toHaveLength(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'takes over a run whose instance went away once its claim ran out, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const store = await VerificationStore.create(knex);
      const now = new Date();
      await store.plan(KEY, now);
      const [claimed] = await store.claimDue('gone', now, 300_000, 10);
      expect(claimed.state).toBe('Running');
      expect(await store.claimDue('other', now, 300_000, 10)).toEqual([]);
      const later = new Date(now.getTime() + 301_000);
      const [taken] = await store.claimDue('other', later, 300_000, 10);
      expect(taken).toMatchObject({ state: 'Running', attempts: 2 });
      // The instance that went away cannot finish it any more.
      expect(
        await store.finish(KEY, 'gone', { state: 'Passed', checks: [] }),
      ).toBe(false);
      expect(
        await store.finish(KEY, 'other', { state: 'Passed', checks: [] }),
      ).toBe(true);
    },
  );

  it.each(databases.eachSupportedId())(
    'plans a fleet in batches, and a failed batch again on the next pass, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const store = await VerificationStore.create(knex);
      const state = {
        statuses: [environmentStatus({ tag: 'v1.0.5' })],
        now: new Date(),
      };
      const logger = mockServices.logger.mock();
      const runner = runnerOn(store, scriptedKind([PASSED]).kind, state, {
        catalog: catalogServiceMock({ entities: fleetOf(450) }),
        logger,
        environments: {
          getEnvironments: async () => ({ environments: state.statuses }),
          // Unchanged entities: what a pass settled is skipped by the next.
          basis: async () => 'head-1',
          isCurrent: () => true,
        },
      });
      const planMany = jest.spyOn(store, 'planMany');
      // The first batch's write fails (the database went away for a moment).
      planMany.mockRejectedValueOnce(new Error('connection reset'));
      const first = await runner.planPass();
      expect(planMany.mock.calls.map(([runs]) => runs.length)).toEqual([
        200, 200, 50,
      ]);
      expect(first).toBe(250);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'runs of 200 entities not planned: Error: connection reset',
        ),
      );
      // The next pass plans what the failed write left, and only that.
      planMany.mockClear();
      expect(await runner.planPass()).toBe(200);
      expect(planMany.mock.calls.map(([runs]) => runs.length)).toEqual([200]);
      expect(await knex('gitops_verifications').count({ n: '*' })).toEqual([
        { n: id === 'SQLITE_3' ? 450 : '450' },
      ]);
      // Then the whole fleet is quiet: a pass asks nothing.
      planMany.mockClear();
      expect(await runner.planPass()).toBe(0);
      expect(planMany).not.toHaveBeenCalled();
    },
  );

  it.each(databases.eachSupportedId())(
    'settles entities with nothing to plan without writing, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const store = await VerificationStore.create(knex);
      // Progressing: nothing runs Synced and Healthy yet, so nothing is planned.
      const state = {
        statuses: [
          environmentStatus({ tag: 'v1.0.5', sync: ['Synced', 'Progressing'] }),
        ],
        now: new Date(),
      };
      const getEnvironments = jest.fn(async () => ({
        environments: state.statuses,
      }));
      const runner = runnerOn(store, scriptedKind([PASSED]).kind, state, {
        catalog: catalogServiceMock({ entities: fleetOf(300) }),
        environments: {
          getEnvironments,
          basis: async () => 'head-1',
          isCurrent: () => true,
        },
      });
      const planMany = jest.spyOn(store, 'planMany');
      expect(await runner.planPass()).toBe(0);
      expect(planMany).not.toHaveBeenCalled();
      expect(getEnvironments).toHaveBeenCalledTimes(300);
      // Settled: the next pass reads none of them again.
      expect(await runner.planPass()).toBe(0);
      expect(getEnvironments).toHaveBeenCalledTimes(300);
    },
  );
});
