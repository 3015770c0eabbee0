import type { CustomerState } from './customer-state';
import { STATE_BOUNDS } from './customer-state';
import { kmvCount, sumDays } from './sketches';
import { DAY_MS, utcDay } from './time';

export const FEATURE_SCHEMA_VERSION = 'features@3';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const HOUR_BLOCKS = ['00to03', '04to07', '08to11', '12to15', '16to19', '20to23'] as const;

/** Names and order of the feature vector of FEATURE_SCHEMA_VERSION (meanings, units, defaults: README). */
export const FEATURE_NAMES = [
  'recencyDays',
  'daysSinceLastEvent',
  'daysSinceFirstEvent',
  'tenureDays',
  'frequency',
  'monetaryTotal',
  'monetaryMean',
  'maxOrderValue',
  'interPurchaseMeanDays',
  'interPurchaseStdDays',
  'spend30d',
  'spend90d',
  'spend365d',
  'orders30d',
  'orders90d',
  'orders365d',
  'spendTrend90d',
  'events30d',
  'activityTrend30d',
  'distinctProducts',
  'distinctCategories',
  'basketSizeMean',
  'refundCount',
  'refundAmount',
  'refundRate',
  'refundAmountShare',
  'eventCount',
  'sessions',
  'pageViews',
  'productViews',
  'cartAdds',
  'cartRemoves',
  'checkouts',
  'viewToPurchaseRate',
  'cartToPurchaseRate',
  'reviewCount',
  'meanRating',
  'reviewSentimentMean',
  'negativeReviewShare',
  'recentReviewSentiment',
  'modelReadReviewShare',
  ...WEEKDAYS.map((day) => `weekdayShare${day}` as const),
  ...HOUR_BLOCKS.map((block) => `hourShare${block}` as const),
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type FeatureVector = Record<FeatureName, number>;

/** An instant: ISO 8601 text, a Date or epoch milliseconds. */
export type Instant = string | Date | number;

/** The features as of the newest event folded into the state. */
export function featureVector(state: CustomerState, asOf?: Instant): FeatureVector {
  return featureVectorAt(state, asOf ?? state.lastEventMs);
}

/**
 * The features as of `asOf`: recency and tenure measured to it, windows (last 30/90/365 days) made of the
 * UTC days (asOfDay - N, asOfDay]. An `asOf` before the newest event folded in is taken as that event's time
 * (the state cannot forget events). All values are finite; see README for defaults.
 */
export function featureVectorAt(state: CustomerState, asOf: Instant): FeatureVector {
  const asOfMs = Math.max(instantMs(asOf), state.lastEventMs);
  const asOfDay = utcDay(asOfMs);
  const daysTo = (ms: number) => (asOfMs - ms) / DAY_MS;
  const { orders, eventCounts: counts } = state;
  const firstPurchaseMs = state.firstPurchaseMs ?? 0;
  const lastPurchaseMs = state.lastPurchaseMs ?? 0;
  const netCents = Math.max(0, state.grossCents - state.refundCents);
  const purchaseSum = (measure: number[], days: number, endDay = asOfDay) =>
    sumDays(state.purchaseDays, measure, endDay - days + 1, endDay);
  const eventSum = (days: number, endDay = asOfDay) =>
    sumDays(state.activeDays, state.activeDayEvents, endDay - days + 1, endDay);
  const events30d = eventSum(30);
  const total = state.eventsApplied;
  const hourBlocks = HOUR_BLOCKS.map((_, block) =>
    state.hourCounts.slice(block * 4, block * 4 + 4).reduce((sum, count) => sum + count, 0),
  );

  const vector: Record<string, number> = {
    recencyDays: round4(daysTo(state.lastPurchaseMs ?? state.firstEventMs)),
    daysSinceLastEvent: round4(daysTo(state.lastEventMs)),
    daysSinceFirstEvent: round4(daysTo(state.firstEventMs)),
    tenureDays: round4(daysTo(state.firstPurchaseMs ?? state.firstEventMs)),
    frequency: orders,
    monetaryTotal: money(netCents),
    monetaryMean: orders > 0 ? money(netCents / orders) : 0,
    maxOrderValue: money(state.maxOrderCents),
    interPurchaseMeanDays: round4(ratio(lastPurchaseMs - firstPurchaseMs, orders - 1) / DAY_MS),
    interPurchaseStdDays: round4(gapStdDays(state.recentPurchaseMs)),
    spend30d: money(purchaseSum(state.purchaseDayCents, 30)),
    spend90d: money(purchaseSum(state.purchaseDayCents, 90)),
    spend365d: money(purchaseSum(state.purchaseDayCents, 365)),
    orders30d: purchaseSum(state.purchaseDayOrders, 30),
    orders90d: purchaseSum(state.purchaseDayOrders, 90),
    orders365d: purchaseSum(state.purchaseDayOrders, 365),
    spendTrend90d: round4(
      trend(purchaseSum(state.purchaseDayCents, 90), purchaseSum(state.purchaseDayCents, 90, asOfDay - 90)),
    ),
    events30d,
    activityTrend30d: round4(trend(events30d, eventSum(30, asOfDay - 30))),
    distinctProducts: kmvCount(state.productSketch, STATE_BOUNDS.distinctSketch),
    distinctCategories: kmvCount(state.categorySketch, STATE_BOUNDS.distinctSketch),
    basketSizeMean: round4(ratio(state.units, orders)),
    refundCount: counts.refund,
    refundAmount: money(state.refundCents),
    refundRate: round4(ratio(counts.refund, orders)),
    refundAmountShare: round4(Math.min(1, ratio(state.refundCents, state.grossCents))),
    eventCount: total,
    sessions: kmvCount(state.sessionSketch, STATE_BOUNDS.distinctSketch),
    pageViews: counts.page_view,
    productViews: counts.product_view,
    cartAdds: counts.add_to_cart,
    cartRemoves: counts.remove_from_cart,
    checkouts: counts.checkout_started,
    viewToPurchaseRate: round4(Math.min(1, ratio(orders, counts.product_view))),
    cartToPurchaseRate: round4(Math.min(1, ratio(orders, counts.add_to_cart))),
    reviewCount: counts.review,
    meanRating: round4(ratio(state.ratingSum, counts.review)),
    ...reviewFeatures(state, asOfDay),
  };
  WEEKDAYS.forEach((day, i) => (vector[`weekdayShare${day}`] = round4(ratio(state.weekdayCounts[i], total))));
  HOUR_BLOCKS.forEach((block, i) => (vector[`hourShare${block}`] = round4(ratio(hourBlocks[i], total))));
  return vector as FeatureVector;
}

/** Days of reviews that `recentReviewSentiment` averages (among the newest STATE_BOUNDS.recentReviews). */
export const RECENT_REVIEW_DAYS = 90;

/**
 * Review sentiment, each review read by the language model where it was (its reading swapped in for the lexicon's),
 * by the lexicon otherwise. Between a reading and its review event (either may be folded first) the sums can be
 * off by that one review; the values are kept in range.
 */
function reviewFeatures(state: CustomerState, asOfDay: number) {
  const reviews = state.textReviews;
  const milliSum = state.sentimentMilliSum - state.modelLexiconMilliSum + state.modelMilliSum;
  const negatives = state.negativeReviews - state.modelLexiconNegatives + state.modelNegatives;
  let recentSum = 0;
  let recentCount = 0;
  for (const review of state.recentReviews) {
    const milli = review.modelMilli ?? review.lexiconMilli;
    if (milli === null || utcDay(review.ms) <= asOfDay - RECENT_REVIEW_DAYS) continue;
    recentSum += milli;
    recentCount += 1;
  }
  return {
    reviewSentimentMean: round4(clamp(ratio(milliSum, reviews) / 1000, -1, 1)),
    negativeReviewShare: round4(clamp(ratio(negatives, reviews), 0, 1)),
    recentReviewSentiment: round4(clamp(ratio(recentSum, recentCount) / 1000, -1, 1)),
    modelReadReviewShare: round4(clamp(ratio(state.modelReviews, reviews), 0, 1)),
  };
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** The vector as an array in FEATURE_NAMES order (for models). */
export const featureArray = (vector: FeatureVector): number[] => FEATURE_NAMES.map((name) => vector[name]);

function instantMs(asOf: Instant): number {
  const ms = typeof asOf === 'number' ? asOf : typeof asOf === 'string' ? Date.parse(asOf) : asOf.getTime();
  if (!Number.isFinite(ms)) throw new Error(`asOf is not a valid instant: ${String(asOf)}`);
  return ms;
}

/** Population standard deviation, in days, of the gaps between consecutive kept purchase times. */
function gapStdDays(ascendingMs: number[]): number {
  const gaps = ascendingMs.length - 1;
  if (gaps < 2) return 0;
  const mean = (ascendingMs[gaps] - ascendingMs[0]) / gaps;
  let squares = 0;
  for (let i = 1; i <= gaps; i++) squares += (ascendingMs[i] - ascendingMs[i - 1] - mean) ** 2;
  return Math.sqrt(squares / gaps) / DAY_MS;
}

/** (recent - before) / (recent + before): +1 all recent, -1 all before, 0 when both are 0. */
const trend = (recent: number, before: number) => ratio(recent - before, recent + before);
const ratio = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : 0);
const round4 = (value: number) => Math.round(value * 10_000) / 10_000 + 0;
const money = (cents: number) => Math.round(cents) / 100 + 0;
