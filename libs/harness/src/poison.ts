import type { PrismaClient } from '@cvp/db';
import { deadLetterTopic, TOPICS, type TopicName } from '@cvp/contracts';
import { waitForZeroLag } from '@cvp/kafka';
import { featureStateKey, scoreKey } from '@cvp/redis';
import type Redis from 'ioredis';
import { Partitioners, type Kafka } from 'kafkajs';

/** Every consuming service and its consumer group, as the run under test names them. */
export type ConsumerGroups = Record<'features' | 'trainer' | 'scorer' | 'campaigns', string>;
type Consumer = keyof ConsumerGroups;

/**
 * One kind of record a consumer can never process, produced straight to its topic (a producer with a bug or a bad
 * clock, or one that goes around ingest): the consumers that must dead-letter it, within `CONSUMER_MAX_ATTEMPTS`.
 */
export interface PoisonCase {
  kind: string;
  topic: TopicName;
  /** The record's value (null: an empty record) for the customer id used as its key. */
  value: (customerId: string, run: string) => string | null;
  deadLetteredBy: Consumer[];
  /** Before it is sent: makes the handler fail on a record that is itself valid. */
  setup?: (redis: Redis, customerId: string) => Promise<void>;
  /** After the check (the cause removed). */
  cleanup?: (redis: Redis, customerId: string) => Promise<void>;
}

const at = (day: number) => new Date(Date.UTC(2025, 0, 1 + day, 12)).toISOString();
const event = (customerId: string, run: string, fields: Record<string, unknown>) =>
  JSON.stringify({
    eventId: `${run}-${customerId}`,
    customerId,
    occurredAt: at(1),
    type: 'page_view',
    url: '/home',
    ...fields,
  });
const purchase = (total: unknown) => ({
  type: 'purchase',
  orderId: 'o-1',
  items: [{ productId: 'p-1', category: 'c', quantity: 1, unitPrice: 1 }],
  total,
});
const features = (customerId: string, fields: Record<string, unknown>) =>
  JSON.stringify({
    customerId,
    asOf: at(1),
    sourceEventId: 'poison',
    featureSchemaVersion: 'v1',
    features: { frequency: 1 },
    computedAt: at(1),
    ...fields,
  });
