/**
 * Fault suite: the pipeline under crashes and outages, against the real Kafka, Redis and PostgreSQL of
 * `npm run infra:up` (run it on a fresh stack: `npm run infra:down -- --purge && npm run infra:up && npm run build`):
 *   node -r @swc-node/register bench/faults.ts [--customers 200] [--events-per-fault 2000]
 * Starts the five services (own consumer groups, event-time clock), then for each fault streams a fresh set of
 * synthetic events through ingest in batches of 50 while injecting the fault a third of the way in, waits until every
 * consumer group has caught up, and counts, for the events ingest acknowledged (202): those stored in the trainer's
 * event store (PostgreSQL), those folded into the features service's Redis state (per customer, `eventsApplied`),
 * the customers with a score, and the campaign engine's decisions (one per idempotency key; budget spent = the
 * treated decisions' cost). Faults: kill -9 of features, scorer, campaigns and trainer (restarted 2 s later); Redis
 * killed -9 (append-only file, fsync every second) and restarted, then `cvp rebuild-features`; PostgreSQL stopped
 * (fast shutdown) for 30 s; the feature states deleted mid-stream (a failover to an empty replica), then rebuilt.
 * `--only <text>` runs the baseline and the faults whose name contains it. Prints the table and writes
 * reports/bench/faults.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, type ClickstreamEvent } from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import { createPrismaClient } from '@cvp/db';
import type { CustomerState } from '@cvp/features';
import { sleep, startService, stopService, waitUntilReady, type RunningService, type ServiceName } from '@cvp/harness';
import { waitForZeroLag } from '@cvp/kafka';
import { featureStateKey, scoreKey } from '@cvp/redis';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '200' },
    'events-per-fault': { type: 'string', default: '2000' },
    /** Only the faults whose name contains this (the baseline always runs). */
    only: { type: 'string' },
  },
});
const ROOT = join(__dirname, '..');
const RUN = `flt${Date.now().toString(36)}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const GROUPS = {
  features: `cvp-features-${RUN}`,
  trainer: `cvp-trainer-${RUN}`,
  scorer: `cvp-scorer-${RUN}`,
  campaigns: `cvp-campaigns-${RUN}`,
} as const;
const PAIRS = [
  { groupId: GROUPS.features, topic: TOPICS.events },
  { groupId: GROUPS.trainer, topic: TOPICS.events },
  { groupId: GROUPS.scorer, topic: TOPICS.features },
  { groupId: GROUPS.campaigns, topic: TOPICS.scores },
];

type Fault = {
  name: string;
  inject: (services: Map<ServiceName, RunningService>) => Promise<void>;
  /** After the pipeline caught up (e.g. the rebuild after Redis lost writes); returns what it did. */
  repair?: () => Promise<string>;
};

const env = (name: ServiceName): Record<string, string> => ({
  SCORE_CLOCK: 'event-time',
  SWEEP_INTERVAL_HOURS: '0',
  DECISION_OUTBOX_GRACE_MS: '5000',
  DECISION_OUTBOX_INTERVAL_MS: '2000',
  ...(name in GROUPS ? { KAFKA_GROUP_ID: GROUPS[name as keyof typeof GROUPS] } : {}),
  ...(name === 'trainer' ? { MODEL_STORE_DIR: join(ROOT, '.infra', `models-${RUN}`) } : {}),
});

async function start(name: ServiceName): Promise<RunningService> {
  const service = startService(name, env(name), 'faults');
  await waitUntilReady(service, 120_000);
  return service;
}

const killAndRestart =
  (name: ServiceName): Fault['inject'] =>
  async (services) => {
    services.get(name)!.process.kill('SIGKILL');
    await services.get(name)!.exited;
    await sleep(2000);
    services.set(name, await start(name));
  };

const pidOf = (file: string) => Number(readFileSync(file, 'utf8').split('\n')[0].trim());
const infraUp = () => execFileSync('bash', [join(ROOT, 'deploy/local/infra.sh'), 'up'], { stdio: 'ignore' });

/**
 * `cvp rebuild-features` (the built CLI) over this run's customers; the features service keeps running: states it
 * holds with as many events are kept.
 */
async function rebuild(): Promise<string> {
  const output = execFileSync(
    process.execPath,
    [join(ROOT, 'dist/tools/cli/main.js'), 'rebuild-features', '--customer-prefix', `${RUN}-`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, SCORE_CLOCK: 'event-time' } },
  );
  const summary = JSON.parse(output) as { written: number; kept: number };
  return `rebuild wrote ${summary.written} states, kept ${summary.kept}`;
}

const FAULTS: Fault[] = [
  { name: 'none (baseline)', inject: async () => undefined },
  { name: 'kill -9 features', inject: killAndRestart('features') },
  { name: 'kill -9 scorer', inject: killAndRestart('scorer') },
  { name: 'kill -9 campaigns', inject: killAndRestart('campaigns') },
  { name: 'kill -9 trainer', inject: killAndRestart('trainer') },
  {
    name: 'Redis killed -9, restarted, rebuilt',
    inject: async () => {
      process.kill(pidOf(join(ROOT, '.infra/run/redis.pid')), 'SIGKILL');
      await sleep(3000);
      infraUp();
    },
    repair: async () => rebuild(),
  },
  {
    // A failover to an empty replica, or Redis restarted without its files: the feature states are gone mid-stream.
    name: 'feature states lost mid-stream, rebuilt',
    inject: async () => {
      const redis = new Redis(REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', featureStateKey(`${RUN}-*`), 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
    repair: async () => rebuild(),
  },
  {
    name: 'PostgreSQL stopped 30 s',
    inject: async () => {
      process.kill(pidOf(join(ROOT, '.infra/postgres/data/postmaster.pid')), 'SIGINT');
      await sleep(30_000);
      infraUp();
    },
  },
];

interface Row {
  fault: string;
  sent: number;
  acknowledged: number;
  refused: number;
  stored: number;
  folded: number;
  scoredCustomers: number;
  customers: number;
  lost: number;
  duplicated: number;
  decisions: number;
  duplicatedDecisions: number;
  /** Treated decisions not on cvp.decisions.v1 after the outbox relay had its turn. */
  unpublishedTreated: number;
  budgetMismatch: number;
  /** Ingest batches answered with something else than 202 and sent again. */
  retriedBatches: number;
  note: string;
  seconds: number;
}

async function main(): Promise<void> {
  const customers = Number(args.customers);
  const perFault = Number(args['events-per-fault']);
  const services = new Map<ServiceName, RunningService>();
  for (const name of ['ingest', 'features', 'trainer', 'scorer', 'campaigns'] as const) {
    services.set(name, await start(name));
  }
  // A campaign every score qualifies for, so each fault's scores make decisions (treated and control).
  const campaignsUrl = services.get('campaigns')!.url;
  const created = await fetch(`${campaignsUrl}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      key: `faults-${RUN}`,
      name: 'Fault suite: every score',
      status: 'active',
      audience: { all: [{ field: 'expectedSpend', op: 'gte', value: 0 }] },
      action: 'recommendation',
      channel: 'email',
      startsAt: '2000-01-01T00:00:00Z',
      priority: 1000,
      budgetTotal: 1_000_000,
      costPerAction: 0.01,
      frequencyCap: 1000,
      cooldownSeconds: 0,
      controlShare: 0.2,
      upliftRate: 1,
    }),
  });
  if (created.status !== 201) throw new Error(`campaign not created: ${created.status} ${await created.text()}`);
  const admin = new Kafka({ clientId: 'cvp-faults', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const rows: Row[] = [];
  try {
    for (const [index, fault] of FAULTS.entries()) {
      if (args.only && index > 0 && !fault.name.includes(args.only)) continue;
      const started = Date.now();
      // Each fault gets customers of its own, over a year of history ending at a fixed instant.
      const prefix = `${RUN}-${index}`;
      const events = [
        ...syntheticClickstream({
          customers,
          seed: 100 + index,
          start: new Date('2025-01-01T00:00:00Z'),
          end: new Date('2026-01-01T00:00:00Z'),
        }),
      ]
        .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))
        .slice(0, perFault)
        .map((event) => ({
          ...event,
          eventId: `${prefix}-${event.eventId}`,
          customerId: `${prefix}-${event.customerId}`,
        }));
      const acknowledged: ClickstreamEvent[] = [];
      let refused = 0;
      let retriedBatches = 0;
      let injected: Promise<void> | undefined;
      const ingestUrl = () => services.get('ingest')!.url;
      for (let at = 0; at < events.length; at += 50) {
        if (!injected && at >= events.length / 3) injected = fault.inject(services);
        const batch = events.slice(at, at + 50);
        for (let attempt = 1; ; attempt++) {
          const response = await fetch(`${ingestUrl()}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ events: batch }),
          }).catch(() => null);
          if (response?.status === 202) {
            acknowledged.push(...batch);
            break;
          }
          if (attempt === 1) retriedBatches++;
          // A producer retries what was not acknowledged; after 20 tries the batch counts as refused.
          if (attempt >= 20) {
            refused += batch.length;
            break;
          }
          await sleep(500);
        }
      }
      await injected;
      await waitForZeroLag(admin, PAIRS, 300_000);
      const note = (await fault.repair?.()) ?? '';
      await sleep(8000); // the decision outbox relay's grace and interval
      rows.push({
        fault: fault.name,
        sent: events.length,
        refused,
        retriedBatches,
        note,
        ...(await count(prefix, acknowledged)),
        seconds: Math.round((Date.now() - started) / 1000),
      });
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
  } finally {
    await fetch(`${services.get('campaigns')!.url}/v1/campaigns/faults-${RUN}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'ended' }),
    }).catch(() => undefined);
    await admin.disconnect();
    await Promise.all([...services.values()].map((service) => stopService(service)));
  }
  const header =
    '| fault | sent | acknowledged | batches sent again | stored (PostgreSQL) | folded (Redis) | customers scored | lost | duplicated | decisions | duplicated decisions | treated unpublished | budget mismatch | s | note |';
  const table = [
    header,
    `|${header
      .split('|')
      .slice(1, -1)
      .map((cell, i) => (i === 0 ? ' --- ' : ' ---: '))
      .join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${r.fault} | ${r.sent} | ${r.acknowledged} | ${r.retriedBatches} | ${r.stored} | ${r.folded} | ${r.scoredCustomers} of ${r.customers} | ${r.lost + r.refused} | ${r.duplicated} | ${r.decisions} | ${r.duplicatedDecisions} | ${r.unpublishedTreated} | ${r.budgetMismatch} | ${r.seconds} | ${r.note} |`,
    ),
  ].join('\n');
  console.log(`\n${table}`);
  mkdirSync(join(ROOT, 'reports', 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'reports', 'bench', 'faults.json'), JSON.stringify({ run: RUN, rows }, null, 2));
}

