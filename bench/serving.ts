/**
 * Score serving against its floor, side by side in one run:
 *   npm run infra:up && source deploy/local/env.sh && npm run db:migrate && npm run build &&
 *   node -r @swc-node/register bench/serving.ts [--customers N] [--seconds S]
 *     [--rounds R] [--connections C] [--rate N] [--batch-rate N] [--profile]
 * Starts the built scorer (port 3224, a consumer group of its own) and the floor (bench/load/floor-server.ts: plain
 * node:http + ioredis, one Redis read per customer, no framework, auth or logging; port 3290), has the scorer score
 * --customers synthetic customers (their feature vectors produced to cvp.features.v1), then, for each of --rounds
 * rounds, the scorer and the floor taking turns, with the load from a process of its own (bench/load/run.ts):
 *   1. throughput: GET /v1/customers/:id/score, closed loop (autocannon), --connections connections, --seconds s;
 *   2. latency at a fixed --rate requests/s (default 1,000) of the same GET, open loop (bench/load/open-loop.ts: each
 *      request sent when due and timed from then, so coordinated omission is not hidden);
 *   3. POST /v1/scores:batchGet with 100 ids at --batch-rate requests/s (default 200), open loop.
 * Phases 2 and 3 also run against bench/load/echo-server.ts (port 3291), which answers with bytes captured from the
 * scorer and does nothing else: the latencies the box and the generator give with no server work (the "box" column).
 * Prints a Markdown table with the ratios to the floor (best round of each) and writes reports/bench/serving.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { FEATURE_SCHEMA_VERSION, buildFeatureVectors } from '@cvp/features';
import { TOPICS } from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import { createPrismaClient } from '@cvp/db';
import {
  createKeysForEveryRole,
  eventually,
  processUsage,
  startService,
  stopService,
  waitUntilReady,
  WORKSPACE_ROOT,
} from '@cvp/harness';
import { scoreKey } from '@cvp/redis';
import { runLoad as load, type LoadResult } from './load/run';
import { BENCH_MODEL_STORE, publishBenchModel } from './bench-model';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    rate: { type: 'string', default: '1000' },
    'batch-rate': { type: 'string', default: '200' },
    /** Writes the scorer's V8 CPU profile under reports/bench/profile (open it in Chrome DevTools). */
    profile: { type: 'boolean', default: false },
  },
});
const RUN = `serve${Date.now().toString(36)}`;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const FLOOR_PORT = 3290;
const ECHO_PORT = 3291;
const BATCH = 100;

/** Has the scorer score `count` customers: their feature vectors as of the end of a synthetic year, on Kafka. */
async function seedScores(redis: Redis, count: number): Promise<string[]> {
  const end = new Date('2026-01-01T00:00:00Z');
  const events = syntheticClickstream({ customers: count, seed: 11, start: new Date('2025-01-01T00:00:00Z'), end });
  const vectors = await buildFeatureVectors(events, end);
  const ids: string[] = [];
  const producer = new Kafka({ clientId: 'cvp-bench-serving', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    const messages = [...vectors].map(([customerId, features]) => {
      const id = `${RUN}-${customerId}`;
      ids.push(id);
      return {
        key: id,
        value: JSON.stringify({
          customerId: id,
          asOf: end.toISOString(),
          lastEventAt: end.toISOString(),
          sourceEventId: `${id}-seed`,
          featureSchemaVersion: FEATURE_SCHEMA_VERSION,
          features,
          computedAt: new Date().toISOString(),
        }),
      };
    });
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic: TOPICS.features, messages: messages.slice(i, i + 1000) });
    }
  } finally {
    await producer.disconnect();
  }
  await eventually(
    `${ids.length} scores in Redis`,
    async () => {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.exists(scoreKey(id));
      const results = (await pipeline.exec()) ?? [];
      return results.every(([, exists]) => exists === 1);
    },
    180_000,
  );
  return ids;
}

interface Figures {
  throughput: LoadResult;
  atRate: LoadResult;
  batch: LoadResult;
  /** GET recommendations at the same rate (the scorer only: the floor has none). */
  recommendations?: LoadResult;
}

