import {
  activeOccurrence,
  evaluateWindows,
  formatInZone,
  parseDuration,
  scheduleWindow,
} from './windows';

describe('parseDuration', () => {
  it.each<[string, number]>([
    ['48h', 48 * 3_600_000],
    ['90m', 90 * 60_000],
    ['1h30m', 90 * 60_000],
    ['2d', 2 * 86_400_000],
    ['45s', 45_000],
    [' 1h 30m ', 90 * 60_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '48', 'h', '1x', '1h-30m', '0h', 'two hours'])(
    'refuses %j',
    text => expect(() => parseDuration(text)).toThrow(/duration/),
  );
});

describe('scheduleWindow', () => {
  const base = { kind: 'deny' as const, duration: '1h', reason: null };
  it.each<[string, string, RegExp]>([
    ['61 * * * *', 'UTC', /out of range/],
    ['0 0 * * 6', 'Nowhere/Zone', /Invalid timezone/],
    ['0 0 0 * * 6', 'UTC', /5-field cron/],
  ])('refuses %s in %s', (schedule, timeZone, error) => {
    expect(() => scheduleWindow({ ...base, schedule, timeZone })).toThrow(
      error,
    );
  });
});

describe('windows across daylight saving time (Europe/Berlin, 29 Mar 2026)', () => {
  // 02:00 local on the day clocks go forward does not exist; 01:00 to 05:00 is 3 hours.
  const night = scheduleWindow({
    kind: 'deny',
    schedule: '0 1 * * *',
    duration: '4h',
    timeZone: 'Europe/Berlin',
    reason: 'nightly batch',
  });

  it('an occurrence covers the hours after the switch', () => {
    // 03:30 CEST = 01:30 UTC.
    const at = new Date('2026-03-29T01:30:00Z');
    expect(activeOccurrence(night, at)).toEqual({
      start: new Date('2026-03-29T00:00:00Z'), // 01:00 CET
      end: new Date('2026-03-29T04:00:00Z'),
    });
    expect(evaluateWindows([night], at).reopensAt).toEqual(
      new Date('2026-03-29T04:00:00Z'),
    );
    expect(
      formatInZone(new Date('2026-03-29T04:00:00Z'), 'Europe/Berlin'),
    ).toBe('Sun 29 Mar 06:00 Europe/Berlin');
  });

  it('back-to-back windows reopen after the last one', () => {
    const chained = scheduleWindow({
      kind: 'deny',
      schedule: '0 */2 * * *',
      duration: '2h',
      timeZone: 'UTC',
      reason: null,
    });
    const stop = scheduleWindow({
      kind: 'allow',
      schedule: '0 0 * * *',
      duration: '24h',
      timeZone: 'UTC',
      reason: null,
    });
    // Always denied: the walk stops at its bound instead of looping, and says closed.
    const decision = evaluateWindows(
      [chained, stop],
      new Date('2026-12-03T12:00:00Z'),
    );
    expect(decision.open).toBe(false);
    expect(decision.reopensAt!.getTime()).toBeGreaterThan(
      Date.parse('2026-12-03T12:00:00Z'),
    );
  });
});
