/**
 * Every Redis key CVP writes, from named, versioned builders, with its time to live beside it.
 * A change of a value's layout makes a new version (`v2`), never an in-place edit.
 */
const DAY_SECONDS = 24 * 60 * 60;

/** Latest score of a customer (hash), read by the score API and campaign engines. */
export const scoreKey = (customerId: string) => `cvp:score:v1:${customerId}`;
/** Scores of customers who stay silent for this long expire; the customer is scored again on the next event. */
export const SCORE_TTL_SECONDS = 400 * DAY_SECONDS;

/**
 * Counts and expected-spend sums per tier over the latest scores (hash: `<tier>:customers`, `<tier>:expectedSpend`),
 * kept by the scorer's write script as each score replaces the previous one. Scores that expire (SCORE_TTL_SECONDS)
 * are not subtracted. No TTL.
 */
export const TIER_SUMMARY_KEY = 'cvp:tiers:v1';

/** Per-customer feature state (JSON, libs/features state layout 2), the incremental input of the features service. */
export const featureStateKey = (customerId: string) => `cvp:features:v2:${customerId}`;
export const FEATURE_STATE_TTL_SECONDS = 800 * DAY_SECONDS;

/** Marks an event as applied to the feature state ("applied") and its vector as published ("published"). */
export const appliedEventKey = (eventId: string) => `cvp:event:v1:${eventId}`;
/** Replays older than this are no longer recognised as duplicates; Kafka keeps events 30 days. */
export const APPLIED_EVENT_TTL_SECONDS = 35 * DAY_SECONDS;