async function measure(
  url: string,
  headers: Record<string, string>,
  ids: string[],
  withRecommendations: boolean,
): Promise<Figures>;
async function measure(
  url: string,
  headers: Record<string, string>,
  ids: string[],
  withRecommendations: boolean,
  fixedRatesOnly: true,
): Promise<Omit<Figures, 'throughput'>>;
async function measure(
  url: string,
  headers: Record<string, string>,
  ids: string[],
  withRecommendations: boolean,
  fixedRatesOnly = false,
): Promise<Omit<Figures, 'throughput'> & Partial<Figures>> {
  const seconds = Number(args.seconds);
  const paths = ids.map((id) => `/v1/customers/${encodeURIComponent(id)}/score`);
  const single = { url, paths, headers, seconds };
  const throughput = fixedRatesOnly ? undefined : await load({ ...single, connections: Number(args.connections) });
  const atRate = await load({ ...single, connections: Number(args.connections), rate: Number(args.rate) });
  const bodies: string[] = [];
  for (let i = 0; i + BATCH <= ids.length && bodies.length < 200; i += BATCH) {
    bodies.push(JSON.stringify({ customerIds: ids.slice(i, i + BATCH) }));
  }
  const batch = await load({
    url,
    method: 'POST',
    paths: bodies.map(() => '/v1/scores:batchGet'),
    bodies,
    headers: { ...headers, 'content-type': 'application/json' },
    seconds,
    connections: 8,
    rate: Number(args['batch-rate']),
  });
  const recommendations = withRecommendations
    ? await load({
        ...single,
        paths: ids.map((id) => `/v1/customers/${encodeURIComponent(id)}/recommendations`),
        connections: Number(args.connections),
        rate: Number(args.rate),
      })
    : undefined;
  return { ...(throughput ? { throughput } : {}), atRate, batch, ...(recommendations ? { recommendations } : {}) };
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
  const keys = await createKeysForEveryRole(prisma, `bench serving ${RUN}`).finally(() => prisma.$disconnect());
  // A published model version with its recommender, as the trainer makes them: scores as in production, and
  // recommendations to measure beside them.
  console.error('[serving] training the bench model and its recommender');
  await publishBenchModel(RUN);
  const scorer = startService(
    'scorer',
    {
      PORT: '3224',
      KAFKA_GROUP_ID: 'cvp-scorer-bench-serving',
      SWEEP_INTERVAL_HOURS: '0',
      MODEL_STORE_DIR: BENCH_MODEL_STORE,
    },
    'bench',
    [
      // The heap cap the chart and docker-compose deploy the scorer with (helm serviceDefaults.maxOldSpaceMiB).
      '--max-old-space-size=256',
      ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(WORKSPACE_ROOT, 'reports', 'bench', 'profile')}`] : []),
    ],
  );
  const floor = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'load', 'floor-server.ts'), String(FLOOR_PORT)],
    { cwd: WORKSPACE_ROOT, stdio: 'ignore', env: process.env },
  );
  const echoBodies = join(tmpdir(), `cvp-echo-${process.pid}.json`);
  let echo: ReturnType<typeof spawn> | undefined;
  try {
    await waitUntilReady(scorer);
    console.error(`[serving] scoring ${args.customers} synthetic customers`);
    const ids = await seedScores(redis, Number(args.customers));
    const floorUrl = `http://127.0.0.1:${FLOOR_PORT}`;
    await eventually('the floor server', async () => (await fetch(`${floorUrl}/v1/customers/x/score`)).status === 404);
    const auth = { authorization: `Bearer ${keys.reader}` };
    const check = await fetch(`${scorer.url}/v1/customers/${ids[0]}/score`, { headers: auth });
    const floorCheck = await fetch(`${floorUrl}/v1/customers/${ids[0]}/score`);
    if (check.status !== 200 || floorCheck.status !== 200) throw new Error(`lookups fail: ${check.status}`);
    await eventually('the recommender', async () => {
      const response = await fetch(`${scorer.url}/v1/customers/${ids[0]}/recommendations`, { headers: auth });
      return response.status === 200;
    });
    // The box's own floor: the scorer's answers, captured once, served by a server that does nothing else.
    const batchAnswer = await fetch(`${scorer.url}/v1/scores:batchGet`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ customerIds: ids.slice(0, BATCH) }),
    });
    if (batchAnswer.status !== 200) throw new Error(`batchGet fails: ${batchAnswer.status}`);
    writeFileSync(echoBodies, JSON.stringify({ get: await check.text(), post: await batchAnswer.text() }));
    echo = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'load', 'echo-server.ts'), String(ECHO_PORT), echoBodies],
      { cwd: WORKSPACE_ROOT, stdio: 'ignore', env: process.env },
    );
    const echoUrl = `http://127.0.0.1:${ECHO_PORT}`;
    await eventually('the echo server', async () => (await fetch(echoUrl).catch(() => null))?.status === 200);
    const rounds: { scorer: Figures; floor: Figures; box: Omit<Figures, 'throughput'> }[] = [];
    const cpuBefore = processUsage(scorer.process.pid!).cpuSeconds;
    for (let round = 0; round < Number(args.rounds); round++) {
      console.error(`[serving] round ${round + 1}: scorer`);
      const scorerFigures = await measure(scorer.url, auth, ids, true);
      console.error(`[serving] round ${round + 1}: floor`);
      const floorFigures = await measure(floorUrl, {}, ids, false);
      console.error(`[serving] round ${round + 1}: box (fixed answers)`);
      const boxFigures = await measure(echoUrl, {}, ids, false, true);
      rounds.push({ scorer: scorerFigures, floor: floorFigures, box: boxFigures });
    }
    const usage = processUsage(scorer.process.pid!);
    const best = (side: 'scorer' | 'floor') => ({
      throughput: Math.max(...rounds.map((r) => r[side].throughput.requestsPerSecond)),
      p50: Math.min(...rounds.map((r) => r[side].atRate.p50Ms)),
      p99: Math.min(...rounds.map((r) => r[side].atRate.p99Ms)),
      achieved: Math.max(...rounds.map((r) => r[side].atRate.requestsPerSecond)),
      batchP50: Math.min(...rounds.map((r) => r[side].batch.p50Ms)),
      batchP99: Math.min(...rounds.map((r) => r[side].batch.p99Ms)),
      errors: rounds.reduce(
        (sum, r) =>
          sum + [r[side].throughput, r[side].atRate, r[side].batch].reduce((s, x) => s + x.non2xx + x.errors, 0),
        0,
      ),
    });
    const cvp = best('scorer');
    const recsP99 = Math.min(...rounds.map((r) => r.scorer.recommendations?.p99Ms ?? Infinity));
    const recsP50 = Math.min(...rounds.map((r) => r.scorer.recommendations?.p50Ms ?? Infinity));
    const recsErrors = rounds.reduce(
      (sum, r) =>
        sum + (r.scorer.recommendations ? r.scorer.recommendations.non2xx + r.scorer.recommendations.errors : 0),
      0,
    );
    const ground = best('floor');
    const box = {
      p50: Math.min(...rounds.map((r) => r.box.atRate.p50Ms)),
      p99: Math.min(...rounds.map((r) => r.box.atRate.p99Ms)),
      batchP50: Math.min(...rounds.map((r) => r.box.batch.p50Ms)),
      batchP99: Math.min(...rounds.map((r) => r.box.batch.p99Ms)),
    };
    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
    const rate = Number(args.rate);
    const batchRate = Number(args['batch-rate']);
    const table = [
      `| ${args.customers} customers, ${args.connections} connections, ${args.seconds} s × ${args.rounds} rounds | box (fixed answers) | floor | CVP scorer | CVP / floor | target |`,
      '| --- | --: | --: | --: | --: | --- |',
      `| GET score, requests/s (closed loop) | | ${ground.throughput.toFixed(0)} | ${cvp.throughput.toFixed(0)} | ${ratio(cvp.throughput, ground.throughput)} | ≥ 0.67 |`,
      `| GET score at ${rate}/s: achieved | | ${ground.achieved.toFixed(0)} | ${cvp.achieved.toFixed(0)} | | |`,
      `| GET score at ${rate}/s: p50 ms | ${box.p50} | ${ground.p50} | ${cvp.p50} | ${ratio(cvp.p50, ground.p50)} | |`,
      `| GET score at ${rate}/s: p99 ms | ${box.p99} | ${ground.p99} | ${cvp.p99} | ${ratio(cvp.p99, ground.p99)} | ≤ 1.5 |`,
      `| batchGet ${BATCH} ids at ${batchRate}/s: p50 ms | ${box.batchP50} | ${ground.batchP50} | ${cvp.batchP50} | ${ratio(cvp.batchP50, ground.batchP50)} | |`,
      `| batchGet ${BATCH} ids at ${batchRate}/s: p99 ms | ${box.batchP99} | ${ground.batchP99} | ${cvp.batchP99} | ${ratio(cvp.batchP99, ground.batchP99)} | CVP ≤ 5 ms |`,
      `| GET recommendations at ${rate}/s: p50 / p99 ms | | | ${recsP50} / ${recsP99} | ${ratio(recsP99, cvp.p99)} × the scorer's score p99 | ≤ 2 × |`,
      `| non-2xx + errors | | ${ground.errors} | ${cvp.errors + recsErrors} | | 0 |`,
    ].join('\n');
    console.log(
      `node -r @swc-node/register bench/serving.ts --customers ${args.customers} --seconds ${args.seconds} ` +
        `--rounds ${args.rounds} --connections ${args.connections} --rate ${rate} --batch-rate ${batchRate}\n`,
    );
    console.log(table);
    console.log(
      `\nscorer: ${(usage.cpuSeconds - cpuBefore).toFixed(1)} CPU s over the measurements, peak RSS ${usage.peakRssMb} MB`,
    );
    const folder = join(WORKSPACE_ROOT, 'reports', 'bench');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'serving.json'),
      `${JSON.stringify({ args, at: new Date().toISOString(), best: { scorer: { ...cvp, recsP50, recsP99 }, floor: ground, box }, rounds, usage }, null, 2)}\n`,
    );
  } finally {
    echo?.kill('SIGTERM');
    rmSync(echoBodies, { force: true });
    floor.kill('SIGTERM');
    await stopService(scorer);
    redis.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
