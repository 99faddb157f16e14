import { CustomErrorBase } from '@backstage/errors';

/** 429: a user asked for more changes than `gitops.rateLimit.changesPerMinute` allows. */
export class TooManyChangesError extends CustomErrorBase {
  name = 'TooManyChangesError' as const;
  /** The HTTP status Backstage's error handler answers with. */
  readonly statusCode = 429;

  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** Options of {@link ChangeRateLimiter}. */
export interface ChangeRateLimiterOptions {
  /** Changes a user may ask for per minute, on average; 0 turns the limit off. */
  perMinute: number;
  /** How many may come at once before the rate applies; default `perMinute`. */
  burst?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-user limit on change requests (promotions, rollbacks, scaling, engine and rollout
 * actions, new services): a token bucket per user, refilled at `perMinute`. A script or a
 * stuck client of one user cannot flood the Git host or the clusters for everyone; the
 * plugin's own automation is not a user and is not limited here. Buckets of users who have
 * been quiet long enough to be full again are dropped, so memory stays bounded by the users
 * active in the last few minutes.
 */
export class ChangeRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(private readonly options: ChangeRateLimiterOptions) {
    this.burst = Math.max(1, options.burst ?? options.perMinute);
    this.now = options.now ?? Date.now;
  }

  /** Takes one change from `user`'s bucket, or throws {@link TooManyChangesError}. */
  take(user: string): void {
    const { perMinute } = this.options;
    if (perMinute <= 0) return;
    const now = this.now();
    const perMs = perMinute / 60_000;
    this.sweep(now, perMs);
    const bucket = this.buckets.get(user) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + (now - bucket.at) * perMs,
    );
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(user, bucket);
      const retryAfterSeconds = Math.ceil((1 - bucket.tokens) / perMs / 1000);
      throw new TooManyChangesError(
        `${user} asked for more than ${perMinute} changes a minute; try again in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      );
    }
    bucket.tokens -= 1;
    this.buckets.set(user, bucket);
  }

  /** Users whose bucket is tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number, perMs: number) {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [user, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * perMs >= this.burst) {
        this.buckets.delete(user);
      }
    }
  }
}
