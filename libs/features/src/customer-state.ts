import { EVENT_TYPES, type ClickstreamEvent, type EventType } from '@cvp/contracts';
import { textSentiment } from './sentiment';
import { dayBucket, dropDaysBefore, hash32, keepLargest, kmvAdd } from './sketches';
import { epochMs, utcDay, utcHour, utcWeekday } from './time';

/**
 * Layout version of `CustomerState`; a stored state of another layout is refused, never misread, except layout 2,
 * which `readCustomerState` upgrades (it lacks only the language model's readings of reviews: none yet).
 */
export const STATE_VERSION = 3;

/**
 * The lateness the pipeline promises to handle exactly: an event up to 7 days older than the newest event
 * already folded gives the same state as in time order (property-tested). The fold is in fact order-insensitive
 * for any lateness (see README); the constant is the contract, and `isBeyondAllowedLateness` lets a consumer
 * count the events that break it.
 */
export const ALLOWED_LATENESS_MS = 7 * 24 * 60 * 60 * 1000;

/** Bounds of the state, all fixed: the JSON of a state never grows past a few KB (see README). */
export const STATE_BOUNDS = {
  /** Days of purchase buckets kept behind the newest event's day: the longest window (365 days). */
  purchaseDays: 365,
  /** Days of event-count buckets kept: the activity trend compares the last 30 days with the 30 before. */
  activityDays: 60,
  /** Newest purchase times kept for the spread of inter-purchase times. */
  recentPurchases: 64,
  /** KMV sketch size of the distinct products, categories and sessions: exact below it. */
  distinctSketch: 64,
  /** Newest reviews with text kept for the recent review sentiment. */
  recentReviews: 8,
} as const;

/**
 * The language model's reading of one review (a `cvp.review-signals.v1` message, by the review-text worker): it
 * replaces the lexicon's reading of that review in the state. Folded like an event (`foldInput`), deduplicated by
 * the review's `eventId` upstream like events; it is not an event (it moves no clock and counts in no event total).
 */
export interface ReviewReading {
  readonly type: 'review_reading';
  customerId: string;
  /** The review event's id. */
  eventId: string;
  /** The review's occurredAt. */
  occurredAt: string;
  /** The head's sentiment, -1 .. +1. */
  sentiment: number;
  /** The lexicon's reading of the same text (what folding the review event added). */
  lexicon: number;
}

/** What the fold takes: clickstream events and the language model's readings of their review texts. */
export type FoldInput = ClickstreamEvent | ReviewReading;

/** A review-signal message (or anything with its fields) as a fold input. */
export const reviewReading = (signal: Omit<ReviewReading, 'type'>): ReviewReading => ({
  type: 'review_reading',
  customerId: signal.customerId,
  eventId: signal.eventId,
  occurredAt: signal.occurredAt,
  sentiment: signal.sentiment,
  lexicon: signal.lexicon,
});

/**
 * One of the newest reviews with text: its time and id (the order), and the lexicon's and the language model's
 * readings in thousandths (null until that reading is folded; either may come first).
 */
export interface RecentReview {
  ms: number;
  eventId: string;
  lexiconMilli: number | null;
  modelMilli: number | null;
}

/**
 * Per-customer state: every field is an order-insensitive aggregate (integer sums, min/max, top-k,
 * KMV sketches, day buckets pruned relative to the newest event), so the events of a customer give the
 * same state whatever order they arrive in. Money is kept in integer cents and review sentiment in integer
 * thousandths so that sums are exact and do not depend on the order of addition. Plain JSON.
 */
