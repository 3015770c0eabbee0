import { Logger } from '@nestjs/common';
import type { Consumer, Message, MessagesStream, Producer } from '@platformatic/kafka';
import {
  forEachLimited,
  groupByPartition,
  notYetCommitted,
  partitionKey,
  retryDelayMs,
  textHeaders,
} from './partition-batches';
import { platformaticSecurity, type KafkaSecurity } from './security';
import { SendQueue } from './send-queue';
import type {
  BatchHandler,
  ConsumerLoop,
  ConsumerLoopOptions,
  KafkaWire,
  ProducerWire,
  RawRecord,
  WireMessage,
} from './wire';

type Bytes = string | Buffer;
type PlatformaticModule = typeof import('@platformatic/kafka');

/**
 * @platformatic/kafka is an ES module: it is loaded only when KAFKA_CLIENT=platformatic, so the default path (and
 * Jest, which cannot require an ES module on Node 20) never loads it. Node >= 20.19 requires it natively.
 */
function load(): PlatformaticModule {
  return require('@platformatic/kafka') as PlatformaticModule;
}

const toBytes = (data?: Bytes | null): Buffer | undefined =>
  data === undefined || data === null ? undefined : Buffer.isBuffer(data) ? data : Buffer.from(data);

/** @platformatic/kafka (pure JavaScript, maintained), chosen with KAFKA_CLIENT=platformatic. */
export class PlatformaticWire implements KafkaWire {
  readonly kind = 'platformatic';
  private readonly kafka = load();

  constructor(private readonly options: { clientId: string; brokers: string[]; security?: KafkaSecurity }) {}

  producer(): ProducerWire {
    const producer = new this.kafka.Producer<Bytes, Bytes, Bytes, Bytes>({
      clientId: this.options.clientId,
      bootstrapBrokers: this.options.brokers,
      ...platformaticSecurity(this.options.security),
      connectTimeout: 3000,
      timeout: 10_000,
      retries: 5,
      retryDelay: 100,
      idempotent: true,
      autocreateTopics: false,
      // Same partition per key as kafkajs and the Java client (murmur2 & 0x7fffffff): its default partitioner
      // (murmur2 >>> 0) puts about half the keys elsewhere, which would reorder a customer's events on a switch.
      partitioner: this.kafka.compatibilityPartitioner,
      serializers: { key: toBytes, value: toBytes, headerKey: toBytes, headerValue: toBytes },
    });
    return new PlatformaticProducerWire(producer);
  }

  consumer(options: ConsumerLoopOptions): ConsumerLoop {
    return new PlatformaticConsumerLoop(this.kafka, this.options, options);
  }
}

class PlatformaticProducerWire implements ProducerWire {
  /** One produce request at a time (the client's idempotent sequence numbers are wrong for two in flight). */
  private readonly queue: SendQueue;

  constructor(private readonly producer: Producer<Bytes, Bytes, Bytes, Bytes>) {
    this.queue = new SendQueue(async (sends) => {
      // acks=all and idempotence come with `idempotent: true`.
      await this.producer.send({
        messages: sends.flatMap(({ topic, messages }) =>
          messages.map(({ key, value, headers }) => ({
            topic,
            key: key ?? undefined,
            value: value ?? undefined,
            headers,
          })),
        ),
      });
    });
  }

  async connect(): Promise<void> {
    await this.producer.initIdempotentProducer({});
  }

  send(topic: string, messages: WireMessage[]): Promise<void> {
    return this.queue.send(topic, messages);
  }

  async disconnect(): Promise<void> {
    await this.producer.close();
  }
}

/**
 * The client delivers records one by one on a stream and heartbeats on its own. This loop takes what the stream has
 * buffered, hands it over as one batch per partition, commits what the handler says is done, and retries a failed
 * batch from its last committed offset (kafkajs does the last part by itself).
 */
class PlatformaticConsumerLoop implements ConsumerLoop {
  private readonly log: Logger;
  private consumer?: Consumer;
  private stream?: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  private streamError?: Error;
  private pumping?: Promise<void>;
  private stopping = false;
  private failed: string | null = null;
  /** Resolved by the stream's events (records to read, end, error) and by stop(). */
  private readonly waiters = new Set<() => void>();
  /** Backoff sleeps, cut short only by stop(). */
  private readonly sleepers = new Set<() => void>();
  /** Per topic-partition, the last offset this member committed: records re-delivered after it are skipped. */
  private readonly committedThrough = new Map<string, bigint>();

  constructor(
    private readonly kafka: PlatformaticModule,
    private readonly client: { clientId: string; brokers: string[]; security?: KafkaSecurity },
    private readonly options: ConsumerLoopOptions,
  ) {
    this.log = new Logger(`platformatic ${options.groupId}`);
  }