const score = (customerId: string, fields: Record<string, unknown>) =>
  JSON.stringify({
    customerId,
    asOf: at(1),
    trigger: 'event',
    sourceEventId: 'poison',
    scoredAt: at(1),
    horizonDays: 90,
    expectedSpend: 10,
    expectedSpendLow: null,
    expectedSpendHigh: null,
    pBuyAgain: 0.5,
    churnRisk: 0.9,
    tier: 'high',
    modelVersion: 'poison',
    featureSchemaVersion: 'v1',
    reasons: [],
    ...fields,
  });
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** The poison-record matrix: every kind named by issue 13, at the topic where it does harm. */
export const POISON_CASES: PoisonCase[] = [
  { kind: 'not JSON', topic: TOPICS.events, value: () => '{"customerId": ', deadLetteredBy: ['features', 'trainer'] },
  { kind: 'empty record', topic: TOPICS.events, value: () => null, deadLetteredBy: ['features', 'trainer'] },
  {
    kind: 'unknown event type',
    topic: TOPICS.events,
    value: (c, run) => event(c, run, { type: 'teleport' }),
    deadLetteredBy: ['features', 'trainer'],
  },
  {
    kind: 'NUL in a URL',
    topic: TOPICS.events,
    value: (c, run) => event(c, run, { url: 'a\u0000b' }),
    deadLetteredBy: ['features', 'trainer'],
  },
  {
    kind: 'lone surrogate in review text',
    topic: TOPICS.events,
    value: (c, run) => event(c, run, { type: 'review', productId: 'p-1', rating: 5, text: 'good \ud800' }),
    deadLetteredBy: ['features', 'trainer'],
  },
  {
    kind: 'event dated 9999-12-31',
    topic: TOPICS.events,
    value: (c, run) => event(c, run, { occurredAt: '9999-12-31T00:00:00Z' }),
    deadLetteredBy: ['features', 'trainer'],
  },
  {
    kind: 'purchase total 1e306 (DECIMAL overflow)',
    topic: TOPICS.events,
    value: (c, run) => event(c, run, purchase(1e306)),
    deadLetteredBy: ['features', 'trainer'],
  },
  {
    kind: 'purchase total 1e400 (Infinity once parsed)',
    topic: TOPICS.events,
    value: (c, run) => event(c, run, purchase(0)).replace('"total":0', '"total":1e400'),
    deadLetteredBy: ['features', 'trainer'],
  },
  {
    kind: 'JSON nested 100,000 deep',
    topic: TOPICS.events,
    value: () => nested(100_000),
    deadLetteredBy: ['features', 'trainer'],
  },
  {
    kind: 'valid event, handler keeps failing (unreadable feature state)',
    topic: TOPICS.events,
    value: (c, run) => event(c, run, {}),
    deadLetteredBy: ['features'],
    setup: async (redis, c) => void (await redis.set(featureStateKey(c), JSON.stringify({ stateVersion: 1 }))),
    cleanup: async (redis, c) => void (await redis.del(featureStateKey(c))),
  },
  { kind: 'not JSON', topic: TOPICS.features, value: () => 'not json', deadLetteredBy: ['scorer'] },
  {
    kind: 'feature value 1e400 (Infinity)',
    topic: TOPICS.features,
    value: (c) => features(c, {}).replace('"frequency":1', '"frequency":1e400'),
    deadLetteredBy: ['scorer'],
  },
  {
    kind: 'feature vector of an unknown schema version',
    topic: TOPICS.features,
    value: (c) => features(c, { featureSchemaVersion: 'v0' }),
    deadLetteredBy: ['scorer'],
  },
  { kind: 'not JSON', topic: TOPICS.scores, value: () => '[', deadLetteredBy: ['campaigns'] },
  {
    kind: 'score with expectedSpend 1e300',
    topic: TOPICS.scores,
    value: (c) => score(c, { expectedSpend: 1e300 }),
    deadLetteredBy: ['campaigns'],
  },
  {
    kind: 'score with churnRisk 7',
    topic: TOPICS.scores,
    value: (c) => score(c, { churnRisk: 7 }),
    deadLetteredBy: ['campaigns'],
  },
];

/** Each consumer group with the topic it consumes: what "the pipeline caught up" is measured on. */
export function consumedTopics(groups: ConsumerGroups): { groupId: string; topic: string }[] {
  return [
    { groupId: groups.features, topic: TOPICS.events },
    { groupId: groups.trainer, topic: TOPICS.events },
    { groupId: groups.scorer, topic: TOPICS.features },
    { groupId: groups.campaigns, topic: TOPICS.scores },
  ];
}

export interface PoisonRow {
  kind: string;
  topic: TopicName;
  /** `service: attempts` for each consumer that dead-lettered it ('-' where none did), e.g. `features: 3`. */
  deadLettered: string;
  /** Every expected consumer dead-lettered it, within `maxAttempts`. */
  deadLetteredOk: boolean;
  /** The normal record after it on the same partition: folded, stored, scored. */
  neighbour: string;
  neighbourOk: boolean;
  ok: boolean;
}

export interface PoisonRun {
  kafka: Kafka;
  redis: Redis;
  prisma: PrismaClient;
  groups: ConsumerGroups;
  /** Unique per run: the prefix of every customer id. */
  run: string;
  maxAttempts?: number;
  timeoutMs?: number;
  cases?: PoisonCase[];
}

const PARTITIONS = 6;
const partitioner = Partitioners.DefaultPartitioner();
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
  partitionId,
  leader: 1,
  partitionErrorCode: 0,
  replicas: [1],
  isr: [1],
}));
/** The partition a key goes to on the customer-keyed topics (Kafka's murmur2, as every CVP producer). */
export const partitionOf = (key: string) =>
  partitioner({ topic: TOPICS.events, partitionMetadata, message: { key, value: null } });

/**
 * Sends each poison record followed by a normal page view of another customer on the same partition, waits until
 * every consumer group caught up, then reads the dead-letter topics: one row per case.
 */
