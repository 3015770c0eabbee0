/**
 * End to end, against the real Kafka, Redis and PostgreSQL of `npm run infra:up`: the four services run as
 * separate processes; events go in over HTTP; scores come out in Redis and on cvp.scores.v1, decisions in
 * PostgreSQL and on cvp.decisions.v1.
 */
import type { CustomerValueAnswer } from '@cvp/scoring';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Consumer, type KafkaMessage } from 'kafkajs';
import Redis from 'ioredis';
import {
  deadLetterTopic,
  TOPICS,
  type ClickstreamEvent,
  type CustomerScore,
  type DecisionMessage,
  type ModelPublishedMessage,
  type ReviewSignalMessage,
} from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import { emptyState, featureVector, foldEvent } from '@cvp/features';
import { createApiKey, revokeApiKey, ROLES, type Role } from '@cvp/auth';
import { createPrismaClient } from '@cvp/db';
import { artifactChecksum } from '@cvp/model-store';
import { assignGroup } from '@cvp/decisioning';
import { waitForZeroLag } from '@cvp/kafka';
import {
  CLOCK_WATERMARK_KEY,
  featureStateKey,
  scoreKey,
  SWEEP_ACTIVE_KEY,
  SWEEP_LAST_KEY,
  tierSummaryKey,
  CUSTOMER_SHARDS,
  customerIndexKey,
  scoreKeyPattern,
  sweepCursorKey,
  sweepDoneKey,
  sweepLeaseKey,
  appliedEventPattern,
} from '@cvp/redis';
import type { SweepRecord, SweepSummary } from '@cvp/scoring';
import {
  eventually,
  API_ROUTES,
  launchChromium,
  consumedTopics,
  fetchWithKeys,
  fuzzOpenApi,
  partitionOf,
  POISON_CASES,
  runPoisonMatrix,
  sleep,
  startService,
  stopService,
  waitUntilReady,
  type RunningService,
  type ServiceName,
} from '@cvp/harness';

jest.setTimeout(240_000);

const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp';
const GROUPS = {
  features: 'cvp-features-e2e',
  trainer: 'cvp-trainer-e2e',
  scorer: 'cvp-scorer-e2e',
  campaigns: 'cvp-campaigns-e2e',
};
const RUN = `e2e-${Date.now().toString(36)}`;
const ROOT = join(__dirname, '..', '..');
const DAY = 86_400_000;
const T0 = Date.parse('2025-01-06T09:00:00Z');

