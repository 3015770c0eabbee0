/**
 * Generalised linear models with an L2 penalty, fitted by Newton's method (iteratively reweighted least squares):
 * logistic for 0/1 outcomes, Poisson (log link) for amounts ≥ 0, Gaussian for anything. The penalty is on the summed
 * log-likelihood, `λ/2·|β|²` without the intercept (λ = 1 is scikit-learn's `LogisticRegression(C=1)`). Small designs
 * (tens of columns) only: each step builds and solves the d × d system.
 */

export type Family = 'logistic' | 'poisson' | 'gaussian';

export interface Glm {
  family: Family;
  intercept: number;
  coefficients: number[];
}

export interface GlmOptions {
  l2?: number;
  /** Columns (0-based, of the design) the penalty leaves alone: a treatment flag's main effect. */
  unpenalized?: readonly number[];
  maxIterations?: number;
  /** Stop when no coefficient moves by more than this. */
  tolerance?: number;
}

/** Mean response of a model at one row of the design. */
export function predictGlm(model: Glm, row: ArrayLike<number>): number {
  let eta = model.intercept;
  for (let j = 0; j < model.coefficients.length; j++) eta += model.coefficients[j] * row[j];
  return inverseLink(model.family, eta);
}

function inverseLink(family: Family, eta: number): number {
  if (family === 'logistic') return 1 / (1 + Math.exp(-eta));
  if (family === 'poisson') return Math.exp(Math.min(eta, 50));
  return eta;
}

/**
 * Fits `family` to rows (n × d, row-major) and outcomes. Throws on a mismatch, a non-finite value, an outcome outside
 * the family's range, or when Newton's method does not converge.
 */
export function fitGlm(
  family: Family,
  design: Float64Array,
  columns: number,
  outcome: ArrayLike<number>,
  options: GlmOptions = {},
): Glm {
  const { l2: l2All = 1, unpenalized = [], maxIterations = 100, tolerance = 1e-8 } = options;
  // The penalty per coefficient (intercept first, never penalised).
  const l2 = Float64Array.from({ length: columns + 1 }, (_, j) => (j === 0 || unpenalized.includes(j - 1) ? 0 : l2All));
  const n = outcome.length;
  if (design.length !== n * columns) throw new RangeError(`design has ${design.length} values, not ${n} × ${columns}`);
  if (n === 0) throw new RangeError('no rows to fit');
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const y = outcome[i];
    if (!Number.isFinite(y)) throw new RangeError(`outcome ${i} is not a number`);
    if (family === 'logistic' && y !== 0 && y !== 1) throw new RangeError(`outcome ${i} is ${y}, not 0 or 1`);
    if (family === 'poisson' && y < 0) throw new RangeError(`outcome ${i} is negative`);
    mean += y / n;
  }
  for (let k = 0; k < design.length; k++) {
    if (!Number.isFinite(design[k])) throw new RangeError(`design value ${k} is not a number`);
  }
  const d = columns + 1; // intercept first
  const beta = new Float64Array(d);
  if (family === 'logistic') beta[0] = Math.log(Math.max(mean, 1e-9) / Math.max(1 - mean, 1e-9));
  else if (family === 'poisson') beta[0] = Math.log(Math.max(mean, 1e-9));
  else beta[0] = mean;
  const hessian = new Float64Array(d * d);
  const gradient = new Float64Array(d);
  const x = new Float64Array(d);
  x[0] = 1;
  let objective = penalisedLogLikelihood(family, design, columns, outcome, beta, l2);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    hessian.fill(0);
    gradient.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < columns; j++) x[j + 1] = design[i * columns + j];
      let eta = 0;
      for (let j = 0; j < d; j++) eta += beta[j] * x[j];
      const mu = inverseLink(family, eta);
      const weight = family === 'logistic' ? mu * (1 - mu) : family === 'poisson' ? mu : 1;
      const residual = outcome[i] - mu;
      for (let a = 0; a < d; a++) {
        const xa = x[a];
        if (xa === 0) continue;
        gradient[a] += residual * xa;
        const wa = weight * xa;
        const rowA = a * d;
        for (let b = 0; b <= a; b++) hessian[rowA + b] += wa * x[b];
      }
    }
    for (let a = 1; a < d; a++) {
      gradient[a] -= l2[a] * beta[a];
      hessian[a * d + a] += l2[a];
    }
    hessian[0] += 1e-9 * n; // keeps an all-equal outcome (separation) solvable
    const step = solveSymmetric(hessian, gradient, d);
    // Halve the step until the penalised likelihood does not fall (Newton overshoots far from the optimum).
    let scale = 1;
    let next = objective;
    const candidate = new Float64Array(d);
    for (let halvings = 0; halvings < 30; halvings++) {
      for (let j = 0; j < d; j++) candidate[j] = beta[j] + scale * step[j];
      next = penalisedLogLikelihood(family, design, columns, outcome, candidate, l2);
      if (next >= objective - 1e-12 * Math.abs(objective)) break;
      scale /= 2;
    }
    let moved = 0;
    for (let j = 0; j < d; j++) {
      moved = Math.max(moved, Math.abs(candidate[j] - beta[j]));
      beta[j] = candidate[j];
    }
    objective = next;
    if (moved < tolerance * (1 + maxAbs(beta))) {
      return { family, intercept: beta[0], coefficients: Array.from(beta.subarray(1)) };
    }
  }
  throw new Error(`the ${family} model did not converge in ${maxIterations} Newton steps`);
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (const value of values) max = Math.max(max, Math.abs(value));
  return max;
}

function penalisedLogLikelihood(
  family: Family,
  design: Float64Array,
  columns: number,
  outcome: ArrayLike<number>,
  beta: Float64Array,
  l2: Float64Array,
): number {
  let sum = 0;
  for (let i = 0; i < outcome.length; i++) {
    let eta = beta[0];
    for (let j = 0; j < columns; j++) eta += beta[j + 1] * design[i * columns + j];
    const y = outcome[i];
    if (family === 'logistic') sum += y * eta - softplus(eta);
    else if (family === 'poisson') sum += y * eta - Math.exp(Math.min(eta, 50));
    else sum -= ((y - eta) * (y - eta)) / 2;
  }
  for (let j = 1; j < beta.length; j++) sum -= (l2[j] * beta[j] * beta[j]) / 2;
  return sum;
}

function softplus(eta: number): number {
  return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
}

/** Solves A·s = g for a symmetric positive-definite A given by its lower triangle (row-major), by Cholesky. */
export function solveSymmetric(lower: Float64Array, rhs: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = lower[i * d + j];
      for (let k = 0; k < j; k++) sum -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(sum > 0)) throw new Error(`the system is not positive definite at column ${i}`);
        l[i * d + i] = Math.sqrt(sum);
      } else l[i * d + j] = sum / l[j * d + j];
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = rhs[i];
    for (let k = 0; k < i; k++) sum -= l[i * d + k] * z[k];
    z[i] = sum / l[i * d + i];
  }
  const s = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = z[i];
    for (let k = i + 1; k < d; k++) sum -= l[k * d + i] * s[k];
    s[i] = sum / l[i * d + i];
  }
  return s;
}
