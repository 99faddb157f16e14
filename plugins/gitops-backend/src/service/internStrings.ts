/**
 * Short strings repeat across a fleet's objects and desired states (namespaces, label values,
 * condition types, timestamps of one rollout, revisions, file paths), and parsing makes a copy
 * of each: the caches keep one. Bounded: the pool starts over when full, which only costs
 * sharing, never correctness.
 */
const INTERNED_MAX_LENGTH = 100;
const INTERN_POOL_SIZE = 200_000;
let internPool = new Map<string, string>();

function intern(value: string): string {
  if (value.length > INTERNED_MAX_LENGTH) return value;
  const known = internPool.get(value);
  if (known !== undefined) return known;
  if (internPool.size >= INTERN_POOL_SIZE) internPool = new Map();
  internPool.set(value, value);
  return value;
}

/**
 * Replaces the object's short string values, in place, by shared copies. Frozen parts are
 * shared already and left as they are.
 */
export function internStrings<T>(value: T): T {
  if (Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      value[i] = typeof item === 'string' ? intern(item) : internStrings(item);
    }
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'string') record[key] = intern(item);
      else if (item && typeof item === 'object') internStrings(item);
    }
  }
  return value;
}
