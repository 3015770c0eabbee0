/**
 * Online benchmark of the real-time path on this machine, against the real broker and Redis:
 *   npm run infra:up && npm run build && node -r @swc-node/register bench/online-pipeline.ts [--format F --data P]
 *     [--limit N] [--customers N] [--fresh-seconds S] [--lookup-seconds S] [--rate N] [--replicas N] [--redis-cluster]
 *     [--profile]
 *     [--drop-reviews] [--review-text] [--review-share S [--review-texts DIR]]
 * Starts its own ingest, features and scorer processes (ports 3201/3202/3204, consumer groups *-bench; --replicas N
 * features and N scorer replicas sharing the partitions, ports +10 each; --redis-cluster: every service on the
 * three-node Redis Cluster of deploy/local/infra.sh, REDIS_CLUSTER_URL; --review-text: the review-text worker too, port
 * 3206, with a review-sentiment head in the bench model, its readings folded back by features; --drop-reviews: the
 * dataset without its review events, the baseline of that comparison; --review-share S: the dataset's own reviews
 * replaced by one review in every 1/S events, with real texts and stars in turn from --review-texts, the Amazon samples
 * by default), trains a
 * value model on a synthetic history and announces it on cvp.models.v1 so the scorer scores with the model (as in
 * production), then measures, one phase after the other:
 *   1. throughput: the dataset replayed over HTTP as fast as ingest takes it; sustained events/s through ingest ->
 *      features -> scorer (until both consumer groups have no lag), lag sampled every second;
 *   2. freshness at --rate events/s (default 1,000): ingest's acknowledgement of an event -> its score stamped by the
 *      scorer (`scoredAt` of the score in Redis whose sourceEventId is that event; stamped when the batch is scored,
 *      the Redis write follows in the same step), p50/p99;
 *   3. lookups at a fixed 1,000 requests/s (open loop, from a process of its own, bench/load/open-loop.ts):
 *      GET /v1/customers/:id/score, and POST /v1/scores:batchGet with 100 ids at 200 requests/s, p50/p99 as the
 *      caller sees them;
 * and the CPU seconds and peak memory of each process. Writes reports/bench/online-pipeline-<format>[-r<N>][-cluster].json
 * (`bench/table.ts` puts every bench's figures in one table).
 * Event and customer ids get a per-run prefix so earlier runs' dedup marks do not make the work look cheaper.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { parseArgs } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TOPICS, type ClickstreamEvent } from '@cvp/contracts';
import { openDataset, readLabelledReviews, type Dataset } from '@cvp/datasets';
import { consumerGroupLag } from '@cvp/kafka';
import { HttpSink, replay, syntheticDataset, type EventSink, type SinkResult } from '@cvp/replay';
import { BENCH_MODEL_STORE, publishBenchModel } from './bench-model';
import { runLoad } from './load/run';
import { createPrismaClient } from '@cvp/db';
import {
  createKeysForEveryRole,
  fetchWithKeys,
  processUsage,
  startService,
  stopService,
  waitUntilReady,
  WORKSPACE_ROOT,
  type RunningService,
} from '@cvp/harness';

const { values: args } = parseArgs({
  options: {
    format: { type: 'string', default: 'synthetic' },
    data: { type: 'string' },
    limit: { type: 'string', default: '200000' },
    customers: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '1000' },
    'fresh-seconds': { type: 'string', default: '20' },
    'lookup-seconds': { type: 'string', default: '10' },
    replicas: { type: 'string', default: '1' },
    /** Products on each score (the scorer's SCORE_RECOMMENDATIONS): 0 measures the stream without them. */
    'score-recommendations': { type: 'string', default: '5' },
    'redis-cluster': { type: 'boolean', default: false },
    /** Leave the dataset's review events out (the baseline of the review-text comparison). */
    'drop-reviews': { type: 'boolean', default: false },
    /** The scorer scores every feature vector, not only each customer's newest of a batch (SCORE_CONFLATE=false). */
    'no-conflate': { type: 'boolean', default: false },
    /** Run the review-text worker too (a review-sentiment head published with the model): readings fold back. */
    'review-text': { type: 'boolean', default: false },
    /**
     * The share of review events in the stream (e.g. 0.05): the dataset's own reviews are left out and, after every
     * 1/S − 1 other events, a review by the customer of the event before it, text and stars from --review-texts in turn.
     */
    'review-share': { type: 'string' },
    /** The review-text worker's TEXT_WORKER_NICE (its default when not given). */
    'worker-nice': { type: 'string' },
    /** A labelled review set (amazon-reviews folder or file) whose texts the inserted reviews carry. */
    'review-texts': {
      type: 'string',
      default: resolve(__dirname, '..', '..', 'shared', 'datasets', 'reviews_amazon2018_5core_small'),
    },
    /**
     * Writes ingest's, the features' and the scorers' V8 CPU profiles under reports/bench/profile (open them in Chrome
     * DevTools; bench/profile-summary.ts sums them by package).
     */
    profile: { type: 'boolean', default: false },
  },
});
const PROFILE_DIR = join(WORKSPACE_ROOT, 'reports', 'bench', 'profile');
/** Node's flags for a V8 CPU profile of one process, named after it (none without --profile). */
const profiled = (name: string) =>
  args.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
