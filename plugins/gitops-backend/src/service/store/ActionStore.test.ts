import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { ActionStore, StoredAction } from './ActionStore';

jest.setTimeout(60_000);

function action(overrides: Partial<StoredAction> = {}): StoredAction {
  return {
    id: '6f1c2f8e-0000-4000-8000-000000000001',
    action: 'promote',
    entityRef: 'component:default/guestbook',
    status: 'Committed',
    from: 'dev',
    to: 'staging',
    actor: 'user:default/alice',
    request: { from: 'dev', to: 'staging' },
    gates: [
      {
        name: 'allowedSource',
        state: 'pass',
        passed: true,
        message: 'dev → staging',
        retryAt: null,
        evidence: null,
      },
    ],
    version: { tag: 'v1.0.5', digest: null },
    previousVersion: { tag: 'v1.0.4', digest: null },
    scaling: null,
    diff: '--- a/x\n+++ b/x\n',
    commit: 'a'.repeat(40),
    branch: null,
    pullRequest: null,
    message: null,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: null,
    idempotencyKey: null,
    repository: null,
    paths: null,
    ...overrides,
  };
}

describe('ActionStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'tells its listeners of each insert and of updates that changed a record on %p',
    async (id: TestDatabaseId) => {
      const store = await ActionStore.create(await databases.init(id));
      const seen: string[] = [];
      store.onChange(a => seen.push(`${a.id.slice(-1)} ${a.status}`));
      store.onChange(() => {
        throw new Error('a listener that fails');
      });
      await store.insert(action());
      expect(
        await store.update(action().id, { status: 'Succeeded' }, ['Committed']),
      ).toBe(true);
      // Not changed (no longer Committed): nobody is told.
      expect(
        await store.update(action().id, { status: 'Failed' }, ['Committed']),
      ).toBe(false);
      expect(seen).toEqual(['1 Committed', '1 Succeeded']);
      expect((await store.get(action().id))?.status).toBe('Succeeded');
    },
  );

  it.each(databases.eachSupportedId())(
    'stores, reads back and lists actions on %p',
    async (id: TestDatabaseId) => {
      const store = await ActionStore.create(await databases.init(id));
      const first = action();
      const second = action({
        id: '6f1c2f8e-0000-4000-8000-000000000002',
        action: 'scale',
        from: null,
        to: 'prod',
        version: null,
        previousVersion: null,
        scaling: { replicas: 5, minReplicas: null, maxReplicas: null },
        status: 'PullRequestOpened',
        branch: 'gitops/guestbook/prod/6f1c2f8e',
        pullRequest: 'https://github.com/acme/gitops/pull/7',
        createdAt: '2026-11-25T10:05:00.000Z',
        updatedAt: '2026-11-25T10:05:00.000Z',
      });
      await store.insert(first);
      await store.insert(second);

      expect(await store.get(first.id)).toEqual(first);
      expect(await store.get(second.id)).toEqual(second);
      expect(await store.get('6f1c2f8e-0000-4000-8000-00000000000f')).toBe(
        undefined,
      );
      expect(
        (await store.listForEntity('component:default/guestbook')).map(
          a => a.id,
        ),
      ).toEqual([second.id, first.id]);
      expect(
        (
          await store.listForEntity('component:default/guestbook', {
            environment: 'staging',
          })
        ).map(a => a.id),
      ).toEqual([first.id]);
      expect((await store.listPending()).map(a => a.id)).toEqual([
        first.id,
        second.id,
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'finishes a record once: a second tracker run with a stale view changes nothing on %p',
    async (id: TestDatabaseId) => {
      const store = await ActionStore.create(await databases.init(id));
      await store.insert(action());
      const finishedAt = '2026-11-25T10:03:00.000Z';
      expect(
        await store.update(
          action().id,
          { status: 'Succeeded', message: 'staging runs v1.0.5', finishedAt },
          ['Committed', 'PullRequestOpened'],
        ),
      ).toBe(true);
      expect(
        await store.update(
          action().id,
          { status: 'Failed', message: 'timed out', finishedAt },
          ['Committed', 'PullRequestOpened'],
        ),
      ).toBe(false);
      const stored = await store.get(action().id);
      expect(stored).toMatchObject({
        status: 'Succeeded',
        message: 'staging runs v1.0.5',
        finishedAt,
      });
      expect(await store.listPending()).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'holds one record per idempotency key, finds cut-off writes and removes only unwritten ones on %p',
    async (id: TestDatabaseId) => {
      const store = await ActionStore.create(await databases.init(id));
      const writing = action({
        status: 'Writing',
        commit: null,
        idempotencyKey: 'key-1',
        repository: 'https://git.example.com/gitops.git',
        paths: ['apps/guestbook/overlays/staging/kustomization.yaml'],
        updatedAt: '2026-11-25T10:00:00.000Z',
      });
      await store.insert(writing);
      // Records without a key do not collide with each other.
      await store.insert(
        action({ id: '6f1c2f8e-0000-4000-8000-000000000002' }),
      );
      await store.insert(
        action({ id: '6f1c2f8e-0000-4000-8000-000000000003' }),
      );
      await expect(
        store.insert(
          action({
            id: '6f1c2f8e-0000-4000-8000-000000000004',
            idempotencyKey: 'key-1',
          }),
        ),
      ).rejects.toThrow('Idempotency-Key key-1 is already used');
      expect(await store.get('6f1c2f8e-0000-4000-8000-000000000004')).toBe(
        undefined,
      );
      expect(await store.getByIdempotencyKey('key-1')).toEqual(writing);
      expect(await store.getByIdempotencyKey('key-2')).toBe(undefined);

      // Only `Writing` records last touched before the cut-off.
      expect(
        (
          await store.listUnfinishedWrites(new Date('2026-11-25T10:00:00Z'))
        ).map(a => a.id),
      ).toEqual([]);
      expect(
        (
          await store.listUnfinishedWrites(new Date('2026-11-25T10:01:00Z'))
        ).map(a => a.id),
      ).toEqual([writing.id]);

      expect(
        await store.update(writing.id, { diff: 'new plan', paths: ['b'] }, [
          'Writing',
        ]),
      ).toBe(true);
      expect(await store.get(writing.id)).toMatchObject({
        diff: 'new plan',
        paths: ['b'],
      });
      // A committed record is never removed; a record still being written is.
      expect(
        await store.remove('6f1c2f8e-0000-4000-8000-000000000002', ['Writing']),
      ).toBe(false);
      expect(await store.remove(writing.id, ['Writing'])).toBe(true);
      expect(await store.get(writing.id)).toBe(undefined);
      expect(await store.getByIdempotencyKey('key-1')).toBe(undefined);
    },
  );

  it.each(databases.eachSupportedId())(
    'runs its migrations idempotently on %p',
    async (id: TestDatabaseId) => {
      const knex = await databases.init(id);
      await ActionStore.create(knex);
      const store = await ActionStore.create(knex);
      await store.insert(action());
      expect((await store.listPending()).length).toBe(1);
    },
  );
});
