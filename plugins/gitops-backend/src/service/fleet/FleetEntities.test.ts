import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ANNOTATION_GITOPS_PATH } from '@gitops-backstage/plugin-gitops-common';
import {
  FleetEntities,
  GITOPS_ENTITY_FIELDS,
  callerKey,
} from './FleetEntities';

const FRESH_MS = 60_000;
const MAX_AGE_MS = 6 * FRESH_MS;
const T0 = Date.parse('2026-12-04T09:00:00.000Z');

/** A Component the catalog holds with the GitOps path annotation, as the catalog serves it. */
function component(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { [ANNOTATION_GITOPS_PATH]: `apps/${name}` },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/team-a',
      system: 'shop',
    },
  };
}

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

interface Query {
  fields: string[] | undefined;
  filter: unknown;
  credentials: BackstageCredentials;
}

/**
 * The catalog: the backend (a service principal) sees every entity, a user the names
 * `visibleTo` lists. Records each query; `hold()` keeps the queries made after it open until
 * `release()`, `failing` makes them reject.
 */
function fakeCatalog(initial: string[]) {
  const state = {
    names: [...initial],
    visibleTo: {} as Record<string, string[]>,
    failing: false,
    queries: [] as Query[],
    gate: undefined as Promise<void> | undefined,
    open: () => {},
  };
  const getEntities: CatalogService['getEntities'] = async (
    request,
    options,
  ) => {
    state.queries.push({
      fields: request?.fields,
      filter: request?.filter,
      credentials: options.credentials,
    });
    if (state.gate) await state.gate;
    if (state.failing) throw new Error('catalog unavailable');
    const principal = options.credentials.principal as {
      type: string;
      userEntityRef?: string;
    };
    const names =
      principal.type === 'service'
        ? state.names
        : (state.visibleTo[principal.userEntityRef ?? ''] ?? []).filter(n =>
            state.names.includes(n),
          );
    return { items: names.map(component) };
  };
  const catalog = catalogServiceMock.mock({ getEntities });
  return {
    catalog,
    state,
    hold() {
      state.gate = new Promise(resolve => {
        state.open = resolve;
      });
    },
    release() {
      state.gate = undefined;
      state.open();
    },
    /** The queries made with credentials of this principal type (and user). */
    queriesBy(type: 'service' | 'user', user?: string) {
      return state.queries.filter(q => {
        const p = q.credentials.principal as {
          type: string;
          userEntityRef?: string;
        };
        return p.type === type && (!user || p.userEntityRef === user);
      });
    },
  };
}

