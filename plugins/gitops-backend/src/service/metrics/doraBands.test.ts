import { DoraMeasure, doraBand, doraMetric } from './doraBands';

describe('doraBand', () => {
  it.each<[DoraMeasure, number | null, string | null]>([
    ['deploymentFrequency', null, null],
    ['deploymentFrequency', 1, 'elite'],
    ['deploymentFrequency', 0.99, 'high'],
    ['deploymentFrequency', 1 / 7, 'high'],
    ['deploymentFrequency', 0.14, 'medium'],
    ['deploymentFrequency', 1 / 30, 'medium'],
    ['deploymentFrequency', 0.033, 'low'],
    ['leadTime', 0, 'elite'],
    ['leadTime', 23.99, 'elite'],
    ['leadTime', 24, 'high'],
    ['leadTime', 167.99, 'high'],
    ['leadTime', 168, 'medium'],
    ['leadTime', 719.99, 'medium'],
    ['leadTime', 720, 'low'],
    ['changeFailureRate', 0, 'elite'],
    ['changeFailureRate', 5, 'elite'],
    ['changeFailureRate', 5.01, 'high'],
    ['changeFailureRate', 10, 'high'],
    ['changeFailureRate', 15, 'medium'],
    ['changeFailureRate', 15.01, 'low'],
    ['timeToRestore', 59.99, 'elite'],
    ['timeToRestore', 60, 'high'],
    ['timeToRestore', 1_439.99, 'high'],
    ['timeToRestore', 1_440, 'medium'],
    ['timeToRestore', 10_079.99, 'medium'],
    ['timeToRestore', 10_080, 'low'],
  ])('grades %s %p as %p', (measure, value, band) => {
    expect(doraBand(measure, value)).toBe(band);
  });
});

describe('doraMetric', () => {
  it.each<[DoraMeasure, number, boolean]>([
    ['deploymentFrequency', 10, true],
    ['deploymentFrequency', 9.999, false],
    ['leadTime', 1, true],
    ['leadTime', 1.001, false],
    ['changeFailureRate', 5, true],
    ['changeFailureRate', 5.001, false],
    ['timeToRestore', 15, true],
    ['timeToRestore', 15.001, false],
  ])('judges the %s target at %p as met: %p', (measure, value, met) => {
    expect(doraMetric(measure, value, 1).target.met).toBe(met);
  });

  it('rounds the value to two decimals but grades the exact one', () => {
    // 5.004 % shows as 5 yet is above the elite bound and the target.
    expect(doraMetric('changeFailureRate', 5.004, 3)).toEqual({
      value: 5,
      unit: 'percent',
      samples: 3,
      band: 'high',
      target: { value: 5, comparison: 'atMost', met: false },
    });
  });

  it('has no band and no verdict without a value', () => {
    expect(doraMetric('timeToRestore', null, 0)).toEqual({
      value: null,
      unit: 'minutes',
      samples: 0,
      band: null,
      target: { value: 15, comparison: 'atMost', met: null },
    });
  });
});
