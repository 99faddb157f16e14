import { FIXTURE_NOW } from '../service/live/__fixtures__/clusterObjects';

/** Several fixture snapshots as one (the objects of each kind concatenated). */
export function mergeSnapshots(
  ...snapshots: Array<Record<string, any[]>>
): Record<string, any[]> {
  const result: Record<string, any[]> = {};
  for (const snapshot of snapshots) {
    for (const [kind, objects] of Object.entries(snapshot)) {
      result[kind] = [...(result[kind] ?? []), ...objects];
    }
  }
  return result;
}

/**
 * Moves every timestamp by `ms` — by default from FIXTURE_NOW to now: fixtures are dated
 * relative to FIXTURE_NOW, and the backend judges staleness against the clock.
 */
export function shiftTimes<T>(
  value: T,
  ms: number = Date.now() - Date.parse(FIXTURE_NOW),
): T {
  if (
    typeof value === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(value)
  ) {
    return new Date(Date.parse(value) + ms).toISOString() as T;
  }
  if (Array.isArray(value)) return value.map(v => shiftTimes(v, ms)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, shiftTimes(v, ms)]),
    ) as T;
  }
  return value;
}
