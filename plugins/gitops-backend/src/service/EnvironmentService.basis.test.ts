import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EnvironmentService } from './EnvironmentService';

/**
 * `basis` of one entity as the fleet passes ask it: a Git provider whose head and staleness the
 * test moves, and a reader that counts the states it is asked for (each state's content
 * revision is the head it was read at unless the test carries it).
 */
function basisOf() {
  const state = {
    head: 'c1',
    stale: false,
    failing: false,
    reads: 0,
    carried: undefined as string | undefined,
    /** What the reader knows of a state at a head without building it. */
    known: undefined as string | undefined,
  };
  const provider = {
    type: 'git',
    resolveBranch: async () => state.head,
    staleness: () => (state.stale ? { since: 'then' } : undefined),
  };
  const results = new WeakMap<object, string>();
  const reader = {
    readShared: async ({ revision }: { revision: string }) => {
      state.reads += 1;
      if (state.failing) throw new Error('git cat-file failed');
      const result = {};
      results.set(result, state.carried ?? revision);
      return result;
    },
    contentRevision: (result: object) => results.get(result),
    knownContentRevision: async () => state.known,
  };
  const service = new EnvironmentService({
    config: {
      environments: [{ name: 'dev' }, { name: 'prod' }],
      repositories: [],
    },
    locator: {
      locate: (entity: Entity) => ({
        entityRef: `component:default/${entity.metadata.name}`,
        repository: {
          url: 'https://git.example.com/fleet.git',
          branch: 'main',
        },
        provider,
      }),
    },
    reader,
    live: {},
    registry: {},
    logger: mockServices.logger.mock(),
  } as any);
  return { service, state };
}

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations: { 'gitops.backstage.io/path': name } },
});

describe('EnvironmentService.basis', () => {
  it('reads an entity’s states once per head, however many passes ask', async () => {
    const { service, state } = basisOf();
    const a = entity('a');
    const first = await service.basis(a);
    expect(first).toBe('https://git.example.com/fleet.git c1 c1');
    expect(state.reads).toBe(2);
    for (let pass = 0; pass < 3; pass++) {
      expect(await service.basis(a, { heads: new Map() })).toBe(first);
    }
    expect(state.reads).toBe(2);

    // Another object (a catalog re-read that changed the entity) is read for itself.
    await service.basis(entity('a'));
    expect(state.reads).toBe(4);
  });

  it.each([
    ['a new head whose states were carried', 'c1', 'c1 c1'],
    ['a new head that changed the states', undefined, 'c2 c2'],
  ])('reads the states again at %s', async (_name, carried, states) => {
    const { service, state } = basisOf();
    const a = entity('a');
    await service.basis(a);
    state.head = 'c2';
    state.carried = carried;
    expect(await service.basis(a)).toBe(
      `https://git.example.com/fleet.git ${states}`,
    );
    expect(state.reads).toBe(4);
  });

  it('takes what the reader knows of the states at a new head without building them', async () => {
    const { service, state } = basisOf();
    const a = entity('a');
    await service.basis(a);
    state.head = 'c2';
    state.known = 'c1';
    expect(await service.basis(a)).toBe(
      'https://git.example.com/fleet.git c1 c1',
    );
    expect(state.reads).toBe(2);
  });

  it('marks a stale repository on every call, not once per head', async () => {
    const { service, state } = basisOf();
    const a = entity('a');
    await service.basis(a);
    state.stale = true;
    expect(await service.basis(a)).toBe(
      'https://git.example.com/fleet.git c1 c1 stale',
    );
    expect(state.reads).toBe(2);
  });

  it('does not keep states that failed to read: the next pass tries again', async () => {
    const { service, state } = basisOf();
    const a = entity('a');
    state.failing = true;
    expect(await service.basis(a)).toBe(
      'https://git.example.com/fleet.git error git cat-file failed error git cat-file failed',
    );
    state.failing = false;
    expect(await service.basis(a)).toBe(
      'https://git.example.com/fleet.git c1 c1',
    );
    expect(state.reads).toBe(4);
    await service.basis(a);
    expect(state.reads).toBe(4);
  });
});
