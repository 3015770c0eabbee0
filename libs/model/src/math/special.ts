/**
 * Special functions needed by the likelihoods, in plain double precision.
 */

// Math's functions bound once: hot loops then skip a global lookup, which is slow in vm contexts (Jest's).
const { abs, ceil, exp, expm1, log, log1p, max, min, sin } = Math;

// Lanczos approximation, g = 7, 9 coefficients (the classic set; relative error of Γ about 1e-15 for x >= 0.5).
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * log(2 * Math.PI);

const INFINITY = Number.POSITIVE_INFINITY;

/** ln |Γ(x)| for real x that is not a pole (0, -1, -2, ...: +Infinity there). */
export function logGamma(x: number): number {
  if (x >= 0.5 && x < INFINITY) {
    const shifted = x - 1;
    let series = LANCZOS[0];
    for (let i = 1; i < LANCZOS.length; i++) series += LANCZOS[i] / (shifted + i);
    const t = shifted + LANCZOS_G + 0.5;
    return HALF_LOG_TWO_PI + (shifted + 0.5) * log(t) - t + log(series);
  }
  if (x !== x) return x; // NaN
  if (x === INFINITY) return x;
  if (x <= 0 && x === Math.floor(x)) return INFINITY;
  // Reflection: Γ(x) Γ(1 - x) = π / sin(π x).
  return log(Math.PI / abs(sin(Math.PI * x))) - logGamma(1 - x);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b), for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(e^u + e^v) without overflow or underflow. */
export function logSumExp(u: number, v: number): number {
  const high = max(u, v);
  if (high === -INFINITY) return high;
  return high + log1p(exp(min(u, v) - high));
}

/** (1 - e^(εL)) / ε, and its limit -L at ε = 0, accurate for small ε. */
export function oneMinusExpOverEpsilon(epsilon: number, logValue: number): number {
  if (epsilon === 0) return -logValue;
  return -expm1(epsilon * logValue) / epsilon;
}

export interface SeriesOptions {
  /** Stop once the bound on the remaining tail is below this fraction of the sum (default 1e-14). */
  relativeTolerance?: number;
  /** Give up (report `converged: false`) after this many terms (default 50,000). */
  maxTerms?: number;
}

export interface SeriesResult {
  value: number;
  terms: number;
  converged: boolean;
}

/**
 * Σ_(n>=0) t_n for a hypergeometric-type series given its first term t_0 and the term ratio
 * ρ(n) = t_(n+1) / t_n, a rational function of n with |ρ(n)| → `limitRatio` < 1.
 *
 * Convergence control: once ρ is past its last pole and monotone in n (true for large n, and asked for by
 * requiring every factor to have its sign settled: n >= `settledFrom`), the tail after term n is at most
 * |t_n| ρ* / (1 - ρ*) with ρ* = max(|ρ(n)|, limitRatio). We stop when that bound is below `relativeTolerance` ×
 * |sum|, or exactly when a term is 0 (a terminating series).
 */
export function sumSeries(
  firstTerm: number,
  ratio: (n: number) => number,
  limitRatio: number,
  settledFrom: number,
  options: SeriesOptions = {},
): SeriesResult {
  const relativeTolerance = options.relativeTolerance ?? 1e-14;
  const maxTerms = options.maxTerms ?? 50_000;
  let term = firstTerm;
  let sum = firstTerm;
  if (term === 0) return { value: 0, terms: 1, converged: true };
  for (let n = 0; n < maxTerms; n++) {
    term *= ratio(n);
    sum += term;
    if (term === 0) return { value: sum, terms: n + 2, converged: true };
    if (n + 1 < settledFrom) continue;
    const bound = max(abs(ratio(n + 1)), limitRatio);
    if (bound < 1 && (abs(term) * bound) / (1 - bound) <= relativeTolerance * abs(sum)) {
      return { value: sum, terms: n + 2, converged: true };
    }
  }
  return { value: sum, terms: maxTerms, converged: false };
}

/**
 * The Gaussian hypergeometric function 2F1(a, b; c; z) by its power series Σ (a)_n (b)_n / ((c)_n n!) z^n, for
 * 0 <= z < 1 and c not a non-positive integer, with the convergence control of `sumSeries`.
 *
 * Terms fall like n^(a+b-c-1) z^n, so near z = 1 roughly ln(tolerance) / ln(z) terms are needed (≈ 3,200 at
 * z = 0.99, ≈ 32,000 at z = 0.999, more when a + b - c - 1 > 0): past `maxTerms` the result is flagged
 * `converged: false` and the caller must use another method (the BG/NBD code switches to quadrature).
 */
export function hyp2f1Series(a: number, b: number, c: number, z: number, options: SeriesOptions = {}): SeriesResult {
  if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1Series needs 0 <= z < 1, got ${z}`);
  if (c <= 0 && Number.isInteger(c)) throw new RangeError(`hyp2f1Series: c = ${c} is a pole`);
  const settledFrom = ceil(max(0, -a, -b, -c)) + 1;
  return sumSeries(1, (n) => ((a + n) * (b + n) * z) / ((c + n) * (n + 1)), z, settledFrom, options);
}
