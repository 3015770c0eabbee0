import { FEATURE_NAMES } from '@cvp/features';
import {
  conditionalExpectation,
  fitBgNbd,
  probabilityAlive,
  probabilityOfPurchase,
  type BgNbdParams,
} from '../baselines/bgnbd';
import {
  fitModifiedBgNbd,
  modifiedBgNbdExpectedTransactions,
  modifiedBgNbdProbabilityOfPurchase,
} from '../baselines/modified-bgnbd';
import {
  fitParetoNbd,
  paretoNbdExpectedTransactions,
  paretoNbdProbabilityOfPurchase,
  type ParetoNbdParams,
} from '../baselines/pareto-nbd';
import {
  expectedAverageValue,
  fitGammaGamma,
  populationMeanValue,
  type GammaGammaParams,
} from '../baselines/gamma-gamma';
import type { SpendSummary } from '../types';

/**
 * Hybrid inputs: what the buy-till-you-die models say of a customer, given to the deep model beside the behavioural
 * features. BG/NBD and Gamma-Gamma are fitted on the population as of one instant (each training cutoff; the end of
 * the window for the served model), then read per customer from the feature vector itself (frequency, tenure,
 * recency, mean order value), so the scorer computes them from the same vector as the network's other inputs.
 */
export const BTYD_INPUT_NAMES = [
  'btydProbabilityAlive',
  'btydExpectedOrders',
  'btydProbabilityOfPurchase',
  'btydOrderValue',
  'btydExpectedSpend',
] as const;

/** Population parameters of the hybrid inputs (weeks are the time unit of BG/NBD's α). */
export interface BtydInputsFit {
  bgnbd: BgNbdParams;
  /** Null when no customer had a repeat purchase with a positive mean value. */
  gammaGamma: GammaGammaParams | null;
  /** The order value of a customer Gamma-Gamma cannot value (no finite population mean): the mean order value. */
  fallbackOrderValue: number;
  customers: number;
  /**
   * The other purchase-process models, fitted on the same population where a candidate may use them (the selection
   * window and the served model's fit; not the per-cutoff fits of the hybrid inputs). Absent or null: not fitted.
   */
  paretoNbd?: ParetoNbdParams | null;
  modifiedBgNbd?: BgNbdParams | null;
}

/** The purchase-process models a spend peer can count orders with (Gamma-Gamma values them). */
export type PurchaseProcess = 'bgnbd' | 'pareto-nbd' | 'modified-bgnbd';

const at = (name: (typeof FEATURE_NAMES)[number]) => FEATURE_NAMES.indexOf(name);
const FREQUENCY = at('frequency');
const TENURE_DAYS = at('tenureDays');
const RECENCY_DAYS = at('recencyDays');
const MONETARY_MEAN = at('monetaryMean');
const WEEK_DAYS = 7;

/**
 * BG/NBD's summary of a customer read from a feature row (FEATURE_NAMES order), in weeks; null before their first
 * purchase. Orders stand for purchase days (the fold counts orders), the first order is not a repeat.
 */
export function btydSummaryOfRow(row: readonly number[]): SpendSummary | null {
  const orders = row[FREQUENCY];
  if (!(orders >= 1)) return null;
  const age = Math.max(0, row[TENURE_DAYS]) / WEEK_DAYS;
  const spanDays = Math.max(0, row[TENURE_DAYS] - row[RECENCY_DAYS]);
  // At most one repeat per day between the first and the last purchase: the models count purchase days (orders of a
  // day merged, as `summarize` does), and orders the same day as the first would read as an infinite rate.
  const repeatCount = Math.max(0, Math.min(Math.round(orders) - 1, Math.floor(spanDays)));
  const lastRepeatTime = repeatCount === 0 ? 0 : Math.min(age, spanDays / WEEK_DAYS);
  return { repeatCount, lastRepeatTime, age, meanRepeatValue: repeatCount > 0 ? Math.max(0, row[MONETARY_MEAN]) : 0 };
}

/**
 * Weak normal prior on the logs of the BTYD parameters that have a degenerate edge (BG/NBD's r, a, b; Pareto/NBD's r, s,
 * β): keeps the fits finite, and quick, where data say little.
 */
export const BGNBD_LOG_PRIOR_SD = 3;

