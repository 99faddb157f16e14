import { ChangeRateLimiter, TooManyChangesError } from './changeRateLimit';

describe('ChangeRateLimiter', () => {
  function limiter(perMinute: number, burst?: number) {
    let now = 0;
    const limit = new ChangeRateLimiter({ perMinute, burst, now: () => now });
    return {
      limit,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('lets a burst through, then refuses with 429 and when to retry', () => {
    const { limit } = limiter(6, 3);
    for (let i = 0; i < 3; i++) limit.take('user:default/alice');
    let refused: unknown;
    try {
      limit.take('user:default/alice');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(TooManyChangesError);
    expect(refused).toMatchObject({
      statusCode: 429,
      retryAfterSeconds: 10,
      message:
        'user:default/alice asked for more than 6 changes a minute; try again in 10 s',
    });
  });

  it('refills at the rate: one more change every 60/perMinute seconds', () => {
    const { limit, advance } = limiter(6, 1);
    limit.take('user:default/alice');
    expect(() => limit.take('user:default/alice')).toThrow(TooManyChangesError);
    advance(9_999);
    expect(() => limit.take('user:default/alice')).toThrow(TooManyChangesError);
    advance(1);
    expect(() => limit.take('user:default/alice')).not.toThrow();
  });

  it('counts each user apart', () => {
    const { limit } = limiter(1, 1);
    limit.take('user:default/alice');
    expect(() => limit.take('user:default/bob')).not.toThrow();
    expect(() => limit.take('user:default/alice')).toThrow(TooManyChangesError);
  });

  it('is off at 0 changes a minute', () => {
    const { limit } = limiter(0);
    for (let i = 0; i < 1000; i++) limit.take('user:default/alice');
    expect(limit.size).toBe(0);
  });

  it('forgets users whose bucket is full again, so memory follows the active users', () => {
    const { limit, advance } = limiter(60, 2);
    for (let i = 0; i < 500; i++) limit.take(`user:default/u${i}`);
    expect(limit.size).toBe(500);
    advance(61_000);
    limit.take('user:default/alice');
    expect(limit.size).toBe(1);
  });
});
