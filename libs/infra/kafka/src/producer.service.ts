import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { MESSAGE_SCHEMAS, messageKey, validate, type MessageOf, type TopicName } from '@cvp/contracts';
import { injectTraceHeaders, type Context } from '@cvp/telemetry';
import { KAFKA_CLIENT } from './tokens';

export interface OutgoingMessage<T extends TopicName> {
  value: MessageOf<T>;
  /** Trace context of the record this message derives from, so one event can be followed across services. */
  traceContext?: Context;
}

/** What a dead-letter topic receives: the original bytes and why they could not be processed. */
export interface DeadLetter {
  sourceTopic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  reason: string;
  consumerGroup: string;
}

/**
 * The one way CVP writes to Kafka. It owns serialization (JSON validated against the topic's contract),
 * keys (customerId), headers (content type, trace context) and acknowledgements (acks=all, idempotent).
 */
@Injectable()
export class KafkaProducerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaProducerService.name);
  private readonly producer: Producer;
  private connecting?: Promise<void>;

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 100 },
    });
  }

  /** Resolves once every message is acknowledged by all in-sync replicas. Throws on an invalid message. */
  async send<T extends TopicName>(topic: T, messages: OutgoingMessage<T>[]): Promise<void> {
    if (messages.length === 0) return;
    const schema = MESSAGE_SCHEMAS[topic];
    const records: Message[] = messages.map(({ value, traceContext }, index) => {
      const checked = validate(schema, value);
      if (!checked.ok) {
        throw new Error(
          `refusing to produce an invalid ${topic} message #${index}: ${checked.errors
            .map((e) => `${e.path}: ${e.message}`)
            .join('; ')}`,
        );
      }
      return {
        key: messageKey(topic, checked.value as MessageOf<T>),
        value: JSON.stringify(checked.value),
        headers: injectTraceHeaders({ 'content-type': 'application/json', 'cvp-topic': topic }, traceContext),
      };
    });
    await this.ready();
    await this.producer.send({ topic, messages: records, acks: -1, compression: CompressionTypes.None });
  }

  async sendDeadLetters(deadLetterTopic: string, letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.ready();
    await this.producer.send({
      topic: deadLetterTopic,
      acks: -1,
      messages: letters.map((letter) => ({
        key: letter.key,
        value: letter.value,
        headers: {
          ...letter.headers,
          'cvp-dlt-reason': letter.reason.slice(0, 4000),
          'cvp-dlt-source-topic': letter.sourceTopic,
          'cvp-dlt-source-partition': String(letter.partition),
          'cvp-dlt-source-offset': letter.offset,
          'cvp-dlt-consumer-group': letter.consumerGroup,
          'cvp-dlt-failed-at': new Date().toISOString(),
        },
      })),
    });
  }

  /** Connects in the background at boot so the first request does not pay for it. */
  onApplicationBootstrap(): void {
    this.ready().catch((error: Error) => this.logger.warn(`producer not connected yet: ${error.message}`));
  }

  /** Connects once; a failed connect is retried by the next send. */
  ready(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connecting) {
      await this.producer.disconnect();
      this.logger.log('producer disconnected');
    }
  }
}
