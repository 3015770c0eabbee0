import { parseNumber, parseWholeNumber, roundMoney } from './numbers';

describe('numbers of exports', () => {
  it.each([
    ['2.55', 2.55],
    [' -3 ', -3],
    ['1,234.50', 1234.5],
    ['$12.50', 12.5],
    ['-£3', -3],
    ['1e3', 1000],
    ['.5', 0.5],
  ])('reads %j', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each(['', 'abc', '12,50', '1.2.3', 'NaN', 'Infinity', '1,23'])('refuses %j', (text) => {
    expect(parseNumber(text)).toBeUndefined();
  });

  it('reads whole numbers only as quantities, and rounds away float noise', () => {
    expect(parseWholeNumber('6.0')).toBe(6);
    expect(parseWholeNumber('1.5')).toBeUndefined();
    expect(roundMoney(6 * 2.55)).toBe(15.3);
    expect(roundMoney(0.001)).toBe(0.001);
  });
});
