import type { ScoreReason } from '@cvp/contracts';
import { RECENT_REVIEW_DAYS, type FeatureName, type FeatureVector } from '@cvp/features';

/** At or below this recent review sentiment (VADER's threshold, the one the features use) reviews read negative. */
export const NEGATIVE_REVIEW_SENTIMENT = -0.05;

/** The features that say how a customer's reviews read (their attributions add up to the review reason's). */
export const REVIEW_SENTIMENT_FEATURES: readonly FeatureName[] = [
  'reviewSentimentMean',
  'negativeReviewShare',
  'recentReviewSentiment',
];

/**
 * The reason a marketer needs beside the largest attributions: the customer's recent reviews read negative (by the
 * language model where it read them, by the word lexicon otherwise). `contribution` is what the value model makes of
 * the review sentiment features together (their attributions summed; null: the scorer has no model of them, as the
 * heuristic). Null when the recent reviews do not read negative.
 */
export function reviewReason(features: FeatureVector, contribution: number | null): ScoreReason | null {
  const sentiment = features.recentReviewSentiment;
  if (!(sentiment <= NEGATIVE_REVIEW_SENTIMENT)) return null;
  const readBy =
    features.modelReadReviewShare >= 1
      ? 'the language model'
      : features.modelReadReviewShare > 0
        ? `the language model (${Math.round(features.modelReadReviewShare * 100)}% of reviews) and the word lexicon`
        : 'the word lexicon';
  const read = `recent reviews read negative: sentiment ${sentiment.toFixed(2)} over the last ${RECENT_REVIEW_DAYS} days, read by ${readBy}`;
  const effect =
    contribution === null
      ? 'not part of the rule of thumb'
      : `${contribution > 0 ? 'raises' : 'lowers'} expected spend by ${Math.abs(contribution).toFixed(2)} against the average customer`;
  return {
    feature: 'recentReviewSentiment',
    value: Math.round(sentiment * 10_000) / 10_000,
    contribution: contribution === null ? 0 : Math.round(contribution * 100) / 100 || 0,
    description: `${read}; ${effect}`,
  };
}
