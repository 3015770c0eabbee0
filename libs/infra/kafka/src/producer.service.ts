import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MESSAGE_SCHEMAS, messageKey, validate, type MessageOf, type TopicName } from '@cvp/contracts';
import {
  cvpMeter,
  durationHistogram,
  injectTraceHeaders,
  producerSpanContext,
  secondsSince,
  type Context,
} from '@cvp/telemetry';
import { KAFKA_OPTIONS, KAFKA_WIRE } from './tokens';
import type { KafkaWire, KafkaWireOptions, ProducerWire, WireMessage } from './wire';

/**
 * Kafka did not acknowledge a send within the deadline: nothing of it may be taken as durable. Callers answer
 * with "try again" (ingest: 503 with Retry-After) and must not acknowledge what they were sending.
 */
export class ProduceDeadlineExceeded extends Error {
  constructor(
    readonly topic: string,
    readonly elapsedMs: number,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(
      `Kafka did not acknowledge ${topic} within ${elapsedMs} ms (${attempts} attempts): ${(cause as Error)?.message ?? cause}`,
    );
    this.name = 'ProduceDeadlineExceeded';
  }
}

export const DEFAULT_PRODUCE_DEADLINE_MS = 15_000;

/** `work`, or a rejection once `ms` have passed (the work itself goes on). */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement within ${Math.max(0, ms)} ms`)), Math.max(0, ms));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

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

  private readonly deadlineMs: number;
  private readonly produced = cvpMeter().createCounter('cvp.kafka.produced.messages', {
    description: 'Messages Kafka acknowledged, by topic',
  });
  private readonly produceDuration = durationHistogram(
    'cvp.kafka.produce.duration.seconds',
    'Time from send to acknowledgement of a batch of messages, by topic',
  );

  constructor(@Inject(KAFKA_WIRE) wire: KafkaWire, @Inject(KAFKA_OPTIONS) options: Partial<KafkaWireOptions> = {}) {
    this.producer = wire.producer();
    this.deadlineMs = options?.produceDeadlineMs ?? DEFAULT_PRODUCE_DEADLINE_MS;
  }

  /**
   * Sends until acknowledged or the deadline passes: the client retries by itself, and a send it gave up on is
   * sent again with backoff (100 ms doubling to 2 s). A record sent again after an unknown outcome may be written
   * twice (at least once): every consumer is idempotent by its record's identity.
   */
  private async sendWithin(topic: string, records: WireMessage[]): Promise<void> {
    const started = Date.now();
    const timer = performance.now();
    let backoffMs = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        // The client's own retries may outlast the deadline: the caller's wait is bounded by it all the same (a send
        // still in flight then may yet be written: at least once).
        const inFlight = (async () => {
          await this.ready();
          await this.producer.send(topic, records);
        })();
        inFlight.catch(() => undefined);
        await withDeadline(inFlight, this.deadlineMs - (Date.now() - started));
        this.produced.add(records.length, { topic });
        this.produceDuration.record(secondsSince(timer), { topic });
        return;
      } catch (error) {
        const elapsed = Date.now() - started;
        if (elapsed + backoffMs >= this.deadlineMs) throw new ProduceDeadlineExceeded(topic, elapsed, attempt, error);
        this.logger.warn(`send to ${topic} failed (attempt ${attempt}), retrying: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 2000);
      }
    }
  }

  /**
   * Resolves once every message is acknowledged by all in-sync replicas. Throws on an invalid message, and with
   * ProduceDeadlineExceeded when Kafka did not acknowledge within the deadline. `validated`: every value is what the
   * topic's own schema returned to the caller just now (ingest's request validation), so it is not parsed twice.
   */
  async send<T extends TopicName>(
    topic: T,
    messages: OutgoingMessage<T>[],
    options: { validated?: boolean } = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    const schema = MESSAGE_SCHEMAS[topic];
    const records: WireMessage[] = messages.map(({ value, traceContext }, index) => {
      const checked = options.validated ? { ok: true as const, value } : validate(schema, value);
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
        // A span per message, child of the trace it continues: its consumers link their batch spans to it.
        headers: injectTraceHeaders(
          { 'content-type': 'application/json', 'cvp-topic': topic },
          producerSpanContext(topic, traceContext),
        ),
      };
    });
    await this.sendWithin(topic, records);
  }

  async sendDeadLetters(deadLetterTopic: string, letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.sendWithin(
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
