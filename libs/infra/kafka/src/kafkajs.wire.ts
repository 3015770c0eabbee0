import { Logger } from '@nestjs/common';
import { CompressionTypes, Kafka, logLevel, type Consumer, type IHeaders, type LogEntry, type Producer } from 'kafkajs';
import { kafkajsSecurity, type KafkaSecurity } from './security';
import type { BatchHandler, ConsumerLoop, ConsumerLoopOptions, KafkaWire, ProducerWire, WireMessage } from './wire';

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through the service's logger, warnings and up (it is chatty below that). */
export function createKafkaClient(
  options: { clientId: string; brokers: string[]; security?: KafkaSecurity },
  logger = new Logger('kafkajs'),
): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkajsSecurity(options.security),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        logger[LEVELS[level] ?? 'log']({ msg: message, ...extra });
      },
  });
}

/** kafkajs (unmaintained since 2023), the default. */
export class KafkajsWire implements KafkaWire {
  readonly kind = 'kafkajs';

  constructor(private readonly kafka: Kafka) {}

  producer(): ProducerWire {
    return new KafkajsProducerWire(
      this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: 5, initialRetryTime: 100 },
      }),
    );
  }

  consumer(options: ConsumerLoopOptions): ConsumerLoop {
    return new KafkajsConsumerLoop(this.kafka, options);
  }
}

class KafkajsProducerWire implements ProducerWire {
  constructor(private readonly producer: Producer) {}

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(topic: string, messages: WireMessage[]): Promise<void> {
    await this.producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** eachBatch with manual resolve: kafkajs retries a failed batch from the last resolved offset by itself. */
class KafkajsConsumerLoop implements ConsumerLoop {
  private consumer?: Consumer;
  private crashed: string | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerLoopOptions,
  ) {}

  async start(handler: BatchHandler): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300 },
    });
    this.consumer = consumer;
    this.crashed = null;
    // kafkajs restarts itself after a retriable error; after any other one the consumer stays down.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.crashed = `consumer crashed: ${payload.error?.message ?? 'unknown error'}`;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        await handler(
          {
            topic: batch.topic,
            partition: batch.partition,
            records: batch.messages.map((message) => ({
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers: stringHeaders(message.headers),
            })),
          },
          {
            isActive: () => isRunning() && !isStale(),
            heartbeat,
            commit: async (offset) => {
              resolveOffset(offset);
              await commitOffsetsIfNecessary();
            },
          },
        );
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  unwrap(): unknown {
    return this.consumer;
  }

  failure(): string | null {
    return this.crashed;
  }
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = (Array.isArray(value) ? value[value.length - 1] : value).toString();
  }
  return out;
}
