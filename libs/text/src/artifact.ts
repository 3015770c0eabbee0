import type { ClickstreamEvent } from '@cvp/contracts';
import { evaluateTextModels, type EvaluatedReview, type TextEvaluation } from './evaluation';
import { trainReviewSentiment, type ReviewSentimentModel } from './review-sentiment';

/** The file of a model version that holds its review-sentiment head (beside the value model, same checksum). */
export const REVIEW_SENTIMENT_FILE = 'review-sentiment.json';

/** Fewest reviews with text a head is trained from (its 20% validation needs some of each class). */
export const MIN_REVIEWS_FOR_HEAD = 30;

/** A head as the trainer stores it: the model fitted on every review of the window, and how it did on a split. */
export interface ReviewSentimentArtifact {
  model: ReviewSentimentModel;
  /** Fitted on 80% of the window's reviews, measured on the rest beside the lexicon and the classic peers. */
  validation: TextEvaluation;
}

export interface RatedReview {
  /** Any stable id (the review event's): it decides the validation split. */
  id: string;
  rating: number;
  text: string;
  embedding?: ArrayLike<number>;
}

/**
 * Trains the review-sentiment head from reviews that carry both text and stars (the stream labels itself): measured
 * on the `cvp evaluate-text` split first, then fitted again on all of them. Null, with the reason, when there are too
 * few reviews or only one rating.
 */
export async function trainReviewSentimentArtifact(
  reviews: readonly RatedReview[],
  lexicon: (text: string) => number,
  encoder: { name: string; dimensions: number } | null,
): Promise<{ artifact: ReviewSentimentArtifact } | { artifact: null; reason: string }> {
  if (reviews.length < MIN_REVIEWS_FOR_HEAD) {
    return { artifact: null, reason: `${reviews.length} reviews with text (at least ${MIN_REVIEWS_FOR_HEAD} needed)` };
  }
  if (new Set(reviews.map((review) => review.rating)).size < 2) {
    return { artifact: null, reason: 'every review has the same rating: nothing to learn' };
  }
  if (encoder && reviews.some((review) => review.embedding?.length !== encoder.dimensions)) {
    throw new RangeError(`every review needs its ${encoder.dimensions}-dimension ${encoder.name} embedding`);
  }
  const evaluated: EvaluatedReview[] = reviews.map((review) => ({ ...review, category: '' }));
  const embeddings = encoder
    ? new Map(reviews.flatMap((review) => (review.embedding ? [[review.id, review.embedding] as const] : [])))
    : undefined;
  const validation = await evaluateTextModels({
    reviews: evaluated,
    lexicon,
    ...(embeddings && encoder ? { embeddings, encoder } : {}),
  });
  const model = await trainReviewSentiment(reviews, { encoder });
  return { artifact: { model, validation } };
}

/** The `max` newest reviews of `events` that carry text (trimmed) and stars: what a head learns from. */
export function ratedReviewsOf(events: readonly ClickstreamEvent[], max: number): RatedReview[] {
  return events
    .flatMap((event) => {
      const text = event.type === 'review' ? event.text?.trim() : undefined;
      return event.type === 'review' && text
        ? [{ id: event.eventId, rating: event.rating, text, at: event.occurredAt }]
        : [];
    })
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
    .slice(0, max)
    .map(({ id, rating, text }) => ({ id, rating, text }));
}