export interface CustomerState {
  stateVersion: typeof STATE_VERSION;
  customerId: string;
  /**
   * Earliest/latest event and purchase times, as the events wrote them (on equal instants written
   * differently, the lexically smaller text), with their epoch ms beside them so the fold parses one date
   * per event. `lastEventAt` is the default "as of" of the features. Purchase times are null before a purchase.
   */
  firstEventAt: string;
  firstEventMs: number;
  lastEventAt: string;
  lastEventMs: number;
  firstPurchaseAt: string | null;
  firstPurchaseMs: number | null;
  lastPurchaseAt: string | null;
  lastPurchaseMs: number | null;
  eventsApplied: number;
  eventCounts: Record<EventType, number>;
  orders: number;
  grossCents: number;
  maxOrderCents: number;
  /** Units bought (sum of line-item quantities). */
  units: number;
  refundCents: number;
  ratingSum: number;
  /** Reviews with a non-empty text, the sum of their lexicon sentiment in thousandths, and how many were negative. */
  textReviews: number;
  sentimentMilliSum: number;
  negativeReviews: number;
  /**
   * Reviews read by the language model: how many, the sum of its sentiment and of the lexicon's for the same
   * reviews (thousandths), and how many each called negative. The best reading of the reviews is the lexicon's sums
   * with these reviews' lexicon part swapped for the model's.
   */
  modelReviews: number;
  modelMilliSum: number;
  modelLexiconMilliSum: number;
  modelNegatives: number;
  modelLexiconNegatives: number;
  /** The newest reviews with text (at most STATE_BOUNDS.recentReviews), ascending by time then id. */
  recentReviews: RecentReview[];
  /** Events by UTC hour (24) and by UTC weekday, Monday first (7). */
  hourCounts: number[];
  weekdayCounts: number[];
  /** Purchase buckets by UTC day: day numbers ascending, gross cents and orders per day. */
  purchaseDays: number[];
  purchaseDayCents: number[];
  purchaseDayOrders: number[];
  /** Event-count buckets by UTC day. */
  activeDays: number[];
  activeDayEvents: number[];
  /** Epoch ms of the newest purchases, ascending. */
  recentPurchaseMs: number[];
  /** KMV sketches (smallest 32-bit hashes, ascending) of purchased product ids, their categories, session ids. */
  productSketch: number[];
  categorySketch: number[];
  sessionSketch: number[];
}

/** Sentiment at or below this (VADER's threshold) makes a review negative. */
const NEGATIVE_SENTIMENT_MILLI = -50;

/** A state with no events yet. `at` stands in for the event times until the first event is folded. */
export function emptyState(customerId: string, at: string): CustomerState {
  return {
    stateVersion: STATE_VERSION,
    customerId,
    firstEventAt: at,
    firstEventMs: Date.parse(at),
    lastEventAt: at,
    lastEventMs: Date.parse(at),
    firstPurchaseAt: null,
    firstPurchaseMs: null,
    lastPurchaseAt: null,
    lastPurchaseMs: null,
    eventsApplied: 0,
    eventCounts: Object.fromEntries(EVENT_TYPES.map((type) => [type, 0])) as Record<EventType, number>,
    orders: 0,
    grossCents: 0,
    maxOrderCents: 0,
    units: 0,
    refundCents: 0,
    ratingSum: 0,
    textReviews: 0,
    sentimentMilliSum: 0,
    negativeReviews: 0,
    ...noReadings(),
    hourCounts: new Array<number>(24).fill(0),
    weekdayCounts: new Array<number>(7).fill(0),
    purchaseDays: [],
    purchaseDayCents: [],
    purchaseDayOrders: [],
    activeDays: [],
    activeDayEvents: [],
    recentPurchaseMs: [],
    productSketch: [],
    categorySketch: [],
    sessionSketch: [],
  };
}

/** A deep copy, much cheaper than structuredClone for this shape (every field listed: the type checks it). */
export function cloneState(state: CustomerState): CustomerState {
  return {
    stateVersion: state.stateVersion,
    customerId: state.customerId,
    firstEventAt: state.firstEventAt,
    firstEventMs: state.firstEventMs,
    lastEventAt: state.lastEventAt,
    lastEventMs: state.lastEventMs,
    firstPurchaseAt: state.firstPurchaseAt,
    firstPurchaseMs: state.firstPurchaseMs,
    lastPurchaseAt: state.lastPurchaseAt,
    lastPurchaseMs: state.lastPurchaseMs,
    eventsApplied: state.eventsApplied,
    eventCounts: { ...state.eventCounts },
    orders: state.orders,
    grossCents: state.grossCents,
    maxOrderCents: state.maxOrderCents,
    units: state.units,
    refundCents: state.refundCents,
    ratingSum: state.ratingSum,
    textReviews: state.textReviews,
    sentimentMilliSum: state.sentimentMilliSum,
    negativeReviews: state.negativeReviews,
    modelReviews: state.modelReviews,
    modelMilliSum: state.modelMilliSum,
    modelLexiconMilliSum: state.modelLexiconMilliSum,
    modelNegatives: state.modelNegatives,
    modelLexiconNegatives: state.modelLexiconNegatives,
    recentReviews: state.recentReviews.map((review) => ({ ...review })),
    hourCounts: state.hourCounts.slice(),
    weekdayCounts: state.weekdayCounts.slice(),
    purchaseDays: state.purchaseDays.slice(),
    purchaseDayCents: state.purchaseDayCents.slice(),
    purchaseDayOrders: state.purchaseDayOrders.slice(),
    activeDays: state.activeDays.slice(),
    activeDayEvents: state.activeDayEvents.slice(),
    recentPurchaseMs: state.recentPurchaseMs.slice(),
    productSketch: state.productSketch.slice(),
    categorySketch: state.categorySketch.slice(),
    sessionSketch: state.sessionSketch.slice(),
  };
}

