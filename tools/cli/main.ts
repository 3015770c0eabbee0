import { Logger } from '@nestjs/common';
import { Command, InvalidArgumentError, Option } from 'commander';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, type CustomerScore } from '@cvp/contracts';
import { simulateResponses } from '@cvp/decisioning';
import { kafkajsSecurity, kafkaSecurityFromEnv, waitForZeroLag } from '@cvp/kafka';
import { DATASET_FORMATS, openDataset, type Dataset } from '@cvp/datasets';
import { createPrismaClient } from '@cvp/db';
import { baseEnvSchema } from '@cvp/config';
import { ScoreClock } from '@cvp/redis';
import { HttpSink, KafkaSink, replay, syntheticDataset, type Pace } from '@cvp/replay';
import type { SweepRecord } from '@cvp/scoring';
import { replayDeadLetters } from './dead-letters';
import { followSweep, sweepFigures, sweepStatus, waitForModelSwapSweep } from './rescore';
import { formatCampaignReport, type CampaignReport } from './report';
import { summarize } from './summary';
import { registerEvaluate } from './evaluate';
import { registerEvaluateRecs } from './evaluate-recs';
import { registerEvaluateUplift } from './evaluate-uplift';
import { registerEvaluateText } from './evaluate-text';
import { rebuildFeatures } from './rebuild-features';
import { authHeaders, registerKeys } from './keys';

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

/** Waits until each consumer group has committed up to the end of its topic. */
async function waitIdle(brokers: string, pairs: { groupId: string; topic: string }[], timeoutMs: number) {
  const admin = new Kafka({
    clientId: 'cvp-cli',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(kafkaSecurityFromEnv()),
  }).admin();
  await admin.connect();
  try {
    await waitForZeroLag(admin, pairs, timeoutMs);
  } finally {
    await admin.disconnect();
  }
}

// Library logs (the Kafka producer's Nest logger) go to stderr, warnings and errors only: stdout is the command's output.
Logger.overrideLogger({
  log: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
  warn: (message: unknown) =>
    console.error(`[warn] ${typeof message === 'string' ? message : JSON.stringify(message)}`),
  error: (message: unknown) =>
    console.error(`[error] ${typeof message === 'string' ? message : JSON.stringify(message)}`),
});

const program = new Command('cvp').description('CVP command line: feed the pipeline and look at what it produced');

const paceOf = (options: { rate?: number; speedup?: number }): Pace => {
  if (options.rate && options.speedup) throw new InvalidArgumentError('give --rate or --speedup, not both');
  if (options.rate) return { kind: 'rate', eventsPerSecond: options.rate };
  if (options.speedup) return { kind: 'speedup', factor: options.speedup };
  return { kind: 'max' };
};
const positive = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number');
  return parsed;
};

/** Shared by replay and simulate: where the events go, how fast, and the final summary. */
async function runReplay(dataset: Dataset, options: ReplayCliOptions): Promise<void> {
  const sink = options.direct
    ? new KafkaSink(options.brokers.split(','))
    : new HttpSink(options.ingest, process.env.CVP_API_KEY);
  try {
    const summary = await replay(dataset, sink, {
      pace: paceOf(options),
      batchSize: options.batch,
      progress: options.progress,
    });
    console.log(JSON.stringify(summary, null, 2));
    if (summary.rejected > 0) process.exitCode = 2;
  } finally {
    await sink.close();
  }
}

interface ReplayCliOptions {
  ingest: string;
  direct?: boolean;
  brokers: string;
  batch: number;
  rate?: number;
  speedup?: number;
  progress: boolean;
}

