import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { CustomerScore } from '@cvp/contracts';
import { featureStateKey, scoreKey } from '@cvp/redis';
import { scorerEnvSchema } from './config';
import { ScoreStore } from './score-store';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
// The read timeout is not what these tests are about: a generous one keeps a loaded CI machine from failing them.
const store = new ScoreStore(redis, scorerEnvSchema.parse({ SCORE_READ_TIMEOUT_MS: '2000' }));
const run = randomUUID().slice(0, 8);
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();

const score = (customerId: string, overrides: Partial<CustomerScore>): CustomerScore => ({
  customerId,
  asOf: day(10),
  lastEventAt: day(10),
  trigger: 'event',
  sourceEventId: 'e10',
  scoredAt: new Date().toISOString(),
  horizonDays: 90,
  expectedSpend: 50,
  expectedSpendLow: null,
  expectedSpendHigh: null,
  pBuyAgain: 0.5,
  churnRisk: 0.5,
  tier: 'mid',
  modelVersion: 'm1',
  featureSchemaVersion: 'features@2',
  reasons: [],
  ...overrides,
});

afterAll(async () => {
  store.onApplicationShutdown();
  redis.disconnect();
});

describe('ScoreStore.writeNewer (real Redis): the newest score wins', () => {
  const write = async (value: CustomerScore) => {
    const outcome = await store.writeNewer([value]);
    return { written: outcome.written, published: outcome.publish.length };
  };
  const held = async (id: string) => (await store.get(id))!;

  it('never lets a sweep as of a later instant overwrite a score from a newer event', async () => {
    const id = `int-${run}-race`;
    // The sweep read the state before the event at day 12 was folded in; its score is as of day 20 nonetheless.
    expect(await write(score(id, { lastEventAt: day(12), asOf: day(12), sourceEventId: 'e12' }))).toEqual({
      written: 1,
      published: 1,
    });
    const sweep = score(id, { lastEventAt: day(10), asOf: day(20), trigger: 'sweep', sourceEventId: 'sweep:s1' });
    expect(await write(sweep)).toEqual({ written: 0, published: 0 });
    expect((await held(id)).sourceEventId).toBe('e12');
    // A sweep that saw the event moves the score forward in time.
    expect(await write({ ...sweep, lastEventAt: day(12) })).toEqual({ written: 1, published: 1 });
    expect(await held(id)).toMatchObject({ asOf: day(20), lastEventAt: day(12), trigger: 'sweep' });
    // An older instant never comes back.
    expect(
      await write(score(id, { lastEventAt: day(12), asOf: day(15), trigger: 'sweep', sourceEventId: 'sweep:s0' })),
    ).toEqual({ written: 0, published: 0 });
  });

  it('at the same instants: writes another model or another event, republishes the very same score, skips the rest', async () => {
    const id = `int-${run}-tie`;
    const base = score(id, { asOf: day(20), trigger: 'sweep', sourceEventId: 'sweep:s1' });
    expect(await write(base)).toEqual({ written: 1, published: 1 });
    // A retry of the same score (written, then the publish failed): published again, not written twice.
    expect(await write(base)).toEqual({ written: 0, published: 1 });
    // Another sweep at the same instant with the same model has nothing new.
    expect(await write({ ...base, sourceEventId: 'sweep:s2' })).toEqual({ written: 0, published: 0 });
    // A model swap at the same instant moves the customer to the new model.
    expect(await write({ ...base, sourceEventId: 'sweep:s3', trigger: 'model-swap', modelVersion: 'm2' })).toEqual({
      written: 1,
      published: 1,
    });
    // A late event folded in (same newest event, same clock) refines it.
    expect(await write({ ...base, sourceEventId: 'late', trigger: 'event', modelVersion: 'm2' })).toEqual({
      written: 1,
      published: 1,
    });
    expect(await held(id)).toMatchObject({ sourceEventId: 'late', modelVersion: 'm2' });
  });

  it('forgets a customer only once their feature state is gone', async () => {
    const id = `int-${run}-forget`;
    await write(score(id, {}));
    await redis.set(featureStateKey(id), '{}', 'EX', 60);
    expect(await store.forget([id])).toBe(0);
    expect(await redis.exists(scoreKey(id))).toBe(1);
    await redis.del(featureStateKey(id));
    expect(await store.forget([id])).toBe(1);
    expect(await redis.exists(scoreKey(id))).toBe(0);
  });
});
