import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  OverviewQuery,
  OverviewSort,
} from '@gitops-backstage/plugin-gitops-common';
import { fleetEntity } from '../__testUtils__/fleet';
import { EnvironmentService } from './EnvironmentService';
import { FleetEntities } from './fleet/FleetEntities';
import { OverviewService } from './OverviewService';

/** An environment service that counts its calls and answers when told to. */
function slowEnvironments() {
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  let release = () => {};
  const gate = new Promise<void>(resolve => {
    release = resolve;
  });
  const service = {
    clusterState: () => 'prod=up',
    fleetStamp: async () => 'quiet fleet',
    getEnvironments: async (entity: any, signal?: AbortSignal) => {
      calls.push(entity.metadata.name);
      if (signal) signals.push(signal);
      await gate;
      // As the real reads do: a view whose client went away fails.
      if (signal?.aborted) throw signal.reason;
      return {
        entityRef: `component:default/${entity.metadata.name}`,
        environments: [
          {
            name: 'dev',
            desired: { tag: 'v1', digest: null },
            live: null,
            sync: null,
            drift: [],
            problems: [],
            registry: null,
            error: null,
          },
        ],
      };
    },
  } as unknown as EnvironmentService;
  return { service, calls, signals, release: () => release() };
}

function overviewService(
  environments: EnvironmentService,
  reuseMs = 2000,
  logger = mockServices.logger.mock(),
) {
  return new OverviewService({
    catalog: catalogServiceMock({
      entities: Array.from({ length: 5 }, (_, i) => fleetEntity(i)),
    }),
    environments,
    logger,
    reuseMs,
  });
}

const alice = mockCredentials.user('user:default/alice');
const bob = mockCredentials.user('user:default/bob');

