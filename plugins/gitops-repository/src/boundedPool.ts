/**
 * A map that starts over when full, for pools that keep one copy of values that repeat across
 * a fleet's caches (strings, parts of objects). Forgetting the pool costs sharing only, never
 * correctness: what was shared before stays shared, and values seen again are pooled anew.
 *
 * @public
 */
export class BoundedPool<K, V> {
  private entries = new Map<K, V>();

  /** @param maxEntries - entries kept before the pool starts over */
  constructor(private readonly maxEntries: number) {}

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** The value pooled under `key`, if the pool holds it. */
  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Pools `value` under `key`; a full pool starts over first. */
  set(key: K, value: V): void {
    if (this.entries.size >= this.maxEntries) this.entries = new Map();
    this.entries.set(key, value);
  }
}

/**
 * A pool of strings: one copy per content.
 *
 * @public
 */
export class StringPool extends BoundedPool<string, string> {
  /** The pooled string equal to `value`; `value` itself, pooled, when there was none. */
  share(value: string): string {
    const known = this.get(value);
    if (known !== undefined) return known;
    this.set(value, value);
    return value;
  }
}
