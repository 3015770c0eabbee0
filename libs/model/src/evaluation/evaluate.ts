import type { ClickstreamEvent } from '@cvp/contracts';
import {
  buildFeatureVectors,
  FEATURE_NAMES,
  FEATURE_SCHEMA_VERSION,
  featureArray,
  type FeatureVector,
} from '@cvp/features';
import { fitBgNbd } from '../baselines/bgnbd';
import { predictCustomerValue } from '../baselines/bgnbd-gamma-gamma';
import { fitGammaGamma } from '../baselines/gamma-gamma';
import { rfmAverage } from '../baselines/rfm-average';
import { evaluatePredictions, ValueRanking, type EvaluationMetrics, type PredictionOutcome } from '../metrics';
import { summarize, type Transaction } from '../summaries';
import { selectBackend, type BackendPreference } from '../ziln/backend';
import { trainZiln, type EpochRecord, type ZilnConfig, type ZilnModel } from '../ziln/model';

const DAY_MS = 86_400_000;

export interface EvaluateOptions {
  /** Every event of the dataset (read several times: features at two cutoffs, summaries). */
  events: readonly ClickstreamEvent[];
  cutoff: Date;
  horizonDays: number;
  seed?: number;
  /** Name shown in the result (file name or format). */
  dataset?: string;
  /** TensorFlow.js backend (default: `selectBackend()`'s choice). */
  backend?: BackendPreference;
  /** Overrides of the ZILN training configuration (the seed comes from `seed`). */
  ziln?: Partial<Omit<ZilnConfig, 'seed'>>;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  onEpoch?: (record: EpochRecord) => void;
}

export interface ZilnTrainingSummary {
  backend: string;
  /** Epochs kept (the best validation loss) and epochs run before early stopping. */
  epochs: number;
  epochsRun: number;
  msPerEpoch: number;
  trainMs: number;
  innerCutoff: string;
  trainHorizonDays: number;
  /** horizonDays / trainHorizonDays: the factor applied to the spend predictions. */
  horizonScale: number;
  trainCustomers: number;
  validationCustomers: number;
  featureSchemaVersion: string;
}

export interface EvaluationResult {
  dataset: string;
  customers: number;
  cutoff: string;
  horizonDays: number;
  models: { ziln: EvaluationMetrics; bgnbd: EvaluationMetrics; rfm: EvaluationMetrics };
  training: ZilnTrainingSummary;
  warnings: string[];
}

export interface EvaluationRun {
  result: EvaluationResult;
  /** Gain curves (share of actual holdout spend captured by the top x of customers, x = 0, 0.05, ..., 1). */
  gainCurves: Record<keyof EvaluationResult['models'], number[]>;
  /** The trained model (the caller disposes it). */
  model: ZilnModel;
}

/** Purchases as transactions of the summaries (refunds are not subtracted: the target is gross spend). */
export function purchaseTransactions(events: readonly ClickstreamEvent[]): Transaction[] {
  const transactions: Transaction[] = [];
  for (const event of events) {
    if (event.type === 'purchase') {
      transactions.push({ customerId: event.customerId, time: new Date(event.occurredAt), amount: event.total });
    }
  }
  return transactions;
}

