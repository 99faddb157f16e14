/** First restart delay of a failed watch. */
export const DEFAULT_BACKOFF_MS = 1000;

/**
 * Cap of the restart delay of a failed watch. A cluster that answers again is read at most
 * this long after; when the request in flight hung, after its time-out plus half of this.
 * The doubling used to reach 30 s, and a change made during a long outage then showed up to
 * ~20 s after the API server was back. At 5 s, a cluster down for good costs each kind one
 * request every 2.5–5 s, which an API server that refuses or fails fast does not feel.
 */
export const DEFAULT_MAX_BACKOFF_MS = 5000;

/**
 * The wait before the next attempt of a watch that failed `failures` times in a row:
 * exponential from `baseMs`, capped at `maxMs`, with "equal jitter" — half of it fixed, half
 * random — so the informers of a cluster, and the backend instances, that lost the API server
 * at the same moment do not come back in lockstep. `waitedMs`, how long the failed attempt
 * already waited for an answer (a request that hung until its time-out), counts against the
 * fixed half: the attempts are spaced by the backoff, not by the backoff plus the time-out.
 * The random half always applies, so hung attempts do not re-align on the time-out.
 */
export function reconnectDelayMs(
  failures: number,
  options: {
    baseMs: number;
    maxMs: number;
    waitedMs?: number;
    random?: () => number;
  },
): number {
  const { baseMs } = options;
  const maxMs = Math.max(baseMs, options.maxMs);
  // The exponent is bounded: 2 ** 1024 is Infinity, and the cap is reached long before.
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  const half = ceiling / 2;
  const fixed = Math.max(0, half - Math.max(0, options.waitedMs ?? 0));
  const random = Math.min(Math.max((options.random ?? Math.random)(), 0), 1);
  return Math.round(fixed + random * half);
}
