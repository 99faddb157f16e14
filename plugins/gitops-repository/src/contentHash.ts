/**
 * A 32-bit FNV-1a hash for the content pools (`shareParts`, the backend's kept reads): fast on
 * short strings and numbers, with no allocation. A collision only costs a comparison, as every
 * pool compares the candidate it finds with the value.
 */

/** Where a hash starts: FNV-1a's offset basis. @public */
export const HASH_SEED = 0x811c9dc5;

const FNV_PRIME = 0x01000193;

/** `hash` with one more number (a char code, an index) mixed in. @public */
export function mixHash(hash: number, value: number): number {
  return Math.imul(hash ^ value, FNV_PRIME);
}

/** `hash` (by default the seed) with every char code of `value` mixed in. @public */
export function hashString(value: string, hash: number = HASH_SEED): number {
  let result = hash;
  for (let i = 0; i < value.length; i++) {
    result = mixHash(result, value.charCodeAt(i));
  }
  return result;
}
