import { DoraBand, DoraMetric } from '@gitops-backstage/plugin-gitops-common';

/** The four DORA measures; hop lead time is graded as a lead time. */
export type DoraMeasure =
  | 'deploymentFrequency'
  | 'leadTime'
  | 'changeFailureRate'
  | 'timeToRestore';

/**
 * How a value compares with a bound: `atLeast` (≥) and `atMost` (≤) include it, `below` (<)
 * does not. DORA publishes lead time and time to restore as "less than a day / week / month",
 * change failure rate as "0–5 %, 5–10 %…" (5 % is still elite) and frequency as "at least".
 */
type Comparison = 'atLeast' | 'atMost' | 'below';

const UNITS: Record<DoraMeasure, DoraMetric['unit']> = {
  deploymentFrequency: 'perDay',
  leadTime: 'hours',
  changeFailureRate: 'percent',
  timeToRestore: 'minutes',
};

/**
 * DORA's published performance bands (State of DevOps reports): the bound of the elite, high
 * and medium bands; a value outside the medium bound is low.
 */
export const DORA_BAND_THRESHOLDS: Record<
  DoraMeasure,
  { comparison: Comparison; elite: number; high: number; medium: number }
> = {
  // On demand (≥ 1/day), weekly, monthly (a month counted as 30 days).
  deploymentFrequency: {
    comparison: 'atLeast',
    elite: 1,
    high: 1 / 7,
    medium: 1 / 30,
  },
  // Less than a day, a week, a month (30 days), in hours.
  leadTime: { comparison: 'below', elite: 24, high: 168, medium: 720 },
  changeFailureRate: { comparison: 'atMost', elite: 5, high: 10, medium: 15 },
  // Less than an hour, a day, a week, in minutes.
  timeToRestore: {
    comparison: 'below',
    elite: 60,
    high: 1_440,
    medium: 10_080,
  },
};

/**
 * The platform's own targets, from the "Success Metrics" table of seed 001 (deployment
 * frequency >10/day, lead time for changes <1 hour, MTTR <15 min, change failure rate <5 %),
 * which seed 002 lists as the DORA metrics to track. Met when the value is at the bound.
 */
export const DORA_TARGETS: Record<
  DoraMeasure,
  { value: number; comparison: 'atLeast' | 'atMost' }
> = {
  deploymentFrequency: { value: 10, comparison: 'atLeast' },
  leadTime: { value: 1, comparison: 'atMost' },
  changeFailureRate: { value: 5, comparison: 'atMost' },
  timeToRestore: { value: 15, comparison: 'atMost' },
};

function satisfies(value: number, comparison: Comparison, bound: number) {
  if (comparison === 'atLeast') return value >= bound;
  if (comparison === 'atMost') return value <= bound;
  return value < bound;
}

/** The DORA band of an exact (unrounded) value; `null` without a value. */
export function doraBand(
  measure: DoraMeasure,
  value: number | null,
): DoraBand | null {
  if (value === null) return null;
  const { comparison, ...bounds } = DORA_BAND_THRESHOLDS[measure];
  const bands = ['elite', 'high', 'medium'] as const;
  return (
    bands.find(band => satisfies(value, comparison, bounds[band])) ?? 'low'
  );
}

/** Two decimals for display; bands and targets are judged before rounding. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A metric with its unit, band and target; `value` null means no sample. */
export function doraMetric(
  measure: DoraMeasure,
  value: number | null,
  samples: number,
): DoraMetric {
  const target = DORA_TARGETS[measure];
  return {
    value: value === null ? null : round2(value),
    unit: UNITS[measure],
    samples,
    band: doraBand(measure, value),
    target: {
      value: target.value,
      comparison: target.comparison,
      met:
        value === null
          ? null
          : satisfies(value, target.comparison, target.value),
    },
  };
}

/** Mean of the samples, `null` without any. */
export function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
