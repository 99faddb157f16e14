import { DeploymentRecord } from '@gitops-backstage/plugin-gitops-common';
import { LedgerEntry } from './deploymentLedgerIndex';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** A change observed in the window, whether it failed and, if so, how long until restored. */
export interface AssessedChange {
  entry: LedgerEntry;
  failed: boolean;
  /** Minutes from the failed change to the next healthy version; null while not restored. */
  restoreMinutes: number | null;
}

/** Changes are new versions (promote, create, external); rollbacks only undo one. */
export function isChange(record: DeploymentRecord): boolean {
  return (
    record.kind === 'promote' ||
    record.kind === 'create' ||
    record.kind === 'external'
  );
}

/**
 * Judges the changes of one entity in one environment (its timeline, oldest first, scaling
 * left out). A change failed when it did not run, or when the very next row is a rollback
 * within the failure window. Rows outside the window still serve as that next row and as the
 * restore, so a change near the window's end is judged by what followed it.
 */
export function assessChanges(options: {
  timeline: LedgerEntry[];
  inWindow: (entry: LedgerEntry) => boolean;
  failureWindowHours: number;
}): AssessedChange[] {
  const { timeline, inWindow } = options;
  const failureWindowMs = options.failureWindowHours * HOUR_MS;
  const failed = timeline.map((entry, i) => {
    if (!isChange(entry.record)) return false;
    if (entry.record.outcome === 'failed') return true;
    const next = timeline[i + 1];
    return (
      next?.record.kind === 'rollback' &&
      next.observed - entry.observed <= failureWindowMs
    );
  });

  // Restored by the next row that ran and is not itself a failed change: the rollback, or a
  // fix forward. One backward pass finds it for every row.
  const restoredBy: Array<LedgerEntry | undefined> = [];
  let nextHealthy: LedgerEntry | undefined;
  for (let i = timeline.length - 1; i >= 0; i--) {
    restoredBy[i] = nextHealthy;
    if (timeline[i].record.outcome === 'succeeded' && !failed[i]) {
      nextHealthy = timeline[i];
    }
  }

  return timeline.flatMap((entry, i) => {
    if (!isChange(entry.record) || !inWindow(entry)) return [];
    const restore = failed[i] ? restoredBy[i] : undefined;
    return [
      {
        entry,
        failed: failed[i],
        restoreMinutes: restore
          ? (restore.observed - entry.observed) / MINUTE_MS
          : null,
      },
    ];
  });
}
