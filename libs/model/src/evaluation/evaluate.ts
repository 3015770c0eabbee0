import { FEATURE_SCHEMA_VERSION, type FoldInput } from '@cvp/features';
import {
  conditionalExpectation,
  expectedTransactions,
  fitBgNbd,
  probabilityOfPurchase,
  type BgNbdParams,
} from '../baselines/bgnbd';
import { expectedAverageValue, fitGammaGamma, type GammaGammaParams } from '../baselines/gamma-gamma';
import {
  fitModifiedBgNbd,
  modifiedBgNbdExpectedTransactions,
  modifiedBgNbdProbabilityOfPurchase,
} from '../baselines/modified-bgnbd';
import { fitParetoNbd, paretoNbdExpectedTransactions, paretoNbdProbabilityOfPurchase } from '../baselines/pareto-nbd';
import { rfmAverage } from '../baselines/rfm-average';
import {
  evaluatePredictions,
  ResampledRankMetrics,
  rocAuc,
  ValueRanking,
  type EvaluationMetrics,
  type PredictionOutcome,
} from '../metrics';
import { summarize, type CustomerSummary, type Transaction } from '../summaries';
import { BGNBD_LOG_PRIOR_SD, fitBtydInputs } from '../value-model/btyd-inputs';
import { ValueModel } from '../value-model/value-model';
import {
  trainValueModel,
  type SelectionRecord,
  type TotalCalibration,
  type TrainedValueModel,
} from '../value-model/train';
import { selectBackend, type BackendPreference } from '../ziln/backend';
import type { EpochRecord, ZilnConfig } from '../ziln/model';

const DAY_MS = 86_400_000;

/**
 * The served model with every purchase process fitted: it carries only those its blends read, and evaluate reports
 * every candidate of the selection. The fits are the trainer's own on the same population (deterministic: BG/NBD, and
 * so the served predictions, come out the same).
 */
function everyCandidate(trained: TrainedValueModel): ValueModel {
  const { network, spec } = trained.model;
  if (!spec.btyd || (spec.btyd.paretoNbd !== undefined && spec.btyd.modifiedBgNbd !== undefined)) return trained.model;
  let btyd = spec.btyd;
  try {
    btyd = fitBtydInputs(trained.population.rows, { alternatives: true }) ?? spec.btyd;
  } catch {
    // The candidates of a process that cannot be fitted read 0, as they would have in the trainer.
  }
  return new ValueModel(network, { ...spec, btyd });
}

/** The simple predictors a data scientist would try first, fitted on the calibration period only. */
export const OUTSIDE_PEERS = [
  'bgnbd-gg',
  'pareto-nbd-gg',
  'mbgnbd-gg',
  'historical-average',
  'calibration-total',
  'last-window',
] as const;

export interface EvaluateOptions {
  /** Every event of the dataset (and, if any, the language model's readings of its reviews). */
  events: readonly FoldInput[];
  cutoff: Date;
  horizonDays: number;
  seed?: number;
  /** Name shown in the result (file name or format). */
  dataset?: string;
  /** TensorFlow.js backend (default: `selectBackend()`'s choice). */
  backend?: BackendPreference;
  /** Overrides of the ZILN training configuration (the seed comes from `seed`). */
  ziln?: Partial<Omit<ZilnConfig, 'seed'>>;
  /** Bootstrap resamples for the 95% intervals of Gini and Spearman (default 200; 0: none). */
  bootstrap?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  onEpoch?: (record: EpochRecord) => void;
}

export interface TrainingSummary {
  backend: string;
  labelDays: number;
  cutoffs: number;
  examples: number;
  epochs: number;
  epochsRun: number;
  msPerEpoch: number;
  trainMs: number;
  featureSchemaVersion: string;
  /** Where the served total was calibrated (the trainer's `TotalCalibration`). */
  calibration: TotalCalibration;
}

export interface Interval {
  low: number;
  high: number;
}

