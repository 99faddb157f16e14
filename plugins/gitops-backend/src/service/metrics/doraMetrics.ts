import {
  DeliveryMetrics,
  DeploymentRecord,
  EnvironmentDeliveryMetrics,
} from '@gitops-backstage/plugin-gitops-common';
import { InputError } from '@backstage/errors';
import { assessChanges } from './changeFailures';
import {
  DeploymentLedgerIndex,
  LedgerEntry,
  indexDeploymentLedger,
} from './deploymentLedgerIndex';
import { doraMetric, mean, round2 } from './doraBands';
import { leadTimeSamples } from './leadTimes';

const DAY_MS = 86_400_000;

/** @see computeDeliveryMetrics */
export interface ComputeDeliveryMetricsOptions {
  /** Every ledger row of the entities in scope, any time, in any order. */
  records: DeploymentRecord[];
  /** Promotion order, e.g. `['dev', 'staging', 'prod']`; rows of other environments are ignored. */
  environments: string[];
  /** `[from, to)`. */
  window: { from: Date; to: Date };
  /** A change followed within this many hours by a rollback counts as failed. */
  failureWindowHours: number;
  /** How many entities are in scope (copied to the answer). */
  entities: number;
}

/**
 * DORA delivery metrics per environment, from the deployment ledger.
 *
 * - A **deployment** is a row with outcome `succeeded` and kind other than `scale`, observed in
 *   the window. **Deployment frequency** = deployments / window length in days (`perDay`;
 *   samples = deployments). Counts split deployments into promotions (kind `promote` or
 *   `create`), rollbacks and external; `failed` counts rows with outcome `failed` (any kind but
 *   `scale`).
 * - A **change** is a row of kind `promote`, `create` or `external` (not `rollback`, not
 *   `scale`) observed in the window. It **failed** when its outcome is `failed`, or when the next
 *   row of the same entity and environment (by observedAt, scaling skipped) is a `rollback`
 *   observed within `failureWindowHours` after it. **Change failure rate** = failed changes /
 *   changes × 100 (`percent`; samples = changes). Rollbacks are not changes: after a rollback
 *   of a rollback only the change before the first rollback counts, as failed.
 * - **Time to restore** (minutes): for each failed change in the window, from its observedAt to
 *   the observedAt of the next `succeeded` row of the same entity and environment that is not
 *   itself a failed change (the rollback, or a fix forward). Failures not yet restored are left
 *   out. Mean; samples = restored failures.
 * - **Lead time** (hours) into an environment: for each deployment (kind not `rollback`) in the
 *   window, from the committedAt of the earliest row of the same entity and version in the
 *   first environment (the row's own committedAt if the first environment never had that
 *   version) to its observedAt; a negative duration (clock skew) counts as 0. Mean; samples =
 *   arrivals, listed oldest first in `leadTimes`. **Hop lead time**: from the observedAt of the
 *   same entity and version's latest succeeded row in the previous environment at or before
 *   this one, to this one; no value in the first environment.
 * - A metric's value is `null` without samples, and so are its band and `target.met`. Values
 *   are rounded to 2 decimals; bands and targets judge the exact value.
 * - `daily` has one entry per UTC day the window touches, oldest first (a window of 7 whole UTC
 *   days has 7).
 */
export function computeDeliveryMetrics(
  options: ComputeDeliveryMetricsOptions,
): DeliveryMetrics {
  const { environments, failureWindowHours } = options;
  const from = options.window.from.getTime();
  const to = options.window.to.getTime();
  if (!(to > from)) {
    throw new InputError('The metrics window must end after it starts');
  }
  if (!(failureWindowHours >= 0)) {
    throw new InputError('The failure window must be zero hours or more');
  }
  const ledger = indexDeploymentLedger(options.records, environments);
  const window = {
    days: (to - from) / DAY_MS,
    dayStarts: utcDayStarts(from, to),
    contains: (entry: LedgerEntry) =>
      entry.observed >= from && entry.observed < to,
  };
  return {
    window: {
      days: round2(window.days),
      from: options.window.from.toISOString(),
      to: options.window.to.toISOString(),
    },
    failureWindowHours,
    entities: options.entities,
    environments: environments.map((environment, index) =>
      environmentMetrics({
        ledger,
        environment,
        firstEnvironment: environments[0],
        previousEnvironment: index > 0 ? environments[index - 1] : null,
        window,
        failureWindowHours,
      }),
    ),
  };
}