let now = T0;
beforeEach(() => {
  now = T0;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** Lets every settled promise run its callbacks (background reads finish). */
const flush = () => new Promise(resolve => setImmediate(resolve));

/** Whether a promise has settled by the time pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await flush();
  return done;
}

const refsOf = (list: Array<{ ref: string }>) => list.map(e => e.ref);

/** A fleet whose reuse is by age alone (a changing answer is not read again sooner). */
function fleetOf(
  catalog: CatalogService,
  options: { freshMs?: number; maxAgeMs?: number } = {},
) {
  return new FleetEntities({
    catalog,
    auth: mockServices.auth(),
    freshMs: options.freshMs ?? FRESH_MS,
    maxAgeMs: options.maxAgeMs ?? MAX_AGE_MS,
    changingFreshMs: options.freshMs ?? FRESH_MS,
  });
}

describe('FleetEntities', () => {
  describe('reuse of the whole list by age', () => {
    it.each([
      // age, answer, catalog queries in all, whether the caller waits for the second
      [FRESH_MS - 1, 'reused as it is', ['a'], 1, false],
      [FRESH_MS, 'answered old, read again behind', ['a'], 2, false],
      [MAX_AGE_MS - 1, 'answered old, read again behind', ['a'], 2, false],
      [MAX_AGE_MS, 'read again first', ['a', 'b'], 2, true],
    ] as const)(
      'at age %d ms a list is %s',
      async (age, _how, answered, queries, waits) => {
        const fake = fakeCatalog(['a']);
        const fleet = fleetOf(fake.catalog);
        expect(refsOf(await fleet.list())).toEqual(['component:default/a']);

        fake.state.names = ['a', 'b'];
        now = T0 + age;
        fake.hold();
        const answer = fleet.list();
        expect(await settled(answer)).toBe(!waits);
        expect(fake.state.queries).toHaveLength(queries);
        fake.release();
        expect(refsOf(await answer)).toEqual(
          answered.map(n => `component:default/${n}`),
        );
      },
    );

    it('answers the refreshed list on the next call once the background read is done', async () => {
      const fake = fakeCatalog(['a']);
      const fleet = fleetOf(fake.catalog);
      await fleet.list();
      fake.state.names = ['a', 'b'];
      now = T0 + FRESH_MS;
      fake.hold();
      expect(refsOf(await fleet.list())).toEqual(['component:default/a']);
      fake.release();
      await flush();

      // The new list is fresh from when it was read: no third query.
      expect(refsOf(await fleet.list())).toEqual([
        'component:default/a',
        'component:default/b',
      ]);
      now += FRESH_MS - 1;
      await fleet.list();
      expect(fake.state.queries).toHaveLength(2);
    });

    it("reuses a caller's visible refs within freshMs, and reads them again behind after", async () => {
      const fake = fakeCatalog(['a', 'b']);
      fake.state.visibleTo[ALICE] = ['a'];
      const fleet = fleetOf(fake.catalog);
      const alice = mockCredentials.user(ALICE);
      expect(refsOf(await fleet.visible(alice))).toEqual([
        'component:default/a',
      ]);
      now = T0 + FRESH_MS - 1;
      await fleet.visible(alice);
      expect(fake.queriesBy('user', ALICE)).toHaveLength(1);
      expect(fake.queriesBy('service')).toHaveLength(1);

      // Alice is given b: after freshMs she still sees the old part at once, then b.
      fake.state.visibleTo[ALICE] = ['a', 'b'];
      now = T0 + FRESH_MS;
      expect(refsOf(await fleet.visible(alice))).toEqual([
        'component:default/a',
      ]);
      await flush();
      expect(refsOf(await fleet.visible(alice))).toEqual([
        'component:default/a',
        'component:default/b',
      ]);
      expect(fake.queriesBy('user', ALICE)).toHaveLength(2);
    });
  });

  it('reads a list that is still changing (a catalog being loaded) again after a second, then by age', async () => {
    const fake = fakeCatalog(['a']);
    const fleet = new FleetEntities({
      catalog: fake.catalog,
      auth: mockServices.auth(),
      freshMs: FRESH_MS,
      maxAgeMs: MAX_AGE_MS,
    });
    await fleet.list();
    // The first answer may be a catalog still loading: read again after a second.
    fake.state.names = ['a', 'b'];
    now = T0 + 999;
    await fleet.list();
    expect(fake.queriesBy('service')).toHaveLength(1);
    now = T0 + 1000;
    await fleet.list();
    await flush();
    expect(refsOf(await fleet.list())).toHaveLength(2);
    // It changed: once more after a second; the same answer then is reused by age.
    now = T0 + 2000;
    await fleet.list();
    await flush();
    expect(fake.queriesBy('service')).toHaveLength(3);
    now = T0 + 2000 + FRESH_MS - 1;
    await fleet.list();
    expect(fake.queriesBy('service')).toHaveLength(3);
  });

  it('answers entities() as the same array while the list is reused, a new one after', async () => {
    const fake = fakeCatalog(['a']);
    const fleet = fleetOf(fake.catalog);
    const first = await fleet.entities();
    expect(first.map(e => e.metadata.name)).toEqual(['a']);
    now = T0 + FRESH_MS - 1;
    expect(await fleet.entities()).toBe(first);

    // A view past freshMs reads the list again; the passes take the new one.
    fake.state.names = ['a', 'b'];
    now = T0 + FRESH_MS;
    await fleet.list();
    await flush();
    const next = await fleet.entities();
    expect(next.map(e => e.metadata.name)).toEqual(['a', 'b']);
    expect(await fleet.entities()).toBe(next);
  });

  describe('background passes', () => {
    it.each([
      // age, answer, catalog queries it makes, whether the pass waits for them
      [FRESH_MS, 'taken as it is', ['a'], 0, false],
      [MAX_AGE_MS - 1, 'taken as it is', ['a'], 0, false],
      [MAX_AGE_MS, 'read again first', ['a', 'b'], 1, true],
    ] as const)(
      'at age %d ms a list that did not change is %s',
      async (age, _how, answered, queries, waits) => {
        const fake = fakeCatalog(['a']);
        const fleet = fleetOf(fake.catalog);
        await fleet.list();
        // Read again by a view and found the same: no longer a catalog being loaded.
        now = T0 + FRESH_MS;
        await fleet.list();
        await flush();
        expect(fake.state.queries).toHaveLength(2);
        fake.state.queries.length = 0;
        fake.state.names = ['a', 'b'];
        now = T0 + FRESH_MS + age;
        fake.hold();
        const answer = fleet.listForPasses();
        expect(await settled(answer)).toBe(!waits);
        expect(fake.state.queries).toHaveLength(queries);
        fake.release();
        expect(refsOf(await answer)).toEqual(
          answered.map(n => `component:default/${n}`),
        );
        await flush();
        expect(fake.state.queries).toHaveLength(queries);
      },
    );

    it('look an entity up in the list without a catalog request, and ask the catalog for one it lacks', async () => {
      const fake = fakeCatalog(['a', 'b']);
      const getEntityByRef = fake.catalog.getEntityByRef as jest.Mock;
      getEntityByRef.mockImplementation(async (ref: string) =>
        ref === 'component:default/new' ? component('new') : undefined,
      );
      const fleet = fleetOf(fake.catalog);

      const b = await fleet.entity('component:default/b');
      expect(b?.metadata.name).toBe('b');
      expect(b).toBe((await fleet.list())[1].entity);
      expect(getEntityByRef).not.toHaveBeenCalled();

      // Registered after the list was read: the catalog has it, the list not yet.
      expect((await fleet.entity('component:default/new'))?.metadata.name).toBe(
        'new',
      );
      expect(await fleet.entity('component:default/gone')).toBeUndefined();
      expect(getEntityByRef.mock.calls.map(call => call[0])).toEqual([
        'component:default/new',
        'component:default/gone',
      ]);
      expect(getEntityByRef.mock.calls[0][1].credentials.principal.type).toBe(
        'service',
      );
      expect(fake.queriesBy('service')).toHaveLength(1);
    });
  });

  it('keeps the objects of entities a re-read found unchanged, and the list when none changed', async () => {
    const fake = fakeCatalog(['a', 'b']);
    const fleet = fleetOf(fake.catalog);
    const first = await fleet.list();
    // A re-read of the same catalog: the same list, so rows and passes keyed by it hold.
    now = T0 + FRESH_MS;
    await fleet.list();
    await flush();
    expect(fake.queriesBy('service')).toHaveLength(2);
    const same = await fleet.list();
    expect(same).toBe(first);
    expect(await fleet.entities()).toBe(await fleet.entities());

    // One entity changed, one added: a new list, the unchanged entry's object kept.
    fake.state.names = ['a', 'b', 'c'];
    const owners: Record<string, string> = { b: 'group:default/team-b' };
    const getEntities = fake.catalog.getEntities as jest.Mock;
    const original = getEntities.getMockImplementation()!;
    getEntities.mockImplementation(async (request: any, options: any) => {
      const answer = await original(request, options);
      for (const entity of answer.items) {
        const owner = owners[entity.metadata.name];
        if (owner) entity.spec = { ...entity.spec, owner };
      }
      return answer;
    });
    now = T0 + 2 * FRESH_MS;
    await fleet.list();
    await flush();
    const next = await fleet.list();
    expect(next).not.toBe(first);
    expect(refsOf(next)).toEqual([
      'component:default/a',
      'component:default/b',
      'component:default/c',
    ]);
    expect(next[0]).toBe(first[0]);
    expect(next[1]).not.toBe(first[1]);
    expect(next[1].entity.spec?.owner).toBe('group:default/team-b');
  });

  it('with freshMs 0 queries the catalog on every call, with the caller’s credentials', async () => {
    const fake = fakeCatalog(['a', 'b']);
    fake.state.visibleTo[ALICE] = ['b'];
    const fleet = fleetOf(fake.catalog, { freshMs: 0, maxAgeMs: 0 });
    const alice = mockCredentials.user(ALICE);
    for (let call = 0; call < 3; call++) {
      expect(await fleet.visible(alice)).toEqual([
        { entity: component('b'), ref: 'component:default/b' },
      ]);
    }
    expect(fake.state.queries).toHaveLength(3);
    for (const query of fake.state.queries) {
      expect(query.credentials).toBe(alice);
      expect(query.fields).toEqual(GITOPS_ENTITY_FIELDS);
      expect(query.filter).toEqual({
        [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]: expect.anything(),
      });
    }
  });

  it('gives each caller only what the catalog lets them see, and the backend everything', async () => {
    const fake = fakeCatalog(['a', 'b', 'c']);
    fake.state.visibleTo[ALICE] = ['a', 'c'];
    fake.state.visibleTo[BOB] = ['b'];
    const fleet = fleetOf(fake.catalog);
    const alice = mockCredentials.user(ALICE);
    const bob = mockCredentials.user(BOB);

    expect(refsOf(await fleet.visible(alice))).toEqual([
      'component:default/a',
      'component:default/c',
    ]);
    expect(refsOf(await fleet.visible(bob))).toEqual(['component:default/b']);
    const all = await fleet.list();
    expect(refsOf(all)).toEqual([
      'component:default/a',
      'component:default/b',
      'component:default/c',
    ]);
    // Whole entities, with what the views need of them.
    expect(all[0].entity.metadata.annotations).toEqual({
      [ANNOTATION_GITOPS_PATH]: 'apps/a',
    });

    // The whole list was read once, as the backend, with the fields the views use.
    const [own] = fake.queriesBy('service');
    expect(fake.queriesBy('service')).toHaveLength(1);
    expect(own.credentials).toEqual(
      await mockServices.auth().getOwnServiceCredentials(),
    );
    expect(own.fields).toEqual(
      expect.arrayContaining(['kind', 'metadata.name', 'metadata.annotations']),
    );
    // Each caller's part with their own credentials.
    expect(fake.queriesBy('user', ALICE).map(q => q.credentials)).toEqual([
      alice,
    ]);
    expect(fake.queriesBy('user', BOB).map(q => q.credentials)).toEqual([bob]);
    expect(fake.state.queries).toHaveLength(3);
  });

  it("reads a caller's refs again with their newest credentials, not the first", async () => {
    const fake = fakeCatalog(['a']);
    fake.state.visibleTo[ALICE] = ['a'];
    const fleet = fleetOf(fake.catalog);
    // The same user with a token that expires, then a renewed one.
    const first: BackstageCredentials = {
      ...mockCredentials.user(ALICE),
      expiresAt: new Date(T0 + FRESH_MS),
    };
    const renewed: BackstageCredentials = {
      ...mockCredentials.user(ALICE),
      expiresAt: new Date(T0 + 2 * FRESH_MS),
    };
    expect(callerKey(first)).toBe(callerKey(renewed));
    await fleet.visible(first);
    now = T0 + FRESH_MS;
    await fleet.visible(renewed);
    await flush();
    expect(fake.queriesBy('user', ALICE).map(q => q.credentials)).toEqual([
      first,
      renewed,
    ]);
    expect(fake.queriesBy('user', ALICE)[1].credentials).toBe(renewed);
  });

  // Jest fails the test that leaves a rejection unhandled (its own handler takes it before a
  // `process.on('unhandledRejection')` in the test would), so these pass only without one.
  describe('a failed refresh', () => {
    it.each([
      ['list()', (fleet: FleetEntities) => fleet.list()],
      [
        'visible()',
        (fleet: FleetEntities) => fleet.visible(mockCredentials.user(ALICE)),
      ],
    ])(
      'keeps answering the old list from %s within maxAgeMs, without an unhandled rejection',
      async (_name, read) => {
        const fake = fakeCatalog(['a']);
        fake.state.visibleTo[ALICE] = ['a'];
        const fleet = fleetOf(fake.catalog);
        expect(refsOf(await read(fleet))).toEqual(['component:default/a']);
        const before = fake.state.queries.length;

        fake.state.failing = true;
        for (const age of [FRESH_MS, 2 * FRESH_MS, MAX_AGE_MS - 1]) {
          now = T0 + age;
          expect(refsOf(await read(fleet))).toEqual(['component:default/a']);
          await flush();
        }
        // Each of the three stale calls tried every list again behind (none succeeded).
        expect(fake.state.queries).toHaveLength(4 * before);

        // Past maxAgeMs the caller waits for the catalog, and hears it failed.
        now = T0 + MAX_AGE_MS;
        await expect(read(fleet)).rejects.toThrow('catalog unavailable');
        await flush();

        // The catalog is back: the next call reads it.
        fake.state.failing = false;
        expect(refsOf(await read(fleet))).toEqual(['component:default/a']);
      },
    );
  });

  describe('concurrent callers', () => {
    it('share one query of the whole list', async () => {
      const fake = fakeCatalog(['a', 'b']);
      const fleet = fleetOf(fake.catalog);
      fake.hold();
      const answers = [fleet.list(), fleet.list(), fleet.list()];
      await flush();
      expect(fake.state.queries).toHaveLength(1);
      fake.release();
      const lists = await Promise.all(answers);
      expect(lists.map(refsOf)).toEqual(
        Array(3).fill(['component:default/a', 'component:default/b']),
      );
    });

    it("share one query per caller's refs, and the whole list across callers", async () => {
      const fake = fakeCatalog(['a', 'b']);
      fake.state.visibleTo[ALICE] = ['a'];
      fake.state.visibleTo[BOB] = ['b'];
      const fleet = fleetOf(fake.catalog);
      fake.hold();
      const answers = [
        fleet.visible(mockCredentials.user(ALICE)),
        fleet.visible(mockCredentials.user(BOB)),
        fleet.visible(mockCredentials.user(ALICE)),
        fleet.list(),
      ];
      await flush();
      expect(fake.queriesBy('service')).toHaveLength(1);
      expect(fake.queriesBy('user', ALICE)).toHaveLength(1);
      expect(fake.queriesBy('user', BOB)).toHaveLength(1);
      fake.release();
      expect((await Promise.all(answers)).map(refsOf)).toEqual([
        ['component:default/a'],
        ['component:default/b'],
        ['component:default/a'],
        ['component:default/a', 'component:default/b'],
      ]);
    });

    it('share one background refresh of a stale list', async () => {
      const fake = fakeCatalog(['a']);
      const fleet = fleetOf(fake.catalog);
      await fleet.list();
      now = T0 + FRESH_MS;
      fake.hold();
      const lists = await Promise.all([fleet.list(), fleet.list()]);
      expect(lists.map(refsOf)).toEqual([
        ['component:default/a'],
        ['component:default/a'],
      ]);
      expect(fake.state.queries).toHaveLength(2);
      fake.release();
      await flush();
      await fleet.list();
      expect(fake.state.queries).toHaveLength(2);
    });
  });
});
