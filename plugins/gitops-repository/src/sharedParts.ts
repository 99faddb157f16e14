import { BoundedPool } from './boundedPool';
import { hashString, mixHash } from './contentHash';

/**
 * Parts of cached objects repeat across a fleet: the labels of a ReplicaSet's pods, a
 * container's name and image, resource requests, an HPA's metric spec, an Argo CD sync policy,
 * a manifest check's finding. A fleet's caches hold hundreds of thousands of such small objects
 * (in a heap snapshot at 2,000 services, 14.6 per watched object, 50 bytes each); parts of the
 * same content are kept once here, as strings are interned.
 *
 * Parts are compared by content through their children: children are made shared first, so
 * two parts of the same content have identical children, and a hash of the children picks the
 * one candidate to compare shallowly. The pool keeps numbers, not keys, so a part seen once
 * costs one entry; it starts over when full, which only costs sharing, never correctness.
 */
const sharedPool = new BoundedPool<number, object>(200_000);

/** The hash of the value `share` returned last (`undefined`: not shareable). */
let lastHash: number | undefined;

/** Per property name, its hash: objects of a fleet have few distinct names. */
const nameHashes = new Map<string, number>();
function nameHash(name: string): number {
  let hash = nameHashes.get(name);
  if (hash === undefined) {
    hash = hashString(name);
    if (nameHashes.size < 10_000) nameHashes.set(name, hash);
  }
  return hash;
}

function primitiveHash(value: unknown): number | undefined {
  switch (typeof value) {
    case 'string':
      return mixHash(hashString(value), 1);
    case 'number':
      return mixHash(hashString(String(value)), 2);
    case 'boolean':
      return value ? 3 : 4;
    case 'undefined':
      return 5;
    default:
      return value === null ? 6 : undefined;
  }
}

/** Same own properties, in the same order, with identical values. */
function sameShallow(a: object, b: object): boolean {
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i];
    if (key !== keysB[i]) return false;
    if (
      (a as Record<string, unknown>)[key] !==
      (b as Record<string, unknown>)[key]
    )
      return false;
  }
  return true;
}

/** The value, or the part of the same content seen before; sets `lastHash`. */
function share(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    lastHash = primitiveHash(value);
    return value;
  }
  // Frozen: another cache's part, or a part shared already; its content is not known here.
  if (Object.isFrozen(value)) {
    lastHash = undefined;
    return value;
  }
  const record = value as Record<string, unknown>;
  let hash: number | undefined = Array.isArray(value) ? 7 : 8;
  for (const key of Object.keys(record)) {
    record[key] = share(record[key]);
    hash =
      hash === undefined || lastHash === undefined
        ? undefined
        : mixHash(mixHash(hash, nameHash(key)), lastHash);
  }
  lastHash = hash;
  if (hash === undefined) return value;
  const known = sharedPool.get(hash);
  if (known !== undefined && sameShallow(known, value)) return known;
  sharedPool.set(hash, Object.freeze(value));
  return value;
}

/**
 * Replaces, in place, each part of `value` below its top level (and below the top level of
 * the properties named in `ownParts`, e.g. an object's `metadata`, which names it) by the part
 * of the same content seen before, frozen. `value` must be the caller's own copy (see
 * internedCopy); the parts it holds afterwards are shared and must never be written.
 *
 * @public
 */
export function shareParts<T extends object>(
  value: T,
  ownParts: readonly string[] = [],
): T {
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const part = record[key];
    if (
      ownParts.includes(key) &&
      part &&
      typeof part === 'object' &&
      !Object.isFrozen(part)
    ) {
      const own = part as Record<string, unknown>;
      for (const inner of Object.keys(own)) own[inner] = share(own[inner]);
    } else {
      record[key] = share(part);
    }
  }
  return value;
}
