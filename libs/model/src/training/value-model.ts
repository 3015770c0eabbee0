import type { ClickstreamEvent, Tier } from '@cvp/contracts';
import { buildFeatureVectors, FEATURE_NAMES, FEATURE_SCHEMA_VERSION, featureArray } from '@cvp/features';
import { evaluatePredictions, type EvaluationMetrics, type PredictionOutcome } from '../metrics';
import { trainZiln, validationSplit, type EpochRecord, type ZilnConfig, type ZilnModel } from '../ziln/model';

const DAY_MS = 86_400_000;

export const VALUE_MODEL_ALGORITHM = 'ziln';

/** Expected-spend cut points of the value tiers, fitted as quantiles of the population's predictions. */
export interface TierThresholds {
  /** Expected spend at or above which a customer is `high`. */
  high: number;
  /** Expected spend at or above which a customer is `mid` (below it: `low`). */
  mid: number;
  /** Share of the population the thresholds were fitted to put in `high` and in `mid`. */
  highShare: number;
  midShare: number;
}

/** Everything a scorer needs to know about a model beside its weights (`metadata.json` of the artifact). */
export interface ValueModelMetadata {
  version: string;
  algorithm: typeof VALUE_MODEL_ALGORITHM;
  featureSchemaVersion: string;
  /** Length of the spend window the model predicts, in days (its label window). */
  horizonDays: number;
  tierThresholds: TierThresholds;
  /** Data window [trainedFrom, trainedTo) the model learned from. */
  trainedFrom: string;
  trainedTo: string;
  seed: number;
  backend: string;
  /** Metrics on the validation customers (not trained on). */
  validation: Omit<EvaluationMetrics, 'deciles'>;
}

export interface ValidationSet {
  customerIds: string[];
  rows: number[][];
  actualSpend: number[];
}

export interface TrainValueModelOptions {
  /** The events of the training window (any order, deduplicated). */
  events: readonly ClickstreamEvent[];
  /** End of the data window (exclusive): labels are the spend in [to − horizonDays, to). */
  to: Date;
  horizonDays: number;
  seed: number;
  /** Share of customers kept out of training to compare model versions (default 0.2). */
  validationShare?: number;
  /** Population shares of the high and mid tiers (default 0.2 and 0.3). */
  tierShares?: { high: number; mid: number };
  /** Fewest customers with history before the label window (default 50). */
  minCustomers?: number;
  ziln?: Partial<Omit<ZilnConfig, 'seed'>>;
  log?: (line: string) => void;
  onEpoch?: (record: EpochRecord) => void;
}

export interface TrainedValueModel {
  model: ZilnModel;
  /** Start of the label window: features are computed from the events before it. */
  labelFrom: Date;
  horizonDays: number;
  tierThresholds: TierThresholds;
  validation: ValidationSet;
  /** The new model on the validation customers. */
  metrics: EvaluationMetrics;
  customers: { train: number; validation: number; scored: number };
  training: {
    backend: string;
    bestEpoch: number;
    epochsRun: number;
    msPerEpoch: number;
    trainMs: number;
  };
}

/**
 * Trains the production value model on a window of events, the way it will be used: features of every customer
 * active before `to − horizonDays`, label = the customer's purchase spend in [to − horizonDays, to). A seeded share
 * of those customers is held out as the validation set on which model versions are compared; the ZILN fit itself
 * picks its epochs on a further split of the rest. Tier thresholds are quantiles of the predictions for every
 * customer of the window as of `to`, the population the scorer will score.
 */
