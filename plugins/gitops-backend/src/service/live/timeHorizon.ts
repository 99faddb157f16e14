/**
 * When an answer computed now would come out differently with time alone: a reconcile that
 * becomes overdue, an event that ages out of the recent window. The diagnosis notes each such
 * moment; a view cached from it is recomputed then (by a background pass, not by the next
 * caller), and never merely because it is old.
 */
export class TimeHorizon {
  private earliest = Infinity;

  /** A time-based check flips at `at` (ms since the epoch). */
  note(at: number) {
    if (Number.isFinite(at) && at < this.earliest) this.earliest = at;
  }

  /** The earliest noted moment, or `Infinity` when nothing changes with time. */
  get at(): number {
    return this.earliest;
  }
}

/**
 * Whether `now - since > limit`, noting on the horizon when it will be if it is not yet: the
 * comparison every overdue check makes.
 */
export function overdue(
  now: number,
  since: number,
  limit: number,
  horizon: TimeHorizon | undefined,
): boolean {
  if (now - since > limit) return true;
  // Overdue from the first millisecond past the limit.
  horizon?.note(since + limit + 1);
  return false;
}
