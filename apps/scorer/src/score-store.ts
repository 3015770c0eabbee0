import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { CustomerScore } from '@cvp/contracts';
import { REDIS, SCORE_TTL_SECONDS, scoreKey } from '@cvp/redis';

/**
 * Writes a score only if it is newer by event time than the one held (equal time: only from another
 * source event), so a late or replayed message never overwrites a newer score. Returns 1 when written.
 * KEYS[1] score hash. ARGV: asOfMs, sourceEventId, ttl, then field/value pairs.
 */
const WRITE_IF_NEWER = `
local held = redis.call('HMGET', KEYS[1], 'asOfMs', 'sourceEventId')
if held[1] then
  local heldMs = tonumber(held[1])
  local newMs = tonumber(ARGV[1])
  if newMs < heldMs or (newMs == heldMs and held[2] == ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'asOfMs', ARGV[1], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

@Injectable()
export class ScoreStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    this.redis.defineCommand('cvpWriteScoreIfNewer', { numberOfKeys: 1, lua: WRITE_IF_NEWER });
  }

  /** Writes the scores in one round trip; returns those that were newer than what Redis held. */
  async writeNewer(scores: CustomerScore[]): Promise<CustomerScore[]> {
    if (scores.length === 0) return [];
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & {
      cvpWriteScoreIfNewer(key: string, ...args: (string | number)[]): unknown;
    };
    for (const score of scores) {
      pipeline.cvpWriteScoreIfNewer(
        scoreKey(score.customerId),
        Date.parse(score.asOf),
        score.sourceEventId,
        SCORE_TTL_SECONDS,
        ...Object.entries(toHash(score)).flat(),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    return scores.filter((_, i) => {
      const [error, written] = results[i];
      if (error) throw error;
      return written === 1;
    });
  }

  async get(customerId: string): Promise<CustomerScore | null> {
    const hash = await this.redis.hgetall(scoreKey(customerId));
    return Object.keys(hash).length > 0 ? fromHash(hash) : null;
  }
}

/** Flat hash layout of `cvp:score:v1:{id}`; nested reasons are JSON. */
function toHash(score: CustomerScore): Record<string, string> {
  return {
    customerId: score.customerId,
    asOf: score.asOf,
    sourceEventId: score.sourceEventId,
    scoredAt: score.scoredAt,
    horizonDays: String(score.horizonDays),
    expectedSpend: String(score.expectedSpend),
    expectedSpendLow: score.expectedSpendLow === null ? '' : String(score.expectedSpendLow),
    expectedSpendHigh: score.expectedSpendHigh === null ? '' : String(score.expectedSpendHigh),
    pBuyAgain: String(score.pBuyAgain),
    churnRisk: String(score.churnRisk),
    tier: score.tier,
    modelVersion: score.modelVersion,
    featureSchemaVersion: score.featureSchemaVersion,
    reasons: JSON.stringify(score.reasons),
  };
}

function fromHash(hash: Record<string, string>): CustomerScore {
  const optional = (value: string | undefined) => (value ? Number(value) : null);
  return {
    customerId: hash.customerId,
    asOf: hash.asOf,
    sourceEventId: hash.sourceEventId,
    scoredAt: hash.scoredAt,
    horizonDays: Number(hash.horizonDays),
    expectedSpend: Number(hash.expectedSpend),
    expectedSpendLow: optional(hash.expectedSpendLow),
    expectedSpendHigh: optional(hash.expectedSpendHigh),
    pBuyAgain: Number(hash.pBuyAgain),
    churnRisk: Number(hash.churnRisk),
    tier: hash.tier as CustomerScore['tier'],
    modelVersion: hash.modelVersion,
    featureSchemaVersion: hash.featureSchemaVersion,
    reasons: JSON.parse(hash.reasons ?? '[]'),
  };
}
