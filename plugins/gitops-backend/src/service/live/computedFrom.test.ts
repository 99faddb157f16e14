import { CacheRead } from './kinds';
import { ComputedFrom, stillHolds } from './computedFrom';

const read: CacheRead = {
  cluster: 'prod',
  kind: 'deployments',
  key: 'ns:shop-prod',
  version: 7,
};
const from: ComputedFrom = {
  basis: 'repo c1 c1',
  clusters: 'up',
  reads: [read],
};
/** A cache whose current versions the case sets. */
const cacheAt = (version: number) => ({
  isCurrent: (reads: readonly CacheRead[]) =>
    reads.every(r => r.version === version),
});

describe('stillHolds', () => {
  it.each<[string, ComputedFrom | undefined, string, string, number, boolean]>([
    ['nothing moved', from, 'repo c1 c1', 'up', 7, true],
    ['never computed', undefined, 'repo c1 c1', 'up', 7, false],
    [
      'another Git basis (a commit to its files)',
      from,
      'repo c2 c1',
      'up',
      7,
      false,
    ],
    [
      'no basis now (it cannot be read)',
      from,
      'repo c1 c1 stale',
      'up',
      7,
      false,
    ],
    [
      "the clusters' state moved (one went down)",
      from,
      'repo c1 c1',
      'prod down',
      7,
      false,
    ],
    ['a cache read moved', from, 'repo c1 c1', 'up', 8, false],
  ])('%s', (_name, computed, basis, clusters, version, holds) => {
    expect(stillHolds(computed, { basis, clusters }, cacheAt(version))).toBe(
      holds,
    );
  });
});
