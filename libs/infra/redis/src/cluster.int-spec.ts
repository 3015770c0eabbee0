import { randomUUID } from 'node:crypto';
import { getMany, groupByNode, isCluster, type RedisClient, scanPages } from './cluster';
import { eraseCustomerFromRedis } from './erase';
import {
  appliedEventKey,
  customerIndexKey,
  customerShard,
  featureStateKey,
  LAYOUT_KEY,
  scoreKey,
  scoreKeyPattern,
  tierSummaryKey,
} from './keys';
import { moveToClusterLayout } from './layout';
import { createRedisClient } from './redis.module';

const server = createRedisClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', commandTimeoutMs: 5000 });
const cluster = createRedisClient({
  url: process.env.REDIS_CLUSTER_URL ?? 'redis://127.0.0.1:7000',
  cluster: true,
  commandTimeoutMs: 5000,
});
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  await Promise.all([server.connect(), cluster.connect()]);
});
afterAll(() => {
  server.disconnect();
  cluster.disconnect();
});

describe.each([
  ['one Redis server', server],
  ['a three-node Redis Cluster', cluster],
] as [string, RedisClient][])('the key layout on %s', (_name, redis) => {
  it("keeps a customer's keys in one hash slot, and the customers spread over the nodes", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `layout-${run}-${i}`);
    if (isCluster(redis)) {
      for (const id of ids.slice(0, 5)) {
        const shard = customerShard(id);
        const slots = await Promise.all(
          [
            scoreKey(id),
            featureStateKey(id),
            appliedEventKey(id, 'e1'),
            tierSummaryKey(shard),
            customerIndexKey(shard),
          ].map((key) => redis.cluster('KEYSLOT', key)),
        );
        expect(new Set(slots).size).toBe(1);
      }
    }
    expect(groupByNode(redis, ids.map(scoreKey))).toHaveLength(isCluster(redis) ? 3 : 1);
  });

  it('reads many keys of many slots in order, and scans every node', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `scan-${run}-${i}`);
    await Promise.all(ids.map((id, i) => redis.hset(scoreKey(id), 'n', String(i))));
    await Promise.all(ids.map((id, i) => redis.set(featureStateKey(id), String(i), 'EX', 60)));
    const keys = [featureStateKey(ids[9]), featureStateKey(`scan-${run}-none`), featureStateKey(ids[0])];
    expect(await getMany(redis, keys)).toEqual(['9', null, '0']);
    const found: string[] = [];
    for await (const page of scanPages(redis, scoreKeyPattern(`scan-${run}-*`))) found.push(...page.keys);
    expect(found.sort()).toEqual(ids.map(scoreKey).sort());
    await Promise.all(ids.flatMap((id) => [redis.del(scoreKey(id)), redis.del(featureStateKey(id))]));
  });

  it('erases a customer: state, score (out of the tier totals), index entry, dedup marks; tombstone added', async () => {
    const id = `erase-${run}`;
    const shard = customerShard(id);
    await redis.set(featureStateKey(id), '{}');
    await redis.sadd(customerIndexKey(shard), id);
    await redis.hset(scoreKey(id), { tier: 'high', expectedSpend: '10' });
    await redis.hincrby(tierSummaryKey(shard), 'high:customers', 1);
    await redis.hincrbyfloat(tierSummaryKey(shard), 'high:expectedSpend', 10);
    const before = await redis.hget(tierSummaryKey(shard), 'high:customers');
    await Promise.all(['e1', 'e2', 'e3'].map((event) => redis.set(appliedEventKey(id, event), 'published')));
    expect(await eraseCustomerFromRedis(redis, id, `alias-${run}`)).toEqual({
      featureState: 1,
      score: 1,
      dedupMarks: 3,
    });
    expect(await redis.exists(featureStateKey(id))).toBe(0);
    expect(await redis.exists(scoreKey(id))).toBe(0);
    expect(await redis.sismember(customerIndexKey(shard), id)).toBe(0);
    expect(Number(await redis.hget(tierSummaryKey(shard), 'high:customers'))).toBe(Number(before) - 1);
  });
});

describe('moveToClusterLayout (one Redis server holding the layout before hash tags)', () => {
  it('moves states, scores and dedup marks, builds the shard index and tier totals, once', async () => {
    const id = `move-${run}:with:colons`;
    const other = `move-${run}-2`;
    const shard = customerShard(id);
    await server.del(LAYOUT_KEY);
    await server.set(`cvp:features:v2:${id}`, '{"state":1}', 'EX', 1000);
    await server.set(`cvp:features:v2:${other}`, '{"state":2}');
    await server.hset(`cvp:score:v1:${id}`, { tier: 'mid', expectedSpend: '12.5', json: '{}' });
    await server.set(`cvp:event:v2:${id.length}:${id}:ev:1`, 'published', 'EX', 1000);
    await server.hset('cvp:tiers:v1', 'mid:customers', 99);
    await server.sadd('cvp:customers:v1:3', id);
    const totals = Number((await server.hget(tierSummaryKey(shard), 'mid:customers')) ?? 0);

    const moved = await moveToClusterLayout(server);
    expect(moved).toMatchObject({ states: expect.any(Number), scores: expect.any(Number), marks: expect.any(Number) });
    expect(moved!.states).toBeGreaterThanOrEqual(2);
    expect(await server.get(featureStateKey(id))).toBe('{"state":1}');
    expect(await server.ttl(featureStateKey(id))).toBeGreaterThan(900);
    expect(await server.ttl(featureStateKey(other))).toBe(-1);
    expect(await server.exists(`cvp:features:v2:${id}`)).toBe(0);
    expect(await server.sismember(customerIndexKey(shard), id)).toBe(1);
    expect(await server.hget(scoreKey(id), 'tier')).toBe('mid');
    expect(Number(await server.hget(tierSummaryKey(shard), 'mid:customers'))).toBe(totals + 1);
    expect(await server.get(appliedEventKey(id, 'ev:1'))).toBe('published');
    expect(await server.exists('cvp:tiers:v1', 'cvp:customers:v1:3')).toBe(0);
    // Once: the layout is marked current, and a cluster never held the old one.
    expect(await moveToClusterLayout(server)).toBeNull();
    expect(await moveToClusterLayout(cluster)).toBeNull();
    await server.del(featureStateKey(id), featureStateKey(other), scoreKey(id), appliedEventKey(id, 'ev:1'));
    await server.srem(customerIndexKey(shard), id);
    await server.srem(customerIndexKey(customerShard(other)), other);
    await server.hincrby(tierSummaryKey(shard), 'mid:customers', -1);
    await server.hincrbyfloat(tierSummaryKey(shard), 'mid:expectedSpend', -12.5);
  });
});
