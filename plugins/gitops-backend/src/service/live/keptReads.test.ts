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
});
