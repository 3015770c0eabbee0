import type { CustomerScore, FeatureVectorMessage, ScoreReason, ScoreTrigger } from '@cvp/contracts';
import { featureArray, type FeatureVector } from '@cvp/features';
import { tierOf, type ValueModel, type ValueModelMetadata } from '@cvp/model';
import { REVIEW_SENTIMENT_FEATURES, reviewReason } from './review-reason';

/** A published model as the scorer holds it: the value model and its metadata (horizon, tier thresholds, version). */
export interface LoadedValueModel {
  model: ValueModel;
  metadata: ValueModelMetadata;
}

export interface ModelScoringOptions {
  /** Integrated-gradients points per customer (cost: steps × a forward and backward pass; Gauss-Legendre). */
  explainSteps?: number;
  /** How many features are named as the reasons of a score. */
  reasons?: number;
  /** Why these customers are scored (default `event`). */
  trigger?: ScoreTrigger;
}

/**
 * Scores a batch with the published model in one forward pass (and one gradient pass for the reasons):
 * expected spend over the model's horizon (the served blend, see `ValueModel`) with its 10th-90th percentile interval, P(buy again) = P(spend > 0 in
 * the horizon), churn risk = its complement, the tier from the model's thresholds, and the features that moved the
 * expected spend most away from the average customer (integrated gradients against the population baseline); when the
 * customer's recent reviews read negative, that too, with what the model makes of it (`reviewReason`; in the place of
 * a review feature among the largest, or after them).
 */
export function scoreWithModel(
  loaded: LoadedValueModel,
  messages: readonly FeatureVectorMessage[],
  scoredAt: string,
  options: ModelScoringOptions = {},
): CustomerScore[] {
  if (messages.length === 0) return [];
  const { model, metadata } = loaded;
  const rows = messages.map((message) => featureArray(message.features as FeatureVector));
  const { predictions, inputs, attributions } = model.predictAndExplain(rows, options.explainSteps ?? 6);
  const names = model.spec.inputNames;
  const reasonCount = options.reasons ?? 3;
  const reviewInputs = REVIEW_SENTIMENT_FEATURES.map((name) => names.indexOf(name)).filter((j) => j >= 0);
  return messages.map((message, i) => {
    const prediction = predictions[i];
    const pBuyAgain = clamp01(prediction.probabilityOfPurchase);
    return {
      customerId: message.customerId,
      asOf: message.asOf,
      lastEventAt: message.lastEventAt ?? message.asOf,
      trigger: options.trigger ?? 'event',
      sourceEventId: message.sourceEventId,
      scoredAt,
      horizonDays: metadata.horizonDays,
      expectedSpend: money(prediction.expectedSpend),
      expectedSpendLow: money(prediction.lower),
      expectedSpendHigh: money(prediction.upper),
      pBuyAgain,
      churnRisk: clamp01(1 - prediction.probabilityOfPurchase),
      tier: tierOf(prediction.expectedSpend, metadata.tierThresholds),
      modelVersion: metadata.version,
      featureSchemaVersion: message.featureSchemaVersion,
      reasons: withReviewReason(
        topReasons(names, inputs[i], attributions[i], reasonCount),
        message.features as FeatureVector,
        reviewInputs.reduce((sum, j) => sum + (Number.isFinite(attributions[i][j]) ? attributions[i][j] : 0), 0),
      ),
    };
  });
}

function withReviewReason(reasons: ScoreReason[], features: FeatureVector, contribution: number): ScoreReason[] {
  const review = reviewReason(features, contribution);
  if (!review) return reasons;
  // A review feature among the largest attributions is told as the review reason (all three features' effect).
  const at = reasons.findIndex((reason) => (REVIEW_SENTIMENT_FEATURES as readonly string[]).includes(reason.feature));
  return at < 0 ? [...reasons, review] : reasons.map((reason, i) => (i === at ? review : reason));
}

function topReasons(
  names: readonly string[],
  row: readonly number[],
  attribution: readonly number[],
  count: number,
): ScoreReason[] {
  // The `count` largest |contributions|, biggest first: one pass, no sort of every feature (hot in sweeps).
  const top: { j: number; size: number }[] = [];
  attribution.forEach((contribution, j) => {
    const size = Math.abs(contribution);
    if (!Number.isFinite(contribution) || size === 0) return;
    if (top.length === count && size <= top[count - 1].size) return;
    let at = top.length;
    while (at > 0 && top[at - 1].size < size) at--;
    top.splice(at, 0, { j, size });
    if (top.length > count) top.pop();
  });
  return top.map(({ j }) => {
    const contribution = attribution[j];
    return {
      feature: names[j],
      value: round(row[j], 4),
      contribution: round(contribution, 2),
      description:
        `${names[j]} = ${round(row[j], 2)} ${contribution > 0 ? 'raises' : 'lowers'} expected spend by ` +
        `${Math.abs(contribution).toFixed(2)} against the average customer`,
    };
  });
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const money = (value: number) => (Number.isFinite(value) ? Math.max(0, round(value, 2)) : 0) || 0;
const clamp01 = (value: number) => round(Math.min(1, Math.max(0, value)), 4);
