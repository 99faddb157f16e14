import { CacheRead } from './kinds';
import { KeptReads, keepReads, readsAt } from './keptReads';

const reads: CacheRead[] = [
  {
    cluster: 'dev',
    kind: 'deployments',
    key: 'name:shop-dev/shop',
    version: 3,
  },
  { cluster: 'dev', kind: 'pods', key: 'ns:shop-dev', version: 7 },
  {
    cluster: 'prod',
    kind: 'deployments',
    key: 'name:shop-prod/shop',
    version: 0,
  },
];
const versions = new Map(
  reads.map(r => [`${r.cluster} ${r.kind} ${r.key}`, r.version]),
);
const now =
  (changes: Record<string, number | undefined> = {}) =>
  (cluster: string, kind: string, key: string) => {
    const id = `${cluster} ${kind} ${key}`;
    return id in changes ? changes[id] : versions.get(id);
  };

describe('KeptReads', () => {
  it('keeps every read, in order', () => {
    expect(new KeptReads(reads).toArray()).toEqual(reads);
    expect(new KeptReads([]).toArray()).toEqual([]);
  });

  it.each([
    ['nothing moved', {}, true],
    ['a key moved', { 'dev pods ns:shop-dev': 8 }, false],
    [
      'a key that held nothing now holds something',
      { 'prod deployments name:shop-prod/shop': 1 },
      false,
    ],
    [
      'a cluster is gone',
      { 'dev deployments name:shop-dev/shop': undefined },
      false,
    ],
  ])('%s: current = %s', (_, changes, current) => {
    expect(readsAt(keepReads(reads), now(changes))).toBe(current);
    // The same answer for the reads as noted (an array).
    expect(readsAt(reads, now(changes))).toBe(current);
  });

  it('never holds a read without a version (NaN), as noted or kept', () => {
    const unversioned = [{ ...reads[0], version: NaN }];
    expect(readsAt(unversioned, () => NaN)).toBe(false);
    expect(readsAt(keepReads(unversioned), () => NaN)).toBe(false);
  });

  it('keeps kept reads as they are', () => {
    const kept = keepReads(reads);
    expect(keepReads(kept)).toBe(kept);
  });

  const split = (...keys: string[]) => keys.map(key => ({ ...reads[0], key }));
  it.each<[string, CacheRead[], CacheRead[], 'same' | 'shape' | 'apart']>([
    ['the same reads', reads, reads.map(x => ({ ...x })), 'same'],
    [
      'the same reads with the keys built anew',
      reads,
      reads.map(x => ({ ...x, key: [...x.key].join('') })),
      'same',
    ],
    [
      'the same keys at another version',
      reads,
      reads.map((x, i) => (i === 1 ? { ...x, version: 8 } : x)),
      'shape',
    ],
    ['one read fewer', reads, reads.slice(1), 'apart'],
    [
      'the same key in another cluster',
      reads,
      reads.map((x, i) => (i === 0 ? { ...x, cluster: 'prod' } : x)),
      'apart',
    ],
    ['another order', reads, [reads[1], reads[0], reads[2]], 'apart'],
    ['keys split differently', split('a', 'bc'), split('ab', 'c'), 'apart'],
  ])('shares with reads kept before: %s', (_, before, after, expected) => {
    const first = keepReads(before);
    const second = keepReads(after);
    expect(second.toArray()).toEqual(after);
    const shape = (kept: KeptReads) => (kept as any).shape;
    expect([second === first, shape(second) === shape(first)]).toEqual([
      expected === 'same',
      expected !== 'apart',
    ]);
  });

  it('never shares reads without a version', () => {
    const unversioned = [{ ...reads[0], version: NaN }];
    expect(keepReads(unversioned)).not.toBe(keepReads(unversioned));
  });

  it.each([
    ['a few thousand reads (codes in several chunks)', 3_000],
    ['more distinct keys than two characters can number', 70_000],
  ])('keeps %s, in order, and checks each', (_, count) => {
    const many: CacheRead[] = Array.from({ length: count }, (__, i) => ({
      cluster: i % 2 ? 'dev' : 'prod',
      kind: 'pods',
      key: `ns:n${i}`,
      version: i,
    }));
    const kept = keepReads(many);
    expect(kept.toArray()).toEqual(many);
    const at =
      (changed?: number) => (cluster: string, _k: string, key: string) => {
        const i = Number(key.slice(4));
        if (cluster !== (i % 2 ? 'dev' : 'prod')) return undefined;
        return i === changed ? -1 : i;
      };
    expect(readsAt(kept, at())).toBe(true);
    expect(readsAt(kept, at(count - 1))).toBe(false);
  });
});