/** What reached each sink of the events acknowledged for one fault's customers. */
async function count(
  prefix: string,
  acknowledged: ClickstreamEvent[],
): Promise<Omit<Row, 'fault' | 'sent' | 'refused' | 'seconds' | 'retriedBatches' | 'note'>> {
  const prisma = createPrismaClient(DATABASE_URL);
  const redis = new Redis(REDIS_URL);
  try {
    const stored = await prisma.trainingEvent.count({ where: { customerId: { startsWith: `${prefix}-` } } });
    const perCustomer = new Map<string, number>();
    for (const event of acknowledged) perCustomer.set(event.customerId, (perCustomer.get(event.customerId) ?? 0) + 1);
    const ids = [...perCustomer.keys()];
    const states = await redis.mget(ids.map(featureStateKey));
    let folded = 0;
    let lostFolds = 0;
    let duplicatedFolds = 0;
    states.forEach((raw, i) => {
      const applied = raw ? (JSON.parse(raw) as CustomerState).eventsApplied : 0;
      const expected = perCustomer.get(ids[i])!;
      folded += applied;
      lostFolds += Math.max(0, expected - applied);
      duplicatedFolds += Math.max(0, applied - expected);
    });
    const scores = await Promise.all(ids.map((id) => redis.exists(scoreKey(id))));
    const decisions = await prisma.decision.findMany({
      where: { customerId: { startsWith: `${prefix}-` } },
      select: { idempotencyKey: true, group: true, cost: true, campaignId: true, publishedAt: true },
    });
    const keys = new Set(decisions.map((decision) => decision.idempotencyKey));
    // The budget of every campaign equals the cost of all its treated decisions (the whole table, every run).
    const mismatch = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM campaigns c
      WHERE c.budget_spent <> COALESCE((SELECT sum(d.cost) FROM decisions d WHERE d.campaign_id = c.id AND d."group" = 'treated'), 0)`;
    return {
      acknowledged: acknowledged.length,
      stored,
      folded,
      scoredCustomers: scores.filter((exists) => exists === 1).length,
      customers: ids.length,
      lost: Math.max(0, acknowledged.length - stored) + lostFolds,
      duplicated: Math.max(0, stored - acknowledged.length) + duplicatedFolds,
      decisions: decisions.length,
      duplicatedDecisions: decisions.length - keys.size,
      unpublishedTreated: decisions.filter((decision) => decision.group === 'treated' && !decision.publishedAt).length,
      budgetMismatch: Number(mismatch[0]?.n ?? 0),
    };
  } finally {
    await prisma.$disconnect();
    redis.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`[faults] ${error.stack ?? error.message}`);
  process.exit(1);
});
