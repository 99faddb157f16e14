import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import { EntityChangeSignals } from './EntityChangeSignals';

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
});

const answer = (
  name: string,
  tag: string,
  observedAt = '2026-11-28T10:00:00Z',
): EnvironmentsResponse =>
  ({
    entityRef: `component:default/${name}`,
    environments: [
      { name: 'dev', desired: { tag }, live: { observedAt }, problems: [] },
    ],
  } as any);

function setup(options: { maxEntities?: number } = {}) {
  let now = 0;
  const published: any[] = [];
  const answers = new Map<string, EnvironmentsResponse>();
  const reads: string[] = [];
  const signals = new EntityChangeSignals({
    signals: {
      publish: async (signal: any) => {
        published.push(signal);
      },
    },
    environments: {
      getEnvironments: async e => {
        reads.push(e.metadata.name);
        const found = answers.get(e.metadata.name);
        if (!found) throw new Error('cluster not reachable');
        return found;
      },
    },
    logger: mockServices.logger.mock(),
    intervalMs: 5000,
    watchMs: 600_000,
    maxEntities: options.maxEntities ?? 200,
    now: () => now,
  });
  return {
    signals,
    published,
    answers,
    reads,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('EntityChangeSignals', () => {
  it('signals a viewed entity whose answer changed, once, and not for a new observedAt alone', async () => {
    const { signals, published, answers } = setup();
    signals.viewed(entity('guestbook'), answer('guestbook', 'v1.0.4'));
    answers.set(
      'guestbook',
      answer('guestbook', 'v1.0.4', '2026-11-28T10:00:05Z'),
    );
    expect(await signals.checkOnce()).toBe(0);
    answers.set('guestbook', answer('guestbook', 'v1.0.5'));
    expect(await signals.checkOnce()).toBe(1);
    expect(await signals.checkOnce()).toBe(0);
    expect(published).toEqual([
      {
        recipients: { type: 'broadcast' },
        channel: 'gitops:component:default/guestbook',
        message: { kind: 'state', entityRef: 'component:default/guestbook' },
      },
    ]);
  });

  it('stops watching an entity nobody viewed for watchMs, and skips one that cannot be read', async () => {
    const { signals, answers, reads, advance } = setup();
    signals.viewed(entity('guestbook'), answer('guestbook', 'v1'));
    signals.viewed(entity('broken'), answer('broken', 'v1'));
    answers.set('guestbook', answer('guestbook', 'v1'));
    expect(await signals.checkOnce()).toBe(0);
    expect(reads).toEqual(['guestbook', 'broken']);
    advance(600_001);
    expect(await signals.checkOnce()).toBe(0);
    expect(reads).toEqual(['guestbook', 'broken']);
  });

  it('watches at most maxEntities, dropping the least recently viewed', async () => {
    const { signals, answers, reads } = setup({ maxEntities: 2 });
    for (const name of ['a', 'b', 'c']) {
      answers.set(name, answer(name, 'v1'));
      signals.viewed(entity(name), answer(name, 'v1'));
    }
    signals.viewed(entity('b'), answer('b', 'v1'));
    await signals.checkOnce();
    expect(reads.sort()).toEqual(['b', 'c']);
  });

  it('signals an action at once, naming nothing but the entity (the signal is broadcast)', () => {
    const { signals, published } = setup();
    signals.actionChanged({
      id: 'a1',
      entityRef: 'component:default/guestbook',
      to: 'staging',
      status: 'Succeeded',
    } as any);
    expect(published[0]).toEqual({
      recipients: { type: 'broadcast' },
      channel: 'gitops:component:default/guestbook',
      message: {
        kind: 'action',
        entityRef: 'component:default/guestbook',
      },
    });
  });

  it('does nothing without a signals service', async () => {
    const reads: string[] = [];
    const signals = new EntityChangeSignals({
      environments: {
        getEnvironments: async e => {
          reads.push(e.metadata.name);
          return answer('x', 'v2');
        },
      },
      logger: mockServices.logger.mock(),
      intervalMs: 5000,
      watchMs: 600_000,
      maxEntities: 200,
    });
    signals.viewed(entity('x'), answer('x', 'v1'));
    expect(await signals.checkOnce()).toBe(0);
    expect(reads).toEqual([]);
  });
});

describe('EntityChangeSignals with the inputs of each answer', () => {
  /**
   * A source that tells what an answer came from: a Git basis, the clusters' state, the
   * cache reads (current while `current`) and a time-based moment (`flipsAt`).
   */
  function inputsSetup() {
    let now = 0;
    const state = {
      basis: 'c1',
      clusters: 'dev=up',
      current: true,
      flipsAt: Infinity,
      tag: 'v1',
    };
    const reads: string[] = [];
    const published: any[] = [];
    const signals = new EntityChangeSignals({
      signals: {
        publish: async (signal: any) => {
          published.push(signal);
        },
      },
      environments: {
        basis: async () => state.basis,
        clusterState: () => state.clusters,
        isCurrent: () => state.current,
        getEnvironments: async (e, _signal, context) => {
          reads.push(e.metadata.name);
          context?.horizon?.note(state.flipsAt);
          context?.reads?.push({
            cluster: 'dev',
            kind: 'deployments',
            key: 'x',
            version: 1,
          });
          return answer(e.metadata.name, state.tag);
        },
      },
      logger: mockServices.logger.mock(),
      intervalMs: 5000,
      watchMs: 600_000,
      maxEntities: 200,
      now: () => now,
    });
    signals.viewed(entity('guestbook'), answer('guestbook', 'v1'));
    return {
      signals,
      state,
      reads,
      published,
      at: (ms: number) => {
        now = ms;
      },
    };
  }

  it.each([
    ['the repository moved', (s: any) => (s.basis = 'c2')],
    ['the clusters’ state changed', (s: any) => (s.clusters = 'dev=down')],
    ['a cache read it made changed', (s: any) => (s.current = false)],
    ['60 s passed (a registry’s new tag is not an input)', () => {}, 60_000],
  ])(
    'does not read an unchanged entity again, and reads it when %s',
    async (_why, change, later = 1_000) => {
      const { signals, state, reads, at } = inputsSetup();
      await signals.checkOnce();
      expect(reads).toHaveLength(1);
      for (const t of [5_000, 10_000, 55_000]) {
        at(t);
        await signals.checkOnce();
      }
      expect(reads).toHaveLength(1);
      change(state);
      at(55_000 + later);
      await signals.checkOnce();
      expect(reads).toHaveLength(2);
    },
  );

  it('reads an entity again when a time-based state of its answer comes due, and signals the change', async () => {
    const { signals, state, reads, published, at } = inputsSetup();
    state.flipsAt = 20_000;
    await signals.checkOnce();
    at(19_999);
    await signals.checkOnce();
    expect(reads).toHaveLength(1);
    state.tag = 'v2';
    at(20_000);
    expect(await signals.checkOnce()).toBe(1);
    expect(reads).toHaveLength(2);
    expect(published).toHaveLength(1);
  });
});
