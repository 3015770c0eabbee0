import type { RepeatPurchaseSummary } from '../types';
import { probabilityAlive } from './bgnbd';
import {
  modifiedBgNbdExpectedTransactions,
  modifiedBgNbdProbabilityAlive,
  modifiedBgNbdProbabilityOfPurchase,
  type ModifiedBgNbdFit,
} from './modified-bgnbd';

// lifetimes 0.11.3's ModifiedBetaGeoFitter on the CDNOW summary.
const CDNOW: ModifiedBgNbdFit['params'] = {
  r: 0.5248377255676637,
  alpha: 6.1829884791339715,
  a: 0.8913562809311422,
  b: 1.6140000256721438,
};
const customer = (repeatCount: number, lastRepeatTime: number, age: number): RepeatPurchaseSummary => ({
  repeatCount,
  lastRepeatTime,
  age,
});

describe('modified BG/NBD', () => {
  // [x, t_x, T, P(alive), E[Y(39)]] from lifetimes 0.11.3 at the parameters above.
  const REFERENCE: [number, number, number, number, number][] = [
    [0, 0, 38.86, 0.38971644, 0.15395364436667652],
    [2, 30.43, 38.86, 0.70612626, 1.2626707787139533],
    [7, 29.43, 35.43, 0.74965406, 4.060425353633725],
    [1, 1.71, 38.86, 0.17081963, 0.18878924037050562],
  ];

  it.each(REFERENCE)('agrees with lifetimes for x %d, t_x %d, T %d', (x, tx, T, alive, expected) => {
    const summary = customer(x, tx, T);
    expect(modifiedBgNbdProbabilityAlive(CDNOW, summary)).toBeCloseTo(alive, 7);
    expect(modifiedBgNbdExpectedTransactions(CDNOW, summary, 39)).toBeCloseTo(expected, 10);
  });

  it('lets a customer without repeat purchases be gone, unlike BG/NBD', () => {
    const summary = customer(0, 0, 38.86);
    expect(probabilityAlive(CDNOW, summary)).toBe(1);
    expect(modifiedBgNbdProbabilityAlive(CDNOW, summary)).toBeCloseTo(
      1 / (1 + (CDNOW.a / CDNOW.b) * ((CDNOW.alpha + 38.86) / CDNOW.alpha) ** CDNOW.r),
      12,
    );
    const p = modifiedBgNbdProbabilityOfPurchase(CDNOW, summary, 39);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(modifiedBgNbdProbabilityAlive(CDNOW, summary));
  });
});