const kafka = new Kafka({ clientId: 'cvp-e2e', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
const redis = new Redis(REDIS_URL);
const prisma = createPrismaClient(DATABASE_URL);
/** A key of every role, made in beforeAll; every request of this suite sends the one its route asks for. */
const KEYS: Partial<Record<Role, string>> = {};
const fetch = fetchWithKeys(KEYS);
const services: RunningService[] = [];
const seen: {
  scores: CustomerScore[];
  decisions: DecisionMessage[];
  models: ModelPublishedMessage[];
  deadLetters: KafkaMessage[];
  reviewSignals: ReviewSignalMessage[];
  /** customerId -> W3C traceparent header of its decision. */
  decisionTraces: Record<string, string>;
} = { scores: [], decisions: [], models: [], deadLetters: [], reviewSignals: [], decisionTraces: {} };
let observer: Consumer;
let ingestUrl = '';
let scorerUrl = '';
let trainerUrl = '';
const MODEL_STORE_DIR = join(ROOT, '.infra', 'e2e-models', RUN);

let sequence = 0;
const at = (day: number) => new Date(T0 + day * DAY + sequence++ * 1000).toISOString();
const purchase = (customerId: string, day: number, total: number): ClickstreamEvent => ({
  eventId: `${customerId}-p${day}`,
  customerId,
  occurredAt: at(day),
  type: 'purchase',
  orderId: `${customerId}-o${day}`,
  items: [{ productId: 'sku-1', category: 'shoes', quantity: 1, unitPrice: total }],
  total,
  currency: 'USD',
});
const view = (customerId: string, day: number): ClickstreamEvent => ({
  eventId: `${customerId}-v${day}`,
  customerId,
  occurredAt: at(day),
  type: 'page_view',
  url: '/home',
});

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(`${ingestUrl}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

/** A true barrier: every e2e consumer group has committed up to the end of its topic. */
async function pipelineIdle(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitForZeroLag(admin, consumedTopics(GROUPS), 120_000);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The e2e run owns the model registry: it starts with no model published (registry rows and cvp.models.v1 records
 * removed), so the scorer starts on the heuristic and the model trained here is the first one.
 */
async function resetModelRegistry(): Promise<void> {
  await prisma.modelVersion.deleteMany({});
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(TOPICS.models);
    await admin.deleteTopicRecords({
      topic: TOPICS.models,
      partitions: offsets.map(({ partition }) => ({ partition, offset: '-1' })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** The customer who goes silent in 'scores that follow time'; the model swap must re-score them too. */
const SILENT = `${RUN}-silent`;

/** Starts a re-scoring sweep over the API and waits until it finished and the campaigns consumed its scores. */
async function rescore(): Promise<SweepSummary> {
  const response = await fetch(`${scorerUrl}/v1/rescore`, { method: 'POST' });
  expect(response.status).toBe(202);
  const { sweep } = (await response.json()) as { sweep: SweepRecord; started: boolean };
  const last = await eventually(`sweep ${sweep.id}`, async () => {
    const status = (await (await fetch(`${scorerUrl}/v1/sweeps`)).json()) as { last: SweepSummary | null };
    return status.last?.id === sweep.id && status.last;
  });
  await pipelineIdle();
  return last;
}

beforeAll(async () => {
  // High limits: the rate limit has its own test.
  for (const role of ROLES) {
    KEYS[role] = (await createApiKey(prisma, { role, name: `e2e ${role}`, rateLimitPerSecond: 100_000 })).key;
  }
  await resetModelRegistry();
  // The e2e run owns the event-time clock too: it starts before any of its events.
  await redis.del(CLOCK_WATERMARK_KEY, SWEEP_ACTIVE_KEY, SWEEP_LAST_KEY);
  // And the campaigns: only the seeded win-back campaign and the ones the tests create act (a demo run on the same
  // stack leaves its own campaign active).
  await prisma.campaign.updateMany({
    where: { status: 'active', key: { not: 'win-back-high-value' } },
    data: { status: 'paused' },
  });
  observer = kafka.consumer({ groupId: `${RUN}-observer` });
  await observer.connect();
  await observer.subscribe({
    topics: [
      TOPICS.scores,
      TOPICS.decisions,
      TOPICS.models,
      TOPICS.reviewSignals,
      deadLetterTopic(TOPICS.events),
      deadLetterTopic(TOPICS.scores),
    ],
    fromBeginning: true,
  });
  await observer.run({
    eachMessage: async ({ topic, message }) => {
      const text = message.value?.toString() ?? '';
      if (topic === TOPICS.models) {
        seen.models.push(JSON.parse(text));
        return;
      }
      if (!text.includes(RUN)) return;
      if (topic === TOPICS.scores) seen.scores.push(JSON.parse(text));
      else if (topic === TOPICS.reviewSignals) seen.reviewSignals.push(JSON.parse(text));
      else if (topic === TOPICS.decisions) {
        const decision = JSON.parse(text) as DecisionMessage;
        seen.decisions.push(decision);
        seen.decisionTraces[decision.customerId] = message.headers?.traceparent?.toString() ?? '';
      } else seen.deadLetters.push(message);
    },
  });

  // Telemetry on, exporting nowhere: the trace context must still travel from HTTP through every topic.
  const telemetry = {
    OTEL_SDK_DISABLED: 'false',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
  const env = (name: ServiceName): Record<string, string> => ({
    ...telemetry,
    // Replayed history: scores are as of the event-time clock; sweeps only when a test asks for one.
    SCORE_CLOCK: 'event-time',
    SWEEP_INTERVAL_HOURS: '0',
    ...(name in GROUPS ? { KAFKA_GROUP_ID: GROUPS[name as keyof typeof GROUPS] } : {}),
    // The trainer writes the model store, the scorers load from it (and from nowhere else).
    ...(name === 'trainer' || name === 'scorer' ? { MODEL_STORE_DIR } : {}),
  });
  for (const name of ['ingest', 'features', 'trainer', 'scorer', 'campaigns'] as const)
    services.push(startService(name, env(name)));
  // The console reaches the five above (server side) and samples the pipeline every second.
  const upstreams = Object.fromEntries(services.map((service) => [`${service.name.toUpperCase()}_URL`, service.url]));
  services.push(startService('console', { ...telemetry, ...upstreams, CONSOLE_PULSE_INTERVAL_MS: '1000' }));
  await Promise.all(services.map((service) => waitUntilReady(service)));
  ingestUrl = services[0].url;
  trainerUrl = services[2].url;
  scorerUrl = services[3].url;
});

afterAll(async () => {
  const codes = await Promise.all(services.map((service) => stopService(service)));
  await observer?.disconnect();
  await prisma.$disconnect();
  redis.disconnect();
  rmSync(MODEL_STORE_DIR, { recursive: true, force: true });
  // Graceful shutdown is part of the contract: every service exits 0 on SIGTERM.
  expect(codes).toEqual(services.map(() => 0));
});

describe('event to decision', () => {
  let campaign: { id: string; key: string; controlShare: number };
  const whales: string[] = [];
  const loyal = `${RUN}-loyal`;
  const browser = `${RUN}-browser`;

  beforeAll(async () => {
    campaign = await prisma.campaign.findUniqueOrThrow({ where: { key: 'win-back-high-value' } });
    // Whales whose hash puts them in the treated group, so each must be published.
    for (let i = 0; whales.length < 3; i++) {
      const id = `${RUN}-whale-${i}`;
      if (assignGroup(campaign.id, id, campaign.controlShare) === 'treated') whales.push(id);
    }
  });

  const histories = new Map<string, ClickstreamEvent[]>();
  /** Each customer's events, made once so a replay re-sends exactly the same events. */
  const historyOf = (customerId: string, kind: 'whale' | 'loyal' | 'browser'): ClickstreamEvent[] => {
    if (!histories.has(customerId)) histories.set(customerId, makeHistory(customerId, kind));
    return histories.get(customerId)!;
  };
  const makeHistory = (customerId: string, kind: 'whale' | 'loyal' | 'browser'): ClickstreamEvent[] => {
    if (kind === 'browser') return [view(customerId, 395), view(customerId, 398)];
    if (kind === 'loyal')
      return [0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 330, 360, 390].map((d) => purchase(customerId, d, 300));
    // Bought big and often, then went quiet for 300 days: high value, high churn risk.
    return [...[0, 20, 40, 60, 80, 100].map((d) => purchase(customerId, d, 1000)), view(customerId, 400)];
  };

  it('rejects a request with one bad event, listing field errors, and produces nothing of it', async () => {
    const good = view(`${RUN}-rejected`, 1);
    const bad = { ...purchase(`${RUN}-rejected`, 2, 10), occurredAt: 'not a date', items: [] };
    const response = await post({ events: [good, bad] });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'events.1.items',
      'events.1.occurredAt',
    ]);
  });

  it('answers 413 over 1 MiB and 400 for malformed JSON', async () => {
    const huge = await post({ events: [{ ...view(`${RUN}-huge`, 1), url: 'x'.repeat(1_100_000) }] });
    expect(huge.status).toBe(413);
    const malformed = await post('{"events": [');
    expect(malformed.status).toBe(400);
  });

  it('accepts events once Kafka acknowledged them', async () => {
    // In time order across customers, as a live clickstream: the event-time clock moves with them. One request per
    // day, each handled before the next: the clock is one for all partitions (the newest event seen), so a partition
    // lagging behind another in a fast replay would see its events as late, and score them as of a later instant.
    const events = [
      ...whales.flatMap((id) => historyOf(id, 'whale')),
      ...historyOf(loyal, 'loyal'),
      ...historyOf(browser, 'browser'),
    ].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    const days = new Map<string, ClickstreamEvent[]>();
    for (const event of events)
      days.set(event.occurredAt.slice(0, 10), [...(days.get(event.occurredAt.slice(0, 10)) ?? []), event]);
    for (const chunk of days.values()) {
      const response = await post(chunk.length === 1 ? chunk[0] : { events: chunk });
      expect(response.status).toBe(202);
      expect(response.json.accepted).toBe(chunk.length);
      await pipelineIdle();
    }
  });

  it('turns events into scores in Redis, readable over the score API', async () => {
    await pipelineIdle();
    for (const id of [...whales, loyal, browser]) {
      await eventually(`score of ${id}`, async () => (await redis.exists(scoreKey(id))) === 1);
    }
    const whale = (await (await fetch(`${scorerUrl}/v1/customers/${whales[0]}/score`)).json()) as CustomerScore;
    expect(whale).toMatchObject({ customerId: whales[0], tier: 'high', modelVersion: 'rfm-heuristic@1' });
    expect(whale.churnRisk).toBeGreaterThan(0.6);
    // The clock trails the newest event by its lateness: a score is as of the customer's newest event here.
    expect(whale.asOf).toBe(historyOf(whales[0], 'whale').at(-1)!.occurredAt);
    expect(whale).toMatchObject({ lastEventAt: whale.asOf, trigger: 'event' });
    const loyalScore = (await (await fetch(`${scorerUrl}/v1/customers/${loyal}/score`)).json()) as CustomerScore;
    expect(loyalScore.tier).toBe('high');
    expect(loyalScore.churnRisk).toBeLessThan(0.2);
    const browserScore = (await (await fetch(`${scorerUrl}/v1/customers/${browser}/score`)).json()) as CustomerScore;
    expect(browserScore).toMatchObject({ tier: 'low', expectedSpend: 0 });
    expect(browserScore.reasons.length).toBeGreaterThan(0);

    expect((await fetch(`${scorerUrl}/v1/customers/${RUN}-nobody/score`)).status).toBe(404);
    // The rejected request produced nothing at all.
    expect(await redis.exists(featureStateKey(`${RUN}-rejected`))).toBe(0);
  });

  it('keeps each customer in event order on cvp.scores.v1', async () => {
    for (const id of [...whales, loyal]) {
      const published = seen.scores.filter((score) => score.customerId === id).map((score) => Date.parse(score.asOf));
      expect(published.length).toBeGreaterThan(0);
      expect(published).toEqual([...published].sort((a, b) => a - b));
    }
    const state = JSON.parse((await redis.get(featureStateKey(loyal)))!);
    expect(state.orders).toBe(14);
    expect(state.lastPurchaseAt).toBe(historyOf(loyal, 'loyal').at(-1)!.occurredAt);
  });

  it('stores and publishes a win-back decision for each high-value customer at risk, and none for the others', async () => {
    await eventually('decisions published', async () =>
      whales.every((id) => seen.decisions.some((d) => d.customerId === id)),
    );
    const rows = await prisma.decision.findMany({ where: { customerId: { startsWith: RUN } } });
    expect(rows.map((row) => row.customerId).sort()).toEqual([...whales].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ campaignId: campaign.id, group: 'treated', action: 'win_back' });
      expect(row.publishedAt).not.toBeNull();
    }
    const published = seen.decisions.filter((d) => d.customerId.startsWith(RUN));
    expect(published).toHaveLength(whales.length);
    expect(published[0]).toMatchObject({ campaignKey: 'win-back-high-value', group: 'treated', channel: 'email' });
    expect(published.map((d) => d.decisionId).sort()).toEqual(rows.map((row) => row.id).sort());
  });

  it('carries the producer trace from the HTTP request to the decision on Kafka', async () => {
    let traced = '';
    for (let i = 0; !traced; i++) {
      const id = `${RUN}-traced-${i}`;
      if (assignGroup(campaign.id, id, campaign.controlShare) === 'treated') traced = id;
    }
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await post(
      { events: historyOf(traced, 'whale') },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(response.status).toBe(202);
    await eventually('the traced decision', async () => seen.decisionTraces[traced]);
    expect(seen.decisionTraces[traced].split('-')[1]).toBe(traceId);
    whales.push(traced);
  });

  it('keeps every accepted event for training in PostgreSQL', async () => {
    const ids = [...whales.slice(0, 3), loyal, browser].flatMap((id) =>
      histories.get(id)!.map((event) => event.eventId),
    );
    const stored = await prisma.trainingEvent.findMany({
      where: { eventId: { in: ids } },
      select: { eventId: true, payload: true },
    });
    expect(stored.map((row) => row.eventId).sort()).toEqual([...ids].sort());
    const original = histories.get(loyal)![0];
    expect(stored.find((row) => row.eventId === original.eventId)?.payload).toEqual(original);
  });

  it('changes nothing when events are replayed', async () => {
    const before = {
      state: await redis.get(featureStateKey(whales[0])),
      score: await redis.hgetall(scoreKey(whales[0])),
      decisions: await prisma.decision.count({ where: { customerId: { startsWith: RUN } } }),
      trainingEvents: await prisma.trainingEvent.count({ where: { customerId: { startsWith: RUN } } }),
      scoresSeen: seen.scores.length,
      decisionsSeen: seen.decisions.length,
    };
    const replay = [...historyOf(whales[0], 'whale'), ...historyOf(loyal, 'loyal')];
    const response = await post({ events: replay });
    expect(response.status).toBe(202);
    await pipelineIdle();
    await sleep(1000);
    expect(await redis.get(featureStateKey(whales[0]))).toBe(before.state);
    expect(await redis.hgetall(scoreKey(whales[0]))).toEqual(before.score);
    expect(await prisma.decision.count({ where: { customerId: { startsWith: RUN } } })).toBe(before.decisions);
    expect(seen.decisions.length).toBe(before.decisionsSeen);
    expect(await prisma.trainingEvent.count({ where: { customerId: { startsWith: RUN } } })).toBe(
      before.trainingEvents,
    );
    expect(seen.scores.length).toBe(before.scoresSeen);
  });

  it('keeps the same eventId of two customers as two events, in the features and the training store', async () => {
    const shared = `${RUN}-shared-id`;
    const first = { ...view(`${RUN}-twin-a`, 5), eventId: shared };
    const second = { ...view(`${RUN}-twin-b`, 5), eventId: shared };
    expect((await post(first)).status).toBe(202);
    expect((await post(second)).status).toBe(202);
    await pipelineIdle();
    for (const id of [`${RUN}-twin-a`, `${RUN}-twin-b`]) {
      expect(JSON.parse((await redis.get(featureStateKey(id)))!).eventsApplied).toBe(1);
    }
    const stored = await prisma.trainingEvent.findMany({ where: { eventId: shared }, select: { customerId: true } });
    expect(stored.map((row) => row.customerId).sort()).toEqual([`${RUN}-twin-a`, `${RUN}-twin-b`]);
  });

  it('replays a real dataset file through ingest with the CLI, reporting what it skipped', async () => {
    const fixture = join(ROOT, 'libs', 'datasets', 'src', '__fixtures__', 'online_retail_I.csv');
    const output = execFileSync(
      process.execPath,
      [
        join(ROOT, 'dist', 'tools', 'cli', 'main.js'),
        'replay',
        '--data',
        fixture,
        '--format',
        'online-retail',
        '--ingest',
        ingestUrl,
        '--no-progress',
      ],
      { encoding: 'utf8', env: { ...process.env, CVP_API_KEY: KEYS.producer } },
    );
    const summary = JSON.parse(output);
    expect(summary.load).toMatchObject({ rowsRead: 17, eventsProduced: 5 });
    expect(summary.load.skipped).toMatchObject({ missing_customer_id: 1, duplicate_row: 1, bad_date: 1 });
    expect(summary).toMatchObject({ sent: 5, rejected: 0 });
    await pipelineIdle();
    const score = await redis.hgetall(scoreKey('ukretail-17850'));
    expect(score.modelVersion).toBeTruthy();
    const state = JSON.parse((await redis.get(featureStateKey('ukretail-17850')))!);
    expect(state.orders).toBeGreaterThan(0);
  });

  it('refuses, with field errors, text that is not Unicode text and events dated far in the future', async () => {
    const nul = await post({ ...view(`${RUN}-nul`, 1), url: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect(nul.json.errors).toEqual([
      { path: 'url', message: 'must be Unicode text without NUL characters or lone surrogates' },
    ]);
    const future = await post({
      events: [view(`${RUN}-future`, 1), { ...view(`${RUN}-future`, 2), occurredAt: '9999-12-31T00:00:00Z' }],
    });
    expect(future.status).toBe(400);
    expect(future.json.errors.map((e: { path: string }) => e.path)).toEqual(['events.1.occurredAt']);
    await pipelineIdle();
    expect(await redis.exists(featureStateKey(`${RUN}-nul`), featureStateKey(`${RUN}-future`))).toBe(0);
  });

  it('dead-letters a record its handler keeps failing on after 3 attempts, and the partition moves on', async () => {
    const poisoned = `${RUN}-poisoned`;
    // A feature state of a layout this code cannot read: folding any event of this customer fails.
    await redis.set(featureStateKey(poisoned), JSON.stringify({ stateVersion: 1, customerId: poisoned }));
    // A normal customer on the same partition of cvp.events.v1, sent right after.
    let neighbour = '';
    for (let i = 0; !neighbour; i++) {
      if (partitionOf(`${RUN}-neighbour-${i}`) === partitionOf(poisoned)) neighbour = `${RUN}-neighbour-${i}`;
    }
    try {
      expect((await post(view(poisoned, 1))).status).toBe(202);
      expect((await post(view(neighbour, 1))).status).toBe(202);
      await eventually(`score of ${neighbour}`, async () => (await redis.exists(scoreKey(neighbour))) === 1);
      const letter = await eventually('the poisoned record in the dead-letter topic', async () =>
        seen.deadLetters.find(
          (m) =>
            m.key?.toString() === poisoned && m.headers?.['cvp-dlt-consumer-group']?.toString() === GROUPS.features,
        ),
      );
      expect(letter.headers?.['cvp-dlt-attempts']?.toString()).toBe('3');
      expect(letter.headers?.['cvp-dlt-reason']?.toString()).toMatch(/^failed 3 attempts: state of .* has layout 1/);

      // The cause fixed (the unreadable state removed), the dead letter goes back with the CLI and is handled.
      await redis.del(featureStateKey(poisoned));
      const replay = () => {
        const args = ['replay-dead-letters', '--topic', TOPICS.events, '--group', GROUPS.features];
        try {
          return execFileSync(process.execPath, [join(ROOT, 'dist', 'tools', 'cli', 'main.js'), ...args], {
            encoding: 'utf8',
          });
        } catch (error) {
          // Exit 2: letters that still break the contract (earlier runs' on a reused stack) stay behind.
          return (error as { stdout: string }).stdout;
        }
      };
      const summary = JSON.parse(replay());
      expect(summary.replayed).toBeGreaterThanOrEqual(1);
      await eventually(
        `score of ${poisoned} after the replay`,
        async () => (await redis.exists(scoreKey(poisoned))) === 1,
      );
      expect(JSON.parse((await redis.get(featureStateKey(poisoned)))!).eventsApplied).toBe(1);
      // A second replay starts where the first stopped; whatever it moves, the event is not applied twice.
      replay();
      await pipelineIdle();
      expect(JSON.parse((await redis.get(featureStateKey(poisoned)))!).eventsApplied).toBe(1);
    } finally {
      // An unreadable state left by a failed run would be skipped by every later sweep.
      if ((await redis.get(featureStateKey(poisoned)))?.includes('"stateVersion":1')) {
        await redis.del(featureStateKey(poisoned));
      }
    }
  });

  it('waits for Redis instead of deciding on missing features while it is down', async () => {
    const id = `${RUN}-outage`;
    // Spent a lot recently: a feature rule (monetaryTotal >= 500) that only Redis can answer.
    expect((await post({ events: [380, 385, 390, 395].map((d) => purchase(id, d, 300)) })).status).toBe(202);
    await pipelineIdle();
    expect(await prisma.decision.count({ where: { customerId: id } })).toBe(0);
    const score = (await (await fetch(`${scorerUrl}/v1/customers/${id}/score`)).json()) as CustomerScore;
    const atRisk = { ...score, churnRisk: 0.9, pBuyAgain: 0.1, sourceEventId: `${id}-at-risk`, trigger: 'sweep' };
    const pauser = new Redis(REDIS_URL);
    await pauser.call('CLIENT', 'PAUSE', '3000', 'ALL');
    try {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: TOPICS.scores, messages: [{ key: id, value: JSON.stringify(atRisk) }] });
      await producer.disconnect();
    } finally {
      pauser.disconnect();
    }
    const decision = await eventually('the decision once Redis is back', async () =>
      prisma.decision.findFirst({ where: { customerId: id } }),
    );
    expect(decision).toMatchObject({ campaignId: campaign.id, idempotencyKey: `${campaign.id}:${id}:${id}-at-risk` });
    expect(seen.deadLetters.filter((m) => m.key?.toString() === id)).toEqual([]);
  });

  it('sends a record that breaks the contract to the dead-letter topic and keeps going', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.events,
      messages: [
        { key: `${RUN}-poison`, value: JSON.stringify({ customerId: `${RUN}-poison`, type: 'teleport' }) },
        { key: `${RUN}-poison`, value: `not json ${RUN}` },
      ],
    });
    await producer.disconnect();
    const after = view(`${RUN}-after-poison`, 1);
    expect((await post(after)).status).toBe(202);
    await eventually('dead letters', async () => seen.deadLetters.length >= 2);
    const reasons = seen.deadLetters.map((m) => m.headers?.['cvp-dlt-reason']?.toString() ?? '');
    expect(reasons.some((reason) => /contract cvp\.events\.v1/.test(reason))).toBe(true);
    expect(reasons.some((reason) => /not JSON/.test(reason))).toBe(true);
    await eventually(
      'score after the poison records',
      async () => (await redis.exists(scoreKey(`${RUN}-after-poison`))) === 1,
    );
  });
});

describe('score API', () => {
  const scoreUrl = (id: string) => `${scorerUrl}/v1/customers/${id}/score`;
  const batchGet = (body: unknown) =>
    fetch(`${scorerUrl}/v1/scores:batchGet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('scores a burst in batches: many scores of one consumer batch share their scoring time', async () => {
    const burst = Array.from({ length: 300 }, (_, i) => view(`${RUN}-burst-${i}`, 10));
    expect((await post({ events: burst })).status).toBe(202);
    await pipelineIdle();
    const scoredAt = await Promise.all(burst.map((event) => redis.hget(scoreKey(event.customerId), 'scoredAt')));
    expect(scoredAt.filter((at) => at === null)).toEqual([]);
    const perBatch = new Map<string, number>();
    for (const at of scoredAt) perBatch.set(at!, (perBatch.get(at!) ?? 0) + 1);
    expect(Math.max(...perBatch.values())).toBeGreaterThan(10);
  });

  it('orders scores by event time: a late event refines the newest score, an older vector never replaces it', async () => {
    const id = `${RUN}-late`;
    const newer = view(id, 50);
    const older = { ...view(id, 20), eventId: `${id}-older` };
    expect((await post(newer)).status).toBe(202);
    await pipelineIdle();
    expect((await post(older)).status).toBe(202);
    await pipelineIdle();
    // The late event is folded into the state; the score is as of the clock (these events are older than it), its
    // newest event stays the newer one.
    const refined = (await (await fetch(scoreUrl(id))).json()) as CustomerScore;
    expect(refined.lastEventAt).toBe(newer.occurredAt);
    expect(Date.parse(refined.asOf)).toBeGreaterThan(Date.parse(newer.occurredAt));
    expect(refined.sourceEventId).toBe(older.eventId);
    expect(JSON.parse((await redis.get(featureStateKey(id)))!).eventCounts.page_view).toBe(2);

    // A feature vector as of an earlier time (a replayed or reordered message) is scored but not stored.
    const state = emptyState(id, older.occurredAt);
    foldEvent(state, older);
    const staleFeatures = featureVector(state);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.features,
      messages: [
        {
          key: id,
          value: JSON.stringify({
            customerId: id,
            asOf: older.occurredAt,
            sourceEventId: `${id}-stale-vector`,
            featureSchemaVersion: 'features@3',
            features: staleFeatures,
            computedAt: new Date().toISOString(),
          }),
        },
      ],
    });
    await producer.disconnect();
    await pipelineIdle();
    const kept = (await (await fetch(scoreUrl(id))).json()) as CustomerScore;
    expect(kept.sourceEventId).toBe(older.eventId);
    expect(kept.asOf).toBe(refined.asOf);
  });

  it('answers batchGet in one call, with the ids it has no score for', async () => {
    const ids = [`${RUN}-burst-0`, `${RUN}-burst-1`, `${RUN}-nobody`, `${RUN}-burst-0`];
    const response = await batchGet({ customerIds: ids });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { scores: CustomerScore[]; missing: string[] };
    expect(body.scores.map((score) => score.customerId).sort()).toEqual([`${RUN}-burst-0`, `${RUN}-burst-1`]);
    expect(body.missing).toEqual([`${RUN}-nobody`]);
    const tooMany = await batchGet({ customerIds: Array.from({ length: 1001 }, (_, i) => `c${i}`) });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as any).errors[0].message).toMatch(/at most 1000/);
  });

  it('sums customers and expected spend per tier, and serves its OpenAPI document', async () => {
    const summary = (await (await fetch(`${scorerUrl}/v1/tiers/summary`)).json()) as any;
    expect(Object.keys(summary.tiers).sort()).toEqual(['high', 'low', 'mid']);
    expect(summary.customers).toBeGreaterThanOrEqual(300);
    expect(summary.customers).toBe(
      summary.tiers.high.customers + summary.tiers.mid.customers + summary.tiers.low.customers,
    );
    const document = (await (await fetch(`${scorerUrl}/docs/openapi.json`)).json()) as any;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/customers/{id}/score', '/v1/scores:batchGet', '/v1/tiers/summary']),
    );
    expect(document.components.schemas.CustomerScore.properties.modelVersion).toBeDefined();
    expect((await fetch(`${scorerUrl}/docs`)).status).toBe(200);
  });

  it('answers at once while Redis hangs (stale score where held, else 503), loses nothing and recovers', async () => {
    const held = `${RUN}-burst-2`;
    expect((await fetch(scoreUrl(held))).status).toBe(200); // this instance now holds its last score
    const pauser = new Redis(REDIS_URL);
    await pauser.call('CLIENT', 'PAUSE', '3000', 'ALL');
    const pausedAt = Date.now();
    try {
      const stale = await fetch(scoreUrl(held));
      expect(stale.status).toBe(200);
      expect(stale.headers.get('warning')).toMatch(/stale/);
      expect(((await stale.json()) as any).stale).toBe(true);
      const unknown = await fetch(scoreUrl(`${RUN}-burst-3`));
      expect(unknown.status).toBe(503);
      expect((await batchGet({ customerIds: [held, `${RUN}-burst-4`] })).status).toBe(503);
      // Both answers came while Redis was still paused: the API did not wait for it.
      expect(Date.now() - pausedAt).toBeLessThan(3000);
      // An event accepted during the outage is scored once Redis is back.
      expect((await post(view(`${RUN}-during-outage`, 60))).status).toBe(202);
    } finally {
      pauser.disconnect();
    }
    await eventually('fresh reads after the pause', async () => {
      const response = await fetch(scoreUrl(`${RUN}-burst-3`));
      return response.status === 200 && !((await response.json()) as any).stale;
    });
    await eventually('score of the event sent during the outage', async () => {
      return (await fetch(scoreUrl(`${RUN}-during-outage`))).status === 200;
    });
  });
});

