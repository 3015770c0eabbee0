import { sampleGamma, seededRandom } from '../math/random';
import type { RepeatPurchaseSummary } from '../types';
import {
  fitParetoNbd,
  paretoNbdExpectedTransactions,
  paretoNbdLogDeathIntegral,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
  paretoNbdProbabilityOfPurchase,
  type ParetoNbdParams,
} from './pareto-nbd';

// lifetimes 0.11.3's ParetoNBDFitter on the CDNOW summary (the published r 0.553, α 10.578, s 0.606, β 11.669).
const CDNOW: ParetoNbdParams = {
  r: 0.5532913047424464,
  alpha: 10.577780842422227,
  s: 0.6062134653203979,
  beta: 11.668073313757022,
};
const customer = (repeatCount: number, lastRepeatTime: number, age: number): RepeatPurchaseSummary => ({
  repeatCount,
  lastRepeatTime,
  age,
});

describe('Pareto/NBD', () => {
  // [x, t_x, T, P(alive), E[Y(39)]] from lifetimes 0.11.3 (conditional_probability_alive,
  // conditional_expected_number_of_purchases_up_to_time) at the parameters above.
  const REFERENCE: [number, number, number, number, number][] = [
    [0, 0, 38.86, 0.29509727219064597, 0.10706258003473988],
    [2, 30.43, 38.86, 0.8691190905280738, 1.4551183603301001],
    [7, 29.43, 35.43, 0.8666312775333171, 4.562975607405867],
    [1, 1.71, 38.86, 0.1678728660758443, 0.17098266469692594],
  ];

  it.each(REFERENCE)('agrees with lifetimes for x %d, t_x %d, T %d', (x, tx, T, alive, expected) => {
    const summary = customer(x, tx, T);
    expect(paretoNbdProbabilityAlive(CDNOW, summary)).toBeCloseTo(alive, 10);
    expect(paretoNbdExpectedTransactions(CDNOW, summary, 39)).toBeCloseTo(expected, 10);
  });

  it('computes the death integral as a direct sum does, on each of its ways (2F1, u-series, quadrature)', () => {
    // CDNOW: 2F1 series; 3 vs 40 and the no-dropout edge (β → ∞, Online Retail's fit): the u-series, and quadrature
    // for x = 30 (k − 1 past the u-series' limit).
    const cases = [
      CDNOW,
      { ...CDNOW, alpha: 3, beta: 40 },
      { ...CDNOW, alpha: 40, beta: 3 },
      { ...CDNOW, s: 1.00001, beta: 1e9 },
      { ...CDNOW, r: 1.00001, alpha: 1e9 },
    ];
    for (const params of cases) {
      for (const summary of [customer(0, 0, 30), customer(4, 12.5, 30), customer(30, 29, 30)]) {
        const series = paretoNbdLogDeathIntegral(params, summary);
        const { r, alpha, s, beta } = params;
        const { repeatCount: x, lastRepeatTime: tx, age: T } = summary;
        let midpoint = 0;
        const n = 200_000;
        for (let i = 0; i < n; i++) {
          const tau = tx + ((i + 0.5) / n) * (T - tx);
          midpoint += (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1);
        }
        expect(series).toBeCloseTo(Math.log((midpoint * (T - tx)) / n), 7);
      }
    }
    expect(paretoNbdLogDeathIntegral(CDNOW, customer(3, 20, 20))).toBe(-Infinity);
  });

  it('has a finite likelihood where the series is slow (min(α, β) near 0, no repeat purchase)', () => {
    const value = paretoNbdLogLikelihood({ r: 0.5, alpha: 1e-6, s: 0.5, beta: 50 }, customer(0, 0, 30));
    expect(Number.isFinite(value)).toBe(true);
  });

  it('gives P(purchase) that matches a simulation from the posterior', () => {
    const summary = customer(2, 30.43, 38.86);
    const horizon = 20;
    const random = seededRandom(7);
    const alive = paretoNbdProbabilityAlive(CDNOW, summary);
    let bought = 0;
    const draws = 200_000;
    for (let i = 0; i < draws; i++) {
      const lambda = sampleGamma(random, CDNOW.r + 2, CDNOW.alpha + 38.86);
      const mu = sampleGamma(random, CDNOW.s, CDNOW.beta + 38.86);
      const death = -Math.log(1 - random()) / mu;
      const next = -Math.log(1 - random()) / lambda;
      if (next < Math.min(death, horizon)) bought++;
    }
    expect(paretoNbdProbabilityOfPurchase(CDNOW, summary, horizon)).toBeCloseTo((alive * bought) / draws, 2);
    expect(paretoNbdProbabilityOfPurchase(CDNOW, summary, 0)).toBe(0);
  });

  it('keeps the fit finite and quick with logPriorSd where a short history shows no heterogeneity nor dropout', () => {
    // Regular buyers, all alive at the end: the likelihood climbs towards r, α, β → ∞ (on a synthetic shop's first
    // 6 months the search walked β to 1e83: 5,000 iterations, 32 s).
    const customers = Array.from({ length: 80 }, (_, i) => customer(2 + (i % 3), 19 + (i % 5) / 10, 20));
    const free = fitParetoNbd(customers);
    expect(free.params.r).toBeGreaterThan(1e6);
    const fit = fitParetoNbd(customers, { logPriorSd: 3 });
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(1_000);
    expect(Math.max(fit.params.r, fit.params.alpha, fit.params.beta)).toBeLessThan(1e4);
    expect(fit.logLikelihood).toBeGreaterThan(free.logLikelihood - 2);
  });

  it('refuses a negative or infinite horizon', () => {
    expect(() => paretoNbdExpectedTransactions(CDNOW, customer(0, 0, 1), -1)).toThrow(RangeError);
    expect(() => paretoNbdProbabilityOfPurchase(CDNOW, customer(0, 0, 1), Infinity)).toThrow(RangeError);
  });
});
