import { DeploymentLedgerIndex, LedgerEntry } from './deploymentLedgerIndex';

const HOUR_MS = 3_600_000;

/** One version arriving in an environment, with its lead times (exact hours). */
export interface LeadTimeSample {
  entry: LedgerEntry;
  /** First commit in the first environment → here; clock skew counts as 0. */
  hours: number;
  /** Running in the previous environment → here; null in the first or when never there. */
  hopHours: number | null;
}

/**
 * Lead times of versions arriving in one environment, oldest first. The first commit is the
 * committedAt of the version's earliest row in the first environment, wherever in time that
 * row lies (a version may have reached dev long before the window); a version that skipped
 * the first environment starts from its own commit.
 */
export function leadTimeSamples(options: {
  ledger: DeploymentLedgerIndex;
  arrivals: LedgerEntry[];
  firstEnvironment: string;
  previousEnvironment: string | null;
}): LeadTimeSample[] {
  const { ledger, firstEnvironment, previousEnvironment } = options;
  const samples: LeadTimeSample[] = [];
  for (const entry of options.arrivals) {
    const { entityRef, version } = entry.record;
    const origin =
      ledger.versionHistory(entityRef, firstEnvironment, version)[0] ?? entry;
    // A row whose commit time does not parse gives no lead time rather than NaN.
    if (Number.isNaN(origin.committed)) continue;
    samples.push({
      entry,
      hours: Math.max(0, entry.observed - origin.committed) / HOUR_MS,
      hopHours: previousEnvironment
        ? hopHours(ledger, entry, previousEnvironment)
        : null,
    });
  }
  return samples.sort((a, b) => a.entry.observed - b.entry.observed);
}

/** From the version's latest healthy arrival in the previous environment before this one. */
function hopHours(
  ledger: DeploymentLedgerIndex,
  entry: LedgerEntry,
  previousEnvironment: string,
): number | null {
  const history = ledger.versionHistory(
    entry.record.entityRef,
    previousEnvironment,
    entry.record.version,
  );
  for (let i = history.length - 1; i >= 0; i--) {
    const before = history[i];
    if (
      before.record.outcome === 'succeeded' &&
      before.observed <= entry.observed
    ) {
      return (entry.observed - before.observed) / HOUR_MS;
    }
  }
  return null;
}
