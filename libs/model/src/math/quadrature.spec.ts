import { integrateUnitInterval } from './quadrature';
import { logBeta } from './special';

describe('integrateUnitInterval (tanh-sinh)', () => {
  it('integrates smooth functions', () => {
    const result = integrateUnitInterval((p) => Math.exp(p));
    expect(result.converged).toBe(true);
    expect(result.value).toBeCloseTo(Math.E - 1, 13);
  });

  it('integrates algebraic end-point singularities, using 1 - p as given', () => {
    expect(integrateUnitInterval((p) => p ** -0.5).value).toBeCloseTo(2, 11);
    expect(integrateUnitInterval((_, q) => q ** -0.9).value).toBeCloseTo(10, 8);
    const [a, b] = [0.3, 0.6];
    const beta = integrateUnitInterval((p, q) => p ** (a - 1) * q ** (b - 1));
    expect(beta.value).toBeCloseTo(Math.exp(logBeta(a, b)), 9);
  });

  it('resolves a sharp rise next to an end', () => {
    // ∫ k / (1 + k p) dp = ln(1 + k)
    const k = 1e6;
    expect(integrateUnitInterval((p) => k / (1 + k * p)).value).toBeCloseTo(Math.log1p(k), 9);
  });
});
