/**
 * Poison records, the whole matrix as a table, on the local stack (`npm run infra:up && npm run db:migrate &&
 * npm run db:seed && npm run build`):
 *   node -r @swc-node/register bench/poison.ts
 * Starts the five services (consumer groups of their own), then for every kind of record a consumer can never
 * process (`POISON_CASES` in libs/harness/src/poison.ts: not JSON, empty, broken contract, NUL and lone surrogates,
 * far-future dates, amounts past the columns, Infinity, deep nesting, a handler that keeps failing; on cvp.events.v1,
 * cvp.features.v1 and cvp.scores.v1) produces it straight to its topic, followed by a normal event of another
 * customer on the same partition; waits until every group caught up and prints, per case, which consumers
 * dead-lettered it after how many attempts and whether the normal record was folded, stored and scored.
 * The end-to-end test runs the same matrix. Writes reports/bench/poison.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { createPrismaClient } from '@cvp/db';
import {
  markdownTable,
  runPoisonMatrix,
  startService,
  stopService,
  waitUntilReady,
  WORKSPACE_ROOT,
  type ConsumerGroups,
  type ServiceName,
} from '@cvp/harness';

const RUN = `psn${Date.now().toString(36)}`;
const GROUPS: ConsumerGroups = {
  features: `cvp-features-${RUN}`,
  trainer: `cvp-trainer-${RUN}`,
  scorer: `cvp-scorer-${RUN}`,
  campaigns: `cvp-campaigns-${RUN}`,
};

async function main(): Promise<void> {
  const kafka = new Kafka({
    clientId: 'cvp-bench-poison',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
  const names: ServiceName[] = ['ingest', 'features', 'trainer', 'scorer', 'campaigns'];
  const services = names.map((name) =>
    startService(
      name,
      {
        SCORE_CLOCK: 'event-time',
        SWEEP_INTERVAL_HOURS: '0',
        ...(name in GROUPS ? { KAFKA_GROUP_ID: GROUPS[name as keyof ConsumerGroups] } : {}),
        MODEL_STORE_DIR: join(WORKSPACE_ROOT, '.infra', `models-${RUN}`),
      },
      'poison',
    ),
  );
  const started = Date.now();
  try {
    await Promise.all(services.map((service) => waitUntilReady(service, 120_000)));
    const rows = await runPoisonMatrix({ kafka, redis, prisma, groups: GROUPS, run: RUN });
    console.log(
      markdownTable(
        ['poison record', 'topic', 'dead-lettered by (attempts)', 'normal record after it', 'ok'],
        rows.map((row) => [row.kind, row.topic, row.deadLettered, row.neighbour, row.ok ? 'yes' : 'NO']),
      ),
    );
    console.log(
      `\n${rows.filter((row) => row.ok).length} of ${rows.length} ok in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    mkdirSync(join(WORKSPACE_ROOT, 'reports', 'bench'), { recursive: true });
    writeFileSync(join(WORKSPACE_ROOT, 'reports', 'bench', 'poison.json'), JSON.stringify({ run: RUN, rows }, null, 2));
    if (rows.some((row) => !row.ok)) process.exitCode = 1;
  } finally {
    await Promise.all(services.map((service) => stopService(service)));
    redis.disconnect();
    await prisma.$disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
