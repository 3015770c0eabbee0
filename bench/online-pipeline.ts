/**
 * Online benchmark: events/s sustained through ingest -> Kafka -> features -> Redis on this machine, and the
 * consumer lag. Needs the infrastructure and a build:
 *   npm run infra:up && npm run build && node -r @swc-node/register bench/online-pipeline.ts [--format F --data P] [--limit N]
 * Starts its own ingest and features processes (ports 3201/3202, consumer group cvp-features-bench), replays
 * the dataset over HTTP as fast as ingest takes it, and samples the features group's lag every second.
 * Event and customer ids get a per-run prefix so earlier runs' dedup marks do not make the work look cheaper.
 */
import { Kafka, logLevel } from 'kafkajs';
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { TOPICS, type ClickstreamEvent } from '@cvp/contracts';
import { openDataset, type Dataset } from '@cvp/datasets';
import { consumerGroupLag } from '@cvp/kafka';
import { HttpSink, replay, syntheticDataset } from '@cvp/replay';
import { processUsage, startService, stopService, waitUntilReady } from '@cvp/harness';

const { values: args } = parseArgs({
  options: {
    format: { type: 'string', default: 'synthetic' },
    data: { type: 'string' },
    limit: { type: 'string', default: '200000' },
    customers: { type: 'string', default: '5000' },
  },
});
const RUN = `bench${Date.now().toString(36)}`;
const GROUP = 'cvp-features-bench';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

function prefixed(dataset: Dataset, limit: number): Dataset {
  async function* events(): AsyncGenerator<ClickstreamEvent> {
    let n = 0;
    for await (const event of dataset.events) {
      if (n++ >= limit) return;
      yield { ...event, eventId: `${RUN}:${event.eventId}`, customerId: `${RUN}:${event.customerId}` };
    }
  }
  return { events: events(), report: dataset.report };
}

async function main(): Promise<void> {
  const limit = Number(args.limit);
  const source =
    args.format === 'synthetic'
      ? syntheticDataset({
          customers: Number(args.customers),
          seed: 1,
          start: new Date('2025-01-01T00:00:00Z'),
          end: new Date('2026-01-01T00:00:00Z'),
        })
      : openDataset(args.format!, args.data ?? '', {});
  const admin = new Kafka({ clientId: 'cvp-bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();

  const ingest = startService('ingest', { PORT: '3201', LOG_LEVEL: 'warn' }, 'bench');
  const features = startService('features', { PORT: '3202', LOG_LEVEL: 'warn', KAFKA_GROUP_ID: GROUP }, 'bench');
  try {
    await Promise.all([waitUntilReady(ingest), waitUntilReady(features)]);
    // Let the features group drain whatever earlier runs left, so the clock measures this run only.
    while ((await consumerGroupLag(admin, GROUP, TOPICS.events)) > 0) await new Promise((r) => setTimeout(r, 500));
    const cpuBefore = {
      ingest: processUsage(ingest.process.pid!).cpuSeconds,
      features: processUsage(features.process.pid!).cpuSeconds,
    };

    let maxLag = 0;
    const started = Date.now();
    const sampler = setInterval(() => {
      consumerGroupLag(admin, GROUP, TOPICS.events).then(
        (lag) => (maxLag = Math.max(maxLag, lag)),
        () => undefined,
      );
    }, 1000);
    const sent = await replay(prefixed(source, limit), new HttpSink(ingest.url), {
      pace: { kind: 'max' },
      batchSize: 500,
      progress: true,
    });
    const sendSeconds = (Date.now() - started) / 1000;
    const lagAtEndOfSend = await consumerGroupLag(admin, GROUP, TOPICS.events);
    while ((await consumerGroupLag(admin, GROUP, TOPICS.events)) > 0) await new Promise((r) => setTimeout(r, 200));
    clearInterval(sampler);
    const totalSeconds = (Date.now() - started) / 1000;
    const usage = { ingest: processUsage(ingest.process.pid!), features: processUsage(features.process.pid!) };

    const result = {
      command: `node -r @swc-node/register bench/online-pipeline.ts --format ${args.format} --limit ${limit}`,
      events: sent.sent,
      ingestEventsPerSecond: Math.round(sent.sent / sendSeconds),
      endToEndEventsPerSecond: Math.round(sent.sent / totalSeconds),
      maxLag,
      lagAtEndOfSend,
      drainSeconds: Math.round((totalSeconds - sendSeconds) * 10) / 10,
      cpuSeconds: {
        ingest: Math.round((usage.ingest.cpuSeconds - cpuBefore.ingest) * 10) / 10,
        features: Math.round((usage.features.cpuSeconds - cpuBefore.features) * 10) / 10,
      },
      peakRssMb: { ingest: usage.ingest.peakRssMb, features: usage.features.peakRssMb },
    };
    console.log('\n| metric | value |\n| --- | --- |');
    for (const [key, value] of Object.entries(result))
      console.log(`| ${key} | ${typeof value === 'object' ? JSON.stringify(value) : value} |`);
    mkdirSync('reports/bench', { recursive: true });
    writeFileSync(`reports/bench/online-pipeline-${args.format}.json`, JSON.stringify(result, null, 2));
  } finally {
    await Promise.all([stopService(ingest), stopService(features)]);
    await admin.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
