import { StringPool } from './boundedPool';

/**
 * Short strings repeat across a fleet's objects and desired states (namespaces, label values,
 * condition types, timestamps of one rollout, revisions, file paths), and parsing makes a copy
 * of each: the caches keep one. Bounded: the pool starts over when full, which only costs
 * sharing, never correctness.
 */
const INTERNED_MAX_LENGTH = 100;
const internPool = new StringPool(200_000);

function intern(value: string): string {
  return value.length > INTERNED_MAX_LENGTH ? value : internPool.share(value);
}

/**
 * Replaces the object's short string values, in place, by shared copies. Frozen parts are
 * shared already and left as they are.
 *
 * @public
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

/**
 * Constructors of plain objects (prototype `Object.prototype`, so they are plain objects to
 * every reader) that start from hidden classes (V8 maps) of their own. Why: in a backend that
 * has loaded thousands of modules, the maps of `{}` and of what `JSON.parse` builds have run
 * out of room for new shapes, and V8 then gives each new object a map of its own — at 1,000
 * services over 36,000 maps (~9 MiB) for the pods' states and labels alone. Objects built by
 * these share one map per shape. One constructor per property count, because V8 sizes a
 * constructor's objects by the largest it has seen: `{running}` must not get metadata's room.
 */
const plainObjectConstructors = Array.from({ length: 9 }, () => {
  const PlainObject =
    function PlainObjectOfOneSize() {} as unknown as new () => Record<
      string,
      unknown
    >;
  PlainObject.prototype = Object.prototype;
  return PlainObject;
});

/**
 * A deep copy of a parsed JSON value with its short strings shared and its objects built by
 * constructors that share hidden classes (see plainObjectConstructors). Frozen parts are
 * shared already and kept as they are.
 *
 * @public
 */
export function internedCopy<T>(value: T): T {
  if (typeof value === 'string') return intern(value) as T;
  if (!value || typeof value !== 'object' || Object.isFrozen(value)) {
    return value;
  }
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = internedCopy(value[i]);
    return copy as T;
  }
  const keys = Object.keys(value);
  const copy = new plainObjectConstructors[
    Math.min(keys.length, plainObjectConstructors.length - 1)
  ]();
  for (const key of keys) {
    copy[key] = internedCopy((value as Record<string, unknown>)[key]);
  }
  return copy as T;
}
