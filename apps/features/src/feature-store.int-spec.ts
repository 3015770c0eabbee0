import { randomUUID } from 'node:crypto';
import { testRedisServers } from '@cvp/harness';
import type { ClickstreamEvent } from '@cvp/contracts';
import { featureVectorAt, readCustomerState, reviewReading, textSentiment } from '@cvp/features';
import {
  appliedEventKey,
  appliedReadingKey,
  CLOCK_WATERMARK_KEY,
  customerIndexKey,
  customerShard,
  featureStateKey,
  groupByNode,
  isCluster,
  ScoreClock,
} from '@cvp/redis';
import { FeatureStore } from './feature-store';

// The same tests on one Redis server and on the three-node Redis Cluster that deploy/local/infra.sh starts.
const servers = testRedisServers();
const run = randomUUID().slice(0, 8);
// Far ahead of any event other tests send, so the watermark this test moves is its own to check.
const future = Date.UTC(2100, 0, 1);

const view = (customerId: string, n: number, atMs: number): ClickstreamEvent => ({
  type: 'page_view',
  eventId: `e${n}`,
  customerId,
  occurredAt: new Date(atMs).toISOString(),
});

describe.each(servers)('FeatureStore on %s', (name, redis) => {
  const clock = new ScoreClock(redis, { mode: 'event-time', latenessMs: 0, maxFutureSkewMs: 1e15 });
  const store = new FeatureStore(redis, clock);
  const ids = Array.from({ length: 40 }, (_, i) => `int-${run}-${name.length}-${i}`);

  beforeAll(async () => {
    if (redis.status === 'wait') await redis.connect();
  });
  afterAll(async () => {
    for (const id of ids) await redis.del(featureStateKey(id));
    redis.disconnect();
  });

  it('commits a batch of many shards shard by shard, with the dedup marks, the index and the watermark', async () => {
    expect(groupByNode(redis, ids.map(featureStateKey))).toHaveLength(isCluster(redis) ? 3 : 1);
    const events = ids.flatMap((id, i) => [view(id, 1, future + i), view(id, 2, future + i + 1)]);
    const batch = await store.apply(events);
    expect(batch.duplicates).toBe(0);
    expect(batch.updates.map((update) => update.state.customerId).sort()).toEqual([...ids].sort());
    const state = JSON.parse((await redis.get(featureStateKey(ids[7])))!) as { customerId: string };
    expect(state.customerId).toBe(ids[7]);
    expect(await redis.get(appliedEventKey(ids[7], 'e2'))).toBe('applied');
    expect(await redis.sismember(customerIndexKey(customerShard(ids[7])), ids[7])).toBe(1);
    expect(Number(await redis.get(CLOCK_WATERMARK_KEY))).toBeGreaterThanOrEqual(future + ids.length);

    await store.markPublished(batch.eventKeys);
    expect(await redis.get(appliedEventKey(ids[7], 'e2'))).toBe('published');
    // A replay is a plain duplicate: nothing folded again, nothing to publish.
    const replay = await store.apply(events);
    expect(replay).toMatchObject({ duplicates: events.length, updates: [] });
  });

  it('folds a batch again when a state changed under it, and publishes the shards it had committed', async () => {
    const [first, second] = [ids[0], ids.find((id) => customerShard(id) !== customerShard(ids[0]))!];
    const before = await redis.get(featureStateKey(second));
    // Another writer changes one state between the read and the commit: the first try of that shard fails.
    let raced = false;
    jest.spyOn(store as unknown as { commit: () => Promise<boolean> }, 'commit').mockImplementationOnce(async function (
      this: unknown,
      ...args: unknown[]
    ) {
      raced = true;
      await redis.set(featureStateKey(second), before!.replace('"customerId"', '"customerId" '), 'KEEPTTL');
      // The real commit, now racing the write above.
      return (FeatureStore.prototype as unknown as { commit: (...a: unknown[]) => Promise<boolean> }).commit.apply(
        this,
        args,
      );
    });
    const batch = await store.apply([view(first, 3, future + 100), view(second, 3, future + 101)]);
    expect(raced).toBe(true);
    expect(batch.updates.map((update) => update.state.customerId).sort()).toEqual([first, second].sort());
    expect(await redis.get(appliedEventKey(second, 'e3'))).toBe('applied');
    jest.restoreAllMocks();
  });

  it('folds the language model’s reading of a review once, before or after the review, moving no clock', async () => {
    const [reader, early] = [`${ids[0]}-reader`, `${ids[0]}-early`];
    const at = future + 500;
    const review: ClickstreamEvent = {
      type: 'review',
      eventId: 'r1',
      customerId: reader,
      occurredAt: new Date(at).toISOString(),
      productId: 'p1',
      rating: 1,
      text: 'Love the colour',
    };
    const reading = (customerId: string) =>
      reviewReading({
        customerId,
        eventId: 'r1',
        occurredAt: review.occurredAt,
        sentiment: -0.8,
        lexicon: Math.round(textSentiment(review.text!) * 1000) / 1000,
      });
    await store.apply([review]);
    const watermark = await redis.get(CLOCK_WATERMARK_KEY);
    const read = await store.apply([reading(reader)]);
    expect(read.updates).toHaveLength(1);
    expect(read.updates[0].sourceEventId).toBe('review-reading:r1');
    expect(featureVectorAt(read.updates[0].state, at)).toMatchObject({
      reviewSentimentMean: -0.8,
      recentReviewSentiment: -0.8,
      modelReadReviewShare: 1,
    });
    expect(await redis.get(appliedReadingKey(reader, 'r1'))).toBe('applied');
    expect(await redis.get(CLOCK_WATERMARK_KEY)).toBe(watermark);
    // The same reading again (a replay, or the worker after a restart) is a duplicate; the event's mark is apart.
    expect(await store.apply([reading(reader)])).toMatchObject({ duplicates: 1 });
    expect(await redis.get(appliedEventKey(reader, 'r1'))).toBe('applied');

    // A reading ahead of its review: kept, not published until the review comes, then the same state.
    expect((await store.apply([reading(early)])).updates).toEqual([]);
    const after = await store.apply([{ ...review, customerId: early }]);
    expect(after.updates).toHaveLength(1);
    const stored = readCustomerState((await redis.get(featureStateKey(early)))!);
    const reference = readCustomerState((await redis.get(featureStateKey(reader)))!);
    expect({ ...stored, customerId: reader }).toEqual(reference);
    for (const id of [reader, early]) await redis.del(featureStateKey(id));
  });
});
