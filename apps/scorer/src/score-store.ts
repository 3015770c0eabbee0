import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { TIERS, type CustomerScore, type Tier } from '@cvp/contracts';
import { fromScoreHash, REDIS, SCORE_TTL_SECONDS, scoreKey, TIER_SUMMARY_KEY, toScoreHash } from '@cvp/redis';
import { SCORER_CONFIG, type ScorerConfig } from './config';

/**
 * Writes a score only if it is newer by event time than the one held (equal time: only from another
 * source event), so a late or replayed message never overwrites a newer score; moves the customer between the tier
 * counters in the same step. Returns 1 when written.
 * KEYS[1] score hash, KEYS[2] tier summary. ARGV: asOfMs, sourceEventId, ttl, tier, expectedSpend, field/value pairs.
 */
const WRITE_IF_NEWER = `
local held = redis.call('HMGET', KEYS[1], 'asOfMs', 'sourceEventId', 'tier', 'expectedSpend')
if held[1] then
  local heldMs = tonumber(held[1])
  local newMs = tonumber(ARGV[1])
  if newMs < heldMs or (newMs == heldMs and held[2] == ARGV[2]) then return 0 end
end
if held[3] then
  redis.call('HINCRBY', KEYS[2], held[3] .. ':customers', -1)
  redis.call('HINCRBYFLOAT', KEYS[2], held[3] .. ':expectedSpend', -tonumber(held[4]))
end
redis.call('HINCRBY', KEYS[2], ARGV[4] .. ':customers', 1)
redis.call('HINCRBYFLOAT', KEYS[2], ARGV[4] .. ':expectedSpend', ARGV[5])
redis.call('HSET', KEYS[1], 'asOfMs', ARGV[1], unpack(ARGV, 6))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

export interface TierSummary {
  tiers: Record<Tier, { customers: number; expectedSpend: number }>;
  customers: number;
}

/** A score read while Redis could not answer: the last one this instance read, marked stale. */
export type ReadScore = CustomerScore & { stale?: true };

export class ScoreStoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`score store unavailable: ${(cause as Error)?.message ?? cause}`);
    this.name = 'ScoreStoreUnavailable';
  }
}

/**
 * The latest score per customer in Redis. Writes go through the consumer's client (1 s command timeout); the API
 * reads through a client of its own with a short timeout (SCORE_READ_TIMEOUT_MS) and no offline queue, so a Redis
 * outage answers within that time: with the last score this instance read (flagged stale) where it holds one, else
 * with ScoreStoreUnavailable. The client reconnects by itself.
 */
@Injectable()
export class ScoreStore implements OnApplicationShutdown {
  private readonly reader: Redis;
  private readonly lastKnown: LRUCache<string, CustomerScore>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SCORER_CONFIG) config: ScorerConfig,
  ) {
    this.redis.defineCommand('cvpWriteScoreIfNewer', { numberOfKeys: 2, lua: WRITE_IF_NEWER });
    this.reader = redis.duplicate({ commandTimeout: config.SCORE_READ_TIMEOUT_MS, lazyConnect: true });
    this.reader.on('error', () => undefined); // the write client logs connection trouble already
    this.lastKnown = new LRUCache({ max: config.SCORE_STALE_CACHE_SIZE });
  }

  onApplicationShutdown(): void {
    // Reads only, nothing to flush; QUIT would be bound by the short read timeout.
    this.reader.disconnect();
  }

  /** Writes the scores in one round trip; returns those that were newer than what Redis held. */
  async writeNewer(scores: CustomerScore[]): Promise<CustomerScore[]> {
    if (scores.length === 0) return [];
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & {
      cvpWriteScoreIfNewer(key: string, summary: string, ...args: (string | number)[]): unknown;
    };
    for (const score of scores) {
      pipeline.cvpWriteScoreIfNewer(
        scoreKey(score.customerId),
        TIER_SUMMARY_KEY,
        Date.parse(score.asOf),
        score.sourceEventId,
        SCORE_TTL_SECONDS,
        score.tier,
        score.expectedSpend,
        ...Object.entries(toScoreHash(score)).flat(),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    return scores.filter((_, i) => {
      const [error, written] = results[i];
      if (error) throw error;
      return written === 1;
    });
  }

  async get(customerId: string): Promise<ReadScore | null> {
    const [score] = await this.getMany([customerId]);
    return score;
  }

  /** Scores of many customers in one round trip (null for a customer without one), in the order asked. */
  async getMany(customerIds: readonly string[]): Promise<(ReadScore | null)[]> {
    if (customerIds.length === 0) return [];
    try {
      await this.connected();
      const pipeline = this.reader.pipeline();
      for (const id of customerIds) pipeline.hgetall(scoreKey(id));
      const results = (await pipeline.exec()) ?? [];
      return customerIds.map((id, i) => {
        const [error, hash] = results[i];
        if (error) throw error;
        const fields = hash as Record<string, string>;
        if (Object.keys(fields).length === 0) return null;
        const score = fromScoreHash(fields);
        this.lastKnown.set(id, score);
        return score;
      });
    } catch (error) {
      const held = customerIds.map((id) => this.lastKnown.get(id));
      if (held.some((score) => !score)) throw new ScoreStoreUnavailable(error);
      return held.map((score) => ({ ...(score as CustomerScore), stale: true as const }));
    }
  }

  async tierSummary(): Promise<TierSummary> {
    let hash: Record<string, string>;
    try {
      await this.connected();
      hash = await this.reader.hgetall(TIER_SUMMARY_KEY);
    } catch (error) {
      throw new ScoreStoreUnavailable(error);
    }
    const tiers = Object.fromEntries(
      TIERS.map((tier) => [
        tier,
        {
          customers: Number(hash[`${tier}:customers`] ?? 0),
          expectedSpend: Math.round(Number(hash[`${tier}:expectedSpend`] ?? 0) * 100) / 100,
        },
      ]),
    ) as TierSummary['tiers'];
    return { tiers, customers: TIERS.reduce((sum, tier) => sum + tiers[tier].customers, 0) };
  }

  private async connected(): Promise<void> {
    if (this.reader.status === 'wait') await this.reader.connect();
  }
}
