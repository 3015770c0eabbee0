/**
 * Re-scoring sweep benchmark, against the real Redis and broker of `npm run infra:up`:
 *   npm run infra:up && npm run build && node -r @swc-node/register bench/sweep.ts [--sizes 100000,1000000]
 *     [--redis-db 9] [--batch 500] [--replicas 1] [--members 3] [--in-process-only]
 * Writes N synthetic feature states (copies of 2,000 customers' states from the seeded synthetic clickstream, each
 * under its own id) straight into a Redis database of its own (flushed first), starts one scorer process on it with a
 * value model trained here and announced on cvp.models.v1 (wall clock, no schedule), asks for a sweep
 * (POST /v1/rescore) and waits for its figures. Prints, per size: customers/s, where the sweep's time went (Redis
 * reads, state JSON, features as of the clock, model + reasons, Redis writes, publishing on cvp.scores.v1), the
 * scorer's CPU seconds and peak RSS, and Redis memory per customer (state + index, then score). Beside it, in this
 * process on the same machine: the model's forward pass and the integrated-gradients reasons per 1,000 customers,
 * and a floor (the sweep's Redis and JSON work alone: read + parse the states, write a fixed score hash).
 * The reasons' accuracy per quadrature rule and number of points (against a 256-midpoint reference, on 1,000 of the
 * template customers) is printed too; --in-process-only stops there (no scorer, no sweep).
 * Writes reports/bench/sweep.json. The sweep publishes N scores on cvp.scores.v1 (kept 7 days): run
 * `npm run infra:down -- --purge` afterwards if the local stack's other consumers should not see them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import { emptyState, featureArray, featureVectorAt, foldEvent, type CustomerState } from '@cvp/features';
import { createPrismaClient } from '@cvp/db';
import {
  createKeysForEveryRole,
  fetchWithKeys,
  processUsage,
  sleep,
  startService,
  stopService,
  waitUntilReady,
} from '@cvp/harness';
import { waitForZeroLag } from '@cvp/kafka';
import {
  integratedGradients,
  integratedGradientsByTape,
  ValueModel,
  valueModelSpec,
  type PathRule,
  type ValueModelMetadata,
} from '@cvp/model';
import { ModelStore } from '@cvp/model-store';
import {
  customerIndexKey,
  customerShard,
  FEATURE_STATE_TTL_SECONDS,
  featureStateKey,
  scoreKey,
  scoreKeyPattern,
} from '@cvp/redis';
import { SWEEP_PHASES, type SweepRecord, type SweepSummary } from '@cvp/scoring';
import { announce, BENCH_MODEL_STORE, saveBenchModel } from './bench-model';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    'redis-db': { type: 'string', default: '9' },
    batch: { type: 'string', default: '500' },
    replicas: { type: 'string', default: '1' },
    members: { type: 'string' },
    'in-process-only': { type: 'boolean', default: false },
  },
});
const RUN = `sweep${Date.now().toString(36)}`;
const GROUP = 'cvp-scorer-bench-sweep';
/** Keys of every role (made at the start); every request sends the one its route asks for. */
const KEYS: Parameters<typeof fetchWithKeys>[0] = {};
const fetch = fetchWithKeys(KEYS);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const redisUrl = `${(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').replace(/\/\d+$/, '')}/${args['redis-db']}`;
const PLACEHOLDER = '\u0000customer\u0000';

/** 2,000 customers' states from a year of synthetic clickstream, as JSON with a placeholder for the id. */
function templateStates(): { states: CustomerState[]; json: string[] } {
  const states = new Map<string, CustomerState>();
  const events = syntheticClickstream({
    customers: 2000,
    seed: 3,
    start: new Date('2025-01-01T00:00:00Z'),
    end: new Date('2026-01-01T00:00:00Z'),
  });
  for (const event of events) {
    let state = states.get(event.customerId);
    if (!state) states.set(event.customerId, (state = emptyState(event.customerId, event.occurredAt)));
    foldEvent(state, event);
  }
  const list = [...states.values()];
  return { states: list, json: list.map((state) => JSON.stringify({ ...state, customerId: PLACEHOLDER })) };
}

const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
const idOf = (i: number) => `bench-${String(i).padStart(7, '0')}`;

