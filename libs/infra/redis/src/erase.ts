import { type RedisClient, scanPages } from './cluster';
import {
  appliedEventPattern,
  customerIndexKey,
  customerItemsKey,
  customerShard,
  ERASED_CUSTOMERS_KEY,
  featureStateKey,
  scoreKey,
  tierSummaryKey,
} from './keys';

/**
 * Erases one customer's keys in one step (one hash slot: their shard's): the feature state, the score (taken out of
 * the tier totals), the sweep index entry, their items. KEYS: state, score, tier summary, index shard, items.
 * ARGV: customer id.
 * Returns { state deleted, score deleted }.
 */
const ERASE = `
local state = redis.call('DEL', KEYS[1])
local held = redis.call('HMGET', KEYS[2], 'tier', 'expectedSpend')
if held[1] then
  redis.call('HINCRBY', KEYS[3], held[1] .. ':customers', -1)
  redis.call('HINCRBYFLOAT', KEYS[3], held[1] .. ':expectedSpend', -tonumber(held[2]))
end
local score = redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('DEL', KEYS[5])
return { state, score }
`;

export interface RedisErasure {
  featureState: number;
  score: number;
  dedupMarks: number;
}

/** Removes everything Redis holds of a customer and tombstones them (see `ERASED_CUSTOMERS_KEY`). */
export async function eraseCustomerFromRedis(
  redis: RedisClient,
  customerId: string,
  pseudonym: string,
): Promise<RedisErasure> {
  // The tombstone first: from here on no consumer writes the customer again, whatever happens below.
  await redis.sadd(ERASED_CUSTOMERS_KEY, pseudonym);
  const shard = customerShard(customerId);
  const [state, score] = (await redis.eval(
    ERASE,
    5,
    featureStateKey(customerId),
    scoreKey(customerId),
    tierSummaryKey(shard),
    customerIndexKey(shard),
    customerItemsKey(customerId),
    customerId,
  )) as [number, number];
  let dedupMarks = 0;
  // The marks share the customer's hash slot: one DEL per page. Large pages: few round trips, each of which waits
  // its turn in a busy process (a trainer between two training steps).
  for await (const { keys, node } of scanPages(redis, appliedEventPattern(customerId), 10_000)) {
    dedupMarks += await node.del(...keys);
  }
  return { featureState: state, score, dedupMarks };
}

/** Which of these pseudonyms are erased, in one round trip. */
export async function erasedAmong(redis: RedisClient, pseudonyms: readonly string[]): Promise<Set<string>> {
  if (pseudonyms.length === 0) return new Set();
  const flags = await redis.smismember(ERASED_CUSTOMERS_KEY, ...pseudonyms);
  return new Set(pseudonyms.filter((_, i) => flags[i] === 1));
}
