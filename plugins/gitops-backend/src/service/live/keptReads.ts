import { StringPool } from '@gitops-backstage/plugin-gitops-repository';
import { CacheRead, KindKey } from './kinds';

/** The version a read of `key` (of a kind, in a cluster) would answer now; undefined: none. */
export type VersionOf = (
  cluster: string,
  kind: KindKey,
  key: string,
) => number | undefined;

/** Where reads happen, numbered in the order first seen: a few clusters times a few kinds. */
const placeNumbers = new Map<string, number>();
const places: Array<{ cluster: string; kind: KindKey }> = [];

function placeNumber(cluster: string, kind: KindKey): number {
  const id = `${cluster}\u0000${kind}`;
  let number = placeNumbers.get(id);
  if (number === undefined) {
    number = places.length;
    places.push({ cluster, kind });
    placeNumbers.set(id, number);
  }
  return number;
}

/**
 * The keys of kept reads, one string per content: at 10,000 services the overview rows and
 * the verification pass each kept 320,000 keys, built anew per read (22 MiB per holder in a
 * heap snapshot), while far fewer differ (a service's namespace key is read for ten kinds).
 * A pool of its own: the strings pool of the watched objects starts over several times per
 * listing of a large fleet. Starting over costs sharing only, never correctness.
 */
const readKeyPool = new StringPool(1_000_000);

/**
 * Cluster cache reads as kept by what was computed from them (overview rows, quiet passes,
 * watched entities): three arrays instead of an object per read. A service's answer makes
 * about 64 reads and several holders keep them: 8 MiB per 1,000 services as objects, in a heap
 * snapshot at N=1000, where these take a quarter of that. Plain arrays, not typed ones: a
 * typed array of a few dozen numbers costs some 300 bytes of buffer objects besides them.
 */
export class KeptReads {
  /** The cluster and kind of each read (see `placeNumber`): small integers. */
  private readonly places: number[];
  private readonly keys: string[];
  /**
   * Each read's version; NaN (a cache without versions) is never current. V8 keeps numbers
   * in an array unboxed (small integers, or doubles once a NaN is in).
   */
  private readonly versions: number[];

  constructor(reads: readonly CacheRead[]) {
    this.places = reads.map(read => placeNumber(read.cluster, read.kind));
    this.keys = reads.map(read => readKeyPool.share(read.key));
    this.versions = reads.map(read => read.version);
  }

  /** Whether each read would answer the version it had (`versionOf` answers now). */
  allAt(versionOf: VersionOf): boolean {
    for (let i = 0; i < this.keys.length; i++) {
      const { cluster, kind } = places[this.places[i]];
      if (versionOf(cluster, kind, this.keys[i]) !== this.versions[i])
        return false;
    }
    return true;
  }

  /** The reads as objects again. */
  toArray(): CacheRead[] {
    return this.keys.map((key, i) => ({
      ...places[this.places[i]],
      key,
      version: this.versions[i],
    }));
  }
}

/** Cache reads as noted during a computation (an array) or as kept after it. */
export type Reads = readonly CacheRead[] | KeptReads;

/** The reads to keep: an array is packed, kept reads are kept as they are. */
export function keepReads(reads: Reads): KeptReads {
  return reads instanceof KeptReads ? reads : new KeptReads(reads);
}

/** Whether each read would answer the version it had; `versionOf` answers now. */
export function readsAt(reads: Reads, versionOf: VersionOf): boolean {
  if (reads instanceof KeptReads) return reads.allAt(versionOf);
  return reads.every(
    read => versionOf(read.cluster, read.kind, read.key) === read.version,
  );
}