describe('campaign management and measured uplift', () => {
  let campaignsUrl = '';
  beforeAll(() => {
    campaignsUrl = services[4].url;
  });
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${campaignsUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const key = `${RUN}-vip-coupon`.toLowerCase();

  it('creates, validates, reads and changes campaigns over REST', async () => {
    const bad = await call('POST', '/v1/campaigns', { key: 'Bad Key', action: 'coupon', controlShare: 1 });
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()) as any).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['key', 'name', 'audience', 'controlShare', 'startsAt']));
    const created = await call('POST', '/v1/campaigns', {
      key,
      name: 'VIP coupon',
      audience: { all: [{ field: 'tier', op: 'eq', value: 'high' }] },
      action: 'coupon',
      actionParams: { couponValue: 5 },
      channel: 'email',
      startsAt: '2000-01-01T00:00:00Z',
      budgetTotal: 2,
      costPerAction: 1,
    });
    expect(created.status).toBe(201);
    const campaign = (await created.json()) as any;
    expect(campaign).toMatchObject({ key, status: 'draft', controlShare: 0.1, upliftRate: 0.05, budgetSpent: 0 });
    expect((await call('POST', '/v1/campaigns', { ...campaign, id: undefined })).status).toBe(400);
    const again = await call('POST', '/v1/campaigns', {
      key,
      name: 'dup',
      audience: { all: [{ field: 'tier', op: 'eq', value: 'high' }] },
      action: 'win_back',
      channel: 'email',
      startsAt: '2000-01-01T00:00:00Z',
      budgetTotal: 1,
    });
    expect(again.status).toBe(409);
    const coupon = await call('PATCH', `/v1/campaigns/${key}`, { actionParams: {} });
    expect(coupon.status).toBe(400);
    const paused = await call('PATCH', `/v1/campaigns/${campaign.id}`, { status: 'paused', priority: 5 });
    expect(await paused.json()).toMatchObject({ status: 'paused', priority: 5 });
    expect((await call('GET', '/v1/campaigns/no-such-campaign')).status).toBe(404);
    const listed = (await (await call('GET', '/v1/campaigns')).json()) as any[];
    expect(listed.map((c) => c.key)).toEqual(expect.arrayContaining([key, 'win-back-high-value']));
    const document = (await (await fetch(`${campaignsUrl}/docs/openapi.json`)).json()) as any;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/campaigns', '/v1/campaigns/{id}/report']));
  });

  it('reports treated vs control from the purchases after each decision, and says when it does not beat control', async () => {
    const report = (await (await call('GET', '/v1/campaigns/win-back-high-value/report')).json()) as any;
    expect(report.campaign.key).toBe('win-back-high-value');
    expect(report.treated.customers).toBeGreaterThan(0);
    expect(report.treatedDecisions).toBeGreaterThanOrEqual(report.treated.customers);
    expect(['beats control', 'does not beat control', 'not enough data']).toContain(report.verdict);
    expect(report.revenuePerCustomerUplift.low).toBeLessThanOrEqual(report.revenuePerCustomerUplift.high);
    expect((await call('GET', `/v1/campaigns/${key}/report`)).status).toBe(200);
  });
});

