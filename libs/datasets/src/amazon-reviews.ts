import { createHash } from 'node:crypto';
import type { ClickstreamEvent } from '@cvp/contracts';
import { textLines } from './lib/files';
import type { LoadContext, Loader } from './lib/load-context';
import { RecentKeys } from './lib/recent-keys';
import { TimestampParser } from './lib/time';

/**
 * Amazon Review Data 2018 (Ni, Li & McAuley), JSON Lines (gzip as distributed), one review per line:
 * `reviewerID, asin, overall (1-5), reviewText, summary, unixReviewTime (UTC midnight), reviewTime ("MM D, YYYY")`.
 * Each review becomes a review event; there is no price, order or quantity in these files.
 */
export const AMAZON_REVIEWS_DEFAULTS = { timeZone: 'UTC', currency: 'USD' } as const;

/** The contract's limit on review text; longer texts are cut, not dropped. */
const MAX_TEXT = 20_000;

interface AmazonReview {
  reviewerID?: unknown;
  asin?: unknown;
  overall?: unknown;
  reviewText?: unknown;
  unixReviewTime?: unknown;
  reviewTime?: unknown;
}

export function amazonReviewsLoader(path: string, settings: { timeZone: string }): Loader {
  return async function* load(context: LoadContext): AsyncGenerator<ClickstreamEvent> {
    const times = new TimestampParser(settings.timeZone);
    // Bounded memory: hashes of the most recent rows and reviews, not the file.
    const recentRows = new RecentKeys(500_000);
    const recentReviews = new RecentKeys(500_000);
    const recentTexts = new RecentKeys(500_000);
    for await (const { text } of textLines(path)) {
      if (text.trim() === '') continue; // blank line: not a row
      context.read();
      const parsed = parseReview(text, times);
      if (typeof parsed === 'string') {
        context.skip(parsed);
        continue;
      }
      const { customer, productId, rating, reviewText, occurredAt } = parsed;
      // Three kinds of repeats (see SOURCE.md): the very same line; the same review of the same product crawled
      // twice (a vote count changed); and one review Amazon shows on every variant (size, colour) of a product,
      // recorded once per variant ASIN. Counting any of them twice would inflate a customer's reviews.
      const rowKey = digest(text);
      const reviewKey = digest(`${customer}\u0001${productId}\u0001${occurredAt}`);
      const textKey = digest(`${customer}\u0001${occurredAt}\u0001${rating}\u0001${reviewText ?? ''}`);
      let repeat: string | undefined;
      if (recentRows.has(rowKey)) repeat = 'duplicate_row';
      else if (recentReviews.has(reviewKey)) repeat = 'duplicate_review';
      else if (recentTexts.has(textKey)) repeat = 'duplicate_review_variant';
      if (repeat) {
        context.skip(repeat);
        continue;
      }
      const event = context.accept({
        eventId: `amazon-reviews:${customer}:${productId}:${Date.parse(occurredAt) / 1000}`,
        customerId: `amazon-${customer}`,
        occurredAt,
        type: 'review',
        productId,
        rating,
        ...(reviewText ? { text: reviewText } : {}),
      });
      if (!event) continue;
      recentRows.add(rowKey);
      recentReviews.add(reviewKey);
      recentTexts.add(textKey);
      yield event;
    }
  };
}

interface ReviewRow {
  customer: string;
  productId: string;
  rating: number;
  reviewText: string | undefined;
  occurredAt: string;
}

/** The review of a JSON line, or the reason to skip it. */
function parseReview(text: string, times: TimestampParser): ReviewRow | string {
  let review: AmazonReview;
  try {
    review = JSON.parse(text) as AmazonReview;
  } catch {
    return 'bad_json';
  }
  if (typeof review !== 'object' || review === null || Array.isArray(review)) return 'bad_json';
  const customer = typeof review.reviewerID === 'string' ? review.reviewerID.trim() : '';
  if (customer === '') return 'missing_customer_id';
  const productId = typeof review.asin === 'string' ? review.asin.trim() : '';
  if (productId === '') return 'missing_product_id';
  const rating = Number(review.overall);
  if (review.overall === null || review.overall === '' || !Number.isInteger(rating) || rating < 1 || rating > 5) {
    return 'bad_rating';
  }
  const occurredAt = reviewTime(review, times);
  if (occurredAt === undefined) return 'bad_date';
  const body = typeof review.reviewText === 'string' ? review.reviewText.trim() : '';
  return { customer, productId, rating, reviewText: body ? body.slice(0, MAX_TEXT) : undefined, occurredAt };
}

/** `unixReviewTime` (seconds), else the `"MM D, YYYY"` of `reviewTime`. */
function reviewTime(review: AmazonReview, times: TimestampParser): string | undefined {
  if (typeof review.unixReviewTime === 'number' && Number.isInteger(review.unixReviewTime)) {
    return times.fromEpochMs(review.unixReviewTime * 1000);
  }
  const match = typeof review.reviewTime === 'string' ? /^(\d{1,2}) (\d{1,2}), (\d{4})$/.exec(review.reviewTime) : null;
  return match ? times.parse(`${match[1]}/${match[2]}/${match[3]}`) : undefined;
}

/** 72 bits of SHA-1: collisions are negligible among the few million keys a window holds, and keys stay small. */
function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64').slice(0, 12);
}
