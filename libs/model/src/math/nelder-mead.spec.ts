import { nelderMead } from './nelder-mead';

const rosenbrock = ([x, y]: readonly number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

describe('nelderMead', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const result = nelderMead(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
  });

  it('is deterministic', () => {
    expect(nelderMead(rosenbrock, [-1.2, 1])).toEqual(nelderMead(rosenbrock, [-1.2, 1]));
  });

  it('treats a non-finite value as the worst', () => {
    const result = nelderMead(([x]) => (x < 0 ? Number.NaN : (x - 2) ** 2), [0.1], { initialStep: 5 });
    expect(result.x[0]).toBeCloseTo(2, 6);
  });

  it('stops at maxIterations and says it did not converge', () => {
    const result = nelderMead(rosenbrock, [-1.2, 1], { maxIterations: 5, maxRestarts: 0 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(5);
  });
});
