import type { ClickstreamEvent, Tier } from '@cvp/contracts';
import {
  emptyState,
  FEATURE_NAMES,
  FEATURE_SCHEMA_VERSION,
  featureArray,
  featureVector,
  featureVectorAt,
  foldEvent,
} from '@cvp/features';
import { seededRandom } from '../math/random';
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
  /** End of the data window (exclusive): every label window ends by then. */
  to: Date;
  horizonDays: number;
  seed: number;
  /** Share of customers kept out of training to compare model versions (default 0.2). */
  validationShare?: number;
  /** Population shares of the high and mid tiers (default 0.2 and 0.3). */
  tierShares?: { high: number; mid: number };
  /** Fewest customers with an event at least horizonDays before `to` (default 50). */
  minCustomers?: number;
  /** Scoring moments drawn per customer at their events (default 4; fewer when the customer has fewer events). */
  momentsPerCustomer?: number;
  /**
   * Scoring moments drawn per customer at instants of the clock, between their first event and `to` − horizon
   * (default 4): how sweeps meet a customer, silent for a while or not.
   */
  clockMomentsPerCustomer?: number;
  ziln?: Partial<Omit<ZilnConfig, 'seed'>>;
  log?: (line: string) => void;
  onEpoch?: (record: EpochRecord) => void;
}

export interface TrainedValueModel {
  model: ZilnModel;
  /** Latest time a scoring moment may have: `to` − horizonDays, so that every label window is observed. */
  labelFrom: Date;
  horizonDays: number;
  tierThresholds: TierThresholds;
  validation: ValidationSet;
  /** The new model on the validation customers. */
  metrics: EvaluationMetrics;
  customers: { train: number; validation: number; scored: number };
  /** Training and validation examples (scoring moments). */
  examples: { train: number; validation: number };
  training: {
    backend: string;
    bestEpoch: number;
    epochsRun: number;
    msPerEpoch: number;
    trainMs: number;
  };
}

/** One training example: a customer's features at a scoring moment and their spend in the horizon after it. */
export interface ScoringMoment {
  customerId: string;
  at: string;
  features: number[];
  spend: number;
}

/**
 * Training examples as the scorer meets customers. The scorer scores a customer when one of their events arrives,
 * on the features as of that event, and again at every re-scoring sweep, on the features as of the clock (a silent
 * customer's recency grows); each score speaks of the next horizonDays. So each customer contributes scoring
 * moments of both kinds: `momentsPerCustomer` of their events drawn at random (seeded; among those at least
 * horizonDays before `to`, so the label window is fully observed) with the features right after the event, and
 * `clockMomentsPerCustomer` instants drawn uniformly between their first event and `to` − horizonDays with the
 * features as of that instant; the label is the purchase spend in (moment, moment + horizonDays]. Drawing moments
 * without looking at what follows keeps the label unbiased (taking "the last event before a cutoff" would promise an
 * empty start of every label window). Returns the moments in customer-id order, and the features of every customer
 * as of `to` (the population a sweep at the end of the window scores).
 */
export function scoringMoments(
  events: readonly ClickstreamEvent[],
  to: Date,
  horizonDays: number,
  seed: number,
  momentsPerCustomer = 1,
  clockMomentsPerCustomer = 0,
): { moments: ScoringMoment[]; population: number[][] } {
  const horizonMs = horizonDays * DAY_MS;
  const lastMomentMs = to.getTime() - horizonMs;
  const byCustomer = new Map<string, { ms: number; event: ClickstreamEvent }[]>();
  for (const event of events) {
    const ms = Date.parse(event.occurredAt);
    if (!(ms < to.getTime())) continue;
    let list = byCustomer.get(event.customerId);
    if (!list) byCustomer.set(event.customerId, (list = []));
    list.push({ ms, event });
  }
  const random = seededRandom(seed ^ 0x68e31da4);
  const clockRandom = seededRandom(seed ^ 0x1b873593);
  const moments: ScoringMoment[] = [];
  const population: number[][] = [];
  for (const customerId of [...byCustomer.keys()].sort()) {
    const list = byCustomer.get(customerId) ?? [];
    list.sort((a, b) => a.ms - b.ms || (a.event.eventId < b.event.eventId ? -1 : 1));
    const eligible = list.filter((item) => item.ms <= lastMomentMs).length;
    const chosen = sampleIndices(eligible, momentsPerCustomer, random);
    const firstMs = list[0].ms;
    const clockTimes =
      firstMs <= lastMomentMs
        ? Array.from(
            { length: clockMomentsPerCustomer },
            () => firstMs + Math.floor(clockRandom() * (lastMomentMs - firstMs + 1)),
          ).sort((a, b) => a - b)
        : [];
    const state = emptyState(customerId, list[0].event.occurredAt);
    const emit = (atMs: number, at: string, features: number[]) => {
      let spend = 0;
      for (const later of list) {
        if (later.ms > atMs && later.ms <= atMs + horizonMs && later.event.type === 'purchase') {
          spend += later.event.total;
        }
      }
      moments.push({ customerId, at, features, spend });
    };
    let next = 0;
    const emitClockMomentsBefore = (ms: number) => {
      for (; next < clockTimes.length && clockTimes[next] < ms; next++) {
        const atMs = clockTimes[next];
        emit(atMs, new Date(atMs).toISOString(), featureArray(featureVectorAt(state, atMs)));
      }
    };
    list.forEach((item, index) => {
      if (index > 0) emitClockMomentsBefore(item.ms);
      foldEvent(state, item.event);
      if (chosen.has(index)) emit(item.ms, item.event.occurredAt, featureArray(featureVector(state)));
    });
    emitClockMomentsBefore(Number.POSITIVE_INFINITY);
    population.push(featureArray(featureVectorAt(state, Math.max(state.lastEventMs, to.getTime()))));
  }
  return { moments, population };
}