export interface EvaluationResult {
  dataset: string;
  customers: number;
  cutoff: string;
  horizonDays: number;
  /** The model the trainer would publish from the data before the cutoff (a key of `models`). */
  served: string;
  /** Outside peers (OUTSIDE_PEERS) and every candidate of the trainer's selection (`cvp-…`), on the holdout. */
  models: Record<string, EvaluationMetrics>;
  /** Bootstrap 95% intervals (customers resampled) of the served model's and the peers' Gini and Spearman. */
  intervals: Record<string, { gini: Interval; spearman: Interval }>;
  /** Width of the last-window peer's window (days before the cutoff). */
  lastWindowDays: number;
  /** Where the served P(buy) comes from (`selection.purchase.winner`), and every candidate's holdout ROC AUC. */
  purchase: { served: string; auc: Record<string, number> };
  selection: SelectionRecord;
  training: TrainingSummary;
  warnings: string[];
}

export interface EvaluationRun {
  result: EvaluationResult;
  /** Gain curves (share of actual holdout spend captured by the top x of customers, x = 0, 0.05, ..., 1). */
  gainCurves: Record<string, number[]>;
  /** Weekly purchases in the holdout: actual, and expected by the served model and by BG/NBD. */
  weekly: { week: number; actual: number; served: number; bgnbd: number }[];
  /** The trainer's run on the data before the cutoff (the caller disposes `trained.model`). */
  trained: TrainedValueModel;
}