describe('budgets and caps with two campaign engines', () => {
  let second: RunningService;
  const ids = Array.from({ length: 40 }, (_, i) => `${RUN}-budget-${i}`);
  const capper = `${RUN}-capper`;
  const create = async (body: Record<string, unknown>) => {
    const response = await fetch(`${services[4].url}/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'e2e',
        action: 'recommendation',
        channel: 'web',
        startsAt: '2000-01-01T00:00:00Z',
        status: 'active',
        controlShare: 0,
        cooldownSeconds: 0,
        upliftRate: 0.5,
        ...body,
      }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string };
  };

  beforeAll(async () => {
    // A second instance in the same consumer group: the two share the partitions and spend the same budgets.
    second = startService(
      'campaigns',
      { PORT: '3115', KAFKA_GROUP_ID: GROUPS.campaigns, OTEL_SDK_DISABLED: 'true' },
      'e2e-campaigns-2',
    );
    await waitUntilReady(second);
  });
  afterAll(async () => {
    expect(await stopService(second)).toBe(0);
  });

  it('never spends past a budget, however many instances decide at once, and stops at the frequency cap', async () => {
    const budget = await create({
      key: `${RUN}-budget`.toLowerCase(),
      audience: { all: [{ field: 'customerId', op: 'in', value: ids }] },
      budgetTotal: 5,
      costPerAction: 1,
      frequencyCap: 1,
    });
    const capped = await create({
      key: `${RUN}-cap`.toLowerCase(),
      audience: { all: [{ field: 'customerId', op: 'in', value: [capper] }] },
      budgetTotal: 100,
      costPerAction: 1,
      frequencyCap: 2,
    });
    // Give the engines' next batches a moment to see the new campaigns (they read them per batch).
    await sleep(500);
    expect((await post({ events: ids.map((id) => purchase(id, 100, 300)) })).status).toBe(202);
    // One score at a time for the capped customer (one batch of events would make one feature vector).
    for (const day of [101, 102, 103, 104]) {
      expect((await post(purchase(capper, day, 300))).status).toBe(202);
      await pipelineIdle();
    }
    const spent = await prisma.campaign.findUniqueOrThrow({ where: { id: budget.id } });
    expect(Number(spent.budgetSpent)).toBe(5);
    expect(await prisma.decision.count({ where: { campaignId: budget.id, group: 'treated' } })).toBe(5);
    expect(await prisma.decision.count({ where: { campaignId: capped.id, customerId: capper } })).toBe(2);
  });

  it('exports the current audience of a campaign as CSV or JSON lines', async () => {
    const key = `${RUN}-budget`.toLowerCase();
    const csv = await fetch(`${services[4].url}/v1/campaigns/${key}/audience?ids=raw`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const [header, ...rows] = (await csv.text()).trim().split('\n');
    expect(header).toBe('customerId,tier,expectedSpend,pBuyAgain,churnRisk,modelVersion,asOf');
    expect(rows.map((row) => row.split(',')[0]).sort()).toEqual([...ids].sort());
    // By default customers leave CVP as pseudonyms; `limit` caps the rows.
    const named = (await (await fetch(`${services[4].url}/v1/campaigns/${key}/audience?limit=2`)).text()).trim();
    const pseudonyms = named
      .split('\n')
      .slice(1)
      .map((row) => row.split(',')[0]);
    expect(pseudonyms).toHaveLength(Math.min(2, ids.length));
    for (const alias of pseudonyms) expect(alias).toMatch(/^[0-9a-f]{64}$/);
    expect((await fetch(`${services[4].url}/v1/campaigns/${key}/audience?limit=0`)).status).toBe(400);
    const jsonl = await fetch(`${second.url}/v1/campaigns/${key}/audience?format=jsonl&ids=raw`);
    const lines = (await jsonl.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(ids.length);
    expect(lines[0]).toEqual(expect.objectContaining({ tier: expect.any(String), expectedSpend: expect.any(Number) }));
    expect((await fetch(`${services[4].url}/v1/campaigns/${key}/audience?format=xml`)).status).toBe(400);
  });
});

describe('scores that follow time: re-scoring sweeps', () => {
  // After every other customer's events so far (the newest is day 400), and before today: the event-time clock
  // moves only by events not dated past the wall clock.
  const BASE = 420;
  const active = `${RUN}-active`;
  const racer = `${RUN}-racer`;
  const expiring = `${RUN}-expiring`;
  let campaign: { id: string; controlShare: number };
  const scoreOf = async (id: string) =>
    (await (await fetch(`${scorerUrl}/v1/customers/${id}/score`)).json()) as CustomerScore;
  const decisionsOf = (id: string) => prisma.decision.findMany({ where: { customerId: id } });

  beforeAll(async () => {
    campaign = await prisma.campaign.findUniqueOrThrow({ where: { key: 'win-back-high-value' } });
  });

  it('keeps a silent customer frozen at their last event while only events move scores', async () => {
    // The silent customer buys big and often for 50 days; another customer keeps the clock going.
    const history = [
      ...[0, 10, 20, 30, 40, 50].map((d) => purchase(SILENT, BASE + d, 1000)),
      view(active, BASE + 50),
      view(expiring, BASE + 50),
    ].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    expect((await post({ events: history })).status).toBe(202);
    await pipelineIdle();
    const fresh = await scoreOf(SILENT);
    expect(fresh).toMatchObject({
      trigger: 'event',
      lastEventAt: history.find((e) => e.customerId === SILENT && e.eventId.endsWith(`p${BASE + 50}`))!.occurredAt,
    });
    expect(fresh.churnRisk).toBeLessThan(0.6);

    // 170 days later by the clock: the silent customer's score has not moved, so no campaign acts on it.
    expect((await post(view(active, BASE + 220))).status).toBe(202);
    await pipelineIdle();
    expect(await scoreOf(SILENT)).toEqual(fresh);
    expect(await decisionsOf(SILENT)).toHaveLength(0);
  });

  it('raises a silent customer’s churn risk in a sweep, and the win-back campaign acts on it once', async () => {
    const before = await scoreOf(SILENT);
    const sweep = await rescore();
    expect(sweep).toMatchObject({ trigger: 'on-demand', modelVersion: 'rfm-heuristic@1' });
    expect(sweep.customers).toBeGreaterThanOrEqual(sweep.customersTotal);
    expect(sweep.written).toBeGreaterThan(0);
    expect(sweep.shardsDone).toBe(sweep.shards);
    // As of the clock: the newest event seen (the active customer's, day BASE + 220) less the lateness (1 h).
    const clock = new Date(Date.parse(at(BASE + 220)) - 3_600_000).toISOString().slice(0, 10);
    const after = await scoreOf(SILENT);
    expect(after).toMatchObject({ trigger: 'sweep', sourceEventId: `sweep:${sweep.id}`, asOf: sweep.asOf });
    expect(after.asOf.slice(0, 10)).toBe(clock);
    expect(after.lastEventAt).toBe(before.lastEventAt);
    expect(after.churnRisk).toBeGreaterThan(0.6);
    expect(after.churnRisk).toBeGreaterThan(before.churnRisk);
    expect(after.pBuyAgain).toBeLessThan(before.pBuyAgain);
    expect(seen.scores.some((score) => score.customerId === SILENT && score.trigger === 'sweep')).toBe(true);

    const [decision] = await decisionsOf(SILENT);
    expect(await decisionsOf(SILENT)).toHaveLength(1);
    expect(decision).toMatchObject({
      campaignId: campaign.id,
      action: 'win_back',
      group: assignGroup(campaign.id, SILENT, campaign.controlShare),
    });
    expect(decision.eventTime.toISOString()).toBe(sweep.asOf);

    // Two days later by the clock, another sweep: the customer is still at risk, but inside the 7-day cooldown.
    expect((await post(view(active, BASE + 222))).status).toBe(202);
    await pipelineIdle();
    const second = await rescore();
    expect(Date.parse(second.asOf)).toBeGreaterThan(Date.parse(sweep.asOf));
    expect((await scoreOf(SILENT)).asOf).toBe(second.asOf);
    expect(await decisionsOf(SILENT)).toHaveLength(1);
  });

  it('never lets a sweep overwrite a score that came from a newer event', async () => {
    const event = purchase(racer, BASE + 222, 40);
    const [posted, started] = await Promise.all([post(event), fetch(`${scorerUrl}/v1/rescore`, { method: 'POST' })]);
    expect(posted.status).toBe(202);
    expect(started.status).toBe(202);
    await pipelineIdle();
    await eventually('the racing sweep', async () => {
      const status = (await (await fetch(`${scorerUrl}/v1/sweeps`)).json()) as { active: unknown };
      return status.active === null;
    });
    await pipelineIdle();
    expect((await scoreOf(racer)).lastEventAt).toBe(event.occurredAt);
  });

  it('forgets a customer whose feature state expired, and keeps the tier totals exact', async () => {
    const tierTotal = async () => {
      const hashes = await Promise.all(
        Array.from({ length: CUSTOMER_SHARDS }, (_, shard) => redis.hgetall(tierSummaryKey(shard))),
      );
      return hashes.reduce(
        (total, hash) =>
          total + ['high', 'mid', 'low'].reduce((sum, tier) => sum + Number(hash[`${tier}:customers`] ?? 0), 0),
        0,
      );
    };
    const scoreKeys = async () => {
      let cursor = '0';
      let count = 0;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', scoreKeyPattern(), 'COUNT', 1000);
        cursor = next;
        count += keys.length;
      } while (cursor !== '0');
      return count;
    };
    expect(await redis.exists(scoreKey(expiring))).toBe(1);
    const before = await tierTotal();
    expect(before).toBe(await scoreKeys());
    await redis.del(featureStateKey(expiring)); // what its TTL does after 800 silent days
    const sweep = await rescore();
    expect(sweep.forgotten).toBe(1);
    expect(await redis.exists(scoreKey(expiring))).toBe(0);
    expect(await tierTotal()).toBe(before - 1);
    expect(await tierTotal()).toBe(await scoreKeys());
  });

  it('shares a sweep between scorer replicas, and resumes a shard whose replica was killed mid-way', async () => {
    // Two more replicas in the scorer's group, one customer per page so a shard takes a while to walk.
    const replicas = [0, 1].map((i) =>
      startService(
        'scorer',
        {
          PORT: String(3124 + i),
          KAFKA_GROUP_ID: GROUPS.scorer,
          SCORE_CLOCK: 'event-time',
          SWEEP_INTERVAL_HOURS: '0',
          SWEEP_BATCH_SIZE: '1',
          SWEEP_CONCURRENCY: '1',
          SWEEP_LEASE_SECONDS: '2',
        },
        `e2e-scorer-${i + 2}`,
      ),
    );
    try {
      await Promise.all(replicas.map((replica) => waitUntilReady(replica)));
      const [victim, survivor] = replicas;
      // Every replica holds the heuristic (no model yet): the sweep is theirs to share.
      expect((await post(view(active, BASE + 225))).status).toBe(202);
      await pipelineIdle();
      // The victim starts the sweep (and walks it at once); the other replicas join within a second.
      const response = await fetch(`${victim.url}/v1/rescore`, { method: 'POST' });
      const { sweep } = (await response.json()) as { sweep: SweepRecord };
      // Kill it while it holds a shard it has started (its cursor is stored, the shard not done).
      const keys = Array.from({ length: sweep.shards }, (_, shard) => [
        sweepLeaseKey(sweep.id, shard),
        sweepCursorKey(sweep.id, shard),
      ]).flat();
      let killedOn = -1;
      for (const deadline = Date.now() + 30_000; killedOn < 0 && Date.now() < deadline; await sleep(5)) {
        const values = await redis.mget(keys);
        for (let shard = 0; shard < sweep.shards && killedOn < 0; shard++) {
          const [holder, cursor] = [values[2 * shard], values[2 * shard + 1]];
          if (holder?.includes(`-${victim.process.pid}-`) && cursor && cursor !== '0') {
            victim.process.kill('SIGKILL');
            killedOn = shard;
          }
        }
      }
      expect(killedOn).toBeGreaterThanOrEqual(0);
      const last = await eventually(`sweep ${sweep.id} after the crash`, async () => {
        const status = (await (await fetch(`${survivor.url}/v1/sweeps`)).json()) as { last: SweepSummary | null };
        return status.last?.id === sweep.id && status.last;
      });
      expect(last.shardsDone).toBe(sweep.shards);
      expect(await redis.sismember(sweepDoneKey(sweep.id), String(killedOn))).toBe(1);
      // Every customer moved to the sweep's instant (or has a newer event), and was written once.
      const ids = (
        await Promise.all(Array.from({ length: sweep.shards }, (_, shard) => redis.smembers(customerIndexKey(shard))))
      ).flat();
      const held = await Promise.all(ids.map((id) => redis.hmget(scoreKey(id), 'asOfMs', 'sourceEventId')));
      // (but those whose stored state has a layout this code cannot read: skipped and counted as such).
      const notMoved = ids.filter((_, i) => !(Number(held[i][0]) >= Date.parse(sweep.asOf)));
      expect(notMoved.length).toBe(last.skipped);
      // Written once each: a page written but not yet counted when the victim died is found written (and only
      // published again) by the replica that resumes it, so at most the victim's last page is uncounted (SSCAN's
      // COUNT 1 is a hint: a page holds a hash bucket or two, a few customers).
      const writtenBySweep = held.filter(([, source]) => source === `sweep:${sweep.id}`).length;
      expect(writtenBySweep - last.written).toBeGreaterThanOrEqual(0);
      expect(writtenBySweep - last.written).toBeLessThanOrEqual(10);
      expect(last.customers).toBeGreaterThanOrEqual(ids.length);
    } finally {
      await Promise.all(replicas.map((replica) => stopService(replica)));
    }
  });

  it('sweeps on schedule once the clock has moved a whole interval since the last sweep', async () => {
    // A replica with the daily schedule on, checking every second (the others have it off).
    const scheduler = startService(
      'scorer',
      {
        PORT: '3126',
        KAFKA_GROUP_ID: GROUPS.scorer,
        SCORE_CLOCK: 'event-time',
        SWEEP_INTERVAL_HOURS: '24',
        SWEEP_CHECK_SECONDS: '1',
      },
      'e2e-scorer-scheduler',
    );
    try {
      await waitUntilReady(scheduler);
      // Its consumer has joined the group (a rebalance with the other replica can take a while): stopping it before
      // would race its start-up.
      await eventually('the scheduler consuming', async () =>
        readFileSync(join(ROOT, 'reports', 'e2e-scorer-scheduler', 'scorer.log'), 'utf8').includes('"msg":"ready"'),
      );
      const lastAsOf = async () =>
        ((await (await fetch(`${scorerUrl}/v1/sweeps`)).json()) as { last: SweepSummary }).last;
      const before = await lastAsOf();
      // Less than a day of the clock after the last sweep: nothing due.
      await sleep(2500);
      expect((await lastAsOf()).id).toBe(before.id);
      // Two days later by the clock: the next check starts the scheduled sweep.
      expect((await post(view(active, BASE + 228))).status).toBe(202);
      const scheduled = await eventually('the scheduled sweep', async () => {
        const last = await lastAsOf();
        return last.id !== before.id && last;
      });
      expect(scheduled.trigger).toBe('schedule');
      expect(Date.parse(scheduled.asOf) - Date.parse(before.asOf)).toBeGreaterThanOrEqual(24 * 3_600_000);
      await pipelineIdle();
    } finally {
      expect(await stopService(scheduler)).toBe(0);
    }
  });

  it('answers the sweep status and refuses a body on POST /v1/rescore', async () => {
    const status = (await (await fetch(`${scorerUrl}/v1/sweeps`)).json()) as { active: unknown; last: SweepSummary };
    expect(status.active).toBeNull();
    expect(status.last).toMatchObject({ customersPerSecond: expect.any(Number), finishedAt: expect.any(String) });
    const bad = await fetch(`${scorerUrl}/v1/rescore`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ everyone: true }),
    });
    expect(bad.status).toBe(400);
  });
});

describe('model training, registry and hot swap', () => {
  // A window no other test writes to: the trainer learns from these synthetic shoppers only.
  const FROM = '2003-01-01T00:00:00.000Z';
  const TO = '2004-07-01T00:00:00.000Z';
  const request = { from: FROM, to: TO, horizonDays: 90, maxEpochs: 20, seed: 7 };
  let version = '';
  const swapPosted: string[] = [];
  /** Synthetic customers of the training window who bought something. */
  const shoppers: string[] = [];

  const train = (body: unknown) =>
    fetch(`${trainerUrl}/v1/train`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const modelRow = async (v: string) => (await (await fetch(`${trainerUrl}/v1/models/${v}`)).json()) as any;
  const finished = (v: string) =>
    eventually(`training of ${v}`, async () => {
      const row = await modelRow(v);
      return row.status !== 'training' && row;
    });

  it('stores a synthetic history for training', async () => {
    const events = [...syntheticClickstream({ customers: 150, seed: 7, start: new Date(FROM), end: new Date(TO) })].map(
      (event) => ({ ...event, eventId: `${RUN}-${event.eventId}`, customerId: `${RUN}-${event.customerId}` }),
    );
    for (let start = 0; start < events.length; start += 500) {
      expect((await post({ events: events.slice(start, start + 500) })).status).toBe(202);
    }
    shoppers.push(...new Set(events.filter((event) => event.type === 'purchase').map((event) => event.customerId)));
    await pipelineIdle();
    const stored = await prisma.trainingEvent.count({ where: { eventId: { startsWith: `${RUN}-syn` } } });
    expect(stored).toBe(events.length);
  });

  it('validates training requests', async () => {
    const bad = await train({ horizonDays: 0, from: TO, to: FROM, extra: true });
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()) as any).errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['(root)', 'from', 'horizonDays']);
    expect((await fetch(`${trainerUrl}/v1/models/no-such-version`)).status).toBe(404);
  });

  it('trains, publishes a better model, and the scorer swaps to it without dropping a record', async () => {
    const started = await train(request);
    expect(started.status).toBe(202);
    ({ version } = (await started.json()) as { version: string });
    expect(version).toMatch(/^ziln@\d{8}T\d{9}Z$/);
    // One run at a time.
    expect((await train(request)).status).toBe(409);

    // Customers keep arriving while the model trains and swaps (their events after the training window).
    const posted: string[] = [];
    let swappedAt = -1;
    for (let i = 0; swappedAt < 0 || i < swappedAt + 5; i++) {
      const id = `${RUN}-swap-${i}`;
      const event: ClickstreamEvent = {
        ...view(id, 0),
        occurredAt: `2004-08-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
      };
      expect((await post(event)).status).toBe(202);
      posted.push(id);
      if (swappedAt < 0 && seen.scores.some((score) => score.modelVersion === version)) swappedAt = i;
      if (i > 2000) throw new Error('the scorer never swapped to the new model');
      await sleep(50);
    }
    await pipelineIdle();
    const versions = await Promise.all(posted.map((id) => redis.hget(scoreKey(id), 'modelVersion')));
    expect(versions.filter((v) => v === null)).toEqual([]); // every record scored, none dropped
    expect(versions.at(-1)).toBe(version);
    // Event scores on both sides of the swap (the model-swap sweep then moves the early ones to the model).
    const eventScores = seen.scores.filter((s) => posted.includes(s.customerId) && s.trigger === 'event');
    expect(new Set(eventScores.map((s) => s.modelVersion))).toEqual(new Set(['rfm-heuristic@1', version]));
    swapPosted.push(...posted);

    const row = await finished(version);
    expect(row).toMatchObject({ status: 'published', algorithm: 'ziln', featureSchemaVersion: 'features@3' });
    expect(row.artifactUri).toBe(`file://${join(MODEL_STORE_DIR, version)}`);
    expect(row.metrics.verdict.reason).toBe('no model is published yet');
    expect(row.metrics.validation.gini).toBeGreaterThan(0);
    // A review-sentiment head learnt from the window's reviews (text + stars), with the staged sentence encoder.
    expect(row.metrics.reviewSentiment).toMatchObject({
      encoder: 'all-MiniLM-L6-v2',
      validation: { served: 'minilm+tfidf', models: { lexicon: {}, 'minilm+tfidf': {} } },
    });
    expect(row.metrics.reviewSentiment.reviews).toBeGreaterThanOrEqual(30);
    expect(existsSync(join(MODEL_STORE_DIR, version, 'review-sentiment.json'))).toBe(true);
    expect(row.tierThresholds.high).toBeGreaterThan(row.tierThresholds.mid);
    // Its recommender, published by a verdict of its own, named in the announcement beside the value model.
    expect(row.metrics.recommender.verdict).toMatchObject({ publish: true, reason: 'no recommender is published yet' });
    expect(row.metrics.recommender.validation.candidates.map((c: { name: string }) => c.name)).toContainEqual(
      expect.stringMatching(/^neural\(dae/),
    );
    expect(row.recommenderPublishedAt).not.toBeNull();
    expect(seen.models.map((model) => [model.version, model.recommender?.version])).toEqual([[version, version]]);
    // Each active campaign's uplift model was considered in the same run: too few decisions with a closed window here.
    expect(row.metrics.uplift['win-back-high-value']).toMatchObject({ status: 'too_few' });

    const score = (await (await fetch(`${scorerUrl}/v1/customers/${posted.at(-1)}/score`)).json()) as CustomerScore;
    expect(score).toMatchObject({ modelVersion: version, horizonDays: 90 });
    expect(score.expectedSpendLow).not.toBeNull();
    expect(score.expectedSpendHigh).toBeGreaterThanOrEqual(score.expectedSpendLow!);
    expect(score.reasons.length).toBeGreaterThan(0);
  });

  it("reads reviews' text with the published head in the review-text worker, a consumer of its own", async () => {
    // A review older than what Kafka still holds: in the trainer's store only, never on the topic the worker reads.
    // The worker's back-fill reads it once the worker has caught up.
    const archived: ClickstreamEvent = {
      eventId: `${RUN}-archived-review`,
      customerId: `${RUN}-archived`,
      occurredAt: '2024-03-01T10:00:00.000Z',
      type: 'review',
      productId: 'p-3',
      rating: 5,
      text: 'Love it, great quality and fast delivery',
    };
    await prisma.trainingEvent.create({
      data: {
        eventId: archived.eventId,
        customerId: archived.customerId,
        type: archived.type,
        occurredAt: new Date(archived.occurredAt),
        payload: archived as object,
      },
    });
    // The features image in its review-text role (the chart's reviewText deployment): the state path never waits on it.
    const worker = startService(
      'features',
      {
        FEATURES_ROLE: 'review-text',
        KAFKA_GROUP_ID: `${RUN}-review-text`,
        MODEL_STORE_DIR,
        PORT: '3107',
        SCORE_CLOCK: 'event-time',
      },
      'e2e',
      [],
      'review-text',
    );
    services.push(worker);
    await waitUntilReady(worker);
    // A customer who bought, scored by the model: nothing about reviews in the reasons yet. Both events a day or two
    // before the score clock's now, so the review is recent as the customer is scored.
    const reviewer = `${RUN}-reviewer`;
    const nowMs = Number(await redis.get(CLOCK_WATERMARK_KEY));
    const daysAgo = (days: number) => new Date(nowMs - days * 86_400_000).toISOString();
    expect(
      (
        await post({
          ...purchase(reviewer, 0, 80),
          eventId: `${reviewer}-order`,
          occurredAt: daysAgo(2),
        })
      ).status,
    ).toBe(202);
    const bought = await eventually('the score after the purchase', async () =>
      seen.scores.find((score) => score.customerId === reviewer && score.sourceEventId === `${reviewer}-order`),
    );
    expect(bought.modelVersion).toBe(version);
    expect(bought.reasons.map((reason) => reason.feature)).not.toContain('recentReviewSentiment');
    // Not a text of the synthetic shop, though close to its negative ones (its head learnt from four texts only;
    // what the encoder adds on real reviews is measured by `cvp evaluate-text`).
    const review: ClickstreamEvent = {
      eventId: `${RUN}-review-broken`,
      customerId: reviewer,
      occurredAt: daysAgo(1),
      type: 'review',
      productId: 'p-7',
      rating: 1,
      text: 'Arrived broken and I am very disappointed with it',
    };
    expect((await post(review)).status).toBe(202);
    const signal = await eventually('the review signal', async () =>
      seen.reviewSignals.find((candidate) => candidate.eventId === review.eventId),
    );
    expect(signal).toMatchObject({
      customerId: review.customerId,
      productId: 'p-7',
      rating: 1,
      label: 'negative',
      headVersion: version,
      encoder: 'all-MiniLM-L6-v2',
    });
    expect(signal.sentiment).toBeLessThan(0);
    // The features service folds the reading into the customer's state (in the lexicon's place): a new score whose
    // reasons say the recent reviews read negative, by the language model.
    const reread = await eventually('the score after the reading', async () =>
      seen.scores.find(
        (score) => score.customerId === reviewer && score.sourceEventId === `review-reading:${review.eventId}`,
      ),
    );
    expect(reread.modelVersion).toBe(version);
    const reason = reread.reasons.find((candidate) => candidate.feature === 'recentReviewSentiment');
    expect(reason?.value).toBeCloseTo(signal.sentiment, 3);
    expect(reason?.description).toMatch(/^recent reviews read negative: .* read by the language model; /);
    const held = (await (await fetch(`${scorerUrl}/v1/customers/${reviewer}/score`)).json()) as CustomerScore;
    expect(held.sourceEventId).toBe(`review-reading:${review.eventId}`);
    // The trainer keeps the reading, so training and rebuilt states fold it too; a replay changes nothing.
    await eventually(
      'the stored reading',
      async () =>
        (await prisma.reviewReading.count({ where: { customerId: reviewer, eventId: review.eventId } })) === 1,
    );
    // The synthetic history's reviews are read too (the worker starts at the beginning of the topic).
    await eventually("the history's review signals", async () => {
      const count = seen.reviewSignals.filter((candidate) => candidate.customerId.startsWith(`${RUN}-syn`)).length;
      return count > 30 && count;
    });
    // And the archived review, by the back-fill: published like any reading, stored by the trainer.
    const backfilled = await eventually('the archived review read by the back-fill', async () =>
      seen.reviewSignals.find((candidate) => candidate.eventId === archived.eventId),
    );
    expect(backfilled).toMatchObject({ customerId: archived.customerId, headVersion: version, label: 'positive' });
    await eventually(
      'the back-filled reading stored',
      async () => (await prisma.reviewReading.count({ where: { eventId: archived.eventId } })) === 1,
    );
  });

  it('moves every customer to the new model with a model-swap sweep, also those who sent nothing since', async () => {
    const sweep = await eventually('the model-swap sweep', async () => {
      const status = (await (await fetch(`${scorerUrl}/v1/sweeps`)).json()) as { last: SweepSummary | null };
      return status.last?.trigger === 'model-swap' && status.last.modelVersion === version && status.last;
    });
    await pipelineIdle();
    const silent = (await (await fetch(`${scorerUrl}/v1/customers/${SILENT}/score`)).json()) as CustomerScore;
    expect(silent).toMatchObject({ modelVersion: version, trigger: 'model-swap', sourceEventId: `sweep:${sweep.id}` });
    expect(silent.expectedSpendLow).not.toBeNull();
    // The same model values the customer over any horizon, as of a later date, discounted (CLV).
    const later = new Date(Date.parse(silent.lastEventAt!) + 180 * 86_400_000).toISOString();
    const valueUrl = `${scorerUrl}/v1/customers/${SILENT}/value`;
    const value = (await (
      await fetch(`${valueUrl}?at=${later}&horizonDays=365&annualDiscountRate=0.1`)
    ).json()) as CustomerValueAnswer;
    expect(value).toMatchObject({ customerId: SILENT, asOf: later, horizonDays: 365, modelVersion: version });
    expect(value.clv).toBeLessThanOrEqual(value.expectedSpend);
    const bad = await fetch(`${valueUrl}?horizonDays=0&annualDiscountRate=3`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((error) => error.path).sort()).toEqual([
      'annualDiscountRate',
      'horizonDays',
    ]);
    expect((await fetch(`${valueUrl}?at=1999-01-01T00:00:00Z`)).status).toBe(400);
    expect((await fetch(`${scorerUrl}/v1/customers/${RUN}-nobody/value`)).status).toBe(404);
    // No heuristic score is left among the customers who streamed through the swap.
    const versions = await Promise.all(swapPosted.map((id) => redis.hget(scoreKey(id), 'modelVersion')));
    expect(new Set(versions)).toEqual(new Set([version]));
  });

  it("recommends products with the published version's recommender; a product viewed a second ago changes the list", async () => {
    type Lists = { customerId: string; modelVersion: string; items: { productId: string; reason: string }[] };
    const listOf = async (id: string, query = '') => {
      const response = await fetch(`${scorerUrl}/v1/customers/${encodeURIComponent(id)}/recommendations${query}`);
      expect(response.status).toBe(200);
      return (await response.json()) as Lists;
    };
    const shopper = shoppers[0];
    const before = await listOf(shopper);
    expect(before).toMatchObject({ customerId: shopper, modelVersion: version });
    expect(before.items).toHaveLength(10);
    expect(before.items.some((item) => item.reason === 'bought-before')).toBe(true);
    // Their purchases left out on request; a stranger gets what sells now.
    const fresh = await listOf(shopper, '?n=5&exclude=purchased');
    expect(fresh.items).toHaveLength(5);
    expect(fresh.items.filter((item) => item.reason === 'bought-before')).toEqual([]);
    const stranger = await listOf(`${RUN}-nobody`, '?n=3');
    expect(stranger.items.map((item) => item.reason)).toEqual(['popular-now', 'popular-now', 'popular-now']);
    // A product the shopper never touched, viewed now: the next list shows it (or what goes with it).
    const touched = new Set(before.items.map((item) => item.productId));
    // (one the recommender knows: a popular one not on the shopper's list)
    const popular = await listOf(`${RUN}-nobody`, '?n=30');
    const product = popular.items.map((item) => item.productId).find((id) => !touched.has(id))!;
    // Viewed at the score clock's now (the newest event time seen), so it is recent by that clock.
    const now = new Date(Number(await redis.get(CLOCK_WATERMARK_KEY))).toISOString();
    const viewed = {
      eventId: `${shopper}-pv`,
      customerId: shopper,
      occurredAt: now,
      type: 'product_view',
      productId: product,
    };
    expect((await post(viewed)).status).toBe(202);
    await pipelineIdle();
    const after = await listOf(shopper);
    expect(after.items).not.toEqual(before.items);
    expect(after.items.find((item) => item.productId === product)?.reason ?? 'viewed-lately').toBe('viewed-lately');
    // Many customers in one call; bad input named.
    const batch = await fetch(`${scorerUrl}/v1/recommendations:batchGet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerIds: [shopper, `${RUN}-nobody`], n: 2 }),
    });
    expect(batch.status).toBe(200);
    const { lists } = (await batch.json()) as { lists: Lists[] };
    expect(lists.map((list) => [list.customerId, list.items.length])).toEqual([
      [shopper, 2],
      [`${RUN}-nobody`, 2],
    ]);
    const bad = await fetch(`${scorerUrl}/v1/customers/${shopper}/recommendations?n=0&exclude=viewed`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((error) => error.path).sort()).toEqual([
      'exclude',
      'n',
    ]);

    // Scores carry the top products, and a recommendation campaign's decision sends them (PostgreSQL and Kafka).
    const campaign = await fetch(`${services[4].url}/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        key: `${RUN}-recs`.toLowerCase(),
        name: 'products for the shopper',
        audience: { all: [{ field: 'customerId', op: 'in', value: [shopper] }] },
        action: 'recommendation',
        channel: 'email',
        startsAt: '2000-01-01T00:00:00Z',
        status: 'active',
        controlShare: 0,
        cooldownSeconds: 0,
        // Free, and worth the most of any campaign for this customer: the engine tries it first.
        budgetTotal: 10,
        costPerAction: 0,
        upliftRate: 10,
      }),
    });
    expect(campaign.status).toBe(201);
    const { id: campaignId } = (await campaign.json()) as { id: string };
    await sleep(500); // the engines read the campaigns per batch
    // A purchase now: the shopper is valued again (one silent for decades is worth nothing to a campaign).
    const touch = {
      eventId: `${shopper}-p2`,
      customerId: shopper,
      occurredAt: now,
      type: 'purchase',
      orderId: `${shopper}-o2`,
      items: [{ productId: product, quantity: 1, unitPrice: 80 }],
      total: 80,
      currency: 'USD',
    };
    expect((await post(touch)).status).toBe(202);
    await pipelineIdle();
    const score = (await (await fetch(`${scorerUrl}/v1/customers/${shopper}/score`)).json()) as CustomerScore;
    expect(score.recommendations).toHaveLength(5);
    const decision = await eventually('the recommendation decision', () =>
      prisma.decision.findFirst({ where: { campaignId, customerId: shopper } }),
    );
    expect(decision.products).toEqual(score.recommendations);
    const sent = await eventually('the decision on cvp.decisions.v1', async () =>
      seen.decisions.find((d) => d.decisionId === decision.id),
    );
    expect(sent.products).toEqual(score.recommendations);
  });

  it('retrains on a train command and keeps the published model when the candidate is no better', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.commands,
      messages: [
        {
          key: 'train',
          value: JSON.stringify({
            type: 'train',
            commandId: `${RUN}-retrain`,
            requestedAt: new Date().toISOString(),
            params: request,
          }),
        },
      ],
    });
    await producer.disconnect();
    const retrain = await eventually('a run from the command', async () => {
      const [latest] = (await (await fetch(`${trainerUrl}/v1/models?limit=1`)).json()) as any[];
      return latest.version !== version && latest;
    });
    expect(retrain.metrics.request.origin).toBe(`command ${RUN}-retrain`);
    const row = await finished(retrain.version);
    // Same data, same seed: the same model, which does not beat itself.
    expect(row.status).toBe('rejected');
    expect(row.metrics.verdict.reason).toMatch(/does not beat/);
    // Nor does its recommender replace the served one: it learnt from no newer purchases.
    expect(row.metrics.recommender.verdict).toMatchObject({ publish: false, reason: /no newer purchases than/ });
    expect(row.recommenderPublishedAt).toBeNull();
    expect((await modelRow(version)).status).toBe('published');
    expect(seen.models.map((model) => model.version)).toEqual([version]);
  });

  it('serves a recommender published apart from the value model, announced by the trainer after a restart', async () => {
    // A run whose value model was rejected but whose recommender did better (its outcome as finishRun records it;
    // the artifact a copy of the published one), and a trainer that stopped before announcing it.
    const other = `${RUN}-recs-only`;
    cpSync(join(MODEL_STORE_DIR, version), join(MODEL_STORE_DIR, other), { recursive: true });
    await prisma.modelVersion.create({
      data: {
        version: other,
        status: 'rejected',
        algorithm: 'ziln',
        featureSchemaVersion: 'features@3',
        metrics: {},
        artifactUri: `file://${join(MODEL_STORE_DIR, other)}`,
        artifactSha256: await artifactChecksum(join(MODEL_STORE_DIR, other)),
        recommenderPublishedAt: new Date(),
      },
    });
    const trainer = services[2];
    expect(await stopService(trainer)).toBe(0);
    services[2] = startService('trainer', {
      OTEL_SDK_DISABLED: 'false',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      SCORE_CLOCK: 'event-time',
      SWEEP_INTERVAL_HOURS: '0',
      KAFKA_GROUP_ID: GROUPS.trainer,
      MODEL_STORE_DIR,
    });
    await waitUntilReady(services[2]);
    // The restarted trainer finds the registry's state unannounced and announces it: the value model unchanged.
    const state = await eventually('the announced state', async () =>
      seen.models.find((m) => m.recommender?.version === other),
    );
    expect(state).toMatchObject({ version, recommender: { version: other } });
    const shopper = shoppers[0];
    const list = await eventually('the recommender swapped in', async () => {
      const response = await fetch(`${scorerUrl}/v1/customers/${encodeURIComponent(shopper)}/recommendations`);
      const body = (await response.json()) as { modelVersion: string; items: unknown[] };
      return body.modelVersion === other && body;
    });
    expect(list.items).toHaveLength(10);
    // Scores keep coming from the published value model (no swap, no model-swap sweep).
    const score = (await (await fetch(`${scorerUrl}/v1/customers/${shopper}/score`)).json()) as CustomerScore;
    expect(score.modelVersion).toBe(version);
  });

  it('refuses a model announcement whose artifact is outside the model store, unknown to the registry or altered', async () => {
    // A true copy of the published artifact, registered with its right checksum, but outside the store.
    const outside = join(ROOT, '.infra', 'e2e-outside', RUN);
    cpSync(join(MODEL_STORE_DIR, version), join(outside, 'copy'), { recursive: true });
    const sha = await artifactChecksum(join(outside, 'copy'));
    const announcement = (name: string, uri: string, sha256: string) => ({
      version: name,
      algorithm: 'ziln',
      featureSchemaVersion: 'features@3',
      artifactUri: uri,
      artifactSha256: sha256,
      publishedAt: new Date().toISOString(),
    });
    const copyUri = `file://${join(outside, 'copy')}`;
    await prisma.modelVersion.create({
      data: {
        version: `${RUN}-outside`,
        status: 'candidate',
        algorithm: 'ziln',
        featureSchemaVersion: 'features@3',
        metrics: {},
        artifactUri: copyUri,
        artifactSha256: sha,
      },
    });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: TOPICS.models,
        messages: [
          { key: 'model', value: JSON.stringify(announcement(`${RUN}-outside`, copyUri, sha)) },
          // Not in the registry at all (say, written by someone with access to the topic).
          { key: 'model', value: JSON.stringify(announcement(`${RUN}-unknown`, copyUri, sha)) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const log = join(ROOT, 'reports', 'e2e', 'scorer.log');
    await eventually('both refusals logged', async () => {
      const text = readFileSync(log, 'utf8');
      return text.includes('is outside the model store') && text.includes(`${RUN}-unknown refused`);
    });
    // Scores still come from the published model.
    const id = `${RUN}-after-evil-model`;
    expect((await post(view(id, 530))).status).toBe(202);
    const score = await eventually(`score of ${id}`, async () => {
      const response = await fetch(`${scorerUrl}/v1/customers/${id}/score`);
      return response.status === 200 && ((await response.json()) as CustomerScore);
    });
    expect(score.modelVersion).toBe(version);
    rmSync(outside, { recursive: true, force: true });
  });
});