/** Up to `count` distinct indices of [0, size), drawn uniformly (partial Fisher-Yates). */
function sampleIndices(size: number, count: number, random: () => number): Set<number> {
  const pool = Array.from({ length: size }, (_, i) => i);
  const picked = new Set<number>();
  for (let k = 0; k < Math.min(count, size); k++) {
    const j = k + Math.floor(random() * (size - k));
    [pool[k], pool[j]] = [pool[j], pool[k]];
    picked.add(pool[k]);
  }
  return picked;
}

/**
 * Trains the production value model on a window of events, on scoring moments (see `scoringMoments`). A seeded
 * share of the customers is held out as the validation set on which model versions are compared; the ZILN fit
 * itself picks its epochs on a further split of the rest. Tier thresholds are quantiles of the predictions for
 * every customer of the window as of `to` (as a sweep at the end of the window scores them).
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
  const momentsPerCustomer = options.momentsPerCustomer ?? 4;
  const clockMomentsPerCustomer = options.clockMomentsPerCustomer ?? 4;
  const { moments, population } = scoringMoments(
    events,
    to,
    horizonDays,
    seed,
    momentsPerCustomer,
    clockMomentsPerCustomer,
  );
  const customerIds = [...new Set(moments.map((moment) => moment.customerId))];
  if (customerIds.length < minCustomers) {
    throw new RangeError(
      `only ${customerIds.length} customers have an event before ${labelFrom.toISOString()} (to − ${horizonDays} days); ` +
        `training needs at least ${minCustomers}: load more history or shorten the horizon`,
    );
  }
  if (!moments.some((moment) => moment.spend > 0)) {
    throw new RangeError(
      `no customer bought within ${horizonDays} days of a scoring moment before ${to.toISOString()}`,
    );
  }

  // Split by customer, so no customer is on both sides.
  const split = validationSplit(customerIds.length, validationShare, seed ^ 0x2545f491);
  const validationCustomers = new Set(split.validation.map((i) => customerIds[i]));
  const trainMoments = moments.filter((moment) => !validationCustomers.has(moment.customerId));
  const validationMoments = moments.filter((moment) => validationCustomers.has(moment.customerId));
  const validation: ValidationSet = {
    customerIds: validationMoments.map((moment) => moment.customerId),
    rows: validationMoments.map((moment) => moment.features),
    actualSpend: validationMoments.map((moment) => moment.spend),
  };
  log(
    `[train] ${customerIds.length} customers with events before ${labelFrom.toISOString()}, ` +
      `${moments.length} scoring moments: ${split.train.length} customers to train, ${split.validation.length} to ` +
      `validate; labels = spend in the ${horizonDays} days after each moment`,
  );
  const { model, info } = await trainZiln(
    trainMoments.map((moment) => moment.features),
    trainMoments.map((moment) => moment.spend),
    FEATURE_NAMES,
    { ...options.ziln, seed, onEpoch: options.onEpoch },
  );
  try {
    const metrics = validationMetrics(model, validation);
    const predictions = model.predict(population);
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
      customers: { train: split.train.length, validation: split.validation.length, scored: population.length },
      examples: { train: trainMoments.length, validation: validationMoments.length },
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
