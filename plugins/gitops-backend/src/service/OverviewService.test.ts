import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { fleetEntity } from '../__testUtils__/fleet';
import { EnvironmentService } from './EnvironmentService';
import { OverviewService, ROW_MAX_AGE_MS } from './OverviewService';

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
        name: 'the row is older than its longest reuse',
        change: () => {},
        later: ROW_MAX_AGE_MS,
        computed: 10,
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
});
