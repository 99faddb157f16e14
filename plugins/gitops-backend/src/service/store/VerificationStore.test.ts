import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { VerificationRecord } from '@gitops-backstage/plugin-gitops-common';
import { VerificationKey, VerificationStore } from './VerificationStore';

jest.setTimeout(60_000);

const key = (i: number, environment = 'staging'): VerificationKey => ({
  entityRef: `component:default/service-${i}`,
  environment,
  version: { tag: `v1.0.${i % 7}`, digest: null },
});

describe('VerificationStore.planMany', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'plans many runs in one statement per 200 rows and says which it planned, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const store = await VerificationStore.create(knex);
      const notBefore = new Date('2026-12-06T08:00:00.000Z');
      // Planned before: asked again, they are not planned a second time.
      expect(await store.plan(key(3), notBefore)).toBe(true);
      expect(await store.plan(key(3), notBefore)).toBe(false);
      const changes: VerificationRecord[] = [];
      store.onChange(record => changes.push(record));
      const inserts: string[] = [];
      const onQuery = (query: { sql: string }) => {
        if (/^insert/i.test(query.sql)) inserts.push(query.sql);
      };
      knex.on('query', onQuery);

      const plans = [
        ...Array.from({ length: 450 }, (_, i) => ({ key: key(i), notBefore })),
        // The same run twice in one call: the first one plans it.
        { key: key(500, 'prod'), notBefore },
        { key: key(500, 'prod'), notBefore },
      ];
      const planned = await store.planMany(plans);
      knex.removeListener('query', onQuery);

      expect(inserts).toHaveLength(3);
      expect(planned).toHaveLength(452);
      expect(planned.filter(Boolean)).toHaveLength(450);
      expect(planned[3]).toBe(false);
      expect(planned.slice(450)).toEqual([true, false]);
      // Every planned run was told, as the database holds it.
      expect(changes).toHaveLength(450);
      const told = changes.find(c => c.entityRef.endsWith('-500'))!;
      expect(told).toEqual(await store.get(key(500, 'prod')));
      expect(told).toMatchObject({
        state: 'Pending',
        attempts: 0,
        version: { tag: 'v1.0.3', digest: null },
        nextAttemptAt: notBefore.toISOString(),
      });
      expect(await knex('gitops_verifications').count({ n: '*' })).toEqual([
        { n: id === 'SQLITE_3' ? 451 : '451' },
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'plans nothing and asks nothing for no runs, on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      const store = await VerificationStore.create(knex);
      const queries: string[] = [];
      const onQuery = (query: { sql: string }) => queries.push(query.sql);
      knex.on('query', onQuery);
      expect(await store.planMany([])).toEqual([]);
      knex.removeListener('query', onQuery);
      expect(queries).toEqual([]);
    },
  );
});
