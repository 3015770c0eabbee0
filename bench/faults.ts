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
 *
 * Kafka's hard-bounce test needs three brokers: `bash deploy/local/kafka-cluster.sh up` (RF 3, min.insync.replicas 2),
 * then `KAFKA_BROKERS=$(bash deploy/local/kafka-cluster.sh brokers) node -r @swc-node/register bench/faults.ts
 * --only leader`: the partition leader killed -9 five times under load (skipped with one broker).
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
import {
  consumedTopics,
  createKeysForEveryRole,
  fetchWithKeys,
  markdownTable,
  sleep,
  startService,
  stopService,
  waitUntilReady,
  type RunningService,
  type ServiceName,
} from '@cvp/harness';
import { waitForZeroLag } from '@cvp/kafka';
import { featureStateKey, featureStateKeyPattern, scoreKey } from '@cvp/redis';

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
/** Keys of every role (made at the start); every request sends the one its route asks for. */
const KEYS: Parameters<typeof fetchWithKeys>[0] = {};
const fetch = fetchWithKeys(KEYS);
const PAIRS = consumedTopics(GROUPS);

type Fault = {
  name: string;
  /** Returns a note for the table, if any. */
  inject: (services: Map<ServiceName, RunningService>) => Promise<string | void>;
  /** After the pipeline caught up (e.g. the rebuild after Redis lost writes); returns what it did. */
  repair?: () => Promise<string>;
  /**
   * Needs the 3-broker cluster of deploy/local/kafka-cluster.sh as KAFKA_BROKERS; the events keep streaming (paced)
   * until the injection is over, however long it takes.
   */
  cluster?: boolean;
};