/**
 * Fits the hybrid inputs' population parameters on the feature rows of one instant (null: nobody has bought yet);
 * with `alternatives`, Pareto/NBD and modified BG/NBD too (each null when its fit fails), or only those listed (a
 * served model needs only the processes its blends read: each fit is minutes on 100,000 customers).
 */
export function fitBtydInputs(
  rows: readonly (readonly number[])[],
  options: { alternatives?: boolean | readonly PurchaseProcess[] } = {},
): BtydInputsFit | null {
  const summaries = rows.map(btydSummaryOfRow).filter((summary): summary is SpendSummary => summary !== null);
  if (summaries.length === 0) return null;
  const bgnbd = fitBgNbd(summaries, { logPriorSd: BGNBD_LOG_PRIOR_SD }).params;
  let gammaGamma: GammaGammaParams | null = null;
  if (summaries.some((summary) => summary.repeatCount > 0 && summary.meanRepeatValue > 0)) {
    gammaGamma = fitGammaGamma(summaries).params;
  }
  const buyers = rows.filter((row) => row[FREQUENCY] >= 1);
  const fallbackOrderValue = buyers.reduce((sum, row) => sum + Math.max(0, row[MONETARY_MEAN]), 0) / buyers.length;
  const fit: BtydInputsFit = { bgnbd, gammaGamma, fallbackOrderValue, customers: summaries.length };
  const alternatives = options.alternatives;
  const wanted = (process: PurchaseProcess) =>
    alternatives === true || (Array.isArray(alternatives) && alternatives.includes(process));
  if (wanted('pareto-nbd')) {
    fit.paretoNbd = orNull(() => fitParetoNbd(summaries, { logPriorSd: BGNBD_LOG_PRIOR_SD }).params);
  }
  if (wanted('modified-bgnbd')) {
    fit.modifiedBgNbd = orNull(() => fitModifiedBgNbd(summaries, { logPriorSd: BGNBD_LOG_PRIOR_SD }).params);
  }
  return fit;
}

function orNull<T>(fit: () => T): T | null {
  try {
    return fit();
  } catch {
    return null;
  }
}

/** Gamma-Gamma's expected order value of a customer, or the fallbacks where it has none. */
function orderValue(fit: BtydInputsFit, summary: SpendSummary): number {
  let value = fit.gammaGamma ? expectedAverageValue(fit.gammaGamma, summary) : Number.NaN;
  if (!Number.isFinite(value) || value < 0) {
    const population = fit.gammaGamma ? populationMeanValue(fit.gammaGamma) : Number.NaN;
    value = summary.repeatCount > 0 ? summary.meanRepeatValue : population;
    if (!Number.isFinite(value) || value < 0) value = fit.fallbackOrderValue;
  }
  return value;
}

/**
 * Expected spend over `days` by a purchase-process model × Gamma-Gamma, read from a feature row (0 before a first
 * purchase, or when that model was not fitted).
 */
export function processSpend(
  fit: BtydInputsFit | null,
  row: readonly number[],
  days: number,
  process: PurchaseProcess,
): number {
  const summary = fit ? btydSummaryOfRow(row) : null;
  if (!fit || !summary) return 0;
  const weeks = days / WEEK_DAYS;
  let orders: number;
  if (process === 'bgnbd') orders = conditionalExpectation(fit.bgnbd, summary, weeks).value;
  else if (process === 'pareto-nbd') {
    orders = fit.paretoNbd ? paretoNbdExpectedTransactions(fit.paretoNbd, summary, weeks) : 0;
  } else orders = fit.modifiedBgNbd ? modifiedBgNbdExpectedTransactions(fit.modifiedBgNbd, summary, weeks) : 0;
  const spend = orders * orderValue(fit, summary);
  return Number.isFinite(spend) && spend > 0 ? spend : 0;
}

/**
 * P(at least one purchase within `days`) by a purchase-process model, read from a feature row (null before a first
 * purchase, or when that model was not fitted).
 */
export function processProbabilityOfPurchase(
  fit: BtydInputsFit | null,
  row: readonly number[],
  days: number,
  process: PurchaseProcess,
): number | null {
  const summary = fit ? btydSummaryOfRow(row) : null;
  if (!fit || !summary) return null;
  const weeks = days / WEEK_DAYS;
  let p: number | null;
  if (process === 'bgnbd') p = probabilityOfPurchase(fit.bgnbd, summary, weeks);
  else if (process === 'pareto-nbd') {
    p = fit.paretoNbd ? paretoNbdProbabilityOfPurchase(fit.paretoNbd, summary, weeks) : null;
  } else p = fit.modifiedBgNbd ? modifiedBgNbdProbabilityOfPurchase(fit.modifiedBgNbd, summary, weeks) : null;
  return p !== null && Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : null;
}