/** Purchases as transactions of the summaries (refunds are not subtracted: the target is gross spend). */
export function purchaseTransactions(events: readonly FoldInput[]): Transaction[] {
  const transactions: Transaction[] = [];
  for (const event of events) {
    if (event.type === 'purchase') {
      transactions.push({ customerId: event.customerId, time: new Date(event.occurredAt), amount: event.total });
    }
  }
  return transactions;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Holdout evaluation of exactly what the trainer would serve. Customers: those with a purchase before `cutoff`;
 * target: their spend in [cutoff, cutoff + horizonDays). The trainer's own `trainValueModel` runs on the events
 * before the cutoff with the cutoff as its "now" (rolling cutoffs, hybrid inputs, selection on its last window),
 * and every candidate it compared is scored on the holdout beside the outside peers: BG/NBD + Gamma-Gamma and the
 * historical average (fitted on the calibration summaries, weeks), the calibration-period total spend and the spend
 * of the last window (min(horizon, half the calibration period) days).
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationRun> {
  const { events, cutoff, horizonDays } = options;
  const seed = options.seed ?? 42;
  const log = options.log ?? (() => undefined);
  if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) throw new RangeError('cutoff is not a valid date');
  if (!Number.isInteger(horizonDays) || horizonDays <= 0) {
    throw new RangeError(`horizonDays must be a positive whole number, got ${horizonDays}`);
  }
  const transactions = purchaseTransactions(events);
  if (transactions.length === 0) throw new RangeError('the data has no purchases');
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (const event of events) {
    const ms = Date.parse(event.occurredAt);
    if (ms < firstMs) firstMs = ms;
    if (ms > lastMs) lastMs = ms;
  }
  const cutoffMs = cutoff.getTime();
  const range = `${new Date(firstMs).toISOString()} .. ${new Date(lastMs).toISOString()}`;
  if (cutoffMs <= firstMs || cutoffMs > lastMs) {
    throw new RangeError(`cutoff ${isoDay(cutoff)} is outside the data (${range})`);
  }
  const warnings: string[] = [];
  if (cutoffMs + horizonDays * DAY_MS > lastMs + DAY_MS) {
    warnings.push(`the holdout ends after the data (${range}): the last part of the horizon has no events`);
  }
  const summaries = summarize(transactions, { cutoff, horizonDays, unit: 'weeks' });
  if (summaries.length === 0) throw new RangeError(`no customer has a purchase before the cutoff ${isoDay(cutoff)}`);
  log(`[evaluate] ${summaries.length} customers with a purchase before ${isoDay(cutoff)}`);
  const actual = summaries.map((customer) => customer.holdoutSpend);
  const bought = summaries.map((customer) => customer.holdoutBought);
  const outcomes = (spend: readonly number[], probability: readonly number[]): PredictionOutcome[] =>
    spend.map((predictedSpend, i) => ({
      predictedSpend,
      actualSpend: actual[i],
      probabilityOfPurchase: probability[i],
      bought: bought[i],
    }));

  // Outside peers.
  const horizonWeeks = horizonDays / 7;
  const prior = { logPriorSd: BGNBD_LOG_PRIOR_SD };
  const bgnbdFit = fitBgNbd(summaries, prior);
  const paretoFit = fitParetoNbd(summaries, prior);
  const modifiedFit = fitModifiedBgNbd(summaries, prior);
  const gammaGammaFit = fitGammaGamma(summaries);
  log(
    `[evaluate] BG/NBD ${JSON.stringify(bgnbdFit.params)}; Pareto/NBD ${JSON.stringify(paretoFit.params)}; ` +
      `modified BG/NBD ${JSON.stringify(modifiedFit.params)}; Gamma-Gamma ${JSON.stringify(gammaGammaFit.params)}`,
  );
  const spendPeer = (name: string, process: PurchaseProcess) =>
    processPeer(name, summaries, process, gammaGammaFit.params, horizonWeeks, warnings);
  const bgnbd = spendPeer('BG/NBD', {
    orders: (customer, t) => conditionalExpectation(bgnbdFit.params, customer, t).value,
    probability: (customer, t) => probabilityOfPurchase(bgnbdFit.params, customer, t),
  });
  const pareto = spendPeer('Pareto/NBD', {
    orders: (customer, t) => paretoNbdExpectedTransactions(paretoFit.params, customer, t),
    probability: (customer, t) => paretoNbdProbabilityOfPurchase(paretoFit.params, customer, t),
  });
  const modified = spendPeer('modified BG/NBD', {
    orders: (customer, t) => modifiedBgNbdExpectedTransactions(modifiedFit.params, customer, t),
    probability: (customer, t) => modifiedBgNbdProbabilityOfPurchase(modifiedFit.params, customer, t),
  });
  const rfm = summaries.map((customer) => rfmAverage(customer, horizonWeeks));
  const lastWindowDays = Math.max(1, Math.min(horizonDays, Math.floor((cutoffMs - firstMs) / DAY_MS / 2)));
  const lastWindow = new Map<string, number>();
  for (const transaction of transactions) {
    const ms = transaction.time.getTime();
    if (ms < cutoffMs && ms >= cutoffMs - lastWindowDays * DAY_MS) {
      lastWindow.set(transaction.customerId, (lastWindow.get(transaction.customerId) ?? 0) + transaction.amount);
    }
  }
  const peers: Record<(typeof OUTSIDE_PEERS)[number], PredictionOutcome[]> = {
    'bgnbd-gg': outcomes(
      bgnbd.map((prediction) => prediction.spend),
      bgnbd.map((prediction) => prediction.probability),
    ),
    'pareto-nbd-gg': outcomes(
      pareto.map((prediction) => prediction.spend),
      pareto.map((prediction) => prediction.probability),
    ),
    'mbgnbd-gg': outcomes(
      modified.map((prediction) => prediction.spend),
      modified.map((prediction) => prediction.probability),
    ),
    'historical-average': outcomes(
      rfm.map((prediction) => prediction.expectedSpend),
      rfm.map((prediction) => prediction.probabilityOfPurchase),
    ),
    'calibration-total': outcomes(
      summaries.map((customer) => customer.calibrationSpend),
      summaries.map((customer) => customer.repeatCount / customer.observedTime),
    ),
    'last-window': outcomes(
      summaries.map((customer) => lastWindow.get(customer.customerId) ?? 0),
      summaries.map((customer) => lastWindow.get(customer.customerId) ?? 0),
    ),
  };

  // The trainer's run, with the cutoff as its "now".
  const backend = await selectBackend(options.backend, log);
  const trained = await trainValueModel({
    events,
    to: cutoff,
    horizonDays,
    seed,
    minCustomers: 1,
    ziln: options.ziln,
    log: (line) => log(line.replace('[train]', '[evaluate] train:')),
    onEpoch: options.onEpoch,
  });
  try {
    const rowOf = new Map(trained.population.customerIds.map((id, i) => [id, trained.population.rows[i]]));
    const rows = summaries.map((customer) => {
      const row = rowOf.get(customer.customerId);
      if (!row) throw new Error(`no feature row for ${customer.customerId}`);
      return row;
    });
    const candidates: Record<string, PredictionOutcome[]> = {};
    // Every spend blend with the served P(buy), then the served spend with every P(buy) candidate: one network pass.
    const { blends, purchase } = trained.selection;
    const predicted = everyCandidate(trained).predictEach(rows, [
      ...blends.map((blend) => ({ blend })),
      ...purchase.blends.map((blend) => ({ blend: trained.model.spec.served, purchase: blend })),
    ]);
    blends.forEach((blend, k) => {
      candidates[blend.name] = outcomes(
        predicted[k].map((prediction) => prediction.expectedSpend),
        predicted[k].map((prediction) => prediction.probabilityOfPurchase),
      );
    });
    const purchaseAuc = Object.fromEntries(
      purchase.blends.map((blend, k) => [
        blend.name,
        rocAuc(
          bought,
          predicted[blends.length + k].map((prediction) => prediction.probabilityOfPurchase),
        ),
      ]),
    );
    const served = trained.selection.winner;
    const all: Record<string, PredictionOutcome[]> = { ...peers, ...candidates };
    const models = Object.fromEntries(Object.entries(all).map(([name, list]) => [name, evaluatePredictions(list)]));
    const gainCurves = Object.fromEntries(Object.entries(all).map(([name, list]) => [name, gain(list)]));
    const resamples = options.bootstrap ?? 200;
    const intervals: EvaluationResult['intervals'] = {};
    if (resamples > 0) {
      for (const name of [served, ...OUTSIDE_PEERS]) intervals[name] = bootstrap(all[name], resamples, seed);
    }
    const weekly = weeklyPurchases(summaries, transactions, cutoffMs, horizonDays, trained, rows, bgnbdFit.params);
    const info = trained.training;
    return {
      result: {
        dataset: options.dataset ?? 'events',
        customers: summaries.length,
        cutoff: isoDay(cutoff),
        horizonDays,
        served,
        models,
        intervals,
        lastWindowDays,
        purchase: { served: trained.selection.purchase.winner, auc: purchaseAuc },
        selection: { ...trained.selection, blends: [] },
        training: {
          backend: backend,
          labelDays: trained.labelDays,
          cutoffs: trained.examples.cutoffs,
          examples: trained.examples.final,
          epochs: info.bestEpoch,
          epochsRun: info.epochsRun,
          msPerEpoch: info.msPerEpoch,
          trainMs: info.trainMs,
          featureSchemaVersion: FEATURE_SCHEMA_VERSION,
          calibration: trained.calibration,
        },
        warnings,
      },
      gainCurves,
      weekly,
      trained,
    };
  } catch (error) {
    trained.model.dispose();
    throw error;
  }
}

