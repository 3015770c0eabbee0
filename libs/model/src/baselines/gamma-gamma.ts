import { nelderMead, type NelderMeadOptions } from '../math/nelder-mead';
import { logGamma } from '../math/special';

// Math's functions bound once: hot loops then skip a global lookup, which is slow in vm contexts (Jest's).
const { exp, log } = Math;

/**
 * The Gamma-Gamma model of spend per transaction, in the (p, q, γ) parameterization of Fader, Hardie & Lee (2005),
 * "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research 42(4), and
 * Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".
 *
 * A customer's transaction values are Gamma(shape p, rate ν); ν varies across customers as Gamma(shape q, rate γ).
 * The mean transaction value of a customer is p/ν, and of the population pγ/(q-1) (finite for q > 1). γ is in
 * money, p and q have no unit. Assumes spend per transaction is independent of the purchase process.
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** One customer's input: x >= 1 repeat transactions and their mean value m_x > 0. */
export interface RepeatSpend {
  repeatCount: number;
  meanRepeatValue: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  /** Customers the fit used: those with x >= 1 and m_x > 0. */
  customers: number;
  /** Customers left out: no repeat transaction, or a mean value <= 0 (the model has no mass at 0). */
  skipped: number;
  iterations: number;
  evaluations: number;
  restarts: number;
  converged: boolean;
}

export interface GammaGammaFitOptions {
  /** Starting point (default p = 1, q = 2, γ = mean m_x, whose population mean is the sample's). */
  initial?: GammaGammaParams;
  nelderMead?: NelderMeadOptions;
}

/**
 * ln f(m_x | p, q, γ; x): the mean of x Gamma(p, ν) values is Gamma(px, νx), mixed over ν ~ Gamma(q, γ):
 * f = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m_x^(px-1) x^(px) / (γ + x m_x)^(px+q).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customer: RepeatSpend): number {
  const { p, q, gamma } = params;
  const { repeatCount: x, meanRepeatValue: m } = customer;
  const px = p * x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * log(gamma) +
    (px - 1) * log(m) +
    px * log(x) -
    (px + q) * log(gamma + x * m)
  );
}

/** Whether a customer informs the Gamma-Gamma fit: at least one repeat transaction with a positive mean value. */
export function hasRepeatSpend(customer: RepeatSpend): boolean {
  return customer.repeatCount >= 1 && customer.meanRepeatValue > 0 && Number.isFinite(customer.meanRepeatValue);
}

/**
 * Maximum-likelihood fit over (ln p, ln q, ln γ) with the deterministic Nelder-Mead (defaults as for BG/NBD), on
 * the customers that pass `hasRepeatSpend`; the others are counted in `skipped`.
 */
export function fitGammaGamma(customers: readonly RepeatSpend[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  const used = customers.filter(hasRepeatSpend);
  if (used.length === 0) throw new RangeError('fitGammaGamma needs a customer with x >= 1 and a positive mean value');
  const meanValue = used.reduce((sum, customer) => sum + customer.meanRepeatValue, 0) / used.length;
  const initial = options.initial ?? { p: 1, q: 2, gamma: meanValue };
  const toParams = ([logP, logQ, logGammaRate]: readonly number[]): GammaGammaParams => ({
    p: exp(logP),
    q: exp(logQ),
    gamma: exp(logGammaRate),
  });
  const negativeLogLikelihood = (logParams: readonly number[]): number => {
    const params = toParams(logParams);
    let total = 0;
    for (const customer of used) total += gammaGammaLogLikelihood(params, customer);
    return -total;
  };
  const start = [log(initial.p), log(initial.q), log(initial.gamma)];
  const result = nelderMead(negativeLogLikelihood, start, options.nelderMead);
  return {
    params: toParams(result.x),
    logLikelihood: -result.value,
    customers: used.length,
    skipped: customers.length - used.length,
    iterations: result.iterations,
    evaluations: result.evaluations,
    restarts: result.restarts,
    converged: result.converged,
  };
}

/** The population mean transaction value pγ / (q - 1); NaN when q <= 1 (the mean is infinite). */
export function populationMeanValue(params: GammaGammaParams): number {
  const { p, q, gamma } = params;
  return q > 1 ? (p * gamma) / (q - 1) : Number.NaN;
}

/**
 * E[mean transaction value | x, m_x] = p (γ + x m_x) / (p x + q - 1)
 *   = (q-1)/(px+q-1) · pγ/(q-1) + px/(px+q-1) · m_x,
 * a weighted average of the population mean and the customer's own mean, moving towards the latter as x grows.
 * With x = 0 (or no usable mean value) it is the population mean. NaN where undefined (px + q <= 1).
 */
export function expectedAverageValue(params: GammaGammaParams, customer: RepeatSpend): number {
  if (!hasRepeatSpend(customer)) return populationMeanValue(params);
  const { p, q, gamma } = params;
  const { repeatCount: x, meanRepeatValue: m } = customer;
  const denominator = p * x + q - 1;
  return denominator > 0 ? (p * (gamma + x * m)) / denominator : Number.NaN;
}