/** Folds one event (or review reading) into the state and returns a new state; `previous` is not changed. O(1). */
export function applyEvent(previous: CustomerState | null, event: FoldInput): CustomerState {
  const state = previous ? cloneState(checked(previous, event)) : emptyState(event.customerId, event.occurredAt);
  foldInput(state, event);
  return state;
}

/** Folds an event or a review reading into `state` in place. */
export function foldInput(state: CustomerState, input: FoldInput): void {
  if (input.type === 'review_reading') foldReviewReading(state, input);
  else foldEvent(state, input);
}

/**
 * Folds the language model's reading of a review IN PLACE: its sentiment takes the place of the lexicon's in the
 * review features. Sums only (and the bounded list of newest reviews), so it commutes with the review event itself:
 * the reading may be folded before or after it. Fold each reading once (deduplicate by the review's eventId).
 */
export function foldReviewReading(state: CustomerState, reading: ReviewReading): void {
  checked(state, reading);
  const ms = epochMs(reading.occurredAt, `occurredAt of the reading of review ${reading.eventId}`);
  const modelMilli = toMilli(reading.sentiment);
  const lexiconMilli = toMilli(reading.lexicon);
  state.modelReviews += 1;
  state.modelMilliSum += modelMilli;
  state.modelLexiconMilliSum += lexiconMilli;
  if (modelMilli <= NEGATIVE_SENTIMENT_MILLI) state.modelNegatives += 1;
  if (lexiconMilli <= NEGATIVE_SENTIMENT_MILLI) state.modelLexiconNegatives += 1;
  const review = keepRecentReview(state.recentReviews, ms, reading.eventId);
  if (review) review.modelMilli = modelMilli;
}

/**
 * The entry of review (ms, eventId) among the newest reviews, inserted if it is one of the newest
 * STATE_BOUNDS.recentReviews seen; null when older than all of them (then it is in no recent window either).
 */
function keepRecentReview(recent: RecentReview[], ms: number, eventId: string): RecentReview | null {
  const before = (review: RecentReview) => review.ms < ms || (review.ms === ms && review.eventId < eventId);
  let at = recent.length;
  while (at > 0 && !before(recent[at - 1])) at--;
  if (at < recent.length && recent[at].ms === ms && recent[at].eventId === eventId) return recent[at];
  if (recent.length >= STATE_BOUNDS.recentReviews && at === 0) return null;
  const review: RecentReview = { ms, eventId, lexiconMilli: null, modelMilli: null };
  recent.splice(at, 0, review);
  if (recent.length > STATE_BOUNDS.recentReviews) recent.shift();
  return review;
}

/**
 * A stored state as this code reads it: layout 3 as is, layout 2 upgraded (no model readings yet, no recent
 * reviews: they fill as new reviews come); anything else is refused with the reason.
 */
export function readCustomerState(raw: string): CustomerState {
  const state = JSON.parse(raw) as CustomerState | (Omit<CustomerState, 'stateVersion'> & { stateVersion: 2 });
  if (state?.stateVersion === 2) {
    return {
      ...state,
      stateVersion: STATE_VERSION,
      ...noReadings(),
    };
  }
  return state as CustomerState;
}

/** The parts of a state that hold the language model's readings, before any (layout 3 added them). */
function noReadings() {
  return {
    modelReviews: 0,
    modelMilliSum: 0,
    modelLexiconMilliSum: 0,
    modelNegatives: 0,
    modelLexiconNegatives: 0,
    recentReviews: [] as RecentReview[],
  };
}

/**
 * Folds one event into `state` IN PLACE (the batch builder's fast path; `applyEvent` is this on a copy).
 * Work per event is bounded by the fixed sizes in STATE_BOUNDS, whatever the history.
 */
