import {
  CacheService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { LRUCache } from 'lru-cache';

/** What the cache service stores: JSON. */
export type CacheValue =
  | string
  | number
  | boolean
  | null
  | CacheValue[]
  | { [key: string]: CacheValue };

/** Options of {@link SharedCache}. */
export interface SharedCacheOptions {
  /** Backstage's cache service (Redis, Valkey, Memcache …): shared by every backend instance. */
  store?: CacheService;
  /** Key prefix, e.g. `registry:`. */
  prefix: string;
  /** How long an entry lives, in both levels. */
  ttlMs: number;
  /** Entries kept in this instance's memory; 0 when the caller keeps its own. */
  max: number;
  logger?: LoggerService;
  /** Longest wait for the shared store; past it the value is fetched instead. Default 250 ms. */
  storeTimeoutMs?: number;
}

/**
 * The cache service when its store is shared between backend instances (Redis, Valkey,
 * Memcache), else undefined: Backstage's default `memory` store lives in this process, where
 * it shares nothing and holds a second copy of each {@link SharedCache}'s own memory level
 * (26 MiB of registry answers at 10,000 services, measured).
 */
export function crossInstanceStore(
  config: RootConfigService,
  cache: CacheService | undefined,
): CacheService | undefined {
  const store = config.getOptionalString('backend.cache.store') ?? 'memory';
  return store === 'memory' ? undefined : cache;
}

/**
 * Two levels: this instance's memory, then the cache service every backend instance shares,
 * so what one instance asked a registry or GitHub for, the others do not ask again. The
 * shared store is an optimisation only: when it fails or is slow, reads fall through to the
 * source and writes are dropped, with one warning.
 */
export class SharedCache<T extends CacheValue> {
  private readonly memory?: LRUCache<string, { value: T }>;
  private warned = false;

  constructor(private readonly options: SharedCacheOptions) {
    if (options.max > 0) {
      this.memory = new LRUCache({
        max: options.max,
        ttl: Math.max(1, options.ttlMs),
      });
    }
  }

  async get(key: string): Promise<T | undefined> {
    const local = this.memory?.get(key);
    if (local) return local.value;
    const { store } = this.options;
    if (!store) return undefined;
    try {
      const shared = await withTimeout(
        store.get<{ value: T }>(this.options.prefix + key),
        this.options.storeTimeoutMs ?? 250,
      );
      if (shared && typeof shared === 'object' && 'value' in shared) {
        this.memory?.set(key, shared);
        return shared.value;
      }
    } catch (error) {
      this.warnOnce(error);
    }
    return undefined;
  }

  async set(key: string, value: T): Promise<void> {
    this.memory?.set(key, { value });
    const { store } = this.options;
    if (!store) return;
    try {
      await withTimeout(
        store.set(
          this.options.prefix + key,
          { value },
          {
            ttl: this.options.ttlMs,
          },
        ),
        this.options.storeTimeoutMs ?? 250,
      );
    } catch (error) {
      this.warnOnce(error);
    }
  }

  /** Forgets a key here and in the shared store (e.g. after this instance moved a branch). */
  async delete(key: string): Promise<void> {
    this.memory?.delete(key);
    await this.options.store
      ?.delete(this.options.prefix + key)
      .catch(error => this.warnOnce(error));
  }

  private warnOnce(error: unknown) {
    if (this.warned) return;
    this.warned = true;
    this.options.logger?.warn(
      `GitOps: the shared cache (${
        this.options.prefix
      }) failed, reading from the source: ${
        (error as Error)?.message ?? error
      }`,
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer within ${ms} ms`)),
      ms,
    );
    timer.unref?.();
    promise.then(
      value => {
        clearTimeout(timer);
        resolve(value);
      },
      error => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