interface PurchaseProcess {
  orders: (customer: CustomerSummary, horizon: number) => number;
  probability: (customer: CustomerSummary, horizon: number) => number;
}

/** A purchase-process model's expected orders × Gamma-Gamma's expected order value, per customer. */
function processPeer(
  name: string,
  summaries: readonly CustomerSummary[],
  process: PurchaseProcess,
  gammaGamma: GammaGammaParams,
  horizonWeeks: number,
  warnings: string[],
): { spend: number; probability: number }[] {
  // Gamma-Gamma has no finite population mean when q ≤ 1: customers without repeats then get the empirical mean
  // repeat transaction value instead (with a warning).
  const repeatBuyers = summaries.filter((customer) => customer.repeatCount > 0 && customer.meanRepeatValue > 0);
  const repeats = repeatBuyers.reduce((sum, customer) => sum + customer.repeatCount, 0);
  const empiricalMeanValue =
    repeatBuyers.reduce((sum, customer) => sum + customer.meanRepeatValue * customer.repeatCount, 0) /
    Math.max(1, repeats);
  let fallbacks = 0;
  const predictions = summaries.map((customer) => {
    const orders = process.orders(customer, horizonWeeks);
    let value = expectedAverageValue(gammaGamma, customer);
    if (!Number.isFinite(value)) {
      fallbacks++;
      value = empiricalMeanValue;
    }
    const spend = orders * value;
    if (!Number.isFinite(spend)) throw new RangeError(`${name} + Gamma-Gamma gave ${spend} for ${customer.customerId}`);
    return { spend, probability: process.probability(customer, horizonWeeks) };
  });
  if (fallbacks > 0) {
    warnings.push(
      `Gamma-Gamma q = ${gammaGamma.q.toFixed(3)} ≤ 1 has no finite population mean: ${name}: ${fallbacks} ` +
        `customers without repeats valued at the empirical mean repeat transaction (${empiricalMeanValue.toFixed(2)})`,
    );
  }
  return predictions;
}

