import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { TIERS, type CustomerScore, type Tier } from '@cvp/contracts';
import {
  CUSTOMER_SHARDS,
  customerIndexKey,
  customerItemsKey,
  customerShard,
  duplicateClient,
  featureStateKey,
  fromScoreHash,
  pipelineByNode,
  REDIS,
  type RedisClient,
  SCORE_TTL_SECONDS,
  scoreKey,
  tierSummaryKey,
  toScoreHash,
  valuesOrThrow,
} from '@cvp/redis';
import { SCORER_CONFIG, type ScorerConfig } from './config';

/**
 * Writes a score only if it is newer than the one held, and moves the customer between the tier counters in the same
 * step. Newer means, in order: a newer newest event behind it (eventMs; so a sweep never overwrites a score that came
 * from a newer event), then a later instant it is as of (asOfMs; a sweep moves a silent customer forward), then, at
 * the same two instants, another model (a swap) or another event (a late event folded in). Returns 1 when written,
 * 2 when this very score (same instants, model and source) is already held (a retry: publish it again), 0 otherwise.
 * KEYS[1] score hash, KEYS[2] tier totals of the customer's shard.
 * ARGV: eventMs, asOfMs, sourceEventId, modelVersion, trigger, ttl, tier, expectedSpend, the hash's fields as one JSON
 * object of strings (unpacked here: one argument instead of thirty for the client to encode).
 */
const WRITE_IF_NEWER = `
local held = redis.call('HMGET', KEYS[1], 'eventMs', 'asOfMs', 'sourceEventId', 'modelVersion', 'tier', 'expectedSpend')
if held[2] then
  local heldEvent = tonumber(held[1] or held[2])
  local heldAsOf = tonumber(held[2])
  local newEvent = tonumber(ARGV[1])
  local newAsOf = tonumber(ARGV[2])
  if newEvent < heldEvent then return 0 end
  if newEvent == heldEvent then
    if newAsOf < heldAsOf then return 0 end
    if newAsOf == heldAsOf and held[4] == ARGV[4] then
      if held[3] == ARGV[3] then return 2 end
      if ARGV[5] ~= 'event' then return 0 end
    end
  end
end
if held[5] then
  redis.call('HINCRBY', KEYS[2], held[5] .. ':customers', -1)
  redis.call('HINCRBYFLOAT', KEYS[2], held[5] .. ':expectedSpend', -tonumber(held[6]))
end
redis.call('HINCRBY', KEYS[2], ARGV[7] .. ':customers', 1)
redis.call('HINCRBYFLOAT', KEYS[2], ARGV[7] .. ':expectedSpend', ARGV[8])
local fields = {'eventMs', ARGV[1], 'asOfMs', ARGV[2]}
for name, value in pairs(cjson.decode(ARGV[9])) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ARGV[6])
return 1
`;

/**
 * Forgets a customer whose feature state expired: deletes the score, takes it out of the tier totals and out of the
 * sweep index, unless a state exists again (an event raced the sweep). KEYS: score, shard tier totals, shard index,
 * state (one hash slot: the customer's shard).
 * ARGV[1] customer id. Returns 1 when forgotten.
 */
const FORGET = `
if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
local held = redis.call('HMGET', KEYS[1], 'tier', 'expectedSpend')
if held[1] then
  redis.call('HINCRBY', KEYS[2], held[1] .. ':customers', -1)
  redis.call('HINCRBYFLOAT', KEYS[2], held[1] .. ':expectedSpend', -tonumber(held[2]))
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`;

/** What a write of scores did: the scores to publish (written now, or already held by an earlier try). */
export interface WriteOutcome {
  publish: CustomerScore[];
  written: number;
}

export interface TierSummary {
  tiers: Record<Tier, { customers: number; expectedSpend: number }>;
  customers: number;
}

/** A score read while Redis could not answer: the last one this instance read, marked stale. */
export type ReadScore = CustomerScore & { stale?: true };

