import {
  BoundedPool,
  HASH_SEED,
  hashString,
  mixHash,
} from '@gitops-backstage/plugin-gitops-repository';
import { CacheRead, KindKey } from './kinds';

/** The version a read of `key` (of a kind, in a cluster) would answer now; undefined: none. */
export type VersionOf = (
  cluster: string,
  kind: KindKey,
  key: string,
) => number | undefined;

/** Where reads happen, numbered in the order first seen: a few clusters times a few kinds. */
const placeNumbers = new Map<string, number>();
const knownPlaces: Array<{ cluster: string; kind: KindKey }> = [];

function placeNumber(cluster: string, kind: KindKey): number {
  const id = `${cluster}\u0000${kind}`;
  let number = placeNumbers.get(id);
  if (number === undefined) {
    number = knownPlaces.length;
    knownPlaces.push({ cluster, kind });
    placeNumbers.set(id, number);
  }
  return number;
}

/** Which reads were made: their places and keys, without the versions they answered. */
interface ReadShape {
  /**
   * Two characters per read: its place (see `placeNumber`) and the index of its key in
   * `keys`. A string of small codes is one byte per character, a quarter of an array's
   * slots; both run up to 65,535.
   */
  readonly code: string;
  /** The distinct keys read: a service's namespace key is read for ten kinds. */
  readonly keys: string[];
  /** The reads as noted, for more places or keys than two characters can number. */
  readonly plain?: readonly CacheRead[];
  /**
   * The reads of this shape kept last: taken again when their versions are the same. Weak:
   * the holders keep what they hold, and nothing else should.
   */
  latest?: WeakRef<KeptReads>;
}

/**
 * Shapes of kept reads by a hash of their content. The overview row and the verification pass
 * of a service compute it the same way, so they keep the same reads: at 10,000 services each
 * kept 30,000 arrays of them (15 MiB per holder in a heap snapshot). Weak, so a shape that no
 * holder keeps any more goes; starting over costs sharing only, never correctness.
 */
const readShapes = new BoundedPool<number, WeakRef<ReadShape>>(100_000);

/** Characters per `String.fromCharCode` call: far below the engine's argument limit. */
const CODE_CHUNK = 4096;

function shapeOf(reads: readonly CacheRead[]): ReadShape {
  // One string per key, shared within the shape only (whose holders share it in turn): a
  // pool of every key of the fleet cost 14 MiB of table at 10,000 services.
  const keyIndexes = new Map<string, number>();
  const keys: string[] = [];
  const codes = new Array<number>(reads.length * 2);
  let hash = HASH_SEED;
  for (let i = 0; i < reads.length; i++) {
    const { cluster, kind, key } = reads[i];
    let keyIndex = keyIndexes.get(key);
    if (keyIndex === undefined) {
      keyIndex = keys.length;
      keys.push(key);
      keyIndexes.set(key, keyIndex);
      // Ends the key, so that ['ab', 'c'] and ['a', 'bc'] hash apart.
      hash = mixHash(hashString(key, hash), 0x10000);
    }
    codes[2 * i] = placeNumber(cluster, kind);
    codes[2 * i + 1] = keyIndex;
    hash = mixHash(mixHash(hash, codes[2 * i]), keyIndex);
  }
  if (keys.length > 0xffff || knownPlaces.length > 0xffff) {
    return { code: '', keys: [], plain: reads.map(read => ({ ...read })) };
  }
  let code = '';
  for (let i = 0; i < codes.length; i += CODE_CHUNK) {
    code += String.fromCharCode(...codes.slice(i, i + CODE_CHUNK));
  }
  const known = readShapes.get(hash)?.deref();
  if (known && known.code === code && sameKeys(known.keys, keys)) return known;
  const shape: ReadShape = { code, keys };
  readShapes.set(hash, new WeakRef(shape));
  return shape;
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Cluster cache reads as kept by what was computed from them (overview rows, quiet passes,
 * watched entities): an array of versions instead of an object per read, and the places and
 * keys shared by every holder of the same reads (see `readShapes`). A service's answer makes
 * about 64 reads: 8 MiB per 1,000 services as objects, in a heap snapshot at N=1000, where
 * these take a quarter of that. Plain arrays, not typed ones: a typed array of a few dozen
 * numbers costs some 300 bytes of buffer objects besides them.
 */
export class KeptReads {
  private readonly shape: ReadShape;
  /**
   * Each read's version; NaN (a cache without versions) is never current. V8 keeps numbers
   * in an array unboxed (small integers, or doubles once a NaN is in).
   */
  private readonly versions: number[];

  /** Use {@link keepReads}, which shares what other holders kept already. */
  constructor(reads: readonly CacheRead[], shape = shapeOf(reads)) {
    this.shape = shape;
    this.versions = reads.map(read => read.version);
  }

  /** Whether each read would answer the version it had (`versionOf` answers now). */
  allAt(versionOf: VersionOf): boolean {
    const { code, keys, plain } = this.shape;
    if (plain) return readsAt(plain, versionOf);
    for (let i = 0; i < this.versions.length; i++) {
      const { cluster, kind } = knownPlaces[code.charCodeAt(2 * i)];
      const key = keys[code.charCodeAt(2 * i + 1)];
      if (versionOf(cluster, kind, key) !== this.versions[i]) return false;
    }
    return true;
  }

  /** Whether `reads` (of this shape) answered the versions these did. */
  answeredAs(reads: readonly CacheRead[]): boolean {
    for (let i = 0; i < reads.length; i++) {
      // NaN (a cache without versions) is never the same: such reads are never current.
      if (this.versions[i] !== reads[i].version) return false;
    }
    return true;
  }

  /** The reads as objects again. */
  toArray(): CacheRead[] {
    const { code, keys, plain } = this.shape;
    if (plain) return plain.map(read => ({ ...read }));
    return this.versions.map((version, i) => ({
      ...knownPlaces[code.charCodeAt(2 * i)],
      key: keys[code.charCodeAt(2 * i + 1)],
      version,
    }));
  }
}

/** Cache reads as noted during a computation (an array) or as kept after it. */
export type Reads = readonly CacheRead[] | KeptReads;

/**
 * The reads to keep: an array is packed, or is the same as reads kept last by another holder
 * (the same places, keys and versions) and gets those; kept reads are kept as they are.
 */
export function keepReads(reads: Reads): KeptReads {
  if (reads instanceof KeptReads) return reads;
  const shape = shapeOf(reads);
  const latest = shape.latest?.deref();
  if (latest?.answeredAs(reads)) return latest;
  const kept = new KeptReads(reads, shape);
  shape.latest = new WeakRef(kept);
  return kept;
}

/** Whether each read would answer the version it had; `versionOf` answers now. */
export function readsAt(reads: Reads, versionOf: VersionOf): boolean {
  if (reads instanceof KeptReads) return reads.allAt(versionOf);
  return reads.every(
    read => versionOf(read.cluster, read.kind, read.key) === read.version,
  );
}