function environmentMetrics(options: {
  ledger: DeploymentLedgerIndex;
  environment: string;
  firstEnvironment: string;
  previousEnvironment: string | null;
  window: {
    days: number;
    dayStarts: number[];
    contains: (entry: LedgerEntry) => boolean;
  };
  failureWindowHours: number;
}): EnvironmentDeliveryMetrics {
  const { ledger, environment, window } = options;
  const timelines = ledger.timelines(environment);
  const observed = timelines.flat().filter(window.contains);
  const deployments = observed.filter(e => e.record.outcome === 'succeeded');

  const changes = timelines.flatMap(timeline =>
    assessChanges({
      timeline,
      inWindow: window.contains,
      failureWindowHours: options.failureWindowHours,
    }),
  );
  const failedChanges = changes.filter(change => change.failed).length;
  const restoreMinutes = changes.flatMap(change =>
    change.restoreMinutes === null ? [] : [change.restoreMinutes],
  );

  const leadTimes = leadTimeSamples({
    ledger,
    arrivals: deployments.filter(e => e.record.kind !== 'rollback'),
    firstEnvironment: options.firstEnvironment,
    previousEnvironment: options.previousEnvironment,
  });
  const hopHours = leadTimes.flatMap(sample =>
    sample.hopHours === null ? [] : [sample.hopHours],
  );

  return {
    environment,
    deploymentFrequency: doraMetric(
      'deploymentFrequency',
      deployments.length > 0 ? deployments.length / window.days : null,
      deployments.length,
    ),
    leadTime: doraMetric(
      'leadTime',
      mean(leadTimes.map(sample => sample.hours)),
      leadTimes.length,
    ),
    hopLeadTime: doraMetric('leadTime', mean(hopHours), hopHours.length),
    changeFailureRate: doraMetric(
      'changeFailureRate',
      // × 100 first, so 1 of 20 is exactly 5 and meets the 5 % bound.
      changes.length > 0 ? (failedChanges * 100) / changes.length : null,
      changes.length,
    ),
    timeToRestore: doraMetric(
      'timeToRestore',
      mean(restoreMinutes),
      restoreMinutes.length,
    ),
    counts: countRows(observed),
    daily: dailyCounts(observed, window.dayStarts),
    leadTimes: leadTimes.map(sample => ({
      version: sample.entry.record.version,
      at: new Date(sample.entry.observed).toISOString(),
      hours: round2(sample.hours),
    })),
  };
}

/** Rows are scaling-free here: deployments split by kind, failures apart. */
function countRows(
  entries: LedgerEntry[],
): EnvironmentDeliveryMetrics['counts'] {
  const counts = {
    deployments: 0,
    promotions: 0,
    rollbacks: 0,
    external: 0,
    failed: 0,
  };
  for (const { record } of entries) {
    if (record.outcome === 'failed') {
      counts.failed++;
      continue;
    }
    counts.deployments++;
    if (record.kind === 'rollback') counts.rollbacks++;
    else if (record.kind === 'external') counts.external++;
    else counts.promotions++;
  }
  return counts;
}

/** Midnight (UTC) of every day that overlaps `[from, to)`. */
function utcDayStarts(from: number, to: number): number[] {
  const starts: number[] = [];
  const firstMidnight = Math.floor(from / DAY_MS) * DAY_MS;
  for (let day = firstMidnight; day < to; day += DAY_MS) {
    starts.push(day);
  }
  return starts;
}

function dailyCounts(
  entries: LedgerEntry[],
  dayStarts: number[],
): EnvironmentDeliveryMetrics['daily'] {
  const daily = dayStarts.map(start => ({
    date: new Date(start).toISOString().slice(0, 10),
    deployments: 0,
    rollbacks: 0,
    failed: 0,
  }));
  for (const { record, observed } of entries) {
    const day = daily[Math.floor((observed - dayStarts[0]) / DAY_MS)];
    if (record.outcome === 'failed') {
      day.failed++;
    } else {
      day.deployments++;
      if (record.kind === 'rollback') day.rollbacks++;
    }
  }
  return daily;
}
