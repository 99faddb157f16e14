import { HASH_SEED, hashString, mixHash } from './contentHash';

describe('contentHash', () => {
  // FNV-1a 32-bit reference values (signed, as Math.imul returns them).
  it.each([
    ['', 0x811c9dc5 | 0],
    ['a', 0xe40c292c | 0],
    ['foobar', 0xbf9cf968 | 0],
  ])('hashString(%j) is FNV-1a', (value, expected) => {
    expect(hashString(value) | 0).toBe(expected);
  });

  it('continues a hash: a string hashed in two parts equals it hashed whole', () => {
    expect(hashString('bar', hashString('foo'))).toBe(hashString('foobar'));
  });

  it('mixes numbers beyond a char code', () => {
    expect(mixHash(HASH_SEED, 0x10000)).not.toBe(mixHash(HASH_SEED, 0));
  });
});