describe('faults (short; the full suite is bench/faults.ts)', () => {
  it('loses and double-counts nothing when the features service is killed -9 mid-stream', async () => {
    const customers = Array.from({ length: 20 }, (_, i) => `${RUN}-kill9-${i}`);
    const events = customers.flatMap((id) => Array.from({ length: 15 }, (_, day) => view(id, 500 + day)));
    for (let start = 0; start < events.length; start += 50) {
      if (start === 100) {
        // The consumer is folding the first batches: kill it without warning, and start a new one.
        const victim = services[1];
        victim.process.kill('SIGKILL');
        await victim.exited;
        services[1] = startService('features', {
          OTEL_SDK_DISABLED: 'false',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          SCORE_CLOCK: 'event-time',
          KAFKA_GROUP_ID: GROUPS.features,
        });
      }
      expect((await post({ events: events.slice(start, start + 50) })).status).toBe(202);
    }
    await waitUntilReady(services[1]);
    await pipelineIdle();
    const states = await redis.mget(customers.map(featureStateKey));
    // Every acknowledged event folded exactly once: the commit script and the dedup marks survive the kill.
    expect(states.map((raw) => (raw ? JSON.parse(raw).eventsApplied : 0))).toEqual(customers.map(() => 15));
  });
});

describe('the console in Chromium', () => {
  const SHOTS = join(ROOT, 'reports', 'console');
  let chromium: Browser;
  let page: Page;
  let consoleUrl = '';
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    consoleUrl = services.find((service) => service.name === 'console')!.url;
    chromium = await launchChromium();
    page = await chromium.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await chromium?.close();
  });

  it('refuses a producer key and signs in with an admin key', async () => {
    await page.goto(consoleUrl);
    await page.fill('input[name=apiKey]', KEYS.producer!);
    await page.click('button[type=submit]');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('may not use the console');
    await page.fill('input[name=apiKey]', KEYS.admin!);
    await page.click('button[type=submit]');
    await expect(page.getByTestId('who').textContent()).resolves.toContain('admin');
  });

  it('shows the overview with live numbers: readiness, events, lag per group, sweeps, training', async () => {
    await page.goto(`${consoleUrl}/#/overview`);
    for (const name of ['ingest', 'features', 'trainer', 'scorer', 'campaigns'])
      await page.getByTestId(`service-${name}`).getByText('ready', { exact: true }).waitFor();
    const accepted = await page.getByTestId('events-total').textContent();
    expect(Number(accepted?.replace(/,/g, ''))).toBeGreaterThan(0);
    await page.getByTestId('lags').getByText(GROUPS.features).first().waitFor();
    await page.getByTestId('sweeps').getByText('last', { exact: true }).waitFor();
    expect(await page.getByTestId('published').textContent()).toMatch(/^ziln@/);
    await shot('overview');
  });

  it('looks up a customer: score with interval, reasons, recent events, decisions', async () => {
    await page.goto(`${consoleUrl}/#/customers`);
    await page.getByTestId('tier-high').waitFor();
    await page.fill('input[name=customerId]', SILENT);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByTestId('expected-spend').waitFor();
    expect(await page.getByTestId('interval').textContent()).toMatch(/\d – \d/);
    expect(await page.getByTestId('reasons').locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByTestId('events').locator('tbody tr').first().waitFor();
    await page.getByTestId('decisions').getByText('win-back-high-value').first().waitFor();
    await shot('customer');
  });

  it('creates a campaign: a bad field shows its error at the field, a good one is listed and can be edited', async () => {
    const key = `console-${RUN}`.toLowerCase();
    await page.goto(`${consoleUrl}/#/campaigns`);
    await page.getByTestId('new-campaign').click();
    await page.fill('#field-key', 'Not A Slug!');
    await page.fill('#field-name', 'Made in the console');
    await page.getByTestId('preview-audience').click();
    await expect(page.getByTestId('audience-size').textContent()).resolves.toMatch(
      /^[\d,]+ of [\d,]+ scored customers match/,
    );
    await page.getByTestId('submit-campaign').click();
    await expect(page.getByTestId('error-key').textContent()).resolves.toContain('must be a slug');
    await shot('campaign-field-error');
    await page.fill('#field-key', key);
    await page.getByTestId('submit-campaign').click();
    await expect(page.getByTestId('campaign-status').textContent()).resolves.toBe('draft');
    await page.getByTestId('campaign-list').getByRole('link', { name: key }).waitFor();
    expect(await prisma.campaign.findUnique({ where: { key } })).toMatchObject({ name: 'Made in the console' });

    await page.getByTestId('edit-campaign').click();
    await page.fill('#field-controlShare', '1');
    await page.getByTestId('submit-campaign').click();
    await expect(page.getByTestId('error-controlShare').textContent()).resolves.toContain('below 1');
    await page.fill('#field-controlShare', '0.2');
    await page.fill('#field-name', 'Renamed in the console');
    await page.getByTestId('submit-campaign').click();
    await page.getByText(`Renamed in the console (${key})`).waitFor();
    expect(await prisma.campaign.findUnique({ where: { key } })).toMatchObject({ controlShare: 0.2, status: 'draft' });
  });

  it("shows a campaign's measured uplift with its intervals, verdict and decisions over time", async () => {
    await page.goto(`${consoleUrl}/#/campaigns/win-back-high-value`);
    await page.getByTestId('report-verdict').waitFor();
    expect(await page.getByTestId('incremental-revenue').textContent()).toContain('95%');
    await page.getByTestId('decisions-chart').locator('svg').first().waitFor();
    await shot('campaign-report');
  });

  it("opens a model's gain and calibration charts and its selection", async () => {
    await page.goto(`${consoleUrl}/#/models`);
    await page.getByTestId('train-now').waitFor();
    await page
      .getByTestId('model-list')
      .locator('tbody tr', { hasText: 'published' })
      .first()
      .getByRole('link')
      .click();
    await page.getByTestId('gain-chart').locator('svg .recharts-line').first().waitFor();
    await page.getByTestId('calibration-chart').locator('svg .recharts-bar-rectangle').first().waitFor();
    await expect(page.getByTestId('selection').textContent()).resolves.toContain('Winner');
    await shot('model');
  });

  it("passes on only the services' /v1 API routes, and serves its page with a strict content security policy", async () => {
    const page = await globalThis.fetch(consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    for (const path of [
      '/api/scorer/health/ready',
      '/api/scorer/v1/../metrics',
      '/api/nowhere/v1/models',
      '/api/scorer/v1/%2e%2e/docs',
    ])
      expect([path, (await globalThis.fetch(`${consoleUrl}${path}`)).status]).toEqual([path, 404]);
    // Through the console, the service checks the key as for any client.
    expect((await globalThis.fetch(`${consoleUrl}/api/trainer/v1/models`)).status).toBe(401);
    const reader = await globalThis.fetch(`${consoleUrl}/api/trainer/v1/train`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.reader}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(reader.status).toBe(403);
    // A request without a body goes on without one (POST /v1/rescore refuses any body), a non-JSON body is refused.
    const rescore = await globalThis.fetch(`${consoleUrl}/api/scorer/v1/rescore`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.admin}` },
    });
    expect(rescore.status).toBe(202);
    await eventually('the sweep the console started', async () => {
      const status = (await (await fetch(`${scorerUrl}/v1/sweeps`)).json()) as { active: unknown };
      return status.active === null;
    });
    await pipelineIdle();
    const text = await globalThis.fetch(`${consoleUrl}/api/campaigns/v1/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.marketer}`, 'content-type': 'text/plain' },
      body: 'key=x',
    });
    expect(text.status).toBe(415);
  });
});

describe('who may call what: API keys and roles', () => {
  /** A request each route answers 2xx (or 409 for a run already going) when the key may call it. */
  const requestFor = async (route: (typeof API_ROUTES)[number]) => {
    const [latest] = (await (await fetch(`${trainerUrl}/v1/models?limit=1`)).json()) as { version: string }[];
    const path = route.path
      .replace(
        '{id}',
        route.service === 'campaigns'
          ? 'win-back-high-value'
          : encodeURIComponent(route.method === 'DELETE' ? `${RUN}-auth-erased` : SILENT),
      )
      .replace('{version}', latest.version);
    const body: Record<string, unknown> = {
      'POST /v1/events': { events: [view(`${RUN}-auth`, 520)] },
      'POST /v1/scores:batchGet': { customerIds: [SILENT] },
      'POST /v1/recommendations:batchGet': { customerIds: [SILENT] },
      'POST /v1/train': { maxEpochs: 1 },
      'POST /v1/campaigns': {
        key: `auth-${RUN}`.toLowerCase(),
        name: 'auth matrix',
        audience: { field: 'tier', op: 'eq', value: 'high' },
        action: 'ad_audience',
        channel: 'ads',
        startsAt: '2030-01-01T00:00:00Z',
        budgetTotal: 1,
      },
      'PATCH /v1/campaigns/{id}': { priority: 0 },
      'POST /v1/campaigns/audience-preview': { audience: { field: 'tier', op: 'eq', value: 'high' } },
    };
    const url = `${services.find((service) => service.name === route.service)!.url}${path}`;
    const payload = body[`${route.method} ${route.path}`];
    return (authorization?: string) =>
      globalThis.fetch(url, {
        method: route.method,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(authorization ? { authorization } : {}),
        },
        body: payload ? JSON.stringify(payload) : undefined,
      });
  };
  const wrongRole: Record<Role, Role> = {
    producer: 'reader',
    reader: 'producer',
    marketer: 'reader',
    admin: 'marketer',
  };

  it('answers 401 without a key, 403 for the wrong role and 2xx for the right one, on every /v1 route', async () => {
    const outcomes: string[] = [];
    for (const route of API_ROUTES) {
      const send = await requestFor(route);
      const none = await send();
      const unknown = await send('Bearer cvp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      const wrong = await send(`Bearer ${KEYS[wrongRole[route.role]]}`);
      const right = await send(`Bearer ${KEYS[route.role]}`);
      const ok = right.status < 300 || (route.path === '/v1/train' && right.status === 409);
      outcomes.push(
        `${route.method} ${route.path} ${route.role}: ${none.status} ${unknown.status} ${wrong.status} ${ok ? '2xx' : right.status}`,
      );
    }
    expect(outcomes).toEqual(API_ROUTES.map((route) => `${route.method} ${route.path} ${route.role}: 401 401 403 2xx`));
    // Open: health, the OpenAPI documents.
    for (const service of services) {
      expect((await globalThis.fetch(`${service.url}/health/ready`)).status).toBe(200);
      expect((await globalThis.fetch(`${service.url}/docs/openapi.json`)).status).toBe(200);
    }
  });

  it("stops taking a revoked key, and answers 429 with Retry-After past a key's requests per second", async () => {
    const reader = await createApiKey(prisma, { role: 'reader', name: 'e2e revoked' });
    const summary = () =>
      globalThis.fetch(`${scorerUrl}/v1/tiers/summary`, { headers: { authorization: `Bearer ${reader.key}` } });
    expect((await summary()).status).toBe(200);
    await revokeApiKey(prisma, reader.id);
    // Services remember a key API_KEY_CACHE_SECONDS (5 s).
    await eventually('the revoked key refused', async () => (await summary()).status === 401);

    const limited = await createApiKey(prisma, { role: 'reader', name: 'e2e limited', rateLimitPerSecond: 5 });
    const started = Date.now();
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        globalThis.fetch(`${scorerUrl}/v1/tiers/summary`, { headers: { authorization: `Bearer ${limited.key}` } }),
      ),
    );
    // At most 5 per started second of the burst pass (however slow a loaded machine makes it); the rest get 429.
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    const passed = burst.filter((response) => response.status === 200).length;
    const refused = burst.filter((response) => response.status === 429);
    expect(passed + refused.length).toBe(30);
    expect(passed).toBeGreaterThanOrEqual(5);
    expect(passed).toBeLessThanOrEqual(5 * seconds);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].headers.get('retry-after')).toBe('1');
  });
});

describe('erasure of a customer', () => {
  it('removes the customer from Redis and PostgreSQL, refuses their events, and ignores a replay still in Kafka', async () => {
    const id = `${RUN}-forget-me`;
    const events = [view(id, 500), purchase(id, 501, 900), view(id, 502)];
    expect((await post({ events })).status).toBe(202);
    await eventually(`score of ${id}`, async () => (await redis.exists(scoreKey(id))) === 1);
    await pipelineIdle();
    expect(await prisma.trainingEvent.count({ where: { customerId: id } })).toBe(3);

    const response = await fetch(`${trainerUrl}/v1/customers/${encodeURIComponent(id)}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    const report = (await response.json()) as any;
    expect(report).toMatchObject({
      redis: { featureState: 1, score: 1, dedupMarks: 3 },
      postgres: { trainingEvents: 3 },
      tombstoned: true,
    });
    expect(report.pseudonym).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(report)).not.toContain(id);

    const nothingLeft = async () => {
      expect(await redis.exists(featureStateKey(id), scoreKey(id))).toBe(0);
      expect(await redis.keys(appliedEventPattern(id))).toEqual([]);
      expect(await prisma.trainingEvent.count({ where: { customerId: id } })).toBe(0);
      expect(await prisma.decision.count({ where: { customerId: id } })).toBe(0);
      expect(await prisma.customer.count({ where: { id } })).toBe(0);
    };
    await nothingLeft();

    // Ingest refuses the customer's events...
    const refused = await post(view(id, 503));
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      { path: 'customerId', message: 'this customer was erased: their events are not accepted' },
    ]);
    // ...and every consumer skips one that reaches the topic anyway (a replay of what Kafka still holds).
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: TOPICS.events, messages: [{ key: id, value: JSON.stringify(view(id, 504)) }] });
    await producer.disconnect();
    const after = `${RUN}-after-erasure`;
    expect((await post(view(after, 505))).status).toBe(202);
    await eventually(`score of ${after}`, async () => (await redis.exists(scoreKey(after))) === 1);
    await pipelineIdle();
    await nothingLeft();
    // No service log names the customer: request paths carry a pseudonym, decisions log one.
    for (const name of ['ingest', 'features', 'trainer', 'scorer', 'campaigns']) {
      expect({ name, named: readFileSync(join(ROOT, 'reports', 'e2e', `${name}.log`), 'utf8').includes(id) }).toEqual({
        name,
        named: false,
      });
    }
    // Erasing again is harmless, and says there was nothing left.
    const again = (await (
      await fetch(`${trainerUrl}/v1/customers/${encodeURIComponent(id)}`, { method: 'DELETE' })
    ).json()) as any;
    expect(again).toMatchObject({
      redis: { featureState: 0, score: 0, dedupMarks: 0 },
      postgres: { trainingEvents: 0 },
    });
  });
});

