import { KubeObject, matchesLabelSelector } from './kinds';
import { ObjectIndex, selectorKey } from './objectIndex';

const app = (
  name: string,
  labels: Record<string, string>,
  dest = 'x-prod',
) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd', labels },
  spec: { destination: { namespace: dest } },
});

const names = (objects: KubeObject[]) =>
  objects.map(o => o.metadata?.name).sort();

describe('ObjectIndex', () => {
  it.each<{
    name: string;
    steps: Array<['put' | 'remove', KubeObject]>;
    expected: Record<string, string[]>;
    /** Objects held afterwards (`size`). */
    size: number;
  }>([
    {
      name: 'one object under each of its keys',
      steps: [['put', app('a', { team: 'x' })]],
      expected: {
        'name:argocd/a': ['a'],
        'app:a': ['a'],
        'label:team=x': ['a'],
        'dest:x-prod': ['a'],
        'label:team=y': [],
      },
      size: 1,
    },
    {
      name: 'two objects sharing a key',
      steps: [
        ['put', app('a', { team: 'x' })],
        ['put', app('b', { team: 'x' })],
      ],
      expected: { 'label:team=x': ['a', 'b'], 'name:argocd/b': ['b'] },
      size: 2,
    },
    {
      name: 'a shared key back to one object after a removal',
      steps: [
        ['put', app('a', { team: 'x' })],
        ['put', app('b', { team: 'x' })],
        ['remove', app('a', { team: 'x' })],
      ],
      expected: { 'label:team=x': ['b'], 'name:argocd/a': [], 'app:a': [] },
      size: 1,
    },
    {
      name: 'an update that changes a label moves the object',
      steps: [
        ['put', app('a', { team: 'x' })],
        ['put', app('b', { team: 'x' })],
        ['put', app('a', { team: 'y' }, 'a-dev')],
      ],
      expected: {
        'label:team=x': ['b'],
        'label:team=y': ['a'],
        'dest:x-prod': ['b'],
        'dest:a-dev': ['a'],
      },
      size: 2,
    },
    {
      name: 'removing an object never indexed changes nothing',
      steps: [
        ['put', app('b', { team: 'x' })],
        ['remove', app('a', { team: 'x' })],
      ],
      expected: { 'label:team=x': ['b'] },
      size: 1,
    },
    {
      name: 'a removal by the last known object, whatever its labels now',
      steps: [
        ['put', app('a', { team: 'x' })],
        ['remove', app('a', {})],
      ],
      expected: { 'label:team=x': [], 'name:argocd/a': [] },
      size: 0,
    },
  ])('$name', ({ steps, expected, size }) => {
    const index = new ObjectIndex('applications');
    for (const [op, object] of steps) index[op](object);
    expect(index.size).toBe(size);
    for (const [key, objects] of Object.entries(expected)) {
      expect([key, names(index.get(key))]).toEqual([key, objects]);
    }
  });

  it.each([
    ['app=x', 'label:app=x'],
    ['app==x, tier!=db', 'label:app=x'],
    ['tier!=db,app=x', 'label:app=x'],
    ['tier in (a,b)', undefined],
  ])('narrows the selector %s by %s', (selector, key) => {
    expect(selectorKey(selector)).toBe(key);
  });

  it.each([
    ['app=x', true],
    ['app==x', true],
    ['app=y', false],
    ['app!=y', true],
    ['app!=x', false],
    ['app', true],
    ['tier', false],
    [' app = x , team ', true],
    ['app=x,tier=web', false],
    ['', true],
  ])(
    'matches the selector %s against app=x,team=a: %s',
    (selector, matches) => {
      // Twice: the second match uses the parsed selector kept from the first.
      for (let i = 0; i < 2; i++) {
        expect(matchesLabelSelector(selector, { app: 'x', team: 'a' })).toBe(
          matches,
        );
      }
    },
  );

  it('versions each key, namespace and the kind: a read answers differently only when its version moved', () => {
    const index = new ObjectIndex('applications');
    const read = () => ({
      a: index.version('app:a'),
      b: index.version('app:b'),
      team: index.version('label:team=x'),
      ns: index.version('ns:argocd'),
      all: index.version('*'),
    });
    const empty = read();
    expect(empty).toEqual({ a: 0, b: 0, team: 0, ns: 0, all: 0 });
    index.put(app('a', { team: 'x' }));
    const one = read();
    expect(one.a).toBeGreaterThan(0);
    expect(one.b).toBe(0);
    index.put(app('b', { team: 'y' }));
    const two = read();
    // b's keys, the namespace and the kind moved; a's did not.
    expect(two.a).toBe(one.a);
    expect(two.team).toBe(one.team);
    expect(two.b).toBeGreaterThan(one.a);
    expect(two.ns).toBeGreaterThan(one.ns);
    index.remove(app('a', { team: 'x' }));
    // No object under a's keys: back to 0, as when nothing was there.
    expect(read()).toMatchObject({ a: 0, team: 0, b: two.b });
    expect(read().ns).toBeGreaterThan(two.ns);
  });

  it('moves a key read late exactly when an eager version would move', () => {
    // Versions enter keys when first read: two reads of a key must agree, or not, as they
    // would have with every key versioned from its first change (the reference below).
    const index = new ObjectIndex('applications');
    const reference = new Map<string, number>();
    let clock = 0;
    const teams = ['x', 'y', 'z'];
    const keysOf = (name: string, team: string) => [
      `name:argocd/${name}`,
      `app:${name}`,
      `label:team=${team}`,
    ];
    const held = new Map<string, string>();
    const seen = new Map<string, Array<[number, number]>>();
    const disagreements: string[] = [];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 400; step++) {
      const name = `a${random(5)}`;
      const choice = random(3);
      if (choice === 0) {
        const team = teams[random(3)];
        const before = held.get(name);
        index.put({
          ...app(name, { team }),
          metadata: {
            ...app(name, { team }).metadata,
            resourceVersion: String(step),
          },
        });
        clock += 1;
        for (const key of [
          ...(before ? keysOf(name, before) : []),
          ...keysOf(name, team),
        ])
          reference.set(key, clock);
        held.set(name, team);
      } else if (choice === 1 && held.has(name)) {
        index.remove(app(name, {}));
        clock += 1;
        for (const key of keysOf(name, held.get(name)!))
          reference.set(key, clock);
        held.delete(name);
      } else {
        const key = keysOf(name, teams[random(3)])[random(3)];
        const occupied = [...held].some(([n, t]) => keysOf(n, t).includes(key));
        const pair: [number, number] = [
          occupied ? reference.get(key)! : 0,
          index.version(key),
        ];
        const earlier = seen.get(key) ?? [];
        for (const [eager, lazy] of earlier) {
          if ((eager === pair[0]) !== (lazy === pair[1]))
            disagreements.push(`${key} at step ${step}`);
        }
        seen.set(key, [...earlier, pair]);
      }
    }
    expect(disagreements).toEqual([]);
    expect([...seen.values()].some(reads => reads.length > 3)).toBe(true);
  });

  it.each([
    ['the same resourceVersion (a new informer lists it again)', '7', false],
    ['a new resourceVersion', '8', true],
    ['no resourceVersion (nothing says it is the same)', undefined, true],
  ])(
    'puts an object held again with %s: versions moved %s',
    (_n, again, moves) => {
      const index = new ObjectIndex('applications');
      const versioned = (resourceVersion: string | undefined, team: string) => {
        const object = app('a', { team });
        return {
          ...object,
          metadata: { ...object.metadata, resourceVersion },
        };
      };
      index.put(versioned(again === undefined ? undefined : '7', 'x'));
      const before = [index.version('app:a'), index.version('*')];
      const next = versioned(again, again === '7' ? 'x' : 'y');
      index.put(next);
      const after = [index.version('app:a'), index.version('*')];
      expect(after[0] > before[0]).toBe(moves);
      expect(after[1] > before[1]).toBe(moves);
      expect(names(index.get(moves ? 'label:team=y' : 'label:team=x'))).toEqual(
        ['a'],
      );
    },
  );

  describe('as the store of its informers', () => {
    const pod = (name: string, namespace: string, resourceVersion = '1') => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, resourceVersion },
    });
    const held = (index: ObjectIndex, namespace?: string) =>
      index
        .list(namespace)
        .map(o => `${o.metadata?.namespace}/${o.metadata?.name}`)
        .sort();

    it.each<{
      name: string;
      before: KubeObject[];
      namespace: string | null;
      listed: KubeObject[];
      after: string[];
      removed: number;
    }>([
      {
        name: 'a cluster-wide list drops what it lacks in every namespace',
        before: [pod('a', 'x'), pod('b', 'x'), pod('c', 'y')],
        namespace: null,
        listed: [pod('a', 'x'), pod('d', 'z')],
        after: ['x/a', 'z/d'],
        removed: 2,
      },
      {
        name: "a namespace's list leaves the other namespaces alone",
        before: [pod('a', 'x'), pod('b', 'x'), pod('c', 'y')],
        namespace: 'x',
        listed: [pod('b', 'x')],
        after: ['x/b', 'y/c'],
        removed: 1,
      },
      {
        name: 'an empty list of a namespace empties it',
        before: [pod('a', 'x'), pod('c', 'y')],
        namespace: 'x',
        listed: [],
        after: ['y/c'],
        removed: 1,
      },
      {
        name: 'a list of what is held removes nothing',
        before: [pod('a', 'x')],
        namespace: null,
        listed: [pod('a', 'x')],
        after: ['x/a'],
        removed: 0,
      },
    ])('$name', ({ before, namespace, listed, after, removed }) => {
      const index = new ObjectIndex('pods');
      before.forEach(o => index.put(o));
      expect(index.relisted(namespace, listed)).toBe(removed);
      expect(held(index)).toEqual(after);
      expect(index.size).toBe(after.length);
    });

    it('moves no version for a relist of the same objects, and moves it for one that went', () => {
      const index = new ObjectIndex('pods');
      index.put(pod('a', 'x'));
      index.put(pod('b', 'x'));
      const before = [index.version('ns:x'), index.version('name:x/a')];
      index.relisted('x', [pod('a', 'x'), pod('b', 'x')]);
      expect([index.version('ns:x'), index.version('name:x/a')]).toEqual(
        before,
      );
      index.relisted('x', [pod('b', 'x')]);
      expect(index.version('ns:x')).toBeGreaterThan(before[0]);
      expect(index.version('name:x/a')).toBe(0);
      expect(index.get('name:x/a')).toEqual([]);
    });

    it('lists, counts and clears by namespace', () => {
      const index = new ObjectIndex('pods');
      [pod('a', 'x'), pod('b', 'x'), pod('c', 'y')].forEach(o => index.put(o));
      expect(held(index, 'x')).toEqual(['x/a', 'x/b']);
      expect(held(index, 'none')).toEqual([]);
      expect([
        index.sizeOf('x'),
        index.sizeOf('y'),
        index.sizeOf(null),
      ]).toEqual([2, 1, 3]);
      index.clear('x');
      expect(held(index)).toEqual(['y/c']);
      index.clear(null);
      expect([index.size, held(index)]).toEqual([0, []]);
      expect(index.get('name:y/c')).toEqual([]);
    });

    it.each(['name:', 'name:x', 'name:x/', 'name:/a'])(
      'answers nothing for the malformed name key %j',
      key => {
        const index = new ObjectIndex('pods');
        index.put(pod('a', 'x'));
        expect([index.get(key), index.version(key)]).toEqual([[], 0]);
      },
    );
  });
});