/** A score's JSON text with `"stale":true` added (the text is an object: it ends with its closing brace). */
export function markStale(json: string): string {
  return `${json.slice(0, json.lastIndexOf('}'))},"stale":true}`;
}

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
  private readonly reader: RedisClient;
  private readonly lastKnown: LRUCache<string, string>;
  private firstConnection: Promise<void> | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(SCORER_CONFIG) config: ScorerConfig,
  ) {
    this.redis.defineCommand('cvpWriteScoreIfNewer', { numberOfKeys: 2, lua: WRITE_IF_NEWER });
    this.redis.defineCommand('cvpForgetCustomer', { numberOfKeys: 4, lua: FORGET });
    // Lookups auto-pipelined: at thousands a second, a socket write per lookup was a quarter of the scorer's time
    // (bench/serving.ts --profile); now the lookups of one turn of the event loop share one.
    this.reader = duplicateClient(redis, config.SCORE_READ_TIMEOUT_MS, { autoPipelining: true });
    this.reader.on('error', () => undefined); // the write client logs connection trouble already
    this.lastKnown = new LRUCache({ max: config.SCORE_STALE_CACHE_SIZE });
  }

  onApplicationShutdown(): void {
    // Reads only, nothing to flush; QUIT would be bound by the short read timeout.
    this.reader.disconnect();
  }

  /** Writes the scores in one round trip (per node), each only if newer than the one held (see WRITE_IF_NEWER). */
  async writeNewer(scores: CustomerScore[]): Promise<WriteOutcome> {
    if (scores.length === 0) return { publish: [], written: 0 };
    const results = await pipelineByNode(
      this.redis,
      scores.map((score) => scoreKey(score.customerId)),
      (pipeline, key, i) => {
        const score = scores[i];
        (pipeline as ScorePipeline).cvpWriteScoreIfNewer(
          key,
          tierSummaryKey(customerShard(score.customerId)),
          Date.parse(score.lastEventAt ?? score.asOf),
          Date.parse(score.asOf),
          score.sourceEventId,
          score.modelVersion,
          score.trigger,
          SCORE_TTL_SECONDS,
          score.tier,
          score.expectedSpend,
          JSON.stringify(toScoreHash(score)),
        );
      },
    );
    const outcome: WriteOutcome = { publish: [], written: 0 };
    valuesOrThrow(results).forEach((result, i) => {
      if (result === 1) outcome.written++;
      if (result === 1 || result === 2) outcome.publish.push(scores[i]);
    });
    return outcome;
  }

  /** Forgets customers whose feature state expired (see FORGET); returns how many were forgotten. */
  async forget(customerIds: readonly string[]): Promise<number> {
    if (customerIds.length === 0) return 0;
    const results = await pipelineByNode(this.redis, customerIds.map(scoreKey), (pipeline, key, i) => {
      const id = customerIds[i];
      const shard = customerShard(id);
      (pipeline as ScorePipeline).cvpForgetCustomer(
        key,
        tierSummaryKey(shard),
        customerIndexKey(shard),
        featureStateKey(id),
        id,
      );
    });
    return valuesOrThrow(results).filter((result) => result === 1).length;
  }

  /** One customer's score (parsed; the API serves `getManyJson`'s text as it is). */
  async get(customerId: string): Promise<ReadScore | null> {
    const [json] = await this.getManyJson([customerId]);
    return json === null ? null : (JSON.parse(json) as ReadScore);
  }

  /**
   * Scores of many customers in one round trip, as the JSON text the API answers with (stored beside the hash's
   * fields when the score is written), in the order asked, null for a customer without one. A hash written before
   * that field existed is read whole and encoded here. While Redis does not answer: the last text this instance
   * read for each, marked `"stale":true`, or ScoreStoreUnavailable when one is not held.
   */
  async getManyJson(customerIds: readonly string[]): Promise<(string | null)[]> {
    if (customerIds.length === 0) return [];
    try {
      await this.connected();
      const keys = customerIds.map(scoreKey);
      // One command per key: the reader's auto-pipelining sends them (and other requests' of the same turn) as one
      // pipeline per node.
      const texts = await Promise.all(keys.map((key) => this.reader.hget(key, 'json')));
      const older = keys.filter((_, i) => texts[i] === null);
      if (older.length > 0) {
        const hashes = valuesOrThrow(
          await pipelineByNode(this.reader, older, (pipeline, key) => pipeline.hgetall(key)),
        );
        let at = 0;
        texts.forEach((text, i) => {
          if (text !== null) return;
          const fields = hashes[at++] as Record<string, string>;
          if (Object.keys(fields).length > 0) texts[i] = JSON.stringify(fromScoreHash(fields));
        });
      }
      texts.forEach((text, i) => {
        if (text !== null) this.lastKnown.set(customerIds[i], text);
      });
      return texts;
    } catch (error) {
      const held = customerIds.map((id) => this.lastKnown.get(id));
      if (held.some((text) => text === undefined)) throw new ScoreStoreUnavailable(error);
      return held.map((text) => markStale(text as string));
    }
  }

  /**
   * The stored items of customers (`customerItemsKey` hashes; {} for one with none), what recommendations read: through
   * the API's client (short timeout) for a request, through the consumers' (`scoring`) when scores are made.
   */
  async itemsOf(customerIds: readonly string[], scoring = false): Promise<Record<string, string>[]> {
    try {
      if (!scoring) await this.connected();
      const client = scoring ? this.redis : this.reader;
      return valuesOrThrow(
        await pipelineByNode(client, customerIds.map(customerItemsKey), (pipeline, key) => pipeline.hgetall(key)),
      ) as Record<string, string>[];
    } catch (error) {
      throw new ScoreStoreUnavailable(error);
    }
  }

  async tierSummary(): Promise<TierSummary> {
    let hashes: Record<string, string>[];
    try {
      await this.connected();
      const keys = Array.from({ length: CUSTOMER_SHARDS }, (_, shard) => tierSummaryKey(shard));
      hashes = valuesOrThrow(
        await pipelineByNode(this.reader, keys, (pipeline, key) => pipeline.hgetall(key)),
      ) as Record<string, string>[];
    } catch (error) {
      throw new ScoreStoreUnavailable(error);
    }
    const sum = (field: string) => hashes.reduce((total, hash) => total + Number(hash[field] ?? 0), 0);
    const tiers = Object.fromEntries(
      TIERS.map((tier) => [
        tier,
        {
          customers: sum(`${tier}:customers`),
          expectedSpend: Math.round(sum(`${tier}:expectedSpend`) * 100) / 100,
        },
      ]),
    ) as TierSummary['tiers'];
    return { tiers, customers: TIERS.reduce((sum, tier) => sum + tiers[tier].customers, 0) };
  }

  /**
   * The read client's first connection, awaited by every request that comes while it is made (a burst of lookups on a
   * fresh replica would otherwise fail at once: no offline queue). Later outages are not waited for: a request then
   * fails at once and is answered stale.
   */
  private connected(): Promise<void> {
    if (this.reader.status === 'ready') return Promise.resolve();
    this.firstConnection ??= (this.reader.status === 'wait' ? this.reader.connect() : Promise.resolve()).catch(
      (error: unknown) => {
        this.firstConnection = null;
        throw error;
      },
    );
    return this.firstConnection;
  }
}

type ScorePipeline = ChainableCommander & {
  cvpWriteScoreIfNewer(key: string, summary: string, ...args: (string | number)[]): unknown;
  cvpForgetCustomer(...args: string[]): unknown;
};