describe('OverviewService', () => {
  it('computes a page once for every caller asking for it at the same time, and reuses it briefly', async () => {
    const slow = slowEnvironments();
    const overview = overviewService(slow.service);
    const pages = Promise.all(
      Array.from({ length: 20 }, () => overview.overview({}, alice)),
    );
    await new Promise(resolve => setImmediate(resolve));
    slow.release();
    const answers = await pages;
    expect(new Set(answers).size).toBe(1);
    expect(answers[0].totalCount).toBe(5);
    expect(slow.calls).toHaveLength(5);
    await overview.overview({}, alice);
    expect(slow.calls).toHaveLength(5);
    // Another caller may see other entities: its own computation.
    await overview.overview({}, bob);
    expect(slow.calls).toHaveLength(10);
  });

  it('computes again once the reuse window is over', async () => {
    const slow = slowEnvironments();
    slow.release();
    const overview = overviewService(slow.service, 0);
    await overview.overview({}, alice);
    await overview.overview({}, alice);
    expect(slow.calls).toHaveLength(10);
  });

  it('keeps computing while one caller is still waiting, and stops once every caller went away, logging once', async () => {
    const slow = slowEnvironments();
    const logger = mockServices.logger.mock();
    const overview = overviewService(slow.service, 2000, logger);
    const first = new AbortController();
    const second = new AbortController();
    const a = overview.overview({}, alice, first.signal);
    const b = overview.overview({}, alice, second.signal);
    await new Promise(resolve => setImmediate(resolve));
    first.abort(new Error('client went away'));
    await expect(a).rejects.toThrow('client went away');
    expect(slow.signals.every(s => !s.aborted)).toBe(true);
    second.abort(new Error('client went away'));
    await expect(b).rejects.toThrow('client went away');
    expect(slow.signals.length).toBeGreaterThan(0);
    expect(slow.signals.every(s => s.aborted)).toBe(true);
    slow.release();
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info.mock.calls[0][0]).toMatch(/client went away/);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('answers a caller arriving after every other caller went away with its own page, not their cancellation', async () => {
    const slow = slowEnvironments();
    const overview = overviewService(slow.service);
    const leaving = [new AbortController(), new AbortController()];
    const left = leaving.map(c => overview.overview({}, alice, c.signal));
    await new Promise(resolve => setImmediate(resolve));
    leaving.forEach(c => c.abort(new Error('client went away')));
    await Promise.all(
      left.map(p => expect(p).rejects.toThrow('client went away')),
    );
    // The cancelled computation has not ended yet (its renders wait for the gate).
    const staying = new AbortController();
    const page = overview.overview({}, alice, staying.signal);
    await new Promise(resolve => setImmediate(resolve));
    slow.release();
    await expect(page).resolves.toMatchObject({ totalCount: 5 });
  });

  describe('reuses a service row while nothing it came from changed', () => {
    /** Environments whose inputs the test moves: head, cache reads, errors. */
    function changingEnvironments() {
      const state = {
        head: 'a',
        clusters: 'prod=up',
        current: true,
        error: null as string | null,
      };
      const calls: string[] = [];
      const service = {
        basis: async () => `repo@${state.head}`,
        clusterState: () => state.clusters,
        // Moves with any input, as the real stamp does (a changed read moves a cache clock).
        fleetStamp: async () =>
          `${state.head} ${state.clusters} ${
            state.current ? 0 : Math.random()
          }`,
        isCurrent: () => state.current,
        getEnvironments: async (entity: any, _signal: any, context: any) => {
          calls.push(entity.metadata.name);
          context.reads.push({
            cluster: 'prod',
            kind: 'pods',
            key: 'x',
            version: 1,
          });
          return {
            entityRef: `component:default/${entity.metadata.name}`,
            environments: [
              {
                name: 'prod',
                desired: { tag: `v-${state.head}`, digest: null },
                live: null,
                sync: null,
                drift: [],
                problems: [],
                registry: null,
                error: state.error,
              },
            ],
          };
        },
      } as unknown as EnvironmentService;
      return { service, state, calls };
    }

    it.each<{
      name: string;
      setup?: (state: ReturnType<typeof changingEnvironments>['state']) => void;
      change: (state: ReturnType<typeof changingEnvironments>['state']) => void;
      later?: number;
      computed: number;
      tag: string;
    }>([
      { name: 'nothing changed', change: () => {}, computed: 5, tag: 'v-a' },
      {
        name: 'the branch moved',
        change: state => {
          state.head = 'b';
        },
        computed: 10,
        tag: 'v-b',
      },
      {
        name: "a cluster's state changed",
        change: state => {
          state.clusters = 'prod=stale';
        },
        computed: 10,
        tag: 'v-a',
      },
      {
        name: 'a cache read would answer differently (each time)',
        change: state => {
          state.current = false;
        },
        computed: 15,
        tag: 'v-a',
      },
      {
        name: 'the rows have an error (asked again each time)',
        setup: state => {
          state.error = 'cluster prod: no answer';
        },
        change: () => {},
        computed: 15,
        tag: 'v-a',
      },
      {
        name: 'nothing changed for an hour (rows do not expire with age)',
        change: () => {},
        later: 3_600_000,
        computed: 5,
        tag: 'v-a',
      },
    ])('$name: $computed rows computed over three pages', async t => {
      const changing = changingEnvironments();
      const overview = overviewService(changing.service, 0);
      const now = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
      try {
        t.setup?.(changing.state);
        await overview.overview({}, alice);
        t.change(changing.state);
        clock.mockReturnValue(now + (t.later ?? 1000));
        const second = await overview.overview({}, bob);
        await overview.overview({}, alice);
        expect(changing.calls).toHaveLength(t.computed);
        expect(second.items[0].environments[0].tag).toBe(t.tag);
      } finally {
        clock.mockRestore();
      }
    });
  });

  describe('time-based states and a cold fleet', () => {
    /** Environments whose answer flips at `flipsAt` (as an overdue reconcile does). */
    function timedEnvironments(flipsAt: number) {
      const calls: string[] = [];
      const service = {
        basis: async () => 'repo@a',
        clusterState: () => 'prod=up',
        fleetStamp: async () => 'quiet fleet',
        isCurrent: () => true,
        getEnvironments: async (entity: any, _signal: any, context: any) => {
          calls.push(entity.metadata.name);
          const overdue = Date.now() > flipsAt;
          if (!overdue) context.horizon?.note(flipsAt + 1);
          return {
            entityRef: `component:default/${entity.metadata.name}`,
            environments: [
              {
                name: 'prod',
                desired: { tag: 'v1', digest: null },
                live: null,
                sync: null,
                drift: [],
                problems: overdue ? [{ type: 'StaleReconcile' }] : [],
                registry: null,
                error: null,
              },
            ],
          };
        },
      } as unknown as EnvironmentService;
      return { service, calls };
    }

    it('recomputes a row when its time-based state is due, in the background pass, not for the next caller', async () => {
      const now = Date.now();
      const timed = timedEnvironments(now + 60_000);
      const overview = overviewService(timed.service, 0);
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
      try {
        await overview.overview({}, alice);
        expect(timed.calls).toHaveLength(5);
        expect(await overview.recheckDue(now + 30_000)).toBe(0);
        clock.mockReturnValue(now + 61_000);
        // The caller is answered from the rows; the pass finds the due ones.
        const before = await overview.overview({}, alice);
        expect(timed.calls).toHaveLength(5);
        expect(before.items[0].environments[0].problems).toBe(0);
        expect(await overview.recheckDue()).toBe(5);
        const after = await overview.overview({}, alice);
        expect(timed.calls).toHaveLength(10);
        expect(after.items.map(i => i.environments[0].problems)).toEqual([
          1, 1, 1, 1, 1,
        ]);
        // Nothing is due any more: the next pass computes nothing.
        expect(await overview.recheckDue(now + 3_600_000)).toBe(0);
      } finally {
        clock.mockRestore();
      }
    });

    it('answers the first page in name order of a cold fleet from its own rows, with the rest pending', async () => {
      const timed = timedEnvironments(Infinity);
      const overview = overviewService(timed.service, 0);
      const first = await overview.overview({ limit: 2 }, alice);
      expect(first.items.map(i => i.entityRef)).toEqual([
        'component:default/svc-0',
        'component:default/svc-1',
      ]);
      expect(first.totalCount).toBe(5);
      expect(first.nextCursor).not.toBeNull();
      expect(first.counts?.pending).toBeGreaterThan(0);
      expect(first.counts?.total).toBe(5);
      // The rest is read in the background; then pages are cut from every row.
      for (let i = 0; i < 20 && timed.calls.length < 5; i++) {
        await new Promise(resolve => setTimeout(resolve, 5));
      }
      const second = await overview.overview(
        { limit: 2, cursor: first.nextCursor! },
        alice,
      );
      expect(second.items.map(i => i.entityRef)).toEqual([
        'component:default/svc-2',
        'component:default/svc-3',
      ]);
      expect(second.counts?.pending).toBeUndefined();
      expect(timed.calls.sort()).toEqual([
        'svc-0',
        'svc-1',
        'svc-2',
        'svc-3',
        'svc-4',
      ]);
    });

    /** An overview over five services, sharing the backend's list, whose rows are cold. */
    function warmable(settled: boolean) {
      const timed = timedEnvironments(Infinity);
      const service = Object.assign(timed.service, {
        clustersSettled: () => settled,
      });
      const catalog = catalogServiceMock({
        entities: Array.from({ length: 5 }, (_, i) => fleetEntity(i)),
      });
      const overview = new OverviewService({
        catalog,
        environments: service,
        logger: mockServices.logger.mock(),
        entities: new FleetEntities({
          catalog,
          auth: mockServices.auth(),
          freshMs: 10_000,
        }),
      });
      const readAll = async (count: number) => {
        for (let i = 0; i < 20 && timed.calls.length < count; i++) {
          await new Promise(resolve => setTimeout(resolve, 5));
        }
      };
      return { overview, calls: timed.calls, readAll };
    }
    const ALL = ['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4'];

    it.each([
      // clusters read once, ms since the service was made, rows read in the background
      [true, 0, 5],
      [false, 59_999, 0],
      [false, 60_000, 5],
    ])(
      'warms the rows no page asked for in the background (clusters settled: %s, after %d ms): %d',
      async (settled, after, warmed) => {
        const now = Date.now();
        jest.spyOn(Date, 'now').mockReturnValue(now);
        const { overview, calls, readAll } = warmable(settled);
        expect(await overview.warmUnread(now + after)).toBe(warmed);
        await readAll(warmed);
        expect(calls.sort()).toEqual(ALL.slice(0, warmed));
        jest.restoreAllMocks();
      },
    );

    it('reads a warmed row once: not again by the next warm-up, nor by a page', async () => {
      const { overview, calls, readAll } = warmable(true);
      expect(await overview.warmUnread()).toBe(5);
      // A page while the warm-up runs takes its reads.
      const during = await overview.overview({}, alice);
      await readAll(5);
      expect(during.items).toHaveLength(5);
      expect(await overview.warmUnread()).toBe(0);
      const page = await overview.overview({}, bob);
      expect(page.items).toHaveLength(5);
      expect(page.counts?.pending).toBeUndefined();
      expect(calls.sort()).toEqual(ALL);
    });
  });

  describe('counts per state and orders', () => {
    /** [sync, health, problems, error, stale] of an environment. */
    type Env = [string, string, number, string | null, boolean];
    const services: Record<
      string,
      { owner: string | null; dev: Env; prod: Env }
    > = {
      a: {
        owner: 'team-b',
        dev: ['Synced', 'Healthy', 0, null, false],
        prod: ['OutOfSync', 'Healthy', 2, null, false],
      },
      b: {
        owner: 'group:default/team-a',
        dev: ['Synced', 'Degraded', 1, null, false],
        prod: ['Synced', 'Healthy', 0, null, false],
      },
      c: {
        owner: null,
        dev: ['Synced', 'Progressing', 0, null, false],
        prod: ['Synced', 'Healthy', 0, null, true],
      },
      d: {
        owner: 'team-a',
        dev: ['Unknown', 'Unknown', 0, 'cluster dev: no answer', false],
        prod: ['Synced', 'Healthy', 3, null, false],
      },
      e: {
        owner: 'group:default/team-c',
        dev: ['Synced', 'Healthy', 0, null, false],
        prod: ['Synced', 'Healthy', 0, null, false],
      },
    };
    const entity = (name: string) => ({
      ...fleetEntity(0),
      metadata: { ...fleetEntity(0).metadata, name },
      spec: {
        type: 'service',
        lifecycle: 'production',
        ...(services[name].owner ? { owner: services[name].owner } : {}),
      },
    });
    const environments = {
      clusterState: () => 'dev=up prod=up',
      fleetStamp: async () => 'quiet fleet',
      getEnvironments: async (e: any) => ({
        entityRef: `component:default/${e.metadata.name}`,
        environments: (['dev', 'prod'] as const).map(name => {
          const [sync, health, problems, error, stale] =
            services[e.metadata.name][name];
          return {
            name,
            desired: { tag: 'v1', digest: null },
            live: { stale },
            sync: { status: sync, health },
            drift: [],
            problems: Array.from({ length: problems }, () => ({})),
            registry: null,
            error,
          };
        }),
      }),
    } as unknown as EnvironmentService;

    /** The catalog as a list the test may change between pages. */
    function fleet(names = Object.keys(services)) {
      const listed = names.map(entity);
      const overview = new OverviewService({
        catalog: {
          getEntities: async () => ({ items: listed }),
        } as unknown as CatalogService,
        environments,
        logger: mockServices.logger.mock(),
        reuseMs: 0,
      });
      const namesOf = async (query: OverviewQuery) =>
        (await overview.overview(query, alice)).items.map(i =>
          i.entityRef.replace('component:default/', ''),
        );
      return { overview, listed, names: namesOf };
    }

    it('counts services per state over the rows matching every filter but the status', async () => {
      const { overview } = fleet();
      // Every row read once (a first page of a cold fleet counts only what was read).
      await overview.overview({}, alice);
      const all = await overview.overview({ limit: 1 }, alice);
      expect(all.counts).toEqual({
        total: 5,
        problems: 3, // a, b, d
        OutOfSync: 1, // a
        Degraded: 1, // b
        Progressing: 1, // c
        stale: 1, // c
        error: 1, // d
        insecure: 0, // no supply-chain evidence configured
      });
      // The status filter narrows the rows, not the counts: each says what choosing it shows.
      const problems = await overview.overview({ status: 'problems' }, alice);
      expect(problems.totalCount).toBe(3);
      expect(problems.counts).toEqual(all.counts);
      // Only the environment filtered to counts.
      expect(
        (await overview.overview({ environment: 'prod' }, alice)).counts,
      ).toEqual({
        total: 5,
        problems: 2, // a, d
        OutOfSync: 1,
        Degraded: 0,
        Progressing: 0,
        stale: 1,
        error: 0,
        insecure: 0,
      });
      // Other filters narrow the counts too.
      expect(
        (await overview.overview({ owner: 'team-a', status: 'error' }, alice))
          .counts,
      ).toEqual({
        total: 2, // b, d
        problems: 2,
        OutOfSync: 0,
        Degraded: 1,
        Progressing: 0,
        stale: 0,
        error: 1,
        insecure: 0,
      });
    });

    it.each<[OverviewQuery, string[]]>([
      [{}, ['a', 'b', 'c', 'd', 'e']],
      [{ sort: 'name', order: 'desc' }, ['e', 'd', 'c', 'b', 'a']],
      // The same owner however it is written; ties by name; no owner last.
      [{ sort: 'owner' }, ['b', 'd', 'a', 'e', 'c']],
      [{ sort: 'owner', order: 'desc' }, ['e', 'a', 'b', 'd', 'c']],
      // Problems over the environments shown; ties by name.
      [{ sort: 'problems' }, ['c', 'e', 'b', 'a', 'd']],
      [{ sort: 'problems', order: 'desc' }, ['d', 'a', 'b', 'c', 'e']],
      [
        { sort: 'problems', order: 'desc', environment: 'dev' },
        ['b', 'a', 'c', 'd', 'e'],
      ],
      [
        { sort: 'problems', order: 'desc', status: 'problems' },
        ['d', 'a', 'b'],
      ],
    ])('orders %j as %j', async (query, expected) => {
      expect(await fleet().names(query)).toEqual(expected);
    });

    it.each<[OverviewSort, 'asc' | 'desc']>([
      ['name', 'asc'],
      ['name', 'desc'],
      ['owner', 'asc'],
      ['owner', 'desc'],
      ['problems', 'asc'],
      ['problems', 'desc'],
    ])(
      'pages %s %s with its cursor: every row once, in the order',
      async (sort, order) => {
        const { overview, names } = fleet();
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await overview.overview(
            { sort, order, limit: 2, cursor },
            alice,
          );
          expect(page.totalCount).toBe(5);
          seen.push(
            ...page.items.map(i =>
              i.entityRef.replace('component:default/', ''),
            ),
          );
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor);
        expect(pages).toBe(3);
        expect(seen).toEqual(await names({ sort, order }));
      },
    );

    it('goes on after the last row shown when rows before it went away (no skip, no repeat)', async () => {
      const { overview, listed } = fleet();
      const first = await overview.overview(
        { sort: 'problems', order: 'desc', limit: 2 },
        alice,
      );
      expect(first.items.map(i => i.entityRef)).toEqual([
        'component:default/d',
        'component:default/a',
      ]);
      // d leaves the catalog: an offset would now skip b.
      listed.splice(
        listed.findIndex(e => e.metadata.name === 'd'),
        1,
      );
      const second = await overview.overview(
        {
          sort: 'problems',
          order: 'desc',
          limit: 2,
          cursor: first.nextCursor!,
        },
        alice,
      );
      expect(second.items.map(i => i.entityRef)).toEqual([
        'component:default/b',
        'component:default/c',
      ]);
    });

    it('refuses a cursor of another order, and one that is not a cursor', async () => {
      const { overview } = fleet();
      const { nextCursor } = await overview.overview(
        { sort: 'owner', limit: 2 },
        alice,
      );
      await expect(
        overview.overview({ sort: 'problems', cursor: nextCursor! }, alice),
      ).rejects.toThrow(InputError);
      await expect(
        overview.overview(
          { sort: 'owner', order: 'desc', cursor: nextCursor! },
          alice,
        ),
      ).rejects.toThrow(/another order/);
      await expect(
        overview.overview({ cursor: 'bm90LWEtY3Vyc29y' }, alice),
      ).rejects.toThrow(/not a cursor/);
    });

    it('still takes the cursors of entity-ref pages from before the orders', async () => {
      const { overview } = fleet();
      const legacy = Buffer.from('component:default/b').toString('base64url');
      expect(
        (await overview.overview({ cursor: legacy }, alice)).items.map(
          i => i.entityRef,
        ),
      ).toEqual([
        'component:default/c',
        'component:default/d',
        'component:default/e',
      ]);
    });
  });
});
