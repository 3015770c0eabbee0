import { Inject, Injectable, Logger } from '@nestjs/common';
import { connected, isCluster, type RedisClient, scanPages } from './cluster';
import {
  appliedEventKey,
  customerIndexKey,
  customerShard,
  featureStateKey,
  LAYOUT_KEY,
  scoreKey,
  SWEEP_LAST_KEY,
  tierSummaryKey,
} from './keys';
import { REDIS } from './token';

/** The layout before hash tags (one Redis server only): state, score and dedup-mark key prefixes, global keys. */
const OLD = {
  state: 'cvp:features:v2:',
  score: 'cvp:score:v1:',
  mark: 'cvp:event:v2:',
  tiers: 'cvp:tiers:v1',
  indexShards: 64,
  index: (shard: number) => `cvp:customers:v1:${shard}`,
  indexComplete: 'cvp:customers:v1:complete',
  sweepActive: 'cvp:sweep:v1:active',
  sweepLast: 'cvp:sweep:v1:last',
};

/**
 * Moves one key of the old layout to its new name (its TTL with it), unless the new one exists already (written by
 * this version: it is the newer, the old one is dropped). KEYS: old, new, the set to add ARGV[1] to ('' = none), the
 * tier totals to count the moved score in ('' = none). Returns 1 when moved, 0 when the old key is gone already.
 */
const MOVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('DEL', KEYS[1])
  return 1
end
if KEYS[4] ~= '' then
  local held = redis.call('HMGET', KEYS[1], 'tier', 'expectedSpend')
  if held[1] then
    redis.call('HINCRBY', KEYS[4], held[1] .. ':customers', 1)
    redis.call('HINCRBYFLOAT', KEYS[4], held[1] .. ':expectedSpend', tonumber(held[2]))
  end
end
redis.call('RENAME', KEYS[1], KEYS[2])
if KEYS[3] ~= '' then redis.call('SADD', KEYS[3], ARGV[1]) end
return 1
`;

export interface LayoutMove {
  states: number;
  scores: number;
  marks: number;
}

/**
 * Moves a store written before the Redis Cluster layout (`keys.ts`) to it, once: feature states (into the shard
 * index), scores (into the shard tier totals), dedup marks, the last sweep's summary; then drops the old totals and
 * index. Each key moves in one script, so services that run it at once (the features service and every scorer replica
 * do, before they consume) neither lose nor double-count anything. A Redis Cluster never held the old layout.
 */
export async function moveToClusterLayout(redis: RedisClient): Promise<LayoutMove | null> {
  if (isCluster(redis) || (await redis.exists(LAYOUT_KEY))) return null;
  const moved: LayoutMove = { states: 0, scores: 0, marks: 0 };
  const move = async (node: RedisClient, keys: string[][]) => {
    const pipeline = node.pipeline();
    for (const [from, to, set, tiers, member] of keys) pipeline.eval(MOVE, 4, from, to, set, tiers, member);
    const results = (await pipeline.exec()) ?? [];
    return results.reduce((sum, [error, result]) => {
      if (error) throw error;
      return sum + Number(result);
    }, 0);
  };
  for await (const { keys, node } of scanPages(redis, `${OLD.state}*`)) {
    moved.states += await move(
      node,
      keys.map((key) => {
        const id = key.slice(OLD.state.length);
        return [key, featureStateKey(id), customerIndexKey(customerShard(id)), '', id];
      }),
    );
  }
  for await (const { keys, node } of scanPages(redis, `${OLD.score}*`)) {
    moved.scores += await move(
      node,
      keys.map((key) => {
        const id = key.slice(OLD.score.length);
        return [key, scoreKey(id), '', tierSummaryKey(customerShard(id)), ''];
      }),
    );
  }
  for await (const { keys, node } of scanPages(redis, `${OLD.mark}*`)) {
    const known = keys.flatMap((key) => {
      // cvp:event:v2:<length of id>:<id>:<eventId>
      const rest = key.slice(OLD.mark.length);
      const colon = rest.indexOf(':');
      const length = Number(rest.slice(0, colon));
      if (colon < 1 || !Number.isInteger(length)) return [];
      const id = rest.slice(colon + 1, colon + 1 + length);
      const eventId = rest.slice(colon + 2 + length);
      return [[key, appliedEventKey(id, eventId), '', '', '']];
    });
    moved.marks += await move(node, known);
  }
  await redis.eval(MOVE, 4, OLD.sweepLast, SWEEP_LAST_KEY, '', '', '');
  const old = [OLD.tiers, OLD.indexComplete, OLD.sweepActive];
  for (let shard = 0; shard < OLD.indexShards; shard++) old.push(OLD.index(shard));
  await redis.del(...old);
  await redis.set(LAYOUT_KEY, new Date().toISOString());
  return moved;
}

/**
 * The store's layout made current once per process (`moveToClusterLayout`), retried until it succeeds: the features
 * service and the scorer wait for it before they consume, the sweep before it starts.
 */
@Injectable()
export class RedisLayout {
  private done: Promise<void> | null = null;
  private readonly logger = new Logger(RedisLayout.name);

  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  ensure(): Promise<void> {
    this.done ??= this.move().catch((error: unknown) => {
      this.done = null;
      throw error;
    });
    return this.done;
  }

  private async move(): Promise<void> {
    await connected(this.redis, 10_000);
    const moved = await moveToClusterLayout(this.redis);
    if (moved && moved.states + moved.scores + moved.marks > 0) {
      this.logger.log(`moved the Redis store to the hash-tagged layout: ${JSON.stringify(moved)}`);
    }
  }
}
