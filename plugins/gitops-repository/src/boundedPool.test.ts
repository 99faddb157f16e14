import { BoundedPool, StringPool } from './boundedPool';

describe('BoundedPool', () => {
  it('keeps entries up to its size, then starts over with the new one', () => {
    const pool = new BoundedPool<number, string>(2);
    pool.set(1, 'a');
    pool.set(2, 'b');
    expect([pool.get(1), pool.get(2), pool.size]).toEqual(['a', 'b', 2]);
    pool.set(3, 'c');
    expect([pool.get(1), pool.get(2), pool.get(3), pool.size]).toEqual([
      undefined,
      undefined,
      'c',
      1,
    ]);
  });

  it('replaces the value of a key it holds', () => {
    const pool = new BoundedPool<string, number>(5);
    pool.set('a', 1);
    pool.set('a', 2);
    expect([pool.get('a'), pool.size]).toEqual([2, 1]);
  });
});

describe('StringPool', () => {
  it('answers the first copy of each content', () => {
    const pool = new StringPool(10);
    const first = ['na', 'me'].join('');
    const second = ['n', 'ame'].join('');
    expect(pool.share(first)).toBe(first);
    expect(pool.share(second)).toBe(first);
    expect(pool.size).toBe(1);
  });

  it('after starting over, pools what comes next', () => {
    const pool = new StringPool(1);
    pool.share('a');
    const b = pool.share('b');
    expect([b, pool.size, pool.get('a')]).toEqual(['b', 1, undefined]);
  });
});
