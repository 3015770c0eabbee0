import { Kafka, logLevel } from 'kafkajs';
import { CONSUMED_TOPICS, deadLetterTopic, MESSAGE_SCHEMAS, validate, type TopicName } from '@cvp/contracts';
import { createKafkaWire, KafkaProducerService, kafkajsSecurity, kafkaSecurityFromEnv } from '@cvp/kafka';

export interface ReplayOptions {
  topic: TopicName;
  brokers: string[];
  /** Only the letters this consumer group wrote (`cvp-dlt-consumer-group`). */
  group?: string;
  dryRun?: boolean;
}

export interface ReplaySummary {
  deadLetterTopic: string;
  read: number;
  replayed: number;
  /** Letters of another consumer group (with --group). */
  skipped: number;
  /** Letters that still break the topic's contract: left where they are, with the reason. */
  stillInvalid: { offset: string; reason: string }[];
}

/**
 * Moves dead letters back to their topic once their cause is fixed: reads `<topic>.dlt` from where the last replay of
 * this topic (and filter) stopped (consumer group `cvp-dlt-replay-<topic>-<group|all>`) up to its end at start, and produces each letter again
 * through the one producer (validated against the topic's contract; a letter that still breaks it stays behind, named
 * in the summary). Every consumer of the topic gets it again: their handlers are idempotent, so those that had handled
 * it change nothing.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplaySummary> {
  if (!CONSUMED_TOPICS.includes(options.topic)) {
    throw new Error(`${options.topic} has no dead-letter topic (one of ${CONSUMED_TOPICS.join(', ')})`);
  }
  const source = deadLetterTopic(options.topic);
  const kafka = new Kafka({
    clientId: 'cvp-cli-dlt',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    ...kafkajsSecurity(kafkaSecurityFromEnv()),
  });
  const admin = kafka.admin();
  // One replay position per topic and filter, so a filtered replay never hides the other groups' letters.
  const replayGroup = `cvp-dlt-replay-${options.topic}-${options.group ?? 'all'}`;
  const consumer = kafka.consumer({ groupId: replayGroup });
  const producer = new KafkaProducerService(
    createKafkaWire({ clientId: 'cvp-cli-dlt', brokers: options.brokers, security: kafkaSecurityFromEnv() }),
  );
  const summary: ReplaySummary = { deadLetterTopic: source, read: 0, replayed: 0, skipped: 0, stillInvalid: [] };
  await admin.connect();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(source)).map((p) => [p.partition, BigInt(p.high)]));
    const [marks] = await admin.fetchOffsets({ groupId: replayGroup, topics: [source] });
    // Partitions read to their end by an earlier replay (or empty) have nothing to hand over.
    const done = new Set<number>();
    for (const [partition, end] of ends) {
      const mark = marks?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      if ((mark === '-1' ? 0n : BigInt(mark)) >= end) done.add(partition);
    }
    if (done.size === ends.size) return summary;
    await consumer.connect();
    await consumer.subscribe({ topic: source, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition) ?? 0n;
            if (BigInt(message.offset) >= end) return;
            summary.read++;
            const headers = Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString() ?? '']),
            );
            if (options.group && headers['cvp-dlt-consumer-group'] !== options.group) summary.skipped++;
            else {
              let reason: string | null = null;
              try {
                const checked = validate(
                  MESSAGE_SCHEMAS[options.topic],
                  JSON.parse(message.value?.toString('utf8') ?? ''),
                );
                if (checked.ok) {
                  if (!options.dryRun) await producer.send(options.topic, [{ value: checked.value as never }]);
                  summary.replayed++;
                } else reason = checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
              } catch (error) {
                reason = `not JSON: ${(error as Error).message}`;
              }
              if (reason !== null) summary.stillInvalid.push({ offset: message.offset, reason: reason.slice(0, 300) });
            }
            const next = BigInt(message.offset) + 1n;
            if (!options.dryRun) {
              await consumer.commitOffsets([{ topic: source, partition, offset: next.toString() }]);
            }
            if (next >= end) done.add(partition);
            if (done.size === ends.size) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.onApplicationShutdown().catch(() => undefined);
    await admin.disconnect();
  }
  return summary;
}
