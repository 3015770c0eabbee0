import { EVENT_TYPES } from '@cvp/contracts';
import type { CustomerState } from './customer-state';

export const FEATURE_SCHEMA_VERSION = 'features@1';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Names and order of the feature vector of FEATURE_SCHEMA_VERSION. */
export const FEATURE_NAMES = [
  'recencyDays',
  'daysSinceLastEvent',
  'tenureDays',
  'frequency',
  'monetaryTotal',
  'monetaryMean',
  'maxOrderValue',
  'refundCount',
  'refundAmount',
  'firstPurchaseAt',
  'lastPurchaseAt',
  ...EVENT_TYPES.map((type) => `count_${type}`),
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type FeatureVector = Record<FeatureName, number>;

const days = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / DAY_MS);
const epochSeconds = (at: string | null) => (at ? Math.floor(Date.parse(at) / 1000) : 0);

/**
 * The feature vector of a customer as of `asOf` (default: the newest event). Times are in days;
 * purchase times are epoch seconds, 0 when the customer never bought.
 * Recency and tenure count from the first purchase; for a customer who never bought, from the first event.
 */
export function featureVector(state: CustomerState, asOf: string = state.lastEventAt): FeatureVector {
  const netSpend = Math.max(0, state.grossSpend - state.refundAmount);
  const counts = Object.fromEntries(EVENT_TYPES.map((type) => [`count_${type}`, state.eventCounts[type]]));
  return {
    recencyDays: days(state.lastPurchaseAt ?? state.firstEventAt, asOf),
    daysSinceLastEvent: days(state.lastEventAt, asOf),
    tenureDays: days(state.firstPurchaseAt ?? state.firstEventAt, asOf),
    frequency: state.orders,
    monetaryTotal: round2(netSpend),
    monetaryMean: state.orders > 0 ? round2(netSpend / state.orders) : 0,
    maxOrderValue: round2(state.maxOrderValue),
    refundCount: state.refunds,
    refundAmount: round2(state.refundAmount),
    firstPurchaseAt: epochSeconds(state.firstPurchaseAt),
    lastPurchaseAt: epochSeconds(state.lastPurchaseAt),
    ...counts,
  } as FeatureVector;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
