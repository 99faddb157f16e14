import { DoraBand, DoraMetric } from '@gitops-backstage/plugin-gitops-common';

/** The windows the backend computes metrics over, as its `window` parameter. */
export const METRICS_WINDOWS = [
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
] as const;

export type MetricsWindow = (typeof METRICS_WINDOWS)[number]['value'];

export const DEFAULT_METRICS_WINDOW: MetricsWindow = '30d';

export const BAND_LABELS: Record<DoraBand, string> = {
  elite: 'Elite',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

const UNIT_LABELS: Record<DoraMetric['unit'], string> = {
  perDay: '/ day',
  hours: 'h',
  percent: '%',
  minutes: 'min',
};

/**
 * A number with the precision it deserves: two decimals below 1 (0.14 deployments a day is
 * not 0), one below 100, none above; trailing zeros dropped.
 */
export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  let digits = 0;
  if (magnitude < 1) digits = 2;
  else if (magnitude < 100) digits = 1;
  return String(Number(value.toFixed(digits)));
}

/** `3.4 / day`, `2.1 h`, `50 %`, `12 min`; `—` without samples. */
export function formatMetricValue(metric: Pick<DoraMetric, 'value' | 'unit'>) {
  if (metric.value === null) return '—';
  return `${formatNumber(metric.value)} ${UNIT_LABELS[metric.unit]}`;
}

/** `target ≥ 10 / day · ✓ met`; the mark left out while there is nothing to judge. */
export function formatTarget(metric: Pick<DoraMetric, 'target' | 'unit'>) {
  const { value, comparison, met } = metric.target;
  const bound = `target ${comparison === 'atLeast' ? '≥' : '≤'} ${formatNumber(
    value,
  )} ${UNIT_LABELS[metric.unit]}`;
  if (met === null) return bound;
  return `${bound} · ${met ? '✓ met' : '✗ not met'}`;
}

/** `from 3 deployments`, `from 1 change`. */
export function formatSamples(
  samples: number,
  noun: { one: string; other: string },
) {
  return `from ${samples} ${samples === 1 ? noun.one : noun.other}`;
}

/** A UTC day (`2026-11-28` or a full timestamp) as the charts' axes show it: `Nov 28`. */
export function formatDay(date: string): string {
  const at = new Date(date.length === 10 ? `${date}T00:00:00Z` : date);
  return at.toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Ticks of a time axis over `times` (ms): UTC midnights, one label per day at most, every
 * `step` days so that no more than `max` fit; empty without times. Labels of a category axis
 * repeat a date when two points fall on one day; these cannot.
 */
export function dayTicks(times: number[], max = 8): number[] {
  if (times.length === 0) return [];
  const first = Math.floor(Math.min(...times) / DAY_MS) * DAY_MS;
  const last = Math.floor(Math.max(...times) / DAY_MS) * DAY_MS;
  const days = Math.round((last - first) / DAY_MS) + 1;
  const step = Math.ceil(days / max);
  const ticks: number[] = [];
  for (let day = first; day <= last; day += step * DAY_MS) ticks.push(day);
  return ticks;
}
