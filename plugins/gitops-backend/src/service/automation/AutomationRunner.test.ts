import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { environmentStatus } from '../../__testUtils__/environmentStatus';
import { ChangeAuditor } from '../audit/auditChange';
import { readGitopsConfig } from '../config';
import { PolicyRefusedError } from '../policy/PolicyRefusedError';
import { AutomationStore } from '../store/AutomationStore';
import { VerificationStore } from '../store/VerificationStore';
import { AutomationRunner } from './AutomationRunner';

jest.setTimeout(60_000);

const ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'guestbook', namespace: 'default' },
  spec: { owner: 'guests' },
};
const REF = 'component:default/guestbook';
const V5 = { tag: 'v1.0.5', digest: null };
const KEY = {
  entityRef: REF,
  environment: 'staging',
  kind: 'promotion' as const,
  version: V5,
};
const CHECKS = { checks: [{ name: 'smoke', kind: 'http', url: 'http://x' }] };

async function setUp(knex: any) {
  const state = {
    now: new Date('2026-12-03T10:00:00Z'),
    statuses: [
      environmentStatus({ name: 'dev', tag: 'v1.0.5' }),
      environmentStatus({ name: 'staging', tag: 'v1.0.4' }),
    ] as EnvironmentStatus[],
    promote: jest.fn(),
  };
  const config = readGitopsConfig(
    new ConfigReader({
      gitops: {
        environments: [
          { name: 'dev', verification: CHECKS },
          { name: 'staging', policy: { autoPromotion: { from: 'dev' } } },
        ],
        automation: { intervalSeconds: 10, backoffSeconds: 30, maxAttempts: 2 },
      },
    }),
    ScmIntegrations.fromConfig(new ConfigReader({})),
  );
  const store = await AutomationStore.create(knex);
  const verifications = await VerificationStore.create(knex);
  const runner = new AutomationRunner({
    config,
    catalog: catalogServiceMock({ entities: [ENTITY] }),
    auth: mockServices.auth(),
    store,
    verifications,
    audit: new ChangeAuditor({
      auditor: mockServices.auditor.mock(),
      logger: mockServices.logger.mock(),
      productionEnvironments: ['staging'],
    }),
    logger: mockServices.logger.mock(),
    environments: {
      getEnvironments: async () => ({ environments: state.statuses }),
    },
    promotions: {
      promote: (...args: any[]) => state.promote(...args),
      rollback: async () => {
        throw new Error('not here');
      },
    },
    now: () => state.now,
  });
  // v1.0.5 Passed in dev.
  const dev = { entityRef: REF, environment: 'dev', version: V5 };
  await verifications.plan(dev, new Date(0));
  const [claimed] = await verifications.claimDue('t', new Date(), 60_000, 1);
  expect(claimed).toBeDefined();
  await verifications.finish(dev, 't', { state: 'Passed', checks: [] });
  return { state, store, runner };
}

describe('AutomationRunner', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'waits while paused and for a gate until its retryAt without spending attempts, retries errors with backoff, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const { state, store, runner } = await setUp(knex);

      // Paused: the event waits, the change is not asked for.
      await runner.setPaused(
        REF,
        'staging',
        true,
        'user:default/alice',
        'INC-7',
      );
      expect(await runner.runOnce()).toEqual({ offered: 1, acted: 1 });
      expect(state.promote).not.toHaveBeenCalled();
      expect(await store.get(KEY)).toMatchObject({
        state: 'Waiting',
        attempts: 0,
        message: 'paused by user:default/alice: INC-7',
      });
      expect(
        runner.decorate({ entityRef: REF, environments: state.statuses })
          .environments[1].automation,
      ).toEqual([
        expect.objectContaining({
          engine: 'portal',
          kind: 'promotion',
          policy: 'takes versions verified in dev',
          paused: true,
          from: 'dev',
          detail: 'paused by user:default/alice: INC-7',
        }),
      ]);
      await runner.setPaused(REF, 'staging', false, 'user:default/alice', null);

      // A window: waits until it opens.
      const opens = '2026-12-03T12:00:00.000Z';
      state.promote.mockRejectedValueOnce(
        new PolicyRefusedError(
          'Promotion dev → staging refused: window: staging takes no changes until 12:00',
          [],
          opens,
        ),
      );
      state.now = new Date('2026-12-03T10:01:00Z');
      await runner.runOnce();
      expect(state.promote).toHaveBeenCalledTimes(1);
      expect(state.promote.mock.calls[0][4]).toEqual({ automation: true });
      expect(state.promote.mock.calls[0][2]).toMatchObject({
        ref: 'plugin:gitops/automation',
        trailers: [
          'Gitops-Policy: auto-promotion of staging from dev',
          'Gitops-Reason: v1.0.5 passed verification in dev',
        ],
      });
      expect(await store.get(KEY)).toMatchObject({
        state: 'Waiting',
        attempts: 0,
        nextAttemptAt: opens,
      });
      state.now = new Date('2026-12-03T11:00:00Z');
      await runner.runOnce();
      expect(state.promote).toHaveBeenCalledTimes(1); // not due

      // Git errs: retried with backoff, then Error when the attempts are spent.
      state.promote.mockRejectedValue(new Error('push rejected'));
      state.now = new Date('2026-12-03T12:00:00Z');
      await runner.runOnce();
      expect(await store.get(KEY)).toMatchObject({
        state: 'Waiting',
        attempts: 1,
        message: 'attempt 1 failed: push rejected',
        nextAttemptAt: '2026-12-03T12:00:30.000Z',
      });
      state.now = new Date('2026-12-03T12:01:00Z');
      await runner.runOnce();
      expect(await store.get(KEY)).toMatchObject({
        state: 'Error',
        attempts: 2,
        message: 'gave up after 2 attempts: push rejected',
      });
      expect(
        runner.decorate({ entityRef: REF, environments: state.statuses })
          .environments[1].automation?.[0],
      ).toMatchObject({ error: 'gave up after 2 attempts: push rejected' });
    },
  );

  it.each(databases.eachSupportedId())(
    'supersedes a version dev moved on from, without asking for a change, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const { state, store, runner } = await setUp(knex);
      state.statuses = [
        environmentStatus({ name: 'dev', tag: 'v1.0.6' }),
        environmentStatus({ name: 'staging', tag: 'v1.0.4' }),
      ];
      await runner.runOnce();
      expect(state.promote).not.toHaveBeenCalled();
      expect(await store.get(KEY)).toMatchObject({
        state: 'Superseded',
        message: 'dev now declares v1.0.6, not v1.0.5',
      });
    },
  );
});
