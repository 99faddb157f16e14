import { DoraMetric } from '@gitops-backstage/plugin-gitops-common';
import {
  dayTicks,
  formatDay,
  formatMetricValue,
  formatNumber,
  formatSamples,
  formatTarget,
} from './deliveryFormat';

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [0.14, '0.14'],
    [0.5, '0.5'],
    [3.4, '3.4'],
    [3, '3'],
    [2.14, '2.1'],
    [33.33, '33.3'],
    [50, '50'],
    [150.4, '150'],
    [1234.56, '1235'],
  ])('writes %p as %p', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe('formatMetricValue', () => {
  it.each<[DoraMetric['value'], DoraMetric['unit'], string]>([
    [3.4, 'perDay', '3.4 / day'],
    [2.1, 'hours', '2.1 h'],
    [50, 'percent', '50 %'],
    [12, 'minutes', '12 min'],
    [0, 'percent', '0 %'],
    [null, 'perDay', '—'],
    [null, 'minutes', '—'],
  ])('writes %p %s as %p', (value, unit, text) => {
    expect(formatMetricValue({ value, unit })).toBe(text);
  });
});

describe('formatTarget', () => {
  it.each<[DoraMetric['target'], DoraMetric['unit'], string]>([
    [
      { value: 10, comparison: 'atLeast', met: true },
      'perDay',
      'target ≥ 10 / day · ✓ met',
    ],
    [
      { value: 24, comparison: 'atMost', met: false },
      'hours',
      'target ≤ 24 h · ✗ not met',
    ],
    [
      { value: 15, comparison: 'atMost', met: null },
      'percent',
      'target ≤ 15 %',
    ],
  ])('writes %j in %s as %p', (target, unit, text) => {
    expect(formatTarget({ target, unit })).toBe(text);
  });
});

describe('formatSamples', () => {
  const deployments = { one: 'deployment', other: 'deployments' };
  it.each([
    [0, 'from 0 deployments'],
    [1, 'from 1 deployment'],
    [3, 'from 3 deployments'],
  ])('writes %p samples as %p', (samples, text) => {
    expect(formatSamples(samples, deployments)).toBe(text);
  });
});

describe('formatDay', () => {
  it.each([
    ['2026-11-28', 'Nov 28'],
    ['2026-11-01T23:30:00.000Z', 'Nov 1'],
  ])('writes %p as %p, in UTC', (date, text) => {
    expect(formatDay(date)).toBe(text);
  });
});

describe('dayTicks', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    ['no points', [], []],
    [
      'two versions on one day: one tick',
      [at('2026-12-01T09:00:00Z'), at('2026-12-01T17:00:00Z')],
      [at('2026-12-01T00:00:00Z')],
    ],
    [
      'three days, every day',
      [at('2026-12-01T09:00:00Z'), at('2026-12-03T01:00:00Z')],
      [
        at('2026-12-01T00:00:00Z'),
        at('2026-12-02T00:00:00Z'),
        at('2026-12-03T00:00:00Z'),
      ],
    ],
    [
      '30 days: every 4th day, at most 8',
      [at('2026-11-01T12:00:00Z'), at('2026-11-30T12:00:00Z')],
      [1, 5, 9, 13, 17, 21, 25, 29].map(d =>
        at(`2026-11-${String(d).padStart(2, '0')}T00:00:00Z`),
      ),
    ],
  ])('%s', (_, times, ticks) => {
    const result = dayTicks(times as number[]);
    expect(result).toEqual(ticks);
    expect(new Set(result).size).toBe(result.length);
  });
});
