import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { DeploymentRecord } from '@gitops-backstage/plugin-gitops-common';
import { DeploymentLedger } from './DeploymentLedger';

jest.setTimeout(60_000);

function change(
  overrides: Partial<DeploymentRecord> = {},
): Omit<DeploymentRecord, 'id'> {
  return {
    entityRef: 'component:default/guestbook',
    environment: 'staging',
    revision: 'a'.repeat(40),
    version: 'v1.0.5',
    previousVersion: 'v1.0.4',
    kind: 'promote',
    outcome: 'succeeded',
    actionId: null,
    committedAt: '2026-11-25T10:00:00.000Z',
    observedAt: '2026-11-25T10:02:00.000Z',
    backfilled: false,
    ...overrides,
  };
}

describe('DeploymentLedger', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'keeps one row per change when two backend instances record it at once, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      // Two instances of the plugin over one database, each with its own ledger.
      const one = await DeploymentLedger.create(knex);
      const two = await DeploymentLedger.create(knex);
      const written = await Promise.all([
        one.record(change({ observedAt: '2026-11-25T10:02:00.000Z' })),
        two.record(change({ observedAt: '2026-11-25T10:02:01.000Z' })),
      ]);
      expect(written.filter(Boolean)).toHaveLength(1);
      expect(await one.list()).toHaveLength(1);
      // The same commit in another environment, or another commit, is another change.
      expect(await two.record(change({ environment: 'prod' }))).toBe(true);
      expect(await two.record(change({ revision: 'b'.repeat(40) }))).toBe(true);
      expect(await one.list()).toHaveLength(3);
    },
  );

  it.each(databases.eachSupportedId())(
    'lists rows oldest first, by entity, and the latest of each environment, on %p',
    async (id: TestDatabaseId) => {
      const ledger = await DeploymentLedger.create(await databases.init(id));
      await ledger.record(
        change({
          revision: '1'.repeat(40),
          version: 'v1',
          observedAt: '2026-11-25T09:00:00.000Z',
          backfilled: true,
        }),
      );
      await ledger.record(
        change({
          revision: '3'.repeat(40),
          version: 'v3',
          kind: 'rollback',
          outcome: 'failed',
          actionId: '6f1c2f8e-0000-4000-8000-000000000001',
          observedAt: '2026-11-25T11:00:00.000Z',
        }),
      );
      await ledger.record(
        change({
          revision: '2'.repeat(40),
          version: 'v2',
          observedAt: '2026-11-25T10:00:00.000Z',
        }),
      );
      await ledger.record(
        change({
          entityRef: 'component:default/other',
          revision: '4'.repeat(40),
          version: 'o1',
        }),
      );
      const rows = await ledger.list({
        entityRefs: ['component:default/guestbook'],
      });
      expect(rows.map(r => r.version)).toEqual(['v1', 'v2', 'v3']);
      expect(rows[0]).toMatchObject({ backfilled: true, kind: 'promote' });
      expect(rows[2]).toMatchObject({
        kind: 'rollback',
        outcome: 'failed',
        actionId: '6f1c2f8e-0000-4000-8000-000000000001',
        committedAt: '2026-11-25T10:00:00.000Z',
        observedAt: '2026-11-25T11:00:00.000Z',
        backfilled: false,
      });
      expect(await ledger.list({ entityRefs: [] })).toEqual([]);
      const latest = await ledger.latest();
      expect(
        [...latest.entries()].map(([key, r]) => [key, r.version]).sort(),
      ).toEqual([
        ['component:default/guestbook#staging', 'v3'],
        ['component:default/other#staging', 'o1'],
      ]);
    },
  );
});
