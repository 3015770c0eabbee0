import { hyp2f1Series, logBeta, logGamma, logSumExp, oneMinusExpOverEpsilon, sumSeries } from './special';

describe('logGamma', () => {
  it.each([
    [1, 0],
    [2, 0],
    [0.5, 0.5 * Math.log(Math.PI)],
    [10, Math.log(362_880)],
    [0.1, 2.252712651734206],
    [-0.5, Math.log(2 * Math.sqrt(Math.PI))],
    [171, Math.log(7.257415615307994e306)],
  ])('ln Γ(%p) = %p', (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 12);
  });

  it('satisfies the recurrence Γ(x + 1) = x Γ(x) to rounding', () => {
    for (const x of [0.243, 0.793, 2.426, 7.5, 123.4, 1e5]) {
      const error = Math.abs(logGamma(x + 1) - logGamma(x) - Math.log(x));
      expect(error).toBeLessThan(1e-13 + 1e-15 * Math.abs(logGamma(x)));
    }
  });

  it('is +Infinity at the poles and NaN at NaN', () => {
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
    expect(logGamma(Number.NaN)).toBeNaN();
  });

  it('gives ln B(a, b)', () => {
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
  });
});

describe('logSumExp', () => {
  it('neither overflows nor underflows', () => {
    expect(logSumExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp(-1000, -1001)).toBeCloseTo(-1000 + Math.log1p(Math.exp(-1)), 12);
    expect(logSumExp(-Infinity, 3)).toBe(3);
    expect(logSumExp(-Infinity, -Infinity)).toBe(-Infinity);
  });
});

describe('oneMinusExpOverEpsilon', () => {
  it('is (1 - e^(εL)) / ε, continuous at ε = 0', () => {
    expect(oneMinusExpOverEpsilon(0.5, -2)).toBeCloseTo((1 - Math.exp(-1)) / 0.5, 14);
    expect(oneMinusExpOverEpsilon(0, -2)).toBe(2);
    expect(oneMinusExpOverEpsilon(1e-12, -2)).toBeCloseTo(2, 10);
  });
});

describe('hyp2f1Series', () => {
  it('matches closed forms', () => {
    // 2F1(1, 1; 2; z) = -ln(1 - z) / z
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      const result = hyp2f1Series(1, 1, 2, z);
      expect(result.converged).toBe(true);
      expect(result.value).toBeCloseTo(-Math.log1p(-z) / z, 11);
    }
    // 2F1(a, b; b; z) = (1 - z)^-a
    expect(hyp2f1Series(2.5, 1.3, 1.3, 0.7).value).toBeCloseTo(0.3 ** -2.5, 10);
    // a terminating series: 2F1(-2, 1; 1; z) = (1 - z)^2
    const terminating = hyp2f1Series(-2, 1, 1, 0.4);
    expect(terminating.value).toBeCloseTo(0.36, 15);
    expect(terminating.terms).toBeLessThanOrEqual(4);
  });

  it('flags a series that needs more terms than allowed (z near 1)', () => {
    const slow = hyp2f1Series(1, 1, 2, 0.99999, { maxTerms: 1000 });
    expect(slow.converged).toBe(false);
    const enough = hyp2f1Series(1, 1, 2, 0.999, { maxTerms: 100_000 });
    expect(enough.converged).toBe(true);
    expect(enough.terms).toBeGreaterThan(10_000);
    expect(enough.value).toBeCloseTo(-Math.log1p(-0.999) / 0.999, 10);
  });

  it('rejects z outside [0, 1) and a pole in c', () => {
    expect(() => hyp2f1Series(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => hyp2f1Series(1, 1, -1, 0.5)).toThrow(RangeError);
  });

  it('sums a geometric series through sumSeries', () => {
    const result = sumSeries(1, () => 0.5, 0.5, 0);
    expect(result.value).toBeCloseTo(2, 13);
  });
});