async function loadStates(redis: Redis, json: string[], count: number): Promise<void> {
  const quoted = JSON.stringify(PLACEHOLDER);
  for (let start = 0; start < count; start += 10_000) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(count, start + 10_000); i++) {
      const id = idOf(i);
      pipeline.set(
        featureStateKey(id),
        json[i % json.length].replace(quoted, JSON.stringify(id)),
        'EX',
        FEATURE_STATE_TTL_SECONDS,
      );
      pipeline.sadd(customerIndexKey(customerShard(id)), id);
    }
    await pipeline.exec();
  }
}

/** Per 1,000 customers, in this process: JSON.parse of states, features as of now, forward pass, reasons. */
async function inProcess(
  artifact: { artifactUri: string; artifactSha256: string },
  template: { states: CustomerState[]; json: string[] },
) {
  const loaded = await new ModelStore(BENCH_MODEL_STORE).load<ValueModelMetadata>(
    artifact.artifactUri,
    artifact.artifactSha256,
  );
  const valueModel = new ValueModel(loaded.model, valueModelSpec(loaded.metadata));
  const model = valueModel.network;
  const now = Date.now();
  const features = template.states.slice(0, 500).map((state) => featureArray(featureVectorAt(state, now)));
  const rows = valueModel.inputs(features);
  const per1000 = (runs: number, work: () => void) => {
    work();
    const started = performance.now();
    for (let r = 0; r < runs; r++) work();
    return Math.round(((performance.now() - started) / runs) * 2 * 10) / 10;
  };
  const figures = {
    parseMs: per1000(20, () => template.json.slice(0, 500).forEach((text) => JSON.parse(text))),
    featuresMs: per1000(20, () => template.states.slice(0, 500).forEach((state) => featureVectorAt(state, now))),
    hybridInputsMs: per1000(20, () => valueModel.inputs(features)),
    forwardMs: per1000(20, () => valueModel.predict(features)),
    /** The scorer's defaults: 6 Gauss-Legendre points for an event's reasons, 2 for a sweep's. */
    reasonsMs: per1000(5, () => integratedGradients(model, rows, 6)),
    sweepReasonsMs: per1000(5, () => integratedGradients(model, rows, 2)),
    /** The event path's reasons before: 8 midpoints. */
    midpoint8Ms: per1000(5, () => integratedGradients(model, rows, 8, 'midpoint')),
    /**
     * The event path's reasons (6 points) by batch size, by hand (`integratedGradients`) against tfjs's tape through
     * the Layers model (`integratedGradientsByTape`, the way before): ms per 1,000 customers, taking turns.
     */
    reasonsByBatch: [1, 10, 50, 500].map((size) => {
      const batches = Array.from({ length: Math.ceil(500 / size) }, (_, k) => rows.slice(k * size, (k + 1) * size));
      const runs = size === 1 ? 1 : 3;
      const byHand: number[] = [];
      const byTape: number[] = [];
      for (let turn = 0; turn < 2; turn++) {
        byHand.push(per1000(runs, () => batches.forEach((batch) => integratedGradients(model, batch, 6))));
        byTape.push(per1000(runs, () => batches.forEach((batch) => integratedGradientsByTape(model, batch, 6))));
      }
      const hand = Math.min(...byHand);
      const tape = Math.min(...byTape);
      return { batch: size, byHandMs: hand, byTapeMs: tape, ratio: Math.round((hand / tape) * 100) / 100 };
    }),
    /** Per rule and points: relative L1 error of the attributions, share of customers with the reference's top reason. */
    accuracy: [] as { rule: PathRule; points: number; error: number; sameTopReason: number }[],
  };
  const topFeature = (attribution: number[]) =>
    attribution.reduce((best, value, j) => (Math.abs(value) > Math.abs(attribution[best]) ? j : best), 0);
  const accuracyRows = valueModel.inputs(
    template.states.slice(0, 1000).map((state) => featureArray(featureVectorAt(state, now))),
  );
  const reference = integratedGradients(model, accuracyRows, 256, 'midpoint');
  for (const rule of ['midpoint', 'gauss-legendre'] as const) {
    for (const points of [2, 3, 4, 6, 8]) {
      const attributions = integratedGradients(model, accuracyRows, points, rule);
      let error = 0;
      let norm = 0;
      let same = 0;
      attributions.forEach((row, i) => {
        if (topFeature(row) === topFeature(reference[i])) same++;
        row.forEach((value, j) => {
          error += Math.abs(value - reference[i][j]);
          norm += Math.abs(reference[i][j]);
        });
      });
      figures.accuracy.push({
        rule,
        points,
        error: Math.round((error / norm) * 1000) / 1000,
        sameTopReason: Math.round((same / attributions.length) * 1000) / 1000,
      });
    }
  }
  model.dispose();
  return figures;
}

