import { age } from './age';

describe('age', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it.each([
    ['2026-11-28T12:00:00Z', '0 s ago'],
    ['2026-11-28T11:59:48Z', '12 s ago'],
    ['2026-11-28T11:57:00Z', '3 min ago'],
    ['2026-11-28T09:30:00Z', '2 h ago'],
    ['2026-11-25T12:00:00Z', '3 d ago'],
    ['2026-11-28T12:00:05Z', '0 s ago'], // a clock a little ahead
    ['not a time', 'an unknown time ago'],
  ])('%s is %s', (iso, expected) => {
    expect(age(iso, now)).toBe(expected);
  });
});