export async function runPoisonMatrix(options: PoisonRun): Promise<PoisonRow[]> {
  const { kafka, redis, prisma, groups, run } = options;
  const cases = options.cases ?? POISON_CASES;
  const maxAttempts = options.maxAttempts ?? 3;
  const planned = cases.map((poison, i) => {
    const customerId = `${run}-poison-${i}`;
    let neighbour = '';
    for (let n = 0; !neighbour; n++) {
      if (partitionOf(`${run}-neighbour-${i}-${n}`) === partitionOf(customerId))
        neighbour = `${run}-neighbour-${i}-${n}`;
    }
    return { poison, customerId, neighbour };
  });
  for (const { poison, customerId } of planned) await poison.setup?.(redis, customerId);

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (const { poison, customerId, neighbour } of planned) {
      await producer.send({
        topic: poison.topic,
        acks: -1,
        messages: [{ key: customerId, value: poison.value(customerId, run) }],
      });
      await producer.send({
        topic: TOPICS.events,
        acks: -1,
        messages: [{ key: neighbour, value: event(neighbour, run, { occurredAt: at(2) }) }],
      });
    }
  } finally {
    await producer.disconnect();
  }

  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitForZeroLag(admin, consumedTopics(groups), options.timeoutMs ?? 120_000);
  } finally {
    await admin.disconnect();
  }

  const letters = await readDeadLetters(kafka, `${run}-poison-`);
  const rows: PoisonRow[] = [];
  for (const { poison, customerId, neighbour } of planned) {
    const found = (Object.keys(groups) as Consumer[]).flatMap((service) => {
      const letter = letters.find(
        (l) => l.key === customerId && l.group === groups[service] && l.topic === deadLetterTopic(poison.topic),
      );
      return letter ? [{ service, attempts: letter.attempts }] : [];
    });
    const deadLetteredOk =
      poison.deadLetteredBy.every((service) => found.some((f) => f.service === service && f.attempts <= maxAttempts)) &&
      found.every((f) => poison.deadLetteredBy.includes(f.service));
    const state = await redis.get(featureStateKey(neighbour));
    const folded = state ? (JSON.parse(state) as { eventsApplied?: number }).eventsApplied === 1 : false;
    const stored = (await prisma.trainingEvent.count({ where: { customerId: neighbour } })) === 1;
    const scored = (await redis.exists(scoreKey(neighbour))) === 1;
    rows.push({
      kind: poison.kind,
      topic: poison.topic,
      deadLettered: found.map((f) => `${f.service}: ${f.attempts}`).join(', ') || '-',
      deadLetteredOk,
      neighbour: `folded ${folded ? 'yes' : 'no'}, stored ${stored ? 'yes' : 'no'}, scored ${scored ? 'yes' : 'no'}`,
      neighbourOk: folded && stored && scored,
      ok: deadLetteredOk && folded && stored && scored,
    });
    await poison.cleanup?.(redis, customerId);
  }
  return rows;
}

interface Letter {
  topic: string;
  key: string;
  group: string;
  /** The handler calls it failed (1 for a record refused before any call: broken contract, not JSON). */
  attempts: number;
}

/** The dead letters whose key starts with `prefix`, from every dead-letter topic, read to their end. */
async function readDeadLetters(kafka: Kafka, prefix: string): Promise<Letter[]> {
  const topics = [TOPICS.events, TOPICS.features, TOPICS.scores].map(deadLetterTopic);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  try {
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}:${partition}`, Number(high));
    }
  } finally {
    await admin.disconnect();
  }
  const letters: Letter[] = [];
  const consumer = kafka.consumer({ groupId: `${prefix}dlt-reader-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    const remaining = new Set([...ends].filter(([, end]) => end > 0).map(([key]) => key));
    await new Promise<void>((resolve, reject) => {
      if (remaining.size === 0) return resolve();
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            const key = message.key?.toString() ?? '';
            if (key.startsWith(prefix)) {
              letters.push({
                topic,
                key,
                group: message.headers?.['cvp-dlt-consumer-group']?.toString() ?? '',
                attempts: Number(message.headers?.['cvp-dlt-attempts']?.toString() ?? 1),
              });
            }
            if (Number(message.offset) + 1 >= ends.get(`${topic}:${partition}`)!)
              remaining.delete(`${topic}:${partition}`);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return letters;
}
