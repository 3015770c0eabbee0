import type Redis from 'ioredis';
import {
  appliedEventPattern,
  customerIndexKey,
  customerShard,
  ERASED_CUSTOMERS_KEY,
  featureStateKey,
  scoreKey,
  TIER_SUMMARY_KEY,
} from './keys';

/**
 * Erases one customer's keys in one step: the feature state, the score (taken out of the tier totals), the sweep
 * index entry; and adds the tombstone. KEYS: state, score, tier summary, index shard, erased set. ARGV: customer id,
 * pseudonym. Returns { state deleted, score deleted }.
 */
const ERASE = `
redis.call('SADD', KEYS[5], ARGV[2])
local state = redis.call('DEL', KEYS[1])
local held = redis.call('HMGET', KEYS[2], 'tier', 'expectedSpend')
if held[1] then
  redis.call('HINCRBY', KEYS[3], held[1] .. ':customers', -1)
  redis.call('HINCRBYFLOAT', KEYS[3], held[1] .. ':expectedSpend', -tonumber(held[2]))
end
local score = redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
return { state, score }
`;

export interface RedisErasure {
  featureState: number;
  score: number;
  dedupMarks: number;
}

/** Removes everything Redis holds of a customer and tombstones them (see `ERASED_CUSTOMERS_KEY`). */
export async function eraseCustomerFromRedis(
  redis: Redis,
  customerId: string,
  pseudonym: string,
): Promise<RedisErasure> {
  const [state, score] = (await redis.eval(
    ERASE,
    5,
    featureStateKey(customerId),
    scoreKey(customerId),
    TIER_SUMMARY_KEY,
    customerIndexKey(customerShard(customerId)),
    ERASED_CUSTOMERS_KEY,
    customerId,
    pseudonym,
  )) as [number, number];
  let dedupMarks = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', appliedEventPattern(customerId), 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) dedupMarks += await redis.del(...keys);
  } while (cursor !== '0');
  return { featureState: state, score, dedupMarks };
}

/** Which of these pseudonyms are erased, in one round trip. */
export async function erasedAmong(redis: Redis, pseudonyms: readonly string[]): Promise<Set<string>> {
  if (pseudonyms.length === 0) return new Set();
  const flags = await redis.smismember(ERASED_CUSTOMERS_KEY, ...pseudonyms);
  return new Set(pseudonyms.filter((_, i) => flags[i] === 1));
}
