import { createHash } from 'node:crypto';

/** Three sentiment classes from stars: 1-2 negative, 3 neutral, 4-5 positive. */
export const SENTIMENT_CLASSES = ['negative', 'neutral', 'positive'] as const;
export type SentimentClass = (typeof SENTIMENT_CLASSES)[number];

export function sentimentClassOf(rating: number): SentimentClass {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5)
    throw new RangeError(`a rating is 1..5 stars, not ${rating}`);
  return rating <= 2 ? 'negative' : rating === 3 ? 'neutral' : 'positive';
}

export interface SplittableReview {
  id: string;
  /** '' where the set has no categories. */
  category: string;
  rating: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The `cvp evaluate-text` hold-out: strata = (category, 3-class label); inside a stratum of n reviews, sorted by the
 * hex SHA-256 of `"7|" + id` ascending, the last ⌊(2n + 5)/10⌋ (20%, rounded half up) are test, the rest train.
 * Deterministic and independent of row order, so any team can reproduce the figures.
 */
export function splitReviews<T extends SplittableReview>(reviews: readonly T[]): { train: T[]; test: T[] } {
  const strata = new Map<string, { review: T; key: string }[]>();
  for (const review of reviews) {
    const stratum = `${review.category}\u0000${sentimentClassOf(review.rating)}`;
    let members = strata.get(stratum);
    if (!members) strata.set(stratum, (members = []));
    members.push({ review, key: sha256(`7|${review.id}`) });
  }
  const train: T[] = [];
  const test: T[] = [];
  for (const members of strata.values()) {
    members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const testCount = Math.floor((2 * members.length + 5) / 10);
    members.forEach(({ review }, i) => (i >= members.length - testCount ? test : train).push(review));
  }
  return { train, test };
}