const withSinkOptions = (command: Command) =>
  command
    .option('--ingest <url>', 'ingest service URL', process.env.CVP_INGEST_URL ?? 'http://127.0.0.1:3001')
    .option('--direct', 'produce straight to Kafka (cvp.events.v1) instead of over HTTP')
    .option('--brokers <list>', 'Kafka brokers for --direct', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .option('--batch <n>', 'events per request (ingest takes up to 500)', int, 500)
    .option('--rate <n>', 'events per second', positive)
    .option('--speedup <x>', 'replay in event time, sped up x times', positive)
    .option('--no-progress', 'no progress bar');

withSinkOptions(
  program
    .command('replay')
    .description(`stream a dataset's events into the pipeline (formats: ${DATASET_FORMATS.join(', ')})`)
    .requiredOption('--data <path>', 'dataset file (a folder for olist)')
    .requiredOption('--format <name>', `one of ${DATASET_FORMATS.join(', ')}`)
    .option(
      '--columns <mapping>',
      'csv format: customer=...,time=...,amount=...[,order=...,product=...,quantity=...,price=...]',
    )
    .option('--time-zone <zone>', "IANA zone of timestamps without an offset (default: the dataset's)")
    .option('--currency <code>', "currency of amounts (default: the dataset's)")
    .option('--limit <n>', 'stop after this many events', int),
).action(async (options) => {
  const dataset = openDataset(options.format, options.data, {
    columns: options.columns,
    timeZone: options.timeZone,
    currency: options.currency,
    limit: options.limit,
  });
  await runReplay(dataset, options);
});

withSinkOptions(
  program
    .command('simulate')
    .description('stream a seeded synthetic clickstream (no dataset needed)')
    .option('--customers <n>', 'number of customers', int, 500)
    .option('--seed <n>', 'random seed (same seed, same events and ids)', int, 42)
    .option('--start <date>', 'first day of the clickstream (UTC)', date, new Date('2025-01-01T00:00:00Z'))
    .option('--end <date>', 'day after the last (UTC)', date, new Date('2026-11-01T00:00:00Z'))
    .option('--send-from <date>', 'send only the events on or after this day (UTC)', date)
    .option('--send-before <date>', 'send only the events before this day (UTC)', date),
).action(async (options) => {
  if (options.end <= options.start) throw new InvalidArgumentError('--end must be after --start');
  if (options.sendFrom && options.sendBefore && options.sendBefore <= options.sendFrom) {
    throw new InvalidArgumentError('--send-before must be after --send-from');
  }
  await runReplay(syntheticDataset(options), options);
});

program
  .command('simulate-response')
  .description(
    "offline campaign simulation: a seeded response model turns a campaign's decisions into purchases (treated buy " +
      'more by --lift), sends them through ingest, waits for the pipeline and prints the campaign report',
  )
  .requiredOption('--campaign <key>', 'campaign key or id')
  .option('--lift <x>', 'relative lift of the purchase probability when treated', Number, 0.3)
  .addOption(
    new Option(
      '--responders <who>',
      'alike: everyone by --lift; persuadables: 2.5 × --lift near pBuyAgain 0.5, none at 0 or 1',
    )
      .choices(['alike', 'persuadables'])
      .default('alike'),
  )
  .addOption(
    new Option(
      '--baseline <from>',
      "stream: the stored events are the world without the campaign as far as they go (only the treated group's " +
        'extra purchases are simulated there, the baseline after their end); score: the whole baseline is drawn',
    )
      .choices(['stream', 'score'])
      .default('stream'),
  )
  .option('--seed <n>', 'random seed', (value) => Number.parseInt(value, 10), 7)
  .option('--ingest <url>', 'ingest service URL', process.env.CVP_INGEST_URL ?? 'http://127.0.0.1:3001')
  .option('--campaigns <url>', 'campaigns service URL', process.env.CVP_CAMPAIGNS_URL ?? 'http://127.0.0.1:3005')
  .option('--database <url>', 'PostgreSQL URL', process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp')
  .option('--brokers <list>', 'Kafka brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .option('--json', 'print the report as JSON instead of a table')
  .action(async (options) => {
    if (!(options.lift >= 0)) throw new InvalidArgumentError('--lift must be a number >= 0');
    const prisma = createPrismaClient(options.database);
    let events;
    let campaignKey: string;
    try {
      const campaign = await prisma.campaign.findFirst({
        where: /^[0-9a-f-]{36}$/i.test(options.campaign) ? { id: options.campaign } : { key: options.campaign },
      });
      if (!campaign) throw new Error(`no campaign ${options.campaign}`);
      campaignKey = campaign.key;
      const decisions = await prisma.decision.findMany({
        where: { campaignId: campaign.id },
        select: { customerId: true, group: true, eventTime: true, score: true },
      });
      if (decisions.length === 0) throw new Error(`campaign ${campaign.key} has no decisions yet`);
      // The newest stored event that is not itself a simulated response: the stream covers the world until then.
      const observedUntil =
        options.baseline === 'stream'
          ? ((
              await prisma.$queryRaw<{ last: Date | null }[]>`
                SELECT max(occurred_at) AS last FROM training_events
                WHERE payload->'items'->0->>'productId' IS DISTINCT FROM 'simulated-response'`
            )[0]?.last ?? undefined)
          : undefined;
      events = simulateResponses(
        decisions.map((decision) => ({ ...decision, score: decision.score as unknown as CustomerScore })),
        {
          lift: options.lift,
          responders: options.responders,
          windowDays: campaign.attributionWindowDays,
          seed: options.seed,
          idPrefix: `sim-${campaign.key}-${options.seed}`,
          observedUntil,
        },
      );
      console.error(
        `[simulate-response] ${decisions.length} decisions -> ${events.length} simulated purchases` +
          (observedUntil ? ` (the stored events are the baseline until ${observedUntil.toISOString()})` : ''),
      );
    } finally {
      await prisma.$disconnect();
    }
    const sink = new HttpSink(options.ingest, process.env.CVP_API_KEY);
    try {
      for (let start = 0; start < events.length; start += 500) {
        const result = await sink.send(events.slice(start, start + 500));
        if (result.rejected.length > 0) throw new Error(`ingest rejected ${result.rejected.length} simulated events`);
      }
    } finally {
      await sink.close();
    }
    await waitIdle(options.brokers, [{ groupId: 'cvp-trainer', topic: TOPICS.events }], 600_000);
    const response = await fetch(`${options.campaigns}/v1/campaigns/${encodeURIComponent(campaignKey)}/report`, {
      headers: authHeaders(),
    });
    const report = (await response.json()) as CampaignReport;
    if (response.status !== 200)
      throw new Error(`the campaigns service answered ${response.status}: ${JSON.stringify(report)}`);
    console.log(options.json ? JSON.stringify(report, null, 2) : formatCampaignReport(report));
  });

program
  .command('train')
  .description('ask the trainer for a training run and wait for its outcome (published, rejected or failed)')
  .option('--trainer <url>', 'trainer service URL', process.env.CVP_TRAINER_URL ?? 'http://127.0.0.1:3003')
  .option('--from <date>', 'first day of the data window (default: TRAIN_WINDOW_DAYS before --to)', date)
  .option('--to <date>', 'day after the data window (default: just after the newest stored event)', date)
  .option('--horizon-days <n>', 'days of spend the model learns to predict', int)
  .option('--max-epochs <n>', 'most epochs', int)
  .option('--seed <n>', 'random seed', (value) => Number.parseInt(value, 10))
  .option('--force', 'publish even if the candidate does not beat the published model')
  .option('--timeout <seconds>', 'give up waiting after', int, 1800)
  .action(async (options) => {
    const body = {
      from: options.from?.toISOString(),
      to: options.to?.toISOString(),
      horizonDays: options.horizonDays,
      maxEpochs: options.maxEpochs,
      seed: options.seed,
      force: options.force,
    };
    const response = await fetch(`${options.trainer}/v1/train`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders() },
      body: JSON.stringify(body),
    });
    const started = (await response.json()) as { version?: string; message?: unknown };
    if (response.status !== 202 || !started.version) {
      throw new Error(`the trainer answered ${response.status}: ${JSON.stringify(started)}`);
    }
    console.error(`[train] ${started.version} training (${JSON.stringify(started)})`);
    const deadline = Date.now() + options.timeout * 1000;
    for (;;) {
      // A busy trainer may not answer one poll (a connection refused or timed out): the next one asks again.
      const response = await fetch(`${options.trainer}/v1/models/${started.version}`, { headers: authHeaders() }).catch(
        (error: Error) => {
          if (Date.now() > deadline) throw error;
          console.error(`[train] the trainer did not answer (${error.message}); asking again`);
          return undefined;
        },
      );
      if (!response) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      const row = (await response.json()) as {
        status: string;
        metrics: {
          verdict?: { reason: string };
          error?: string;
          validation?: Record<string, unknown>;
          uplift?: Record<string, unknown>;
        };
      };
      if (row.status !== 'training') {
        const { deciles: _deciles, ...validation } = row.metrics.validation ?? {};
        console.log(
          JSON.stringify(
            {
              version: started.version,
              status: row.status,
              reason: row.metrics.verdict?.reason ?? row.metrics.error,
              validation,
              // Each campaign's uplift model learnt in the same run (or why none was).
              uplift: row.metrics.uplift ?? null,
            },
            null,
            2,
          ),
        );
        if (row.status === 'failed') process.exitCode = 1;
        return;
      }
      if (Date.now() > deadline) throw new Error(`${started.version} still training after ${options.timeout} s`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
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
      console.log(await summarize(redis, prisma, options.prefix));
    } finally {
      redis.disconnect();
      await prisma.$disconnect();
    }
  });

const GROUP_TOPICS: Record<string, string> = {
  'cvp-features': TOPICS.events,
  'cvp-trainer': TOPICS.events,
  'cvp-scorer': TOPICS.features,
  'cvp-campaigns': TOPICS.scores,
  'cvp-review-text': TOPICS.events,
};
/** The groups `wait-idle` waits for unless told: the five services (the review-text worker is optional). */
const PIPELINE_GROUPS = ['cvp-features', 'cvp-trainer', 'cvp-scorer', 'cvp-campaigns'];

program
  .command('wait-idle')
  .description('wait until the pipeline consumer groups have processed everything published so far')
  .option(
    '--groups <list>',
    `consumer groups, comma-separated (of ${Object.keys(GROUP_TOPICS).join(', ')})`,
    PIPELINE_GROUPS.join(','),
  )
  .option('--brokers <list>', 'Kafka brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .option('--timeout <seconds>', 'give up after', int, 600)
  .action(async (options) => {
    const pairs = (options.groups as string).split(',').map((groupId) => {
      const topic = GROUP_TOPICS[groupId.replace(/-e2e$/, '')];
      if (!topic) throw new InvalidArgumentError(`unknown group ${groupId}`);
      return { groupId, topic };
    });
    await waitIdle(options.brokers, pairs, options.timeout * 1000);
  });

program
  .command('rescore')
  .description(
    'ask the scorers to re-score every customer as of now by the score clock (a sweep), follow it with a progress ' +
      'bar and print its figures',
  )
  .option('--scorer <url>', 'scorer service URL', process.env.CVP_SCORER_URL ?? 'http://127.0.0.1:3004')
  .option('--no-wait', 'start the sweep and return')
  .option('--no-progress', 'no progress bar')
  .option('--timeout <seconds>', 'give up waiting after', int, 1800)
  .action(async (options) => {
    const response = await fetch(`${options.scorer}/v1/rescore`, { method: 'POST', headers: authHeaders() });
    const body = (await response.json()) as { sweep?: SweepRecord; started?: boolean; message?: unknown };
    if (response.status !== 202 || !body.sweep) {
      throw new Error(`the scorer answered ${response.status}: ${JSON.stringify(body)}`);
    }
    const { sweep } = body;
    console.error(
      `[rescore] sweep ${sweep.id} ${body.started ? 'started' : 'already running'}: ${sweep.customersTotal} customers ` +
        `as of ${sweep.asOf}, ${sweep.modelVersion}`,
    );
    if (!options.wait) return;
    const summary = await followSweep(options.scorer, sweep, options.progress, options.timeout * 1000);
    console.log(JSON.stringify(sweepFigures(summary), null, 2));
  });

program
  .command('sweeps')
  .description("the scorers' re-scoring sweeps: the one running and the last finished")
  .option('--scorer <url>', 'scorer service URL', process.env.CVP_SCORER_URL ?? 'http://127.0.0.1:3004')
  .option('--wait-model <version>', 'wait for the model-swap sweep of this model version to finish, then print it')
  .option('--no-progress', 'no progress bar')
  .option('--timeout <seconds>', 'give up waiting after', int, 600)
  .action(async (options) => {
    if (!options.waitModel) {
      console.log(JSON.stringify(await sweepStatus(options.scorer), null, 2));
      return;
    }
    const summary = await waitForModelSwapSweep(
      options.scorer,
      options.waitModel,
      options.progress,
      options.timeout * 1000,
    );
    console.log(JSON.stringify(sweepFigures(summary), null, 2));
  });

program
  .command('replay-dead-letters')
  .description(
    "move a topic's dead letters back to it once their cause is fixed (each letter once; those still breaking the " +
      'contract stay, named in the summary)',
  )
  .requiredOption('--topic <name>', 'the source topic, e.g. cvp.events.v1 (its dead letters are <topic>.dlt)')
  .option('--group <id>', 'only the letters this consumer group dead-lettered, e.g. cvp-features')
  .option('--dry-run', 'count what would be replayed, produce and commit nothing')
  .option('--brokers <list>', 'Kafka brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .action(async (options) => {
    const summary = await replayDeadLetters({
      topic: options.topic,
      brokers: options.brokers.split(','),
      group: options.group,
      dryRun: options.dryRun,
    });
    console.log(JSON.stringify(summary, null, 2));
    if (summary.stillInvalid.length > 0) process.exitCode = 2;
  });

program
  .command('rebuild-features')
  .description(
    "rebuild the features service's Redis state from the trainer's event store (after Redis lost data); states the " +
      'live service holds with as many events are kept. Stop the features service first.',
  )
  .option('--verify-only', 'compare the held states with the event store, write nothing (exit 2 when they differ)')
  .option('--customer-prefix <text>', 'only customers whose id starts with this')
  .option('--redis <url>', 'Redis URL', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  .option('--database <url>', 'PostgreSQL URL', process.env.DATABASE_URL)
  .action(async (options) => {
    if (!options.database) throw new InvalidArgumentError('give --database or set DATABASE_URL');
    const env = baseEnvSchema
      .pick({ SCORE_CLOCK: true, SCORE_CLOCK_LATENESS_SECONDS: true, SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS: true })
      .parse(process.env);
    const redis = new Redis(options.redis, { maxRetriesPerRequest: 3 });
    const prisma = createPrismaClient(options.database);
    try {
      const summary = await rebuildFeatures({
        prisma,
        redis,
        clock: new ScoreClock(redis, {
          mode: env.SCORE_CLOCK,
          latenessMs: env.SCORE_CLOCK_LATENESS_SECONDS * 1000,
          maxFutureSkewMs: env.SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS * 1000,
        }),
        verifyOnly: options.verifyOnly,
        customerPrefix: options.customerPrefix,
        onProgress: (customers) => process.stderr.write(`\r[rebuild-features] ${customers} customers`),
      });
      process.stderr.write('\n');
      console.log(JSON.stringify(summary, null, 2));
      if (options.verifyOnly && summary.differentCount > 0) process.exitCode = 2;
    } finally {
      await prisma.$disconnect();
      redis.disconnect();
    }
  });

registerEvaluate(program);
registerEvaluateRecs(program);
registerEvaluateUplift(program);
registerEvaluateText(program);
registerKeys(program);

program.parseAsync().catch((error: Error) => {
  console.error(`[cvp] ${error.message}`);
  process.exit(1);
});