const REVIEW_TEXT = args['review-text'] ?? false;
const REPLICAS = Number(args.replicas);
const RUN = `bench${Date.now().toString(36)}`;
const GROUPS = { features: 'cvp-features-bench', scorer: 'cvp-scorer-bench' };
const REVIEW_TEXT_GROUP = 'cvp-review-text-bench';
/** Keys of every role (made at the start); every request sends the one its route asks for. */
const KEYS: Parameters<typeof fetchWithKeys>[0] = {};
const fetch = fetchWithKeys(KEYS);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Texts and stars the inserted reviews carry (--review-share), read once. */
type ReviewText = { text: string; rating: number };

function prefixed(dataset: Dataset, limit: number, prefix: string, reviewTexts: ReviewText[] = []): Dataset {
  const share = args['review-share'] === undefined ? null : Number(args['review-share']);
  // One review after every `every` other events: a share of 1 / (every + 1).
  const every = share === null ? 0 : Math.max(1, Math.round(1 / share) - 1);
  async function* events(): AsyncGenerator<ClickstreamEvent> {
    let n = 0;
    let others = 0;
    let inserted = 0;
    for await (const event of dataset.events) {
      if ((args['drop-reviews'] || share !== null) && event.type === 'review') continue;
      if (n++ >= limit) return;
      const customerId = `${prefix}:${event.customerId}`;
      yield { ...event, eventId: `${prefix}:${event.eventId}`, customerId };
      if (share === null || ++others % every !== 0) continue;
      if (n++ >= limit) return;
      const { text, rating } = reviewTexts[inserted % reviewTexts.length];
      yield {
        eventId: `${prefix}:review-${inserted++}`,
        customerId,
        occurredAt: event.occurredAt,
        type: 'review',
        productId: 'productId' in event && event.productId ? event.productId : 'sku-0',
        rating,
        text,
      };
    }
  }
  return { events: events(), report: dataset.report };
}

/** The texts of --review-texts when --review-share asks for inserted reviews. */
async function reviewTextsOfArgs(): Promise<ReviewText[]> {
  if (args['review-share'] === undefined) return [];
  const share = Number(args['review-share']);
  if (!(share > 0 && share <= 0.5)) throw new Error(`--review-share must be in (0, 0.5], got ${args['review-share']}`);
  const set = await readLabelledReviews(args['review-texts']!, 'amazon-reviews');
  if (set.reviews.length === 0) throw new Error(`no labelled reviews in ${args['review-texts']}`);
  return set.reviews.map(({ text, rating }) => ({ text, rating }));
}

