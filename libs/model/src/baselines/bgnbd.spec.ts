import { sampleBeta, sampleExponential, sampleGamma, seededRandom } from '../math/random';
import { hyp2f1Series } from '../math/special';
import type { RepeatPurchaseSummary } from '../types';
import {
  bgnbdLogLikelihood,
  bgnbdTotalLogLikelihood,
  conditionalExpectation,
  expectedTransactions,
  fitBgNbd,
  probabilityAlive,
  probabilityOfPurchase,
  type BgNbdParams,
} from './bgnbd';

const CDNOW: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const SIMPLE: BgNbdParams = { r: 1, alpha: 1, a: 1, b: 2 };
const customer = (repeatCount: number, lastRepeatTime: number, age: number): RepeatPurchaseSummary => ({
  repeatCount,
  lastRepeatTime,
  age,
});

/** Eq. (10) of the paper as printed, with 2F1 summed directly: a check on the transformed form we compute. */
function paperEquation10(
  params: BgNbdParams,
  { repeatCount: x, lastRepeatTime: tx, age: T }: RepeatPurchaseSummary,
  t: number,
) {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  const hypergeometric = hyp2f1Series(r + x, b + x, a + b + x - 1, z, { maxTerms: 1_000_000 });
  expect(hypergeometric.converged).toBe(true);
  const numerator =
    ((a + b + x - 1) / (a - 1)) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hypergeometric.value);
  const denominator = 1 + (x > 0 ? (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x) : 0);
  return numerator / denominator;
}

/**
 * Customers simulated from the BG/NBD story itself, observed for `age` weeks after their first purchase, with
 * purchase times rounded to whole days as real data are (which also lets the fit group identical customers).
 */
function simulate(params: BgNbdParams, customers: number, age: number, seed: number): RepeatPurchaseSummary[] {
  const random = seededRandom(seed);
  return Array.from({ length: customers }, () => {
    const rate = sampleGamma(random, params.r, params.alpha);
    const dropout = sampleBeta(random, params.a, params.b);
    let time = 0;
    let repeats = 0;
    let last = 0;
    for (;;) {
      time += sampleExponential(random, rate);
      if (time > age) break;
      repeats++;
      last = Math.min(Math.round(time * 7) / 7, age);
      if (random() < dropout) break;
    }
    return customer(repeats, last, age);
  });
}

describe('BG/NBD log-likelihood', () => {
  it('is eq. (6) of the paper (hand-computed with r = α = a = 1, b = 2)', () => {
    // x = 2: A1 = Γ(3) = 2, A2 = Γ(3)Γ(4)/(Γ(2)Γ(5)) = 1/2, A3 = 6^-3, A4 = (1/3) 4^-3
    expect(bgnbdLogLikelihood(SIMPLE, customer(2, 3, 5))).toBeCloseTo(Math.log(1 / 216 + 1 / 192), 13);
    // x = 0: A1 = A2 = 1, A3 = 1/6, no A4
    expect(bgnbdLogLikelihood(SIMPLE, customer(0, 0, 5))).toBeCloseTo(Math.log(1 / 6), 13);
  });

  it('stays finite for large x', () => {
    const value = bgnbdLogLikelihood(CDNOW, customer(500, 38, 39));
    expect(Number.isFinite(value)).toBe(true);
  });

  it('sums over customers', () => {
    const customers = [customer(2, 3, 5), customer(0, 0, 5), customer(2, 3, 5)];
    expect(bgnbdTotalLogLikelihood(SIMPLE, customers)).toBeCloseTo(
      2 * Math.log(1 / 216 + 1 / 192) + Math.log(1 / 6),
      12,
    );
  });
});

describe('P(alive) and P(purchase)', () => {
  it('is eq. (13) of the paper', () => {
    // odds of death = a/(b+x-1) ((α+T)/(α+t_x))^(r+x) = (1/3)(6/4)^3 = 1.125
    expect(probabilityAlive(SIMPLE, customer(2, 3, 5))).toBeCloseTo(1 / 2.125, 14);
    expect(probabilityAlive(CDNOW, customer(0, 0, 30))).toBe(1);
    expect(probabilityAlive(CDNOW, customer(400, 1, 39))).toBeGreaterThanOrEqual(0);
  });

  it('puts P(purchase) between 0 and P(alive), rising with the horizon', () => {
    const someone = customer(3, 20, 39);
    const pAlive = probabilityAlive(CDNOW, someone);
    const short = probabilityOfPurchase(CDNOW, someone, 4);
    const long = probabilityOfPurchase(CDNOW, someone, 52);
    expect(probabilityOfPurchase(CDNOW, someone, 0)).toBe(0);
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(short);
    expect(long).toBeLessThan(pAlive);
    // hand: P(alive) (1 - ((α+T)/(α+T+t))^(r+x)), r = α = 1, x = 2, T = 5, t = 6
    expect(probabilityOfPurchase(SIMPLE, customer(2, 3, 5), 6)).toBeCloseTo((1 / 2.125) * (1 - (6 / 12) ** 3), 14);
  });
});

