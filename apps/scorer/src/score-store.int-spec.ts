import { randomUUID } from 'node:crypto';
import { testRedisServers } from '@cvp/harness';
import type { CustomerScore } from '@cvp/contracts';
import { customerShard, featureStateKey, groupByNode, isCluster, scoreKey } from '@cvp/redis';
import { SWEEP_PHASES, type SweepRecord } from '@cvp/scoring';
import { scorerEnvSchema } from './config';
import { ScoreStore } from './score-store';
import { SweepLedger } from './sweep-ledger';

// The same tests on one Redis server and on the three-node Redis Cluster that deploy/local/infra.sh starts.
const servers = testRedisServers();
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

describe.each(servers)('ScoreStore on %s', (_name, redis) => {
  // The read timeout is not what these tests are about: a generous one keeps a loaded CI machine from failing them.
  const store = new ScoreStore(redis, scorerEnvSchema.parse({ SCORE_READ_TIMEOUT_MS: '2000' }));
  const ledger = new SweepLedger(redis);

  beforeAll(async () => {
    if (redis.status === 'wait') await redis.connect();
  });
  afterAll(() => {
    store.onApplicationShutdown();
    redis.disconnect();
  });

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

  it('writes, reads and forgets customers of many shards in one call each, tier totals summed over the shards', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `int-${run}-many-${i}`);
    // Spread over the shards (and, on the cluster, its three nodes).
    expect(new Set(ids.map(customerShard)).size).toBeGreaterThan(40);
    expect(groupByNode(redis, ids.map(scoreKey))).toHaveLength(isCluster(redis) ? 3 : 1);
    const before = await store.tierSummary();
    const scores = ids.map((id, i) => score(id, { tier: i % 2 ? 'high' : 'low', expectedSpend: i }));
    expect((await store.writeNewer(scores)).written).toBe(60);
    const after = await store.tierSummary();
    expect(after.customers - before.customers).toBe(60);
    expect(after.tiers.high.customers - before.tiers.high.customers).toBe(30);
    const highSpend = ids.reduce((sum, _, i) => sum + (i % 2 ? i : 0), 0);
    expect(after.tiers.high.expectedSpend - before.tiers.high.expectedSpend).toBeCloseTo(highSpend, 1);

    const asked = [ids[5], `int-${run}-nobody`, ids[0], ids[59]];
    const texts = await store.getManyJson(asked);
    expect(texts.map((text) => text && (JSON.parse(text) as CustomerScore).customerId)).toEqual([
      ids[5],
      null,
      ids[0],
      ids[59],
    ]);
    expect(await store.forget(ids)).toBe(60);
    expect((await store.tierSummary()).customers).toBe(before.customers);
    expect(await store.getManyJson(ids.slice(0, 3))).toEqual([null, null, null]);
  });

  it('keeps the sweep ledger in one hash slot: start, claim, record, finish', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `int-${run}-sweep-${i}`);
    for (const id of ids) await redis.set(featureStateKey(id), `{"id":"${id}"}`, 'EX', 60);
    expect(await ledger.states([ids[3], `int-${run}-none`, ids[17]])).toEqual([
      `{"id":"${ids[3]}"}`,
      null,
      `{"id":"${ids[17]}"}`,
    ]);
    const record: SweepRecord = {
      id: `int-${run}`,
      trigger: 'on-demand',
      asOf: day(30),
      modelVersion: `m-${run}`,
      startedAt: new Date().toISOString(),
      shards: 2,
      customersTotal: await ledger.customersTotal(),
    };
    const started = await ledger.start(record, true);
    expect(started?.started).toBe(true);
    expect(await ledger.claim(record, 0, 'a', 10_000)).toBe(true);
    expect(await ledger.claim(record, 0, 'b', 10_000)).toBe(false);
    expect(await ledger.renew(record, 0, 'a', 10_000)).toBe(true);
    const timeMs = Object.fromEntries(SWEEP_PHASES.map((phase) => [phase, 1])) as Record<
      (typeof SWEEP_PHASES)[number],
      number
    >;
    await ledger.record(record, 0, '0', { customers: 5, written: 4, forgotten: 1, skipped: 0, timeMs });
    await ledger.record(record, 1, '0', null);
    expect(await ledger.allDone(record)).toBe(true);
    const summary = await ledger.finish(record);
    expect(summary).toMatchObject({ id: record.id, customers: 5, written: 4, forgotten: 1, shardsDone: 2 });
    expect((await ledger.last())?.id).toBe(record.id);
    expect(await ledger.active()).toBeNull();
    await Promise.all(ids.map((id) => redis.del(featureStateKey(id))));
  });

  it('is what it says it is', () => {
    expect(isCluster(redis)).toBe(_name.includes('Cluster'));
  });
});
