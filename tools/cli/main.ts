import { Command, InvalidArgumentError } from 'commander';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@cvp/contracts';
import { waitForZeroLag } from '@cvp/kafka';
import { syntheticClickstream } from '@cvp/datasets';
import { createPrismaClient } from '@cvp/db';
import { sendEvents } from './ingest-client';
import { summarize } from './summary';

const int = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
};
const date = (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('must be a date YYYY-MM-DD');
  }
  return new Date(`${value}T00:00:00Z`);
};

const program = new Command('cvp').description('CVP command line: feed the pipeline and look at what it produced');

program
  .command('simulate')
  .description('stream a seeded synthetic clickstream to ingest over HTTP')
  .option('--customers <n>', 'number of customers', int, 500)
  .option('--seed <n>', 'random seed (same seed, same events and ids)', int, 42)
  .option('--start <date>', 'first day of the clickstream (UTC)', date, new Date('2025-01-01T00:00:00Z'))
  .option('--end <date>', 'day after the last (UTC)', date, new Date('2026-11-01T00:00:00Z'))
  .option('--ingest <url>', 'ingest service URL', process.env.CVP_INGEST_URL ?? 'http://127.0.0.1:3001')
  .option('--batch <n>', 'events per request (ingest takes up to 500)', int, 500)
  .action(async (options) => {
    if (options.end <= options.start) throw new InvalidArgumentError('--end must be after --start');
    const started = Date.now();
    const events = syntheticClickstream({
      customers: options.customers,
      seed: options.seed,
      start: options.start,
      end: options.end,
    });
    const report = await sendEvents(options.ingest, events, {
      batchSize: options.batch,
      onProgress: (r) =>
        process.stderr.write(
          `\r[cvp] sent ${r.sent} events, rejected ${r.rejected}, ${Math.round(r.sent / ((Date.now() - started) / 1000))} events/s`,
        ),
    });
    process.stderr.write('\n');
    console.log(JSON.stringify({ ...report, seconds: (Date.now() - started) / 1000 }));
    if (report.rejected > 0) process.exitCode = 1;
  });

program
  .command('summary')
  .description('scores by tier (Redis) and campaign decisions (PostgreSQL) of customers with an id prefix')
  .option('--prefix <text>', 'customer id prefix', 'syn-')
  .option('--redis <url>', 'Redis URL', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  .option('--database <url>', 'PostgreSQL URL', process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp')
  .action(async (options) => {
    const redis = new Redis(options.redis);
    const prisma = createPrismaClient(options.database);
    try {
      console.log(JSON.stringify(await summarize(redis, prisma, options.prefix), null, 2));
    } finally {
      redis.disconnect();
      await prisma.$disconnect();
    }
  });

const GROUP_TOPICS: Record<string, string> = {
  'cvp-features': TOPICS.events,
  'cvp-scorer': TOPICS.features,
  'cvp-campaigns': TOPICS.scores,
};

program
  .command('wait-idle')
  .description('wait until the pipeline consumer groups have processed everything published so far')
  .option('--groups <list>', 'consumer groups, comma-separated', Object.keys(GROUP_TOPICS).join(','))
  .option('--brokers <list>', 'Kafka brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .option('--timeout <seconds>', 'give up after', int, 600)
  .action(async (options) => {
    const pairs = (options.groups as string).split(',').map((groupId) => {
      const topic = GROUP_TOPICS[groupId.replace(/-e2e$/, '')];
      if (!topic) throw new InvalidArgumentError(`unknown group ${groupId}`);
      return { groupId, topic };
    });
    const admin = new Kafka({
      clientId: 'cvp-cli',
      brokers: options.brokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      await waitForZeroLag(admin, pairs, options.timeout * 1000);
    } finally {
      await admin.disconnect();
    }
  });

program.parseAsync().catch((error: Error) => {
  console.error(`[cvp] ${error.message}`);
  process.exit(1);
});