describe('conditional expected transactions', () => {
  const cases: [BgNbdParams, RepeatPurchaseSummary, number][] = [];
  for (const params of [CDNOW, { r: 2, alpha: 10, a: 3, b: 5 }, { r: 0.5, alpha: 1, a: 0.2, b: 0.4 }]) {
    for (const someone of [customer(0, 0, 39), customer(1, 2, 39), customer(7, 30, 35), customer(60, 38, 39)]) {
      for (const horizon of [0.5, 39, 300]) cases.push([params, someone, horizon]);
    }
  }

  it('matches eq. (10) as printed (direct 2F1 series)', () => {
    for (const [params, someone, horizon] of cases) {
      const expected = paperEquation10(params, someone, horizon);
      const actual = expectedTransactions(params, someone, horizon);
      expect(Math.abs(actual - expected)).toBeLessThan(1e-9 * Math.max(1, expected));
    }
  });

  it('agrees with the posterior integral computed by quadrature', () => {
    for (const [params, someone, horizon] of cases) {
      const series = conditionalExpectation(params, someone, horizon);
      const quadrature = conditionalExpectation(params, someone, horizon, { method: 'quadrature' });
      expect(series.method).toBe(params.a + params.b + someone.repeatCount - 1 > 0 ? 'series' : 'quadrature');
      expect(quadrature.method).toBe('quadrature');
      expect(Math.abs(series.value - quadrature.value)).toBeLessThan(1e-10 * Math.max(1, quadrature.value));
    }
  });

  it('is continuous through a = 1, where eq. (10) reads 0/0', () => {
    const someone = customer(3, 20, 39);
    const at = (a: number) => expectedTransactions({ ...CDNOW, a }, someone, 39);
    expect(Number.isFinite(at(1))).toBe(true);
    expect(at(1)).toBeCloseTo((at(1 - 1e-6) + at(1 + 1e-6)) / 2, 9);
    expect(at(1)).toBeCloseTo(
      conditionalExpectation({ ...CDNOW, a: 1 }, someone, 39, { method: 'quadrature' }).value,
      10,
    );
  });

  it('switches to quadrature where the series is slow (horizon ≫ α + T) and agrees with a long series there', () => {
    const params = { r: 0.243, alpha: 0.05, a: 0.793, b: 2.426 };
    const newcomer = customer(0, 0, 0);
    const slow = conditionalExpectation(params, newcomer, 5000); // z = 0.99999
    expect(slow.method).toBe('quadrature');
    const longSeries = conditionalExpectation(params, newcomer, 5000, { maxSeriesTerms: 20_000_000 });
    expect(longSeries.method).toBe('series');
    expect(longSeries.work).toBeGreaterThan(50_000);
    expect(slow.value).toBeCloseTo(longSeries.value, 8);
  });

  it('starts at 0, grows like P(alive) (r + x)/(α + T) t, and never decreases', () => {
    const someone = customer(4, 30, 39);
    const t = 1e-6;
    const initialRate = (probabilityAlive(CDNOW, someone) * (CDNOW.r + 4)) / (CDNOW.alpha + 39);
    expect(expectedTransactions(CDNOW, someone, 0)).toBe(0);
    expect(expectedTransactions(CDNOW, someone, t) / t).toBeCloseTo(initialRate, 5);
    let previous = 0;
    for (const horizon of [1, 5, 20, 50, 100, 500]) {
      const value = expectedTransactions(CDNOW, someone, horizon);
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
  });

  it('rejects a negative horizon', () => {
    expect(() => expectedTransactions(CDNOW, customer(0, 0, 1), -1)).toThrow(RangeError);
  });
});

describe('fitBgNbd', () => {
  it('recovers the parameters of simulated customers', () => {
    const truth: BgNbdParams = { r: 0.8, alpha: 6, a: 0.6, b: 2.5 };
    const customers = simulate(truth, 20_000, 52, 7);
    const fit = fitBgNbd(customers);
    expect(fit.converged).toBe(true);
    expect(fit.params.r).toBeCloseTo(truth.r, 1);
    expect(fit.params.alpha / truth.alpha).toBeCloseTo(1, 1);
    expect(fit.params.a).toBeCloseTo(truth.a, 1);
    expect(fit.params.b / truth.b).toBeCloseTo(1, 0);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdTotalLogLikelihood(truth, customers));
  });

  it('keeps the fit finite and quick with logPriorSd where a short history shows no heterogeneity nor dropout', () => {
    // Regular buyers, all alive at the end: the likelihood climbs towards r, α, b → ∞ and a → 0.
    const customers = Array.from({ length: 80 }, (_, i) => customer(2 + (i % 3), 19 + (i % 5) / 10, 20));
    const free = fitBgNbd(customers);
    expect(free.params.r).toBeGreaterThan(1e6);
    const fit = fitBgNbd(customers, { logPriorSd: 3 });
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(1_000);
    expect(Math.max(fit.params.r, fit.params.alpha, fit.params.b)).toBeLessThan(1e4);
    expect(fit.logLikelihood).toBeGreaterThan(free.logLikelihood - 2);
  });

  it('rejects impossible summaries', () => {
    expect(() => fitBgNbd([])).toThrow(RangeError);
    expect(() => fitBgNbd([customer(1.5, 1, 2)])).toThrow(/repeatCount/);
    expect(() => fitBgNbd([customer(1, 3, 2)])).toThrow(/lastRepeatTime/);
    expect(() => fitBgNbd([customer(0, 1, 2)])).toThrow(/should be 0/);
  });
});
