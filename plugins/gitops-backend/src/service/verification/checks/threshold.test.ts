import { compare, parseThreshold, worstIndex } from './threshold';

describe('parseThreshold', () => {
  it.each([
    ['< 0.01', '<', 0.01, '< 0.01'],
    ['<0.01', '<', 0.01, '< 0.01'],
    ['  <=   5  ', '<=', 5, '<= 5'],
    ['> 0.99', '>', 0.99, '> 0.99'],
    ['>= 1', '>=', 1, '>= 1'],
    ['== 0', '==', 0, '== 0'],
    ['!= 0', '!=', 0, '!= 0'],
    ['< 1e-3', '<', 0.001, '< 1e-3'],
    ['<= 2.5E+2', '<=', 250, '<= 2.5E+2'],
    ['> -1', '>', -1, '> -1'],
    ['< .5', '<', 0.5, '< .5'],
    ['>= 3.', '>=', 3, '>= 3.'],
  ])('reads %j as %s %d', (text, operator, value, normalised) => {
    expect(parseThreshold(text)).toEqual({
      operator,
      value,
      text: normalised,
    });
  });

  it.each([
    [''],
    ['0.01'],
    ['<'],
    ['< abc'],
    ['=< 1'],
    ['= 1'],
    ['<< 1'],
    ['< 1 2'],
    ['< 1e'],
    ['< NaN'],
    ['< Infinity'],
    [0.01],
    [null],
    [undefined],
  ])('rejects %j with a message saying what is accepted', text => {
    expect(() => parseThreshold(text)).toThrow(
      /invalid threshold .*expected an operator \(<, <=, >, >=, ==, !=\) and a number/,
    );
  });
});

describe('compare', () => {
  it.each([
    [0.004, '< 0.01', true],
    [0.01, '< 0.01', false],
    [0.12, '< 0.01', false],
    [0.01, '<= 0.01', true],
    [0.011, '<= 0.01', false],
    [0.995, '> 0.99', true],
    [0.99, '> 0.99', false],
    [1, '>= 1', true],
    [0.999, '>= 1', false],
    [0, '== 0', true],
    [1, '== 0', false],
    [1, '!= 0', true],
    [0, '!= 0', false],
    [Infinity, '< 0.01', false],
    [Infinity, '> 0.99', true],
    [-Infinity, '< 0', true],
    [NaN, '< 0.01', false],
    [NaN, '> 0.01', false],
    [NaN, '!= 0', false],
  ])('%d %s → %s', (value, threshold, expected) => {
    expect(compare(value, parseThreshold(threshold))).toBe(expected);
  });
});

describe('worstIndex', () => {
  it.each([
    [[0.001, 0.12, 0.05], '< 0.01', 1],
    [[0.001, 0.002], '<= 0.01', 1],
    [[0.999, 0.5, 0.98], '> 0.99', 1],
    [[2, 1, 3], '>= 1', 1],
    [[0, 0, 4, 5], '== 0', 2],
    [[0, 0], '== 0', 0],
    [[1, 0, 2], '!= 0', 1],
    [[], '< 1', -1],
  ])('of %j under %s is index %d', (values, threshold, expected) => {
    expect(worstIndex(values, parseThreshold(threshold))).toBe(expected);
  });
});