/** The hybrid inputs of one feature row for a window of `days` (BTYD_INPUT_NAMES order; zeros before a purchase). */
export function btydInputs(fit: BtydInputsFit | null, row: readonly number[], days: number): number[] {
  const summary = fit ? btydSummaryOfRow(row) : null;
  if (!fit || !summary) return [0, 0, 0, 0, 0];
  const weeks = days / WEEK_DAYS;
  const orders = conditionalExpectation(fit.bgnbd, summary, weeks).value;
  const value = orderValue(fit, summary);
  const finite = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);
  return [
    finite(probabilityAlive(fit.bgnbd, summary)),
    finite(orders),
    finite(probabilityOfPurchase(fit.bgnbd, summary, weeks)),
    finite(value),
    finite(orders * value),
  ];
}

/**
 * How a prediction for `fromDays` stretches to `toDays` for this customer: BG/NBD's ratio of expected orders (a
 * customer likely gone adds little in the longer window, an active one nearly in proportion) and of the chances
 * of buying at all. Before a purchase (or without a fit), a Poisson customer at constant rate: ×(to/from) and
 * 1 − (1 − p)^(to/from).
 */
export function horizonStretch(
  fit: BtydInputsFit | null,
  row: readonly number[],
  fromDays: number,
  toDays: number,
): { spend: number; probability: (p: number) => number } {
  if (fromDays === toDays) return { spend: 1, probability: (p) => p };
  const proportional = toDays / fromDays;
  const summary = fit ? btydSummaryOfRow(row) : null;
  if (!fit || !summary) return { spend: proportional, probability: (p) => 1 - (1 - p) ** proportional };
  const from = conditionalExpectation(fit.bgnbd, summary, fromDays / WEEK_DAYS).value;
  const to = conditionalExpectation(fit.bgnbd, summary, toDays / WEEK_DAYS).value;
  const spend = from > 1e-12 && Number.isFinite(to / from) ? to / from : proportional;
  const noneFrom = 1 - probabilityOfPurchase(fit.bgnbd, summary, fromDays / WEEK_DAYS);
  const noneTo = 1 - probabilityOfPurchase(fit.bgnbd, summary, toDays / WEEK_DAYS);
  const keep = noneFrom > 1e-12 ? Math.min(1, Math.max(0, noneTo / noneFrom)) : 0;
  return { spend, probability: (p) => 1 - (1 - p) * keep };
}

/**
 * The share of a customer's expected orders over `horizonDays` that falls in each of `slices` consecutive windows
 * (BG/NBD, cumulative expectations differenced; shares add up to 1). Before a purchase or without a fit: even shares
 * by window length (a constant rate).
 */
export function orderShares(
  fit: BtydInputsFit | null,
  row: readonly number[],
  slices: readonly { fromDays: number; toDays: number }[],
): number[] {
  const horizonDays = slices.length > 0 ? slices[slices.length - 1].toDays : 0;
  const even = () => slices.map((slice) => (slice.toDays - slice.fromDays) / horizonDays);
  const summary = fit ? btydSummaryOfRow(row) : null;
  if (!fit || !summary || horizonDays <= 0) return even();
  const cumulative = (days: number) =>
    days <= 0 ? 0 : conditionalExpectation(fit.bgnbd, summary, days / WEEK_DAYS).value;
  const total = cumulative(horizonDays);
  if (!(total > 1e-12) || !Number.isFinite(total)) return even();
  return slices.map((slice) => Math.max(0, cumulative(slice.toDays) - cumulative(slice.fromDays)) / total);
}

/** BG/NBD's P(alive) of a customer read from a feature row (null before their first purchase or without a fit). */
export function probabilityAliveOfRow(fit: BtydInputsFit | null, row: readonly number[]): number | null {
  const summary = fit ? btydSummaryOfRow(row) : null;
  return fit && summary ? probabilityAlive(fit.bgnbd, summary) : null;
}