describe('poison records (the matrix bench/poison.ts prints as a table)', () => {
  it('dead-letters every kind of poison record within 3 attempts, and the normal record after it is processed', async () => {
    const rows = await runPoisonMatrix({ kafka, redis, prisma, groups: GROUPS, run: RUN });
    expect(rows.filter((row) => !row.ok)).toEqual([]);
    expect(rows.length).toBe(POISON_CASES.length);
  });
});

describe('API fuzzing (short; the full run is bench/fuzz.ts)', () => {
  let fuzzKey = '';
  beforeAll(async () => {
    // Admin reaches every route; the fuzzer sends far more than an admin's default requests per second.
    fuzzKey = (await createApiKey(prisma, { role: 'admin', name: 'e2e fuzz', rateLimitPerSecond: 1_000_000 })).key;
  });

  // Last: it sends whatever the OpenAPI documents allow (and what they do not) to every service.
  it.each(['ingest', 'features', 'trainer', 'scorer', 'campaigns', 'console'] as const)(
    'answers every request schemathesis derives from the %s OpenAPI document without a server error',
    async (name) => {
      const service = services.find((running) => running.name === name)!;
      const result = await fuzzOpenApi(service.url, {
        maxExamples: 15,
        seed: 1,
        reportDir: join(ROOT, 'reports', 'e2e', `fuzz-${name}`),
        apiKey: fuzzKey,
      });
      expect(result.requests).toBeGreaterThan(0);
      // The summary names the failing case and how to reproduce it.
      if (result.exitCode !== 0) throw new Error(`schemathesis found failures:\n${result.summary}`);
      expect(result.serverErrors).toEqual([]);
    },
  );
});