export function foldEvent(state: CustomerState, event: ClickstreamEvent): void {
  checked(state, event);
  const at = epochMs(event.occurredAt, `occurredAt of event ${event.eventId}`);
  const day = utcDay(at);
  const iso = event.occurredAt;
  const first = state.eventsApplied === 0;
  if (first || precedes(at, iso, state.firstEventMs, state.firstEventAt)) {
    state.firstEventAt = iso;
    state.firstEventMs = at;
  }
  if (first || follows(at, iso, state.lastEventMs, state.lastEventAt)) {
    state.lastEventAt = iso;
    state.lastEventMs = at;
  }
  const newestDay = utcDay(state.lastEventMs);
  state.eventsApplied += 1;
  state.eventCounts[event.type] += 1;
  state.hourCounts[utcHour(at)] += 1;
  state.weekdayCounts[utcWeekday(at)] += 1;
  if (event.sessionId) kmvAdd(state.sessionSketch, hash32(event.sessionId), STATE_BOUNDS.distinctSketch);

  // An event older than a bucket horizon lies outside every window as of the newest event or later.
  const activity = [state.activeDayEvents];
  dropDaysBefore(state.activeDays, activity, newestDay - STATE_BOUNDS.activityDays + 1);
  if (day > newestDay - STATE_BOUNDS.activityDays)
    state.activeDayEvents[dayBucket(state.activeDays, activity, day)] += 1;
  const purchases = [state.purchaseDayCents, state.purchaseDayOrders];
  dropDaysBefore(state.purchaseDays, purchases, newestDay - STATE_BOUNDS.purchaseDays + 1);

  switch (event.type) {
    case 'purchase': {
      const cents = toCents(event.total);
      state.orders += 1;
      state.grossCents += cents;
      state.maxOrderCents = Math.max(state.maxOrderCents, cents);
      const { firstPurchaseAt, firstPurchaseMs, lastPurchaseAt, lastPurchaseMs } = state;
      if (firstPurchaseAt === null || firstPurchaseMs === null || precedes(at, iso, firstPurchaseMs, firstPurchaseAt)) {
        state.firstPurchaseAt = iso;
        state.firstPurchaseMs = at;
      }
      if (lastPurchaseAt === null || lastPurchaseMs === null || follows(at, iso, lastPurchaseMs, lastPurchaseAt)) {
        state.lastPurchaseAt = iso;
        state.lastPurchaseMs = at;
      }
      keepLargest(state.recentPurchaseMs, at, STATE_BOUNDS.recentPurchases);
      if (day > newestDay - STATE_BOUNDS.purchaseDays) {
        const bucket = dayBucket(state.purchaseDays, purchases, day);
        state.purchaseDayCents[bucket] += cents;
        state.purchaseDayOrders[bucket] += 1;
      }
      for (const item of event.items) {
        state.units += item.quantity;
        kmvAdd(state.productSketch, hash32(item.productId), STATE_BOUNDS.distinctSketch);
        if (item.category) kmvAdd(state.categorySketch, hash32(item.category), STATE_BOUNDS.distinctSketch);
      }
      break;
    }
    case 'refund':
      state.refundCents += toCents(event.amount);
      break;
    case 'review': {
      state.ratingSum += event.rating;
      const text = event.text?.trim();
      if (text) {
        const milli = toMilli(textSentiment(text));
        state.textReviews += 1;
        state.sentimentMilliSum += milli;
        if (milli <= NEGATIVE_SENTIMENT_MILLI) state.negativeReviews += 1;
        const review = keepRecentReview(state.recentReviews, at, event.eventId);
        if (review) review.lexiconMilli = milli;
      }
      break;
    }
    default:
      break;
  }
}

/** True when `event` is older than the newest event of `state` by more than ALLOWED_LATENESS_MS. */
export function isBeyondAllowedLateness(state: CustomerState | null, event: ClickstreamEvent): boolean {
  if (!state || state.eventsApplied === 0) return false;
  return state.lastEventMs - Date.parse(event.occurredAt) > ALLOWED_LATENESS_MS;
}

/**
 * Whether an instant comes before (after) the current one. Equal instants written differently: the lexically
 * smaller text wins either way, so the kept text never depends on which event came first.
 */
const precedes = (ms: number, iso: string, currentMs: number, currentIso: string) =>
  ms < currentMs || (ms === currentMs && iso < currentIso);
const follows = (ms: number, iso: string, currentMs: number, currentIso: string) =>
  ms > currentMs || (ms === currentMs && iso < currentIso);

const toCents = (amount: number) => Math.round(amount * 100);
const toMilli = (sentiment: number) => Math.round(sentiment * 1000);

function checked(state: CustomerState, event: FoldInput): CustomerState {
  if (state.stateVersion !== STATE_VERSION) {
    throw new Error(
      `state of ${state.customerId} has layout ${state.stateVersion ?? 1}, this code reads ${STATE_VERSION}`,
    );
  }
  if (state.customerId !== event.customerId) {
    throw new Error(`event ${event.eventId} of ${event.customerId} applied to the state of ${state.customerId}`);
  }
  return state;
}