function gain(outcomes: readonly PredictionOutcome[]): number[] {
  const ranking = new ValueRanking(
    outcomes.map((outcome) => outcome.actualSpend),
    outcomes.map((outcome) => outcome.predictedSpend),
  );
  return Array.from({ length: 21 }, (_, k) => (k === 0 ? 0 : ranking.capture(k / 20)));
}

/** Percentile bootstrap (customers drawn with replacement, seeded) of Gini and Spearman: 2.5% and 97.5%. */
function bootstrap(
  outcomes: readonly PredictionOutcome[],
  resamples: number,
  seed: number,
): { gini: Interval; spearman: Interval } {
  let state = (seed ^ 0x9e3779b9) >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gini: number[] = [];
  const spearman: number[] = [];
  const ranked = new ResampledRankMetrics(
    outcomes.map((outcome) => outcome.actualSpend),
    outcomes.map((outcome) => outcome.predictedSpend),
  );
  const counts = new Int32Array(outcomes.length);
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let k = 0; k < outcomes.length; k++) counts[Math.floor(random() * outcomes.length)]++;
    const metrics = ranked.metrics(counts);
    if (Number.isFinite(metrics.gini)) gini.push(metrics.gini);
    if (Number.isFinite(metrics.spearman)) spearman.push(metrics.spearman);
  }
  const interval = (values: number[]): Interval => {
    values.sort((a, b) => a - b);
    const at = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.floor(q * values.length)))];
    return values.length > 0 ? { low: at(0.025), high: at(0.975) } : { low: Number.NaN, high: Number.NaN };
  };
  return { gini: interval(gini), spearman: interval(spearman) };
}

/**
 * The tracking plot's data: purchases (purchase days per customer) per holdout week, actual; and expected by the
 * served model (its expected orders spread by its P(alive)-weighted rate: the BG/NBD curve of the hybrid fit) and
 * by BG/NBD alone (difference of cumulative expectations week by week).
 */
function weeklyPurchases(
  summaries: readonly CustomerSummary[],
  transactions: readonly Transaction[],
  cutoffMs: number,
  horizonDays: number,
  trained: TrainedValueModel,
  rows: readonly (readonly number[])[],
  bgnbd: BgNbdParams,
): EvaluationRun['weekly'] {
  const weeks = Math.ceil(horizonDays / 7);
  const ids = new Set(summaries.map((customer) => customer.customerId));
  const actualDays = new Set<string>();
  const actual = new Array<number>(weeks).fill(0);
  for (const transaction of transactions) {
    const ms = transaction.time.getTime();
    if (!ids.has(transaction.customerId) || ms < cutoffMs || ms >= cutoffMs + horizonDays * DAY_MS) continue;
    const day = Math.floor((ms - cutoffMs) / DAY_MS);
    const key = `${transaction.customerId}|${day}`;
    if (actualDays.has(key)) continue;
    actualDays.add(key);
    actual[Math.floor(day / 7)]++;
  }
  const cumulativeBgnbd = (w: number) =>
    summaries.reduce((sum, customer) => sum + expectedTransactions(bgnbd, customer, w), 0);
  // The served model predicts spend; its purchases are its spend over the horizon divided by the mean order value,
  // spread over the weeks like BG/NBD's curve.
  const servedSpend = trained.model.predict(rows).reduce((sum, prediction) => sum + prediction.expectedSpend, 0);
  const calibrationSpend = summaries.reduce((sum, customer) => sum + customer.calibrationSpend, 0);
  const purchaseDays = summaries.reduce((sum, customer) => sum + customer.repeatCount + 1, 0);
  const meanOrder = purchaseDays > 0 ? calibrationSpend / purchaseDays : 1;
  const totalBgnbd = cumulativeBgnbd(horizonDays / 7);
  const out: EvaluationRun['weekly'] = [];
  let previous = 0;
  for (let w = 1; w <= weeks; w++) {
    const cumulative = cumulativeBgnbd(Math.min(w, horizonDays / 7));
    const bgnbdWeek = cumulative - previous;
    previous = cumulative;
    out.push({
      week: w,
      actual: actual[w - 1],
      bgnbd: bgnbdWeek,
      served: totalBgnbd > 0 ? ((servedSpend / meanOrder) * bgnbdWeek) / totalBgnbd : 0,
    });
  }
  return out;
}