  async start(handler: BatchHandler): Promise<void> {
    this.consumer = new this.kafka.Consumer({
      clientId: this.client.clientId,
      bootstrapBrokers: this.client.brokers,
      ...platformaticSecurity(this.client.security),
      groupId: this.options.groupId,
      connectTimeout: 3000,
      timeout: 10_000,
      retries: 10,
      retryDelay: 300,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      autocommit: false,
      autocreateTopics: false,
    });
    const stream = await this.openStream(this.consumer);
    this.failed = null;
    this.pumping = this.pump(this.consumer, stream, handler).catch((error: Error) => {
      this.failed = `consumer loop stopped: ${error.message}`;
      this.log.error({ msg: 'consumer loop stopped', error: error.message });
    });
  }

  private async openStream(consumer: Consumer): Promise<MessagesStream<Buffer, Buffer, Buffer, Buffer>> {
    const stream = await consumer.consume({
      topics: this.options.topics,
      mode: 'committed',
      fallbackMode: this.options.fromBeginning ? 'earliest' : 'latest',
      autocommit: false,
      // As kafkajs fetches: at most 1 MiB a partition. A deeper read-ahead buffer (1,024 records by default) gives
      // batches as large as kafkajs' under backlog, so the handlers make as few Redis/PostgreSQL round trips.
      maxBytesPerPartition: 1024 * 1024,
      highWaterMark: 5000,
    });
    this.stream = stream;
    this.streamError = undefined;
    const wakeAll = () => wake(this.waiters);
    // A 'readable' listener puts the stream in paused mode: it fetches ahead up to its high-water mark.
    stream.on('readable', wakeAll);
    stream.on('end', wakeAll);
    stream.on('close', wakeAll);
    stream.on('error', (error: Error) => {
      this.streamError = error;
      wakeAll();
    });
    return stream;
  }

  private async pump(
    consumer: Consumer,
    first: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
    handler: BatchHandler,
  ): Promise<void> {
    let stream = first;
    while (!this.stopping) {
      const buffered: Message<Buffer, Buffer, Buffer, Buffer>[] = [];
      for (let message = stream.read(); message !== null; message = stream.read()) buffered.push(message);
      if (buffered.length > 0) {
        await forEachLimited(groupByPartition(buffered), this.options.partitionsConsumedConcurrently, (messages) =>
          this.deliver(messages, handler),
        );
        continue;
      }
      if (stream.destroyed || stream.readableEnded) {
        // The stream failed (a broker went away, say): consume again from the committed offsets.
        this.log.warn({ msg: 'stream closed, consuming again', error: this.streamError?.message });
        await this.sleep(1000);
        if (this.stopping) break;
        try {
          stream = await this.openStream(consumer);
        } catch (error) {
          this.log.warn({ msg: 'could not consume again', error: (error as Error).message });
        }
        continue;
      }
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  private async deliver(messages: Message<Buffer, Buffer, Buffer, Buffer>[], handler: BatchHandler): Promise<void> {
    const { topic, partition } = messages[0];
    const key = partitionKey(topic, partition);
    for (let attempt = 1; ; attempt++) {
      const pending = notYetCommitted(messages, this.committedThrough.get(key));
      if (pending.length === 0 || this.stopping || !this.owns(topic, partition)) return;
      const byOffset = new Map(pending.map((message) => [String(message.offset), message]));
      try {
        await handler(
          { topic, partition, records: pending.map(toRawRecord) },
          {
            isActive: () => !this.stopping && this.owns(topic, partition),
            heartbeat: async () => undefined,
            commit: async (offset) => {
              const message = byOffset.get(offset);
              if (!message) throw new Error(`offset ${offset} is not in the batch of ${key}`);
              await message.commit();
              this.committedThrough.set(key, message.offset);
            },
          },
        );
        return;
      } catch (error) {
        const delay = retryDelayMs(attempt);
        this.log.warn({
          msg: 'batch failed, retrying',
          topic,
          partition,
          attempt,
          delay,
          error: (error as Error).message,
        });
        await this.sleep(delay);
      }
    }
  }

  /** Whether this member still holds the partition (records buffered before a rebalance are dropped, not handled). */
  private owns(topic: string, partition: number): boolean {
    return (
      this.consumer?.assignments?.some(
        (assignment) => assignment.topic === topic && assignment.partitions.includes(partition),
      ) ?? false
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    wake(this.waiters);
    wake(this.sleepers);
    await this.pumping;
    // The group can only be left once no stream consumes: close it first (records read ahead are dropped, uncommitted).
    await this.stream?.close();
    await this.consumer?.close();
    this.stream = undefined;
    this.consumer = undefined;
  }

  unwrap(): unknown {
    return this.consumer;
  }

  failure(): string | null {
    return this.failed;
  }
}

function wake(waiting: Set<() => void>): void {
  const all = [...waiting];
  waiting.clear();
  for (const resolve of all) resolve();
}

function toRawRecord(message: Message<Buffer, Buffer, Buffer, Buffer>): RawRecord {
  return {
    offset: String(message.offset),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: textHeaders(message.headers),
  };
}
