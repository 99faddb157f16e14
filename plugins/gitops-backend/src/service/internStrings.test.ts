import { internStrings } from './internStrings';

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