export async function trainValueModel(options: TrainValueModelOptions): Promise<TrainedValueModel> {
  const { events, to, horizonDays, seed } = options;
  const log = options.log ?? (() => undefined);
  const validationShare = options.validationShare ?? 0.2;
  const tierShares = options.tierShares ?? { high: 0.2, mid: 0.3 };
  const minCustomers = options.minCustomers ?? 50;
  if (!Number.isInteger(horizonDays) || horizonDays <= 0) {
    throw new RangeError(`horizonDays must be a positive whole number, got ${horizonDays}`);
  }
  if (!(validationShare > 0 && validationShare < 1)) throw new RangeError('validationShare must be in (0, 1)');
  checkTierShares(tierShares);
  const labelFrom = new Date(to.getTime() - horizonDays * DAY_MS);
  const vectors = await buildFeatureVectors(events, labelFrom);
  if (vectors.size < minCustomers) {
    throw new RangeError(
      `only ${vectors.size} customers have events before ${labelFrom.toISOString()} (to − ${horizonDays} days); ` +
        `training needs at least ${minCustomers}: load more history or shorten the horizon`,
    );
  }
  const labels = spendBetween(events, labelFrom, to);
  const customers = [...vectors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const customerIds = customers.map(([id]) => id);
  const rows = customers.map(([, vector]) => featureArray(vector));
  const actual = customerIds.map((id) => labels.get(id) ?? 0);
  if (!actual.some((spend) => spend > 0)) {
    throw new RangeError(`no customer bought between ${labelFrom.toISOString()} and ${to.toISOString()}`);
  }

  const split = validationSplit(customerIds.length, validationShare, seed ^ 0x2545f491);
  const validation: ValidationSet = {
    customerIds: split.validation.map((i) => customerIds[i]),
    rows: split.validation.map((i) => rows[i]),
    actualSpend: split.validation.map((i) => actual[i]),
  };
  log(
    `[train] ${customerIds.length} customers with history before ${labelFrom.toISOString()}: ` +
      `${split.train.length} to train, ${split.validation.length} to validate; labels = spend in the next ${horizonDays} days`,
  );
  const { model, info } = await trainZiln(
    split.train.map((i) => rows[i]),
    split.train.map((i) => actual[i]),
    FEATURE_NAMES,
    { ...options.ziln, seed, onEpoch: options.onEpoch },
  );
  try {
    const metrics = validationMetrics(model, validation);
    const population = await buildFeatureVectors(events, to);
    const predictions = model.predict([...population.values()].map((vector) => featureArray(vector)));
    const tierThresholds = fitTierThresholds(
      predictions.map((prediction) => prediction.expectedSpend),
      tierShares,
    );
    return {
      model,
      labelFrom,
      horizonDays,
      tierThresholds,
      validation,
      metrics,
      customers: { train: split.train.length, validation: split.validation.length, scored: population.size },
      training: {
        backend: info.backend,
        bestEpoch: info.bestEpoch,
        epochsRun: info.epochsRun,
        msPerEpoch: info.msPerEpoch,
        trainMs: info.trainMs,
      },
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Purchase spend per customer in [from, to). */
export function spendBetween(events: readonly ClickstreamEvent[], from: Date, to: Date): Map<string, number> {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const spend = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'purchase') continue;
    const ms = Date.parse(event.occurredAt);
    if (ms >= fromMs && ms < toMs) spend.set(event.customerId, (spend.get(event.customerId) ?? 0) + event.total);
  }
  return spend;
}

/** A model's metrics on a validation set (the same set scores the candidate and the published model). */
export function validationMetrics(model: ZilnModel, validation: ValidationSet): EvaluationMetrics {
  const predictions = model.predict(validation.rows);
  const outcomes: PredictionOutcome[] = predictions.map((prediction, i) => ({
    predictedSpend: prediction.expectedSpend,
    actualSpend: validation.actualSpend[i],
    probabilityOfPurchase: prediction.probabilityOfPurchase,
    bought: validation.actualSpend[i] > 0,
  }));
  return evaluatePredictions(outcomes);
}

export interface PublishVerdict {
  publish: boolean;
  reason: string;
}

/**
 * Whether a candidate replaces the published model: it must rank the validation customers' spend better, by
 * normalized Gini (the headline metric of the ZILN paper, and the one marketing acts on: who is worth more).
 */
export function publishVerdict(
  candidate: Pick<EvaluationMetrics, 'gini'>,
  current: { version: string; metrics: Pick<EvaluationMetrics, 'gini'> } | null,
): PublishVerdict {
  if (!Number.isFinite(candidate.gini)) {
    return { publish: false, reason: 'the candidate has no defined Gini on the validation set (no spend there)' };
  }
  if (!current) return { publish: true, reason: 'no model is published yet' };
  const delta = candidate.gini - current.metrics.gini;
  if (!Number.isFinite(current.metrics.gini) || delta > 0) {
    return {
      publish: true,
      reason: `validation Gini ${candidate.gini.toFixed(4)} beats ${current.version}'s ${current.metrics.gini.toFixed(4)}`,
    };
  }
  return {
    publish: false,
    reason: `validation Gini ${candidate.gini.toFixed(4)} does not beat ${current.version}'s ${current.metrics.gini.toFixed(4)}`,
  };
}

function checkTierShares(shares: { high: number; mid: number }): void {
  if (!(shares.high > 0 && shares.mid > 0 && shares.high + shares.mid < 1)) {
    throw new RangeError(`tier shares must be positive with high + mid < 1, got ${JSON.stringify(shares)}`);
  }
}

/**
 * Tier cut points: `high` is the (1 − highShare) quantile of the expected spends, `mid` the
 * (1 − highShare − midShare) quantile (lower quantile, no interpolation, so a threshold is a real prediction).
 */
export function fitTierThresholds(
  expectedSpends: readonly number[],
  shares: { high: number; mid: number },
): TierThresholds {
  checkTierShares(shares);
  if (expectedSpends.length === 0) throw new RangeError('no predictions to fit tier thresholds on');
  const sorted = [...expectedSpends].sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))];
  return {
    high: quantile(1 - shares.high),
    mid: quantile(1 - shares.high - shares.mid),
    highShare: shares.high,
    midShare: shares.mid,
  };
}

export function tierOf(expectedSpend: number, thresholds: Pick<TierThresholds, 'high' | 'mid'>): Tier {
  return expectedSpend >= thresholds.high ? 'high' : expectedSpend >= thresholds.mid ? 'mid' : 'low';
}

/** The metadata of a freshly trained model, as saved beside its weights. */
export function valueModelMetadata(
  trained: TrainedValueModel,
  details: { version: string; from: Date; to: Date; seed: number },
): ValueModelMetadata {
  const { deciles: _deciles, ...validation } = trained.metrics;
  return {
    version: details.version,
    algorithm: VALUE_MODEL_ALGORITHM,
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    horizonDays: trained.horizonDays,
    tierThresholds: trained.tierThresholds,
    trainedFrom: details.from.toISOString(),
    trainedTo: details.to.toISOString(),
    seed: details.seed,
    backend: trained.training.backend,
    validation,
  };
}
