import { internedCopy, internStrings } from './internStrings';

describe('internStrings', () => {
  it('leaves every value as it was', () => {
    // Sharing is not observable from JavaScript (strings compare by value); the benchmark
    // measures the memory. What must hold is that nothing changes.
    const object = {
      a: 'svc-1-prod',
      list: ['x', { deep: ['2026-11-28T10:00:00Z', 3, null, true] }],
      long: 'x'.repeat(500),
      none: undefined,
    };
    expect(internStrings(structuredClone(object))).toEqual(object);
  });

  it('leaves frozen parts alone instead of failing on them', () => {
    const shared = Object.freeze({ path: 'apps/svc-1/base' });
    const object = { shared, own: { path: 'apps/svc-1/overlays/prod' } };
    expect(internStrings(object)).toEqual({
      shared: { path: 'apps/svc-1/base' },
      own: { path: 'apps/svc-1/overlays/prod' },
    });
    expect(internStrings(shared)).toBe(shared);
  });
});

describe('internedCopy', () => {
  it('copies every value into plain objects and arrays', () => {
    const parsed = JSON.parse(
      '{"metadata":{"name":"svc-1-abc","labels":{"app":"svc-1"}},"status":{"containerStatuses":[{"state":{"running":{"startedAt":"2026-11-28T10:00:00Z"}},"restartCount":0,"ready":true}]},"n":null}',
    );
    const copy = internedCopy(parsed);
    expect(copy).toStrictEqual(parsed);
    expect(copy).not.toBe(parsed);
    expect(copy.metadata.labels).not.toBe(parsed.metadata.labels);
    // Plain to every reader: prototype, constructor, JSON and spread as for a literal.
    expect(Object.getPrototypeOf(copy.metadata)).toBe(Object.prototype);
    expect(copy.metadata.constructor).toBe(Object);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed));
    expect({ ...copy.status.containerStatuses[0] }).toEqual(
      parsed.status.containerStatuses[0],
    );
    expect(Array.isArray(copy.status.containerStatuses)).toBe(true);
  });

  it('keeps frozen parts as they are and copies objects of any size', () => {
    const shared = Object.freeze({ path: 'apps/svc-1/base' });
    const wide = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`k${i}`, `v${i}`]),
    );
    const copy = internedCopy({ shared, wide, empty: {} });
    expect(copy.shared).toBe(shared);
    expect(copy.wide).toStrictEqual(wide);
    expect(copy.empty).toStrictEqual({});
  });
});
