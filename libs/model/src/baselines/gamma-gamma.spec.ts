import { integrateUnitInterval } from '../math/quadrature';
import { sampleGamma, seededRandom } from '../math/random';
import {
  expectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  hasRepeatSpend,
  populationMeanValue,
  type GammaGammaParams,
  type RepeatSpend,
} from './gamma-gamma';

const PUBLISHED: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };

function simulate(params: GammaGammaParams, customers: number, seed: number): RepeatSpend[] {
  const random = seededRandom(seed);
  return Array.from({ length: customers }, (_, i) => {
    const rate = sampleGamma(random, params.q, params.gamma);
    const repeatCount = 1 + (i % 8);
    let total = 0;
    for (let k = 0; k < repeatCount; k++) total += sampleGamma(random, params.p, rate);
    return { repeatCount, meanRepeatValue: total / repeatCount };
  });
}

describe('Gamma-Gamma likelihood', () => {
  it('is the density of the mean value (hand-computed with p = 1, q = 2, γ = 10, x = 1, m = 5)', () => {
    // Γ(3)/(Γ(1)Γ(2)) · 10^2 · 5^0 · 1^1 / 15^3
    const params = { p: 1, q: 2, gamma: 10 };
    expect(gammaGammaLogLikelihood(params, { repeatCount: 1, meanRepeatValue: 5 })).toBeCloseTo(
      Math.log(200 / 3375),
      13,
    );
  });

  it('integrates to 1 over the mean value', () => {
    for (const repeatCount of [1, 3, 20]) {
      const logDensity = (m: number) => gammaGammaLogLikelihood(PUBLISHED, { repeatCount, meanRepeatValue: m });
      // m = u / (1 - u) maps (0, 1) onto (0, ∞), dm = du / (1 - u)^2 (in logs: far out, both factors underflow)
      const total = integrateUnitInterval((u, rest) => Math.exp(logDensity(u / rest) - 2 * Math.log(rest)));
      expect(total.value).toBeCloseTo(1, 9);
    }
  });
});

describe('expected average value', () => {
  it('is the population mean without repeat purchases', () => {
    expect(populationMeanValue(PUBLISHED)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
    expect(expectedAverageValue(PUBLISHED, { repeatCount: 0, meanRepeatValue: 0 })).toBe(
      populationMeanValue(PUBLISHED),
    );
  });

  it('weighs the population mean against the customer mean by x', () => {
    // p (γ + x m) / (p x + q - 1) = 6.25 (15.44 + 44.7) / (12.5 + 2.74)
    const value = expectedAverageValue(PUBLISHED, { repeatCount: 2, meanRepeatValue: 22.35 });
    expect(value).toBeCloseTo((6.25 * 60.14) / 15.24, 12);
    const loyal = expectedAverageValue(PUBLISHED, { repeatCount: 200, meanRepeatValue: 22.35 });
    expect(Math.abs(loyal - 22.35)).toBeLessThan(Math.abs(value - 22.35));
  });

  it('is NaN where the model has no finite mean', () => {
    expect(populationMeanValue({ p: 1, q: 0.8, gamma: 10 })).toBeNaN();
  });
});

describe('fitGammaGamma', () => {
  it('recovers the parameters of simulated customers', () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const customers = simulate(truth, 10_000, 11);
    const fit = fitGammaGamma(customers);
    expect(fit.converged).toBe(true);
    expect(fit.params.p / truth.p).toBeCloseTo(1, 1);
    expect(fit.params.q / truth.q).toBeCloseTo(1, 1);
    expect(fit.params.gamma / truth.gamma).toBeCloseTo(1, 1);
  });

  it('skips customers without repeat spend', () => {
    const customers = [
      ...simulate(PUBLISHED, 200, 3),
      { repeatCount: 0, meanRepeatValue: 0 },
      { repeatCount: 2, meanRepeatValue: 0 },
    ];
    const fit = fitGammaGamma(customers);
    expect(fit.customers).toBe(200);
    expect(fit.skipped).toBe(2);
    expect(hasRepeatSpend({ repeatCount: 1, meanRepeatValue: 3 })).toBe(true);
    expect(() => fitGammaGamma([{ repeatCount: 0, meanRepeatValue: 0 }])).toThrow(RangeError);
  });
});
