import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MESSAGE_SCHEMAS, messageKey, validate, type MessageOf, type TopicName } from '@cvp/contracts';
import { injectTraceHeaders, type Context } from '@cvp/telemetry';
import { KAFKA_WIRE } from './tokens';
import type { KafkaWire, ProducerWire, WireMessage } from './wire';

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
  /** How many times the handler failed on it (absent: refused without trying, e.g. a contract violation). */
  attempts?: number;
}

/**
 * The one way CVP writes to Kafka. It owns serialization (JSON validated against the topic's contract),
 * keys (customerId), headers (content type, trace context) and acknowledgements (acks=all, idempotent).
 * The client library underneath is the wire's (`KAFKA_CLIENT`); everything above the wire is the same for all.
 */
@Injectable()
export class KafkaProducerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaProducerService.name);
  private readonly producer: ProducerWire;
  private connecting?: Promise<void>;

  constructor(@Inject(KAFKA_WIRE) wire: KafkaWire) {
    this.producer = wire.producer();
  }

  /** Resolves once every message is acknowledged by all in-sync replicas. Throws on an invalid message. */
  async send<T extends TopicName>(topic: T, messages: OutgoingMessage<T>[]): Promise<void> {
    if (messages.length === 0) return;
    const schema = MESSAGE_SCHEMAS[topic];
    const records: WireMessage[] = messages.map(({ value, traceContext }, index) => {
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
    await this.producer.send(topic, records);
  }

  async sendDeadLetters(deadLetterTopic: string, letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.ready();
    await this.producer.send(
      deadLetterTopic,
      letters.map((letter) => ({
        key: letter.key,
        value: letter.value,
        headers: {
          ...letter.headers,
          'cvp-dlt-reason': letter.reason.slice(0, 4000),
          'cvp-dlt-source-topic': letter.sourceTopic,
          'cvp-dlt-source-partition': String(letter.partition),
          'cvp-dlt-source-offset': letter.offset,
          'cvp-dlt-consumer-group': letter.consumerGroup,
          ...(letter.attempts === undefined ? {} : { 'cvp-dlt-attempts': String(letter.attempts) }),
          'cvp-dlt-failed-at': new Date().toISOString(),
        },
      })),
    );
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