/** Every customer of a summary bought before the cutoff, so the batch features have a vector for them. */
function vectorOf(vectors: Map<string, FeatureVector>, customerId: string): FeatureVector {
  const vector = vectors.get(customerId);
  if (!vector) throw new Error(`no feature vector for ${customerId}`);
  return vector;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Holdout evaluation of the ZILN model against BG/NBD + Gamma-Gamma and the historical average.
 *
 * Customers: those with a purchase before `cutoff`; target: their spend in [cutoff, cutoff + horizonDays).
 * Baselines are fitted on the calibration summaries (weeks, same-day purchases merged, for every dataset).
 * The deep model never sees the holdout: it learns from features at an inner cutoff = cutoff − h_train, with
 * h_train = min(horizon, ⌊calibration span / 2⌋ days) (the calibration span runs from the first event to the
 * cutoff, so at least half of it is history for the inner features), and labels = spend in [inner cutoff, cutoff).
 * It then predicts from features at the cutoff; spend predictions are multiplied by horizon / h_train (spend
 * assumed proportional to the window length), P(buy) is left as learned for h_train.
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

  // Baselines on the calibration summaries.
  const horizonWeeks = horizonDays / 7;
  const bgnbdFit = fitBgNbd(summaries);
  const gammaGammaFit = fitGammaGamma(summaries);
  log(`[evaluate] BG/NBD ${JSON.stringify(bgnbdFit.params)}; Gamma-Gamma ${JSON.stringify(gammaGammaFit.params)}`);
  // Gamma-Gamma has no finite population mean when q ≤ 1: customers without repeats then get the empirical mean
  // repeat transaction value instead (with a warning).
  const repeatBuyers = summaries.filter((customer) => customer.repeatCount > 0 && customer.meanRepeatValue > 0);
  const empiricalMeanValue =
    repeatBuyers.reduce((sum, customer) => sum + customer.meanRepeatValue * customer.repeatCount, 0) /
    Math.max(
      1,
      repeatBuyers.reduce((sum, customer) => sum + customer.repeatCount, 0),
    );
  let fallbacks = 0;
  const bgnbdOutcomes: PredictionOutcome[] = summaries.map((customer) => {
    const prediction = predictCustomerValue(bgnbdFit.params, gammaGammaFit.params, customer, horizonWeeks);
    let spend = prediction.expectedSpend;
    if (!Number.isFinite(spend)) {
      fallbacks++;
      spend = prediction.expectedTransactions * empiricalMeanValue;
    }
    if (!Number.isFinite(spend)) throw new RangeError(`BG/NBD + Gamma-Gamma gave ${spend} for ${customer.customerId}`);
    return {
      predictedSpend: spend,
      actualSpend: customer.holdoutSpend,
      probabilityOfPurchase: prediction.probabilityOfPurchase,
      bought: customer.holdoutBought,
    };
  });
  if (fallbacks > 0) {
    warnings.push(
      `Gamma-Gamma q = ${gammaGammaFit.params.q.toFixed(3)} ≤ 1 has no finite population mean: ${fallbacks} customers ` +
        `without repeats valued at the empirical mean repeat transaction (${empiricalMeanValue.toFixed(2)})`,
    );
  }
  const rfmOutcomes: PredictionOutcome[] = summaries.map((customer) => {
    const prediction = rfmAverage(customer, horizonWeeks);
    return {
      predictedSpend: prediction.expectedSpend,
      actualSpend: customer.holdoutSpend,
      probabilityOfPurchase: prediction.probabilityOfPurchase,
      bought: customer.holdoutBought,
    };
  });

  // ZILN: training examples entirely inside the calibration period.
  const calibrationDays = Math.floor((cutoffMs - firstMs) / DAY_MS);
  const trainHorizonDays = Math.min(horizonDays, Math.floor(calibrationDays / 2));
  if (trainHorizonDays < 1) throw new RangeError('the calibration period is too short to train on (under 2 days)');
  const innerCutoff = new Date(cutoffMs - trainHorizonDays * DAY_MS);
  const trainSummaries = summarize(transactions, { cutoff: innerCutoff, horizonDays: trainHorizonDays, unit: 'days' });
  if (trainSummaries.length === 0) throw new RangeError(`no customer has a purchase before ${isoDay(innerCutoff)}`);
  const innerVectors = await buildFeatureVectors(events, innerCutoff);
  const trainRows = trainSummaries.map((customer) => featureArray(vectorOf(innerVectors, customer.customerId)));
  const trainLabels = trainSummaries.map((customer) => customer.holdoutSpend);
  const backend = await selectBackend(options.backend, log);
  log(
    `[evaluate] ZILN: ${trainRows.length} training customers, features at ${isoDay(innerCutoff)}, ` +
      `labels = spend in the next ${trainHorizonDays} days`,
  );
  const { model, info } = await trainZiln(trainRows, trainLabels, FEATURE_NAMES, {
    ...options.ziln,
    seed,
    onEpoch: options.onEpoch,
  });
  log(
    `[evaluate] ZILN on ${backend}: best epoch ${info.bestEpoch} of ${info.epochsRun}, ` +
      `${info.msPerEpoch.toFixed(0)} ms/epoch, ${(info.trainMs / 1000).toFixed(1)} s`,
  );
  const cutoffVectors = await buildFeatureVectors(events, cutoff);
  const horizonScale = horizonDays / trainHorizonDays;
  const predictions = model.predict(
    summaries.map((customer) => featureArray(vectorOf(cutoffVectors, customer.customerId))),
  );
  const zilnOutcomes: PredictionOutcome[] = summaries.map((customer, i) => ({
    predictedSpend: predictions[i].expectedSpend * horizonScale,
    actualSpend: customer.holdoutSpend,
    probabilityOfPurchase: predictions[i].probabilityOfPurchase,
    bought: customer.holdoutBought,
  }));

  const gain = (outcomes: PredictionOutcome[]) => {
    const ranking = new ValueRanking(
      outcomes.map((outcome) => outcome.actualSpend),
      outcomes.map((outcome) => outcome.predictedSpend),
    );
    return Array.from({ length: 21 }, (_, k) => (k === 0 ? 0 : ranking.capture(k / 20)));
  };
  return {
    result: {
      dataset: options.dataset ?? 'events',
      customers: summaries.length,
      cutoff: isoDay(cutoff),
      horizonDays,
      models: {
        ziln: evaluatePredictions(zilnOutcomes),
        bgnbd: evaluatePredictions(bgnbdOutcomes),
        rfm: evaluatePredictions(rfmOutcomes),
      },
      training: {
        backend: info.backend,
        epochs: info.bestEpoch,
        epochsRun: info.epochsRun,
        msPerEpoch: info.msPerEpoch,
        trainMs: info.trainMs,
        innerCutoff: isoDay(innerCutoff),
        trainHorizonDays,
        horizonScale,
        trainCustomers: info.trainCustomers,
        validationCustomers: info.validationCustomers,
        featureSchemaVersion: FEATURE_SCHEMA_VERSION,
      },
      warnings,
    },
    gainCurves: { ziln: gain(zilnOutcomes), bgnbd: gain(bgnbdOutcomes), rfm: gain(rfmOutcomes) },
    model,
  };
}