describe('metrics', () => {
  const scrape = async (url: string) => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    // Express orders the parameters its own way.
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;/);
    expect(response.headers.get('content-type')).toContain('version=0.0.4');
    return response.text();
  };
  /** A sample line of `name` whose labels include every one of `labels`, with its value. */
  const sample = (text: string, name: string, labels: Record<string, string>) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`))
      .find((line) => Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)));

  it('serves Prometheus metrics on every service, without a key: HTTP, Kafka in and out, scoring, sweeps, models', async () => {
    const [ingest, features, trainer, scorer, campaigns] = await Promise.all(
      services.slice(0, 5).map((service) => scrape(service.url)),
    );
    expect(sample(ingest, 'cvp_ingest_events_total', { type: 'purchase' })).toBeDefined();
    expect(sample(ingest, 'cvp_http_server_requests_total', { route: '/v1/events', status: '202' })).toBeDefined();
    expect(sample(ingest, 'cvp_http_server_requests_total', { route: '/v1/events', status: '400' })).toBeDefined();
    expect(sample(ingest, 'cvp_kafka_produced_messages_total', { topic: TOPICS.events })).toBeDefined();
    expect(
      sample(features, 'cvp_kafka_consumed_records_total', { topic: TOPICS.events, outcome: 'handled' }),
    ).toBeDefined();
    expect(
      sample(features, 'cvp_kafka_consumed_records_total', { topic: TOPICS.events, outcome: 'dead-lettered' }),
    ).toBeDefined();
    expect(
      sample(features, 'cvp_kafka_batch_duration_seconds_bucket', { topic: TOPICS.events, le: '+Inf' }),
    ).toBeDefined();
    expect(sample(features, 'cvp_kafka_consumer_lag', { group: GROUPS.features, topic: TOPICS.events })).toBeDefined();
    expect(sample(trainer, 'cvp_kafka_consumed_records_total', { topic: TOPICS.events })).toBeDefined();
    expect(sample(scorer, 'cvp_scoring_batch_duration_seconds_bucket', { trigger: 'event', le: '+Inf' })).toBeDefined();
    expect(sample(scorer, 'cvp_scoring_scores_total', { trigger: 'event' })).toBeDefined();
    expect(sample(scorer, 'cvp_sweep_customers_total', { trigger: 'on-demand' })).toBeDefined();
    expect(sample(scorer, 'cvp_model_in_use', { kind: 'value' })).toMatch(/version="ziln@/);
    expect(sample(scorer, 'cvp_model_in_use', { kind: 'recommender' })).toBeDefined();
    expect(
      sample(scorer, 'cvp_http_server_requests_total', { route: '/v1/customers/:id/score', status: '200' }),
    ).toBeDefined();
    expect(
      sample(campaigns, 'cvp_kafka_consumed_records_total', { topic: TOPICS.scores, outcome: 'handled' }),
    ).toBeDefined();
    const consoleMetrics = await scrape(services[5].url);
    expect(
      sample(consoleMetrics, 'cvp_http_server_requests_total', { route: '/v1/console/overview', status: '200' }),
    ).toBeDefined();
    // A path no route serves is one label, not one per path.
    await fetch(`${services[0].url}/no/such/${RUN}`);
    expect(
      sample(await scrape(services[0].url), 'cvp_http_server_requests_total', { route: 'unmatched', status: '404' }),
    ).toBeDefined();
  });
});
