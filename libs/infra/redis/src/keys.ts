/**
 * Every Redis key CVP writes, from named, versioned builders, with its time to live beside it.
 * A change of a value's layout makes a new version (`v2`), never an in-place edit.
 *
 * Redis Cluster: customers fall in CUSTOMER_SHARDS shards (FNV-1a of the id), and every key of a customer carries its
 * shard's hash tag (`{s17}`), as do the shard's own keys (its part of the sweep index and of the tier totals). So
 * each script touches one hash slot: a score and its tier totals, a state and its dedup marks and index entry move
 * together, on one node. The sweep's keys share the tag `{sweep}`. The few deployment-wide keys (score clock,
 * erasure tombstones, rate counters) are each used alone. `layout.ts` moves a store of the layout before this one.
 */
const DAY_SECONDS = 24 * 60 * 60;

/**
 * Shards of the customers: the unit of a sweep's work and of the Cluster layout (a shard's keys share a hash slot, so
 * a cluster spreads customers over up to this many slots).
 */
export const CUSTOMER_SHARDS = 256;

/** The shard of a customer (FNV-1a of the id). */
export function customerShard(customerId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    hash ^= customerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % CUSTOMER_SHARDS;
}

/** The Redis Cluster hash tag of a shard's keys. */
export const shardTag = (shard: number) => `{s${shard}}`;
const tagOf = (customerId: string) => shardTag(customerShard(customerId));

/** Latest score of a customer (hash), read by the score API and campaign engines. */
export const scoreKey = (customerId: string) => `cvp:score:v2:${tagOf(customerId)}:${customerId}`;
/** The score keys of customers whose id matches a glob (`*`: all), as a SCAN pattern; `customerOfKey` reads a key. */
export const scoreKeyPattern = (customerPattern = '*') => `cvp:score:v2:*:${customerPattern}`;
/** The customer id of a key built by `scoreKey` or `featureStateKey` (what follows the shard tag). */
export const customerOfKey = (key: string) => key.slice(key.indexOf('}:') + 2);
/**
 * A safety net only: a customer is forgotten (score deleted, tier totals moved) by the re-scoring sweep once their
 * feature state has expired, which always happens first (the state lives FEATURE_STATE_TTL_SECONDS from the last
 * event; every sweep rewrites the score and its TTL). A score expires by itself only if no sweep ran for 30 days
 * past that, and then it is not subtracted from the tier totals.
 */
export const SCORE_TTL_SECONDS = (800 + 30) * DAY_SECONDS;

/**
 * Counts and expected-spend sums per tier over the latest scores of a shard's customers (hash: `<tier>:customers`,
 * `<tier>:expectedSpend`; the deployment's totals are the sums over the shards),
 * kept by the scorer's write script as each score replaces the previous one, and by the sweep's forget script as a
 * customer whose state expired is removed. No TTL.
 */
export const tierSummaryKey = (shard: number) => `cvp:tiers:v2:${shardTag(shard)}`;

/** Per-customer feature state (JSON, libs/features state layout 2), the incremental input of the features service. */
export const featureStateKey = (customerId: string) => `cvp:features:v3:${tagOf(customerId)}:${customerId}`;
/**
 * A customer's items (hash: product id -> `purchases|lastPurchaseMs|lastSeenMs`, `@cvp/recommend` item-history), what
 * recommendations are served from; written with the feature state, living as long.
 */
export const customerItemsKey = (customerId: string) => `cvp:items:v1:${tagOf(customerId)}:${customerId}`;

/** The state keys of customers whose id matches a glob, as a SCAN pattern. */
export const featureStateKeyPattern = (customerPattern = '*') => `cvp:features:v3:*:${customerPattern}`;
export const FEATURE_STATE_TTL_SECONDS = 800 * DAY_SECONDS;

/**
 * Marks an event as applied to the feature state ("applied") and its vector as published ("published"). An eventId is
 * unique per customer (the customer id is length-prefixed, so no two pairs share a key).
 */
export const appliedEventKey = (customerId: string, eventId: string) =>
  `cvp:event:v3:${tagOf(customerId)}:${customerId.length}:${customerId}:${eventId}`;
/**
 * The mark of a review's reading by the language model (`cvp.review-signals.v1`) folded into the state: an applied
 * event key whose id starts with a space, which no event id does (ids are trimmed), so the two never collide and
 * erasure's pattern (`appliedEventPattern`) takes both.
 */
export const appliedReadingKey = (customerId: string, eventId: string) =>
  appliedEventKey(customerId, ` reading ${eventId}`);
/** The marks of before per-customer marks (one per eventId, whatever the customer): still read until they expire. */
export const legacyAppliedEventKey = (eventId: string) => `cvp:event:v1:${eventId}`;
/** Replays older than this are no longer recognised as duplicates; Kafka keeps events 30 days. */
export const APPLIED_EVENT_TTL_SECONDS = 35 * DAY_SECONDS;

/** The score clock's event-time watermark (epoch ms of the newest event seen; `@cvp/clock`). No TTL. */
export const CLOCK_WATERMARK_KEY = 'cvp:clock:v1:watermark';

/**
 * Customer index for re-scoring sweeps: every customer with a feature state, one set per shard, so that several scorer
 * replicas share a sweep shard by shard. Written by the features service with each state, pruned by the sweep when a
 * state has expired. No TTL.
 */
export const customerIndexKey = (shard: number) => `cvp:customers:v2:${shardTag(shard)}`;

/** The sweep in progress (JSON), shared by the scorer replicas; and the last finished one with its figures. */
export const SWEEP_ACTIVE_KEY = 'cvp:sweep:v2:{sweep}:active';
export const SWEEP_LAST_KEY = 'cvp:sweep:v2:{sweep}:last';
/** Per sweep: shards done (set), figures (hash), a shard's lease (replica id) and its resume cursor. */
export const sweepDoneKey = (sweepId: string) => `cvp:sweep:v2:{sweep}:${sweepId}:done`;
export const sweepStatsKey = (sweepId: string) => `cvp:sweep:v2:{sweep}:${sweepId}:stats`;
export const sweepLeaseKey = (sweepId: string, shard: number) => `cvp:sweep:v2:{sweep}:${sweepId}:lease:${shard}`;
export const sweepCursorKey = (sweepId: string, shard: number) => `cvp:sweep:v2:{sweep}:${sweepId}:cursor:${shard}`;
export const SWEEP_KEYS_TTL_SECONDS = 7 * DAY_SECONDS;

/** Requests of one API key in one second (all replicas together), for the rate limit. Expires after 2 s. */
export const rateLimitKey = (apiKeyId: string, epochSecond: number) => `cvp:ratelimit:v1:${apiKeyId}:${epochSecond}`;

/**
 * Pseudonyms (`pseudonym()` of @cvp/auth) of erased customers (a set, no TTL): events and records of these customers
 * are refused by ingest and skipped by every consumer, so replays still in Kafka do not bring them back.
 */
export const ERASED_CUSTOMERS_KEY = 'cvp:erased:v1';
/** The dedup marks of a customer's events (`appliedEventKey`), as a SCAN pattern. */
export const appliedEventPattern = (customerId: string) =>
  `cvp:event:v3:${tagOf(customerId)}:${customerId.length}:${customerId.replace(/[*?[\]\\]/g, '\\$&')}:*`;

/** Set once a store of the layout before hash tags was moved to this one (`layout.ts`). */
export const LAYOUT_KEY = 'cvp:layout:v1';
