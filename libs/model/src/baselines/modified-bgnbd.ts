import { logGamma, logSumExp } from '../math/special';
import type { RepeatPurchaseSummary } from '../types';
import {
  BGNBD_SHAPE,
  checkHorizon,
  conditionalExpectation,
  fitOnLogScale,
  groupIdentical,
  summedLogLikelihood,
  type BgNbdFitOptions,
  type BgNbdParams,
  type BtydFit,
} from './bgnbd';

const { exp, expm1, log, log1p } = Math;

/**
 * Modified BG/NBD, Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for
 * customer base analysis", International Journal of Research in Marketing 24(3). The BG/NBD story (rate λ ~
 * Gamma(r, α), dropout p ~ Beta(a, b)), except that a customer may also drop out right after their first purchase,
 * so one who never came back is not certainly alive. Same parameters as BG/NBD.
 */
export type ModifiedBgNbdFit = BtydFit<BgNbdParams>;

/**
 * One customer's log-likelihood: ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x+1) − ln B(a, b)
 * + ln[(α+T)^-(r+x) + a/(b+x) (α+t_x)^-(r+x)].
 */
export function modifiedBgNbdLogLikelihood(params: BgNbdParams, customer: RepeatPurchaseSummary): number {
  const { r, alpha, a, b } = params;
  const { repeatCount: x, lastRepeatTime: tx, age: T } = customer;
  const gammas =
    logGamma(r + x) - logGamma(r) + logGamma(a + b) + logGamma(b + x + 1) - logGamma(b) - logGamma(a + b + x + 1);
  const alive = -(r + x) * log(alpha + T);
  const dropped = log(a) - log(b + x) - (r + x) * log(alpha + tx);
  return gammas + r * log(alpha) + logSumExp(alive, dropped);
}

const summed = summedLogLikelihood(modifiedBgNbdLogLikelihood);

/** Σ over customers of `modifiedBgNbdLogLikelihood`. */
export function modifiedBgNbdTotalLogLikelihood(
  params: BgNbdParams,
  customers: readonly RepeatPurchaseSummary[],
): number {
  return summed(params, groupIdentical(customers));
}

/** Maximum-likelihood fit as BG/NBD's (`fitOnLogScale`; `logPriorSd`: the same weak prior on ln a and ln b). */
export function fitModifiedBgNbd(
  customers: readonly RepeatPurchaseSummary[],
  options: BgNbdFitOptions = {},
): ModifiedBgNbdFit {
  return fitOnLogScale('fitModifiedBgNbd', customers, BGNBD_SHAPE, summed, options);
}

/** P(alive at T) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)), below 1 also without repeat purchases. */
export function modifiedBgNbdProbabilityAlive(params: BgNbdParams, customer: RepeatPurchaseSummary): number {
  const { r, alpha, a, b } = params;
  const { repeatCount: x, lastRepeatTime: tx, age: T } = customer;
  const logOdds = log(a) - log(b + x) + (r + x) * (log(alpha + T) - log(alpha + tx));
  return 1 / (1 + exp(logOdds));
}

/**
 * E[transactions in (T, T+t] | x, t_x, T]: (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x;
 * z)] · P(alive), which is BG/NBD's eq. (10) with b + 1 in place of b (one more survived chance to drop out), taken
 * with this model's P(alive); computed by BG/NBD's `conditionalExpectation` (series or quadrature).
 */
export function modifiedBgNbdExpectedTransactions(
  params: BgNbdParams,
  customer: RepeatPurchaseSummary,
  horizon: number,
): number {
  const shifted = { ...params, b: params.b + 1 };
  const value = conditionalExpectation(shifted, customer, horizon).value;
  // For x > 0 BG/NBD's P(alive) with b + 1 equals this model's; for x = 0 BG/NBD's is 1.
  return customer.repeatCount === 0 ? value * modifiedBgNbdProbabilityAlive(params, customer) : value;
}

/** P(at least one transaction in (T, T+t]) = P(alive) · (1 − ((α+T)/(α+T+t))^(r+x)). */
export function modifiedBgNbdProbabilityOfPurchase(
  params: BgNbdParams,
  customer: RepeatPurchaseSummary,
  horizon: number,
): number {
  checkHorizon(horizon);
  const { r, alpha } = params;
  const { repeatCount: x, age: T } = customer;
  return modifiedBgNbdProbabilityAlive(params, customer) * -expm1(-(r + x) * log1p(horizon / (alpha + T)));
}