/** Remembers when ingest acknowledged each event (the start of its freshness clock). */
class AckTimingSink implements EventSink {
  readonly ackedAt = new Map<string, number>();
  readonly customers = new Set<string>();
  constructor(private readonly inner: EventSink) {}
  async send(events: ClickstreamEvent[]): Promise<SinkResult> {
    const result = await this.inner.send(events);
    const now = Date.now();
    for (const event of events) {
      this.ackedAt.set(event.eventId, now);
      this.customers.add(event.customerId);
    }
    return result;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const percentile = (sorted: number[], q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (value: number) => Math.round(value * 100) / 100;

/** The state path's lag: events not yet folded by features, feature vectors not yet scored. */
async function stateLag(admin: Admin): Promise<number> {
  const lags = await Promise.all([
    consumerGroupLag(admin, GROUPS.features, TOPICS.events),
    consumerGroupLag(admin, GROUPS.scorer, TOPICS.features),
  ]);
  return lags[0] + lags[1];
}

/** Everything's lag: the state path's, and with the review-text worker its reading and the readings' fold. */
async function lag(admin: Admin): Promise<number> {
  const lags = await Promise.all([
    stateLag(admin),
    // With the review-text worker: its reading of the events, and the features service folding the readings.
    ...(REVIEW_TEXT
      ? [
          consumerGroupLag(admin, REVIEW_TEXT_GROUP, TOPICS.events),
          consumerGroupLag(admin, GROUPS.features, TOPICS.reviewSignals),
        ]
      : []),
  ]);
  return lags.reduce((sum, value) => sum + value, 0);
}

/** Waits until the scorers have finished the model-swap sweep of `version` (every stored customer re-scored). */
async function modelSwapSwept(scorerUrl: string, version: string): Promise<void> {
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(1000)) {
    const response = await fetch(`${scorerUrl}/v1/sweeps`);
    const status = (await response.json()) as { active: unknown; last: { modelVersion: string } | null };
    if (status.active === null && status.last?.modelVersion === version) return;
  }
  throw new Error(`the model-swap sweep of ${version} did not finish in 600 s`);
}

/** Waits until `group` has `members` members, each with partitions assigned (a stable group). */
async function membersJoined(admin: Admin, group: string, members: number): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500)) {
    const [described] = (await admin.describeGroups([group])).groups;
    if (described?.state === 'Stable' && described.members.length === members) return;
  }
  throw new Error(`consumer group ${group} did not reach ${members} stable members in 120 s`);
}

async function drain(admin: Admin): Promise<void> {
  while ((await lag(admin)) > 0) await sleep(200);
}