/** The sweep's Redis and JSON work alone, in this process: read + parse each page of states, write a fixed score. */
async function floor(redis: Redis, count: number, batch: number): Promise<number> {
  const hash = {
    asOfMs: '1',
    eventMs: '1',
    expectedSpend: '12.34',
    tier: 'low',
    modelVersion: 'floor',
    reasons: '[{"feature":"recencyDays","value":1,"contribution":-1,"description":"x"}]',
  };
  const started = performance.now();
  for (let start = 0; start < count; start += batch) {
    const ids = Array.from({ length: Math.min(batch, count - start) }, (_, k) => idOf(start + k));
    const raws = await redis.mget(ids.map(featureStateKey));
    raws.forEach((raw) => raw && JSON.parse(raw));
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hset(scoreKey(`floor-${id}`), hash);
    await pipeline.exec();
  }
  const perSecond = Math.round(count / ((performance.now() - started) / 1000));
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', scoreKeyPattern('floor-*'), 'COUNT', 10_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  return perSecond;
}

async function main(): Promise<void> {
  const keysDb = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
  await createKeysForEveryRole(keysDb, `bench sweep ${RUN}`, KEYS).finally(() => keysDb.$disconnect());
  const sizes = args.sizes!.split(',').map(Number);
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const template = templateStates();
  const model = await saveBenchModel(RUN, args.members ? Number(args.members) : undefined);
  const local = await inProcess(model, template);
  console.error(`[bench] in process, per 1,000 customers: ${JSON.stringify(local)}`);
  const accuracyTable = [
    '| points | midpoint: error | top reason | Gauss-Legendre: error | top reason |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...[2, 3, 4, 6, 8].map((points) => {
      const of = (rule: PathRule) => local.accuracy.find((row) => row.rule === rule && row.points === points)!;
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      const [m, g] = [of('midpoint'), of('gauss-legendre')];
      return `| ${points} | ${pct(m.error)} | ${pct(m.sameTopReason)} | ${pct(g.error)} | ${pct(g.sameTopReason)} |`;
    }),
  ];
  console.log(
    `Reasons against a 256-midpoint reference (1,000 customers): relative L1 error, share with the reference's top reason\n\n${accuracyTable.join('\n')}\n`,
  );
  console.log(
    [
      'Reasons (6 points) by batch size, ms per 1,000 customers, in this process:',
      '',
      '| batch | by hand | by tape (tf.grad through the Layers model) | by hand / by tape |',
      '| ---: | ---: | ---: | ---: |',
      ...local.reasonsByBatch.map((row) => `| ${row.batch} | ${row.byHandMs} | ${row.byTapeMs} | ${row.ratio} |`),
      '',
    ].join('\n'),
  );
  if (args['in-process-only']) {
    redis.disconnect();
    return;
  }
  await announce(model);

  // One or more scorer replicas on the same Redis and group: they share each sweep shard by shard.
  const scorers = Array.from({ length: Number(args.replicas) }, (_, i) =>
    startService(
      'scorer',
      {
        PORT: String(3224 + i),
        REDIS_URL: redisUrl,
        KAFKA_GROUP_ID: GROUP,
        MODEL_STORE_DIR: BENCH_MODEL_STORE,
        SCORE_CLOCK: 'wall',
        SWEEP_INTERVAL_HOURS: '0',
        SWEEP_BATCH_SIZE: args.batch!,
        LOG_LEVEL: 'warn',
      },
      `bench-sweep-${i}`,
    ),
  );
  const [scorer] = scorers;
  const usageOf = () => {
    const usages = scorers.map((replica) => processUsage(replica.process.pid!));
    return {
      cpuSeconds: usages.reduce((sum, usage) => sum + usage.cpuSeconds, 0),
      peakRssMb: Math.max(...usages.map((usage) => usage.peakRssMb)),
    };
  };
  const admin = new Kafka({ clientId: 'cvp-bench', brokers, logLevel: logLevel.NOTHING }).admin();
  const rows: Record<string, unknown>[] = [];
  try {
    await Promise.all(scorers.map((replica) => waitUntilReady(replica)));
    await admin.connect();
    // Nothing else for this scorer to do: its group is at the end of cvp.features.v1 before any timing.
    await waitForZeroLag(admin, [{ groupId: GROUP, topic: TOPICS.features }], 600_000);
    const sweep = async (): Promise<SweepSummary> => {
      const response = await fetch(`${scorer.url}/v1/rescore`, { method: 'POST' });
      const { sweep: started } = (await response.json()) as { sweep: SweepRecord };
      for (;;) {
        const status = (await (await fetch(`${scorer.url}/v1/sweeps`)).json()) as { last: SweepSummary | null };
        if (status.last?.id === started.id) return status.last;
        await sleep(200);
      }
    };
    // The scorer has swapped the bench model in once an (empty) sweep says so.
    for (let tries = 0; (await sweep()).modelVersion !== model.version; tries++) {
      if (tries > 300) throw new Error(`the scorer never loaded ${model.version}`);
      await sleep(200);
    }

    let loaded = 0;
    for (const size of sizes) {
      const before = await usedMemory(redis);
      await loadStates(redis, template.json, size);
      const statesBytes = (await usedMemory(redis)) - before;
      const newCustomers = size - loaded;
      loaded = Math.max(loaded, size);
      const cpuBefore = usageOf().cpuSeconds;
      const summary = await sweep();
      const usage = usageOf();
      const afterSweep = await usedMemory(redis);
      const floorPerSecond = await floor(redis, size, Number(args.batch));
      const busy = SWEEP_PHASES.reduce((sum, phase) => sum + summary.timeMs[phase], 0);
      rows.push({
        customers: summary.customers,
        customersPerSecond: summary.customersPerSecond,
        floorPerSecond,
        ofFloor: Math.round((summary.customersPerSecond / floorPerSecond) * 100) / 100,
        seconds: Math.round(summary.elapsedMs / 100) / 10,
        written: summary.written,
        share: Object.fromEntries(
          SWEEP_PHASES.map((phase) => [phase, Math.round((summary.timeMs[phase] / busy) * 100)]),
        ),
        scorerCpuSeconds: Math.round((usage.cpuSeconds - cpuBefore) * 10) / 10,
        scorerPeakRssMb: usage.peakRssMb,
        redisStateBytesPerCustomer: newCustomers > 0 ? Math.round(statesBytes / newCustomers) : null,
        redisScoreBytesPerCustomer: Math.round((afterSweep - before - statesBytes) / summary.written),
      });
      console.error(`[bench] ${JSON.stringify(rows.at(-1))}`);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    await Promise.all(scorers.map((replica) => stopService(replica)));
    await redis.flushdb();
    redis.disconnect();
  }

  const lines = [
    `Sweep benchmark (${RUN}; ${args.replicas} scorer replica(s), wasm backend, batch ${args.batch}; 2 cores shared with Redis and Kafka)`,
    '',
    '| customers | customers/s | floor/s | of floor | s | read % | parse % | features % | model+reasons % | write % | publish % | scorer CPU s (all replicas) | peak RSS MB (largest) | Redis B/customer (state+index) | (score) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => {
      const share = row.share as Record<string, number>;
      return `| ${row.customers} | ${row.customersPerSecond} | ${row.floorPerSecond} | ${row.ofFloor} | ${row.seconds} | ${SWEEP_PHASES.map((phase) => share[phase]).join(' | ')} | ${row.scorerCpuSeconds} | ${row.scorerPeakRssMb} | ${row.redisStateBytesPerCustomer ?? '-'} | ${row.redisScoreBytesPerCustomer} |`;
    }),
    '',
    `In this process, per 1,000 customers (ms): state JSON.parse ${local.parseMs}, features ${local.featuresMs}, ` +
      `forward pass ${local.forwardMs}, integrated-gradients reasons: 6 Gauss-Legendre points (events) ${local.reasonsMs} ` +
      `(8 midpoints, the event path's rule before: ${local.midpoint8Ms}), 2 (sweeps) ${local.sweepReasonsMs}.`,
  ];
  console.log(lines.join('\n'));
  mkdirSync(join(__dirname, '..', 'reports', 'bench'), { recursive: true });
  writeFileSync(
    join(__dirname, '..', 'reports', 'bench', 'sweep.json'),
    JSON.stringify({ run: RUN, local, rows }, null, 2),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
