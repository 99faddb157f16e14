import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { PolicyStore } from '../store/PolicyStore';
import { VerificationStore } from '../store/VerificationStore';
import { PolicyCache } from './PolicyCache';

jest.setTimeout(60_000);

const REF = 'component:default/guestbook';
const V = { tag: 'v1.0.5', digest: null };

describe('PolicyCache', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'shows this instance’s writes at once and another instance’s after its refresh, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      let now = Date.now();
      const local = {
        policyStore: await PolicyStore.create(knex),
        verifications: await VerificationStore.create(knex),
      };
      const other = {
        policyStore: await PolicyStore.create(knex),
        verifications: await VerificationStore.create(knex),
      };
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
});
