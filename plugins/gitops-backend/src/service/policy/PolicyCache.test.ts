import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { PolicyStore } from '../store/PolicyStore';
import { VerificationStore } from '../store/VerificationStore';
import { PolicyCache } from './PolicyCache';

jest.setTimeout(60_000);

const REF = 'component:default/guestbook';
const V = { tag: 'v1.0.5', digest: null };

describe('PolicyCache', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  /** The stores of one instance on the test database. */
  const storesOn = async (
    knex: Awaited<ReturnType<typeof databases.init>>,
  ) => ({
    policyStore: await PolicyStore.create(knex),
    verifications: await VerificationStore.create(knex),
  });

  it.each(databases.eachSupportedId())(
    'shows this instance’s writes at once and another instance’s after its refresh, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      let now = Date.now();
      const local = await storesOn(knex);
      const other = await storesOn(knex);
      const cache = new PolicyCache({
        ...local,
        refreshMs: 5000,
        now: () => now,
      });
      expect(await cache.approvals(REF, 'prod', V)).toEqual([]);

      await local.policyStore.approve({
        entityRef: REF,
        environment: 'prod',
        version: V,
        from: 'staging',
        approver: 'user:default/alice',
        approverGroups: [],
        comment: null,
      });
      await local.policyStore.propose(REF, 'prod', V, 'user:default/guest');
      expect(
        (await cache.approvals(REF, 'prod', V)).map(a => a.approver),
      ).toEqual(['user:default/alice']);
      expect(await cache.requesters(REF, 'prod', V)).toEqual([
        'user:default/guest',
      ]);

      // Another instance writes: not seen until the copy is read again.
      await other.policyStore.approve({
        entityRef: REF,
        environment: 'prod',
        version: V,
        from: 'staging',
        approver: 'user:default/bob',
        approverGroups: [],
        comment: null,
      });
      await other.verifications.plan(
        { entityRef: REF, environment: 'staging', version: V },
        new Date(),
      );
      expect(await cache.approvals(REF, 'prod', V)).toHaveLength(1);
      now += 5001;
      expect(
        (await cache.approvals(REF, 'prod', V)).map(a => a.approver).sort(),
      ).toEqual(['user:default/alice', 'user:default/bob']);
      expect(
        await cache.verifications(REF, [
          { environment: 'staging', version: V },
        ]),
      ).toMatchObject([{ state: 'Pending', version: V }]);
      // Other versions and environments stay apart.
      expect(
        await cache.approvals(REF, 'prod', { tag: 'v1.0.6', digest: null }),
      ).toEqual([]);
      expect(await cache.approvals(REF, 'staging', V)).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'reads a backlog larger than a page within seconds once, in the background, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      let now = Date.now();
      const local = await storesOn(knex);
      const other = (await storesOn(knex)).verifications;
      const cache = new PolicyCache({
        ...local,
        refreshMs: 5000,
        now: () => now,
        pageSize: 3,
      });
      const reads = jest.spyOn(local.verifications, 'changedSince');
      expect(await cache.verifications(REF, [])).toEqual([]);
      // A fleet's first verification pass: plans within a second, more than a page of them.
      const environments = Array.from({ length: 10 }, (_, i) => `env-${i}`);
      for (const environment of environments) {
        await other.plan(
          { entityRef: REF, environment, version: V },
          new Date(),
        );
      }
      now += 5001;
      const all = environments.map(environment => ({
        environment,
        version: V,
      }));
      // The view takes the first page; the rest follows without another view asking.
      expect(
        (await cache.verifications(REF, all)).length,
      ).toBeGreaterThanOrEqual(3);
      const before = reads.mock.calls.length;
      for (let i = 0; i < 100; i++) {
        if ((await cache.verifications(REF, all)).length === 10) break;
        await new Promise(resolve => setTimeout(resolve, 10));
      }
      expect(await cache.verifications(REF, all)).toHaveLength(10);
      // Pages of 3 from where the last ended (4 for 10 rows, and one that is not full), not
      // the same first page again and again.
      expect(reads.mock.calls.length - before).toBeLessThanOrEqual(5);
      const views = reads.mock.calls.length;
      for (let i = 0; i < 5; i++) await cache.verifications(REF, all);
      expect(reads.mock.calls.length).toBe(views);
    },
  );
});
