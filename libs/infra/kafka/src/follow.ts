import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer, Kafka } from 'kafkajs';
import { MESSAGE_SCHEMAS, validate, type MessageOf, type TopicName } from '@cvp/contracts';

export interface FollowedRecord<T> {
  offset: string;
  partition: number;
  value: T;
}

export interface Following {
  /** Resolves once the last record that existed when following started has been handled (at once if none). */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows a low-volume broadcast topic (`cvp.models.v1`) so that EVERY instance of a service sees every new record,
 * unlike a shared consumer group where one instance gets each: a consumer group of its own per process, starting
 * with the last record present at start (the current state: the published model), then each new one in order.
 * Older records are read past without calling the handler. Records that break the contract are logged and skipped;
 * a handler error is logged and the next record is still delivered (the follower keeps its previous state).
 */
export async function followTopic<T extends TopicName>(
  kafka: Kafka,
  topic: T,
  groupPrefix: string,
  handler: (record: FollowedRecord<MessageOf<T>>) => Promise<void>,
  logger = new Logger(`follow ${topic}`),
): Promise<Following> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  // Per partition, the offset of the last record at start: records before it are history.
  const lastAtStart = new Map(ends.map((end) => [end.partition, Number(end.high) - 1]));
  const pending = new Set(ends.filter((end) => Number(end.high) > Number(end.low)).map((end) => end.partition));
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if (pending.size === 0) markCaughtUp();

  const consumer: Consumer = kafka.consumer({
    groupId: `${groupPrefix}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset);
      const last = lastAtStart.get(partition) ?? -1;
      try {
        if (offset < last) return;
        const parsed = parse(topic, message.value);
        if (typeof parsed === 'string') {
          logger.error({ msg: 'record skipped', topic, partition, offset: message.offset, reason: parsed });
          return;
        }
        await handler({ offset: message.offset, partition, value: parsed });
      } catch (error) {
        logger.error({
          msg: 'handler failed',
          topic,
          partition,
          offset: message.offset,
          error: (error as Error).message,
        });
      } finally {
        if (offset >= last && pending.delete(partition) && pending.size === 0) markCaughtUp();
      }
    },
  });
  return { caughtUp, stop: () => consumer.disconnect() };
}

function parse<T extends TopicName>(topic: T, value: Buffer | null): MessageOf<T> | string {
  if (!value) return 'empty record value';
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const checked = validate(MESSAGE_SCHEMAS[topic], json);
  if (!checked.ok) return `contract ${topic}: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
  return checked.value as MessageOf<T>;
}

/** The last valid record of a topic (by offset, over partitions), or null when there is none. */
export async function readLastRecord<T extends TopicName>(
  kafka: Kafka,
  topic: T,
  groupPrefix: string,
): Promise<MessageOf<T> | null> {
  let last: FollowedRecord<MessageOf<T>> | null = null;
  const following = await followTopic(kafka, topic, groupPrefix, async (record) => {
    last = record;
  });
  try {
    await following.caughtUp;
  } finally {
    await following.stop();
  }
  return (last as FollowedRecord<MessageOf<T>> | null)?.value ?? null;
}

/**
 * `followTopic` started again every second while the broker is not reachable (a warning on the first try and every
 * tenth), until it follows and has caught up, or `stopped()` says to give up (then null).
 */
export async function followTopicUntilCaughtUp<T extends TopicName>(
  kafka: Kafka,
  topic: T,
  groupPrefix: string,
  handler: (record: FollowedRecord<MessageOf<T>>) => Promise<void>,
  stopped: () => boolean,
  warn: (attempt: number, error: Error) => void,
): Promise<Following | null> {
  for (let attempt = 1; !stopped(); attempt++) {
    let following: Following | undefined;
    try {
      following = await followTopic(kafka, topic, groupPrefix, handler);
      await following.caughtUp;
      return following;
    } catch (error) {
      await following?.stop().catch(() => undefined);
      if (attempt === 1 || attempt % 10 === 0) warn(attempt, error as Error);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  return null;
}
