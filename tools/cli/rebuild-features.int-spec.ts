/**
 * `rebuildFeatures` against the real PostgreSQL and Redis that the project's scripts start: Redis state lost (or
 * behind) is rebuilt from the trainer's event store, equal to the batch fold; a state the live service holds with as
 * many events is kept.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { ClickstreamEvent } from '@cvp/contracts';
import { createPrismaClient } from '@cvp/db';
import { buildCustomerStates, featureVector, textSentiment, type CustomerState } from '@cvp/features';
import {
  appliedEventKey,
  appliedReadingKey,
  customerIndexKey,
  customerShard,
  featureStateKey,
  ScoreClock,
} from '@cvp/redis';
import { rebuildFeatures } from './rebuild-features';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
const clock = new ScoreClock(redis, { mode: 'wall', latenessMs: 0, maxFutureSkewMs: 86_400_000 });
const prefix = `rb-${randomUUID().slice(0, 8)}-`;
const day = (n: number) => new Date(Date.UTC(2026, 5, 1 + n)).toISOString();

const purchase = (customerId: string, n: number, total: number): ClickstreamEvent => ({
  eventId: `${customerId}-p${n}`,
  customerId,
  occurredAt: day(n),
  type: 'purchase',
  orderId: `${customerId}-o${n}`,
  items: [{ productId: `sku-${n % 3}`, quantity: 1, unitPrice: total }],
  total,
  currency: 'USD',
});
const view = (customerId: string, n: number): ClickstreamEvent => ({
  eventId: `${customerId}-v${n}`,
  customerId,
  occurredAt: day(n),
  type: 'product_view',
  productId: `sku-${n % 3}`,
  sessionId: `s-${n}`,
});

const lost = `${prefix}lost`;
const ahead = `${prefix}ahead`;
const behind = `${prefix}behind`;
const stored: ClickstreamEvent[] = [lost, ahead, behind].flatMap((id) => [
  view(id, 0),
  purchase(id, 1, 20),
  view(id, 5),
  purchase(id, 9, 35.5),
]);
const state = async (events: ClickstreamEvent[], id: string) =>
  (await buildCustomerStates(events, new Date(8.64e15))).get(id)!;
const held = async (id: string) => JSON.parse((await redis.get(featureStateKey(id)))!) as CustomerState;

beforeAll(async () => {
  await prisma.trainingEvent.createMany({
    data: stored.map((event) => ({
      eventId: event.eventId,
      customerId: event.customerId,
      type: event.type,
      occurredAt: new Date(event.occurredAt),
      payload: event as object,
    })),
  });
  // `ahead` got one more event live than the store has; `behind` missed the last stored one.
  const aheadEvents = [...stored.filter((event) => event.customerId === ahead), purchase(ahead, 12, 5)];
  await redis.set(featureStateKey(ahead), JSON.stringify(await state(aheadEvents, ahead)));
  const behindEvents = stored.filter((event) => event.customerId === behind).slice(0, 3);
  await redis.set(featureStateKey(behind), JSON.stringify(await state(behindEvents, behind)));
});

afterAll(async () => {
  await prisma.trainingEvent.deleteMany({ where: { customerId: { startsWith: prefix } } });
  const keys = [lost, ahead, behind].map(featureStateKey);
  await redis.del(...keys);
  await prisma.$disconnect();
  redis.disconnect();
});

describe('rebuildFeatures (real PostgreSQL and Redis)', () => {
  it('reports the differences first, then rebuilds lost and stale states from the event store, keeping newer ones', async () => {
    const check = await rebuildFeatures({ prisma, redis, clock, verifyOnly: true, customerPrefix: prefix });
    expect(check).toMatchObject({ customers: 3, events: 12, written: 0, equal: 0, differentCount: 3 });
    expect(await redis.exists(featureStateKey(lost))).toBe(0);

    const summary = await rebuildFeatures({ prisma, redis, clock, customerPrefix: prefix, pageSize: 2 });
    expect(summary).toMatchObject({ customers: 3, events: 12, written: 2, kept: 1 });
    for (const id of [lost, behind]) {
      const expected = await state(
        stored.filter((event) => event.customerId === id),
        id,
      );
      // Equal to the batch fold of the stored events, feature for feature.
      expect(featureVector(await held(id))).toEqual(featureVector(expected));
      expect(await redis.sismember(customerIndexKey(customerShard(id)), id)).toBe(1);
    }
    expect((await held(ahead)).eventsApplied).toBe(5);
    // A Kafka replay of a recent stored event is now a duplicate for the features service.
    expect(await redis.get(appliedEventKey(lost, `${lost}-p9`))).toBe('published');

    const after = await rebuildFeatures({ prisma, redis, clock, verifyOnly: true, customerPrefix: prefix });
    expect(after).toMatchObject({ equal: 2, differentCount: 1 });
    expect(after.different).toEqual([{ customerId: ahead, held: 5, store: 4 }]);
  });

  it('folds the stored readings of reviews too, and writes a state that lacks one', async () => {
    const reader = `rr-${randomUUID().slice(0, 8)}-reader`;
    const text = 'Lovely box, shame about the contents';
    const review: ClickstreamEvent = {
      eventId: `${reader}-r1`,
      customerId: reader,
      occurredAt: day(3),
      type: 'review',
      productId: 'sku-1',
      rating: 2,
      text,
    };
    const events = [view(reader, 0), review];
    await prisma.trainingEvent.createMany({
      data: events.map((event) => ({
        eventId: event.eventId,
        customerId: reader,
        type: event.type,
        occurredAt: new Date(event.occurredAt),
        payload: event as object,
      })),
    });
    const reading = { eventId: review.eventId, customerId: reader, occurredAt: new Date(review.occurredAt) };
    await prisma.reviewReading.create({
      data: { ...reading, sentiment: -0.7, lexicon: Math.round(textSentiment(text) * 1000) / 1000, headVersion: 'v' },
    });
    // The live service folded both events but never got the reading.
    await redis.set(featureStateKey(reader), JSON.stringify(await state(events, reader)));
    try {
      const summary = await rebuildFeatures({ prisma, redis, clock, customerPrefix: reader });
      expect(summary).toMatchObject({ customers: 1, events: 2, written: 1, kept: 0, differentCount: 1 });
      const rebuilt = await held(reader);
      expect(rebuilt.modelReviews).toBe(1);
      expect(featureVector(rebuilt).reviewSentimentMean).toBe(-0.7);
      expect(await redis.get(appliedReadingKey(reader, review.eventId))).toBe('published');
    } finally {
      await prisma.reviewReading.deleteMany({ where: { customerId: reader } });
      await prisma.trainingEvent.deleteMany({ where: { customerId: reader } });
      await redis.del(featureStateKey(reader));
    }
  });
});
