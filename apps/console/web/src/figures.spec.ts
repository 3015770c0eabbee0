import { ago, calibrationRows, changedFields, errorsByField, gainCurve, money, numberOrText } from './figures';

describe('console figures', () => {
  const deciles = [
    { decile: 2, customers: 10, meanPredicted: 5, meanActual: 2 },
    { decile: 1, customers: 10, meanPredicted: 20, meanActual: 8 },
  ];

  it('draws the gain curve from the best decile down, ending at everything', () => {
    expect(gainCurve(deciles)).toEqual([
      { share: 0, model: 0, random: 0 },
      { share: 0.5, model: 0.8, random: 0.5 },
      { share: 1, model: 1, random: 1 },
    ]);
    expect(gainCurve([{ decile: 1, customers: 5, meanPredicted: 0, meanActual: 0 }]).at(-1)).toEqual({
      share: 1,
      model: 0,
      random: 1,
    });
  });

  it('lists calibration best decile first', () => {
    expect(calibrationRows(deciles)).toEqual([
      { decile: 'D1', predicted: 20, actual: 8 },
      { decile: 'D2', predicted: 5, actual: 2 },
    ]);
  });

  it('puts field errors at their field, the others above the form', () => {
    expect(
      errorsByField(
        [
          { path: 'key', message: 'must be a slug' },
          { path: 'audience.all.0.op', message: 'invalid option' },
          { path: '(root)', message: 'nothing to change' },
          { path: 'unknownField', message: 'unrecognized' },
        ],
        ['key', 'audience'],
      ),
    ).toEqual({
      key: ['must be a slug'],
      audience: ['all.0.op: invalid option'],
      '': ['(root): nothing to change', 'unknownField: unrecognized'],
    });
  });

  it('sends numbers as numbers and anything else as typed, for the API to judge', () => {
    expect(numberOrText(' 12.5 ')).toBe(12.5);
    expect(numberOrText('')).toBeUndefined();
    expect(numberOrText('ten')).toBe('ten');
  });

  it('patches only what changed', () => {
    expect(changedFields({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } })).toEqual({ b: { c: 3 } });
  });

  it('formats money and ages', () => {
    expect(money(1234.5)).toBe('1,234.50');
    expect(money(null)).toBe('—');
    expect(ago('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:02:30Z'))).toBe('2 min ago');
    expect(ago(null)).toBe('never');
  });
});