const env = (name: ServiceName): Record<string, string> => ({
  SCORE_CLOCK: 'event-time',
  SWEEP_INTERVAL_HOURS: '0',
  DECISION_OUTBOX_GRACE_MS: '5000',
  DECISION_OUTBOX_INTERVAL_MS: '2000',
  ...(name in GROUPS ? { KAFKA_GROUP_ID: GROUPS[name as keyof typeof GROUPS] } : {}),
  ...(name === 'trainer' || name === 'scorer' ? { MODEL_STORE_DIR: join(ROOT, '.infra', `models-${RUN}`) } : {}),
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

const CLUSTER = join(ROOT, 'deploy/local/kafka-cluster.sh');
const cluster = (...args: string[]) => execFileSync('bash', [CLUSTER, ...args], { encoding: 'utf8' }).trim();
const CUSTOMER_TOPICS = [TOPICS.events, TOPICS.features, TOPICS.scores, TOPICS.decisions];

/** Leader and in-sync replicas of every partition of the customer-keyed topics, asked of the brokers alive. */
async function partitionStates(
  brokers = BROKERS,
): Promise<{ topic: string; partition: number; leader: number; isr: number[]; address: Map<number, string> }[]> {
  const admin = new Kafka({
    clientId: 'cvp-faults-metadata',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
    connectionTimeout: 1000,
    requestTimeout: 2000,
  }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: CUSTOMER_TOPICS });
    const { brokers: nodes } = await admin.describeCluster();
    const address = new Map(nodes.map((node) => [node.nodeId, `${node.host}:${node.port}`]));
    return topics.flatMap(({ name, partitions }) =>
      partitions.map((p) => ({ topic: name, partition: p.partitionId, leader: p.leader, isr: p.isr, address })),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Polls until `ok` holds for the partition states (errors while a broker is gone count as not yet); seconds taken. */
async function until(
  ok: (states: Awaited<ReturnType<typeof partitionStates>>) => boolean,
  timeoutMs: number,
  brokers = BROKERS,
) {
  const started = Date.now();
  for (;;) {
    const states = await partitionStates(brokers).catch(() => null);
    if (states && ok(states)) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`partitions not as expected after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** The time of the last batch ingest acknowledged: the stream moving again after a broker died. */
let lastAcknowledgedAt = 0;

/**
 * Kafka's hard-bounce test on the 3-broker cluster: five times, kill -9 the broker leading a partition of
 * cvp.events.v1 (a different partition each time), measure how long until every partition of the customer topics
 * has a live leader again and until ingest acknowledges again, restart the broker and wait until it is back in every
 * in-sync replica set before the next one.
 */
async function bounceLeaders(): Promise<string> {
  const recoveries: string[] = [];
  let worst = 0;
  for (let bounce = 0; bounce < 5; bounce++) {
    const states = await partitionStates();
    const leader = states.find((p) => p.topic === TOPICS.events && p.partition === bounce % 6)!.leader;
    // Asked of the two brokers left while the third is down.
    const alive = BROKERS.filter((broker) => broker !== states[0].address.get(leader));
    const pid = Number(cluster('pid', String(leader)));
    if (!pid) throw new Error(`no pid for broker ${leader}`);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const elected = await until((now) => now.every((p) => p.leader !== leader && p.leader >= 0), 60_000, alive);
    while (lastAcknowledgedAt < killedAt) {
      if (Date.now() - killedAt > 120_000) throw new Error('ingest acknowledged nothing for 120 s after the kill');
      await sleep(100);
    }
    const moving = (lastAcknowledgedAt - killedAt) / 1000;
    worst = Math.max(worst, elected, moving);
    recoveries.push(`${elected.toFixed(1)}/${moving.toFixed(1)}`);
    await sleep(3000);
    cluster('start', String(leader));
    await until((now) => now.every((p) => p.isr.includes(leader)), 180_000);
  }
  return `leaders elected / ingest acknowledging again after each kill (s): ${recoveries.join(', ')}; worst ${worst.toFixed(1)} s`;
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
          const [next, keys] = await redis.scan(cursor, 'MATCH', featureStateKeyPattern(`${RUN}-*`), 'COUNT', 1000);
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
    name: 'Kafka partition leader killed -9, 5 times (3 brokers, RF 3, min ISR 2)',
    inject: bounceLeaders,
    cluster: true,
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
  const keysDb = createPrismaClient(DATABASE_URL);
  await createKeysForEveryRole(keysDb, `bench faults ${RUN}`, KEYS).finally(() => keysDb.$disconnect());
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
      if (fault.cluster && BROKERS.length < 3) {
        console.log(
          `[faults] skipped "${fault.name}": it needs the 3-broker cluster (bash deploy/local/kafka-cluster.sh up, ` +
            `then KAFKA_BROKERS=$(bash deploy/local/kafka-cluster.sh brokers))`,
        );
        continue;
      }
      const started = Date.now();
      // Each fault gets customers of its own, over a year of history ending at a fixed instant.
      const prefix = `${RUN}-${index}`;
      const events = [
        ...syntheticClickstream({
          // A fault that lasts as long as it takes streams from a pool ten times as large.
          customers: fault.cluster ? customers * 10 : customers,
          seed: 100 + index,
          start: new Date('2025-01-01T00:00:00Z'),
          end: new Date('2026-01-01T00:00:00Z'),
        }),
      ]
        .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))
        .slice(0, fault.cluster ? undefined : perFault)
        .map((event) => ({
          ...event,
          eventId: `${prefix}-${event.eventId}`,
          customerId: `${prefix}-${event.customerId}`,
        }));
      const acknowledged: ClickstreamEvent[] = [];
      let refused = 0;
      let retriedBatches = 0;
      let injected: Promise<string | void> | undefined;
      let injectionOver = false;
      const ingestUrl = () => services.get('ingest')!.url;
      for (let at = 0; at < events.length; at += 50) {
        if (!injected && at >= (fault.cluster ? 500 : events.length / 3)) {
          injected = fault.inject(services).finally(() => (injectionOver = true));
          // Awaited below; until then a failure must not crash the suite with the services left running.
          injected.catch(() => undefined);
        }
        if (fault.cluster && injectionOver) break;
        if (fault.cluster) await sleep(100);
        const batch = events.slice(at, at + 50);
        for (let attempt = 1; ; attempt++) {
          const response = await fetch(`${ingestUrl()}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ events: batch }),
          }).catch(() => null);
          if (response?.status === 202) {
            acknowledged.push(...batch);
            lastAcknowledgedAt = Date.now();
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
      const injectionNote = (await injected) ?? '';
      if (fault.cluster && !injectionOver) throw new Error(`the event pool ran out before "${fault.name}" was over`);
      await waitForZeroLag(admin, PAIRS, 300_000);
      const note = [injectionNote, (await fault.repair?.()) ?? ''].filter(Boolean).join('; ');
      await sleep(8000); // the decision outbox relay's grace and interval
      rows.push({
        fault: fault.name,
        sent: acknowledged.length + refused,
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
  const table = markdownTable(
    [
      'fault',
      'sent',
      'acknowledged',
      'batches sent again',
      'stored (PostgreSQL)',
      'folded (Redis)',
      'customers scored',
      'lost',
      'duplicated',
      'decisions',
      'duplicated decisions',
      'treated unpublished',
      'budget mismatch',
      's',
      'note',
    ],
    rows.map((r) => [
      r.fault,
      r.sent,
      r.acknowledged,
      r.retriedBatches,
      r.stored,
      r.folded,
      `${r.scoredCustomers} of ${r.customers}`,
      r.lost + r.refused,
      r.duplicated,
      r.decisions,
      r.duplicatedDecisions,
      r.unpublishedTreated,
      r.budgetMismatch,
      r.seconds,
      r.note,
    ]),
  );
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