async function main(): Promise<void> {
  const keysDb = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
  await createKeysForEveryRole(keysDb, `bench online-pipeline ${RUN}`, KEYS).finally(() => keysDb.$disconnect());
  const limit = Number(args.limit);
  const rate = Number(args.rate);
  const reviewTexts = await reviewTextsOfArgs();
  const source =
    args.format === 'synthetic'
      ? syntheticDataset({
          customers: Number(args.customers),
          seed: 1,
          start: new Date('2025-01-01T00:00:00Z'),
          end: new Date('2026-01-01T00:00:00Z'),
        })
      : openDataset(args.format ?? 'synthetic', args.data ?? '', {});
  const admin = new Kafka({ clientId: 'cvp-bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const modelVersion = await publishBenchModel(RUN, { reviewHead: REVIEW_TEXT });

  const common = {
    LOG_LEVEL: 'warn',
    SCORE_RECOMMENDATIONS: args['score-recommendations'] ?? '5',
    SCORE_CONFLATE: args['no-conflate'] ? 'false' : 'true',
    ...(args['redis-cluster']
      ? { REDIS_CLUSTER: 'true', REDIS_URL: process.env.REDIS_CLUSTER_URL ?? 'redis://127.0.0.1:7000' }
      : {}),
  };
  const services: Record<string, RunningService> = {
    ingest: startService('ingest', { ...common, PORT: '3201' }, 'bench', profiled('ingest'), 'ingest'),
  };
  for (let replica = 0; replica < REPLICAS; replica++) {
    const suffix = REPLICAS === 1 ? '' : `-${replica + 1}`;
    services[`features${suffix}`] = startService(
      'features',
      { ...common, PORT: String(3202 + 10 * replica), KAFKA_GROUP_ID: GROUPS.features },
      'bench',
      profiled(`features${suffix}`),
      `features${suffix}`,
    );
    services[`scorer${suffix}`] = startService(
      'scorer',
      {
        ...common,
        PORT: String(3204 + 10 * replica),
        KAFKA_GROUP_ID: GROUPS.scorer,
        MODEL_STORE_DIR: BENCH_MODEL_STORE,
        // The event path alone: no scheduled sweep as the replayed year moves the clock (bench/sweep.ts measures them).
        SWEEP_INTERVAL_HOURS: '0',
      },
      'bench',
      // V8's heap as the chart caps it (helm values maxOldSpaceMiB).
      ['--max-old-space-size=256', ...profiled(`scorer${suffix}`)],
      `scorer${suffix}`,
    );
  }
  if (REVIEW_TEXT) {
    services['review-text'] = startService(
      'features',
      {
        ...common,
        PORT: '3206',
        FEATURES_ROLE: 'review-text',
        KAFKA_GROUP_ID: REVIEW_TEXT_GROUP,
        // The stream's reviews only: not the back-fill of whatever reviews earlier runs left in PostgreSQL.
        TEXT_BACKFILL: 'false',
        ...(args['worker-nice'] === undefined ? {} : { TEXT_WORKER_NICE: args['worker-nice'] }),
        MODEL_STORE_DIR: BENCH_MODEL_STORE,
      },
      'bench',
      profiled('review-text'),
      'review-text',
    );
  }
  const scorers = Object.keys(services)
    .filter((name) => name.startsWith('scorer'))
    .map((name) => services[name].url);
  const usage = () =>
    Object.fromEntries(Object.entries(services).map(([name, service]) => [name, processUsage(service.process.pid!)]));
  // Everything else on the box that the throughput phase keeps busy: the broker, Redis and this process (the load).
  const infraPids = Object.fromEntries(
    ['kafka', 'redis'].flatMap((name) => {
      const pid = Number(readPid(join(WORKSPACE_ROOT, '.infra', 'run', `${name}.pid`)));
      return Number.isInteger(pid) && pid > 0 ? [[name, pid]] : [];
    }),
  );
  const phaseUsage = (): Record<string, number> => ({
    ...Object.fromEntries(Object.entries(usage()).map(([name, used]) => [name, used.cpuSeconds])),
    ...Object.fromEntries(
      Object.entries(infraPids).flatMap(([name, pid]) => {
        try {
          return [[name, processUsage(pid).cpuSeconds]];
        } catch {
          return [];
        }
      }),
    ),
    'bench (load)': (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  try {
    await Promise.all(Object.values(services).map((service) => waitUntilReady(service)));
    // Every replica holds its share of the partitions before the clock starts (no rebalance inside a phase).
    await Promise.all(Object.values(GROUPS).map((group) => membersJoined(admin, group, REPLICAS)));
    if (REVIEW_TEXT) await membersJoined(admin, REVIEW_TEXT_GROUP, 1);
    // The model swap re-scores every stored customer (earlier runs' too): measured after it, not beside it.
    await modelSwapSwept(scorers[0], modelVersion);
    // Let the groups drain whatever earlier runs left, so the clock measures this run only.
    await drain(admin);
    const cpuBefore = usage();
    const throughputCpuBefore = phaseUsage();

    // 1. Throughput.
    let maxLag = 0;
    const started = Date.now();
    const sampler = setInterval(() => {
      lag(admin).then(
        (value) => (maxLag = Math.max(maxLag, value)),
        () => undefined,
      );
    }, 1000);
    const sent = await replay(
      prefixed(source, limit, RUN, reviewTexts),
      new HttpSink(services.ingest.url, KEYS.producer),
      {
        pace: { kind: 'max' },
        batchSize: 500,
        progress: true,
      },
    );
    const sendSeconds = (Date.now() - started) / 1000;
    const lagAtEndOfSend = await lag(admin);
    // The state path is through when every event is folded and every vector scored (the first moment its lag is 0);
    // with the review-text worker, the readings may still be coming (they are in `lag`, drained after).
    let stateSeconds: number | null = null;
    for (;;) {
      const [state, total] = await Promise.all([stateLag(admin), lag(admin)]);
      if (state === 0 && stateSeconds === null) stateSeconds = (Date.now() - started) / 1000;
      if (total === 0) break;
      await sleep(200);
    }
    clearInterval(sampler);
    const totalSeconds = (Date.now() - started) / 1000;
    const throughputCpuAfter = phaseUsage();
    // CPU microseconds per event of the throughput phase, per process: where the two cores went.
    const throughputCpuMicrosPerEvent = Object.fromEntries(
      Object.keys(throughputCpuAfter).map((name) => [
        name,
        Math.round(((throughputCpuAfter[name] - (throughputCpuBefore[name] ?? 0)) / sent.sent) * 1e6),
      ]),
    );
    // What the scorers did with the phase's feature vectors: scored, or superseded by a newer one in the same batch.
    const scoredVectors = await metricSum(scorers, 'cvp_scoring_scores_total', 'trigger="event"');
    const supersededVectors = await metricSum(scorers, 'cvp_scoring_superseded_total');

    // 2. Freshness at a steady rate, on customers of their own.
    const freshCount = rate * Number(args['fresh-seconds']);
    const timing = new AckTimingSink(new HttpSink(services.ingest.url, KEYS.producer));
    const freshSource = syntheticDataset({
      customers: Math.max(100, Math.round(freshCount / 10)),
      seed: 2,
      start: new Date('2025-01-01T00:00:00Z'),
      end: new Date('2026-01-01T00:00:00Z'),
    });
    await replay(prefixed(freshSource, freshCount, `${RUN}f`, reviewTexts), timing, {
      pace: { kind: 'rate', eventsPerSecond: rate },
      batchSize: Math.max(1, Math.round(rate / 50)),
      progress: false,
    });
    await drain(admin);
    const freshness: number[] = [];
    const customers = timing.customers;
    for (const customer of customers) {
      const [sourceEventId, scoredAt] = await scoreFields(scorers[0], customer);
      const acked = sourceEventId ? timing.ackedAt.get(sourceEventId) : undefined;
      if (acked !== undefined && scoredAt) freshness.push(Date.parse(scoredAt) - acked);
    }
    freshness.sort((a, b) => a - b);

    // 3. Lookups at 1,000 requests/s, batches at 200.
    const known = [...customers];
    const lookupSeconds = Number(args['lookup-seconds']);
    // From a process of its own, open loop (bench/load/open-loop.ts); requests go round the scorer replicas.
    const reader = { authorization: `Bearer ${KEYS.reader}` };
    const single = await runLoad({
      url: scorers[0],
      paths: known.map((id, i) => `${scorers[i % scorers.length]}/v1/customers/${encodeURIComponent(id)}/score`),
      headers: reader,
      connections: 64,
      seconds: lookupSeconds,
      rate: 1000,
    });
    // Batches of 100 at the rate the serving target names (200/s: 20,000 scores/s).
    const bodies = Array.from({ length: Math.max(1, Math.floor(known.length / 100)) }, (_, i) =>
      JSON.stringify({ customerIds: Array.from({ length: 100 }, (_, k) => known[(i * 100 + k) % known.length]) }),
    );
    const batch = await runLoad({
      url: scorers[0],
      method: 'POST',
      paths: bodies.map((_, i) => `${scorers[i % scorers.length]}/v1/scores:batchGet`),
      bodies,
      headers: { ...reader, 'content-type': 'application/json' },
      connections: 16,
      seconds: lookupSeconds,
      rate: 200,
    });

    const after = usage();
    const result = {
      command:
        `node -r @swc-node/register bench/online-pipeline.ts --format ${args.format} --limit ${limit} --rate ${rate}` +
        (REPLICAS === 1 ? '' : ` --replicas ${REPLICAS}`) +
        (args['redis-cluster'] ? ' --redis-cluster' : '') +
        (args['score-recommendations'] === '5' ? '' : ` --score-recommendations ${args['score-recommendations']}`) +
        (args['drop-reviews'] ? ' --drop-reviews' : '') +
        (args['review-share'] === undefined ? '' : ` --review-share ${args['review-share']}`) +
        (REVIEW_TEXT ? ' --review-text' : '') +
        (args['worker-nice'] === undefined ? '' : ` --worker-nice ${args['worker-nice']}`) +
        (args['no-conflate'] ? ' --no-conflate' : ''),
      reviews:
        (args['drop-reviews']
          ? 'dropped'
          : args['review-share'] !== undefined
            ? `${args['review-share']} of the stream, texts of ${args['review-texts']}`
            : "the dataset's own") +
        (args['drop-reviews'] ? '' : REVIEW_TEXT ? ', read by the review-text worker' : ', read by the lexicon'),
      scoreRecommendations: Number(args['score-recommendations']),
      replicas: REPLICAS,
      redis: args['redis-cluster'] ? 'cluster (3 masters)' : 'one server',
      kafkaClient: process.env.KAFKA_CLIENT ?? 'kafkajs',
      modelVersion,
      events: sent.sent,
      ingestEventsPerSecond: Math.round(sent.sent / sendSeconds),
      endToEndEventsPerSecond: Math.round(sent.sent / totalSeconds),
      /** Events/s until every event was folded and scored (the readings of the review-text worker not awaited). */
      statePathEventsPerSecond: stateSeconds === null ? null : Math.round(sent.sent / stateSeconds),
      maxLag,
      lagAtEndOfSend,
      drainSeconds: Math.round((totalSeconds - sendSeconds) * 10) / 10,
      throughputCpuMicrosPerEvent,
      conflate: !args['no-conflate'],
      scorer: { scoredVectors, supersededVectors },
      freshness: {
        rate,
        scores: freshness.length,
        p50Ms: ms(percentile(freshness, 0.5)),
        p99Ms: ms(percentile(freshness, 0.99)),
      },
      lookupSingle: single,
      lookupBatch100: batch,
      cpuSeconds: Object.fromEntries(
        Object.keys(services).map((name) => [
          name,
          Math.round((after[name].cpuSeconds - cpuBefore[name].cpuSeconds) * 10) / 10,
        ]),
      ),
      peakRssMb: Object.fromEntries(Object.keys(services).map((name) => [name, after[name].peakRssMb])),
    };
    console.log('\n| metric | value |\n| --- | --- |');
    for (const [key, value] of Object.entries(result))
      console.log(`| ${key} | ${typeof value === 'object' ? JSON.stringify(value) : value} |`);
    mkdirSync('reports/bench', { recursive: true });
    const name =
      `online-pipeline-${args.format}${REPLICAS === 1 ? '' : `-r${REPLICAS}`}${args['redis-cluster'] ? '-cluster' : ''}` +
      (args['score-recommendations'] === '5' ? '' : `-recs${args['score-recommendations']}`) +
      (args['drop-reviews'] ? '-no-reviews' : '') +
      (args['review-share'] === undefined ? '' : `-reviews${args['review-share']}`) +
      (REVIEW_TEXT ? '-review-text' : '') +
      (args['worker-nice'] === undefined ? '' : `-nice${args['worker-nice']}`) +
      (args['no-conflate'] ? '-no-conflate' : '');
    writeFileSync(`reports/bench/${name}.json`, JSON.stringify(result, null, 2));
  } finally {
    await Promise.all(Object.values(services).map((service) => stopService(service)));
    await admin.disconnect();
  }
}

function readPid(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

async function scoreFields(scorerUrl: string, customerId: string): Promise<[string | null, string | null]> {
  const response = await fetch(`${scorerUrl}/v1/customers/${encodeURIComponent(customerId)}/score`);
  if (response.status !== 200) return [null, null];
  const score = (await response.json()) as { sourceEventId: string; scoredAt: string };
  return [score.sourceEventId, score.scoredAt];
}

/** A counter summed over the scorers' Prometheus text (GET /metrics), over its series that contain `filter`. */
async function metricSum(scorerUrls: readonly string[], name: string, filter = ''): Promise<number> {
  let sum = 0;
  for (const url of scorerUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
        if (line.includes(filter)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
  }
  return sum;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
