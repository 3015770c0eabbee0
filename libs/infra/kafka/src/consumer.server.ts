import type { Admin } from 'kafkajs';
import { ConsumerLagMonitor } from './lag';
import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, RpcException, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { deadLetterTopic, MESSAGE_SCHEMAS, TOPICS, validate, type MessageOf, type TopicName } from '@cvp/contracts';
import {
  context,
  cvpMeter,
  durationHistogram,
  extractTraceContext,
  inSpan,
  secondsSince,
  sizeHistogram,
  SpanKind,
  type Context,
} from '@cvp/telemetry';
import type { DeadLetter, KafkaProducerService } from './producer.service';
import type { BatchControl, ConsumerLoop, KafkaWire, PartitionBatch, RawRecord } from './wire';

/** One validated record as a handler sees it. */
export interface ConsumedRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  headers: Record<string, string>;
  /** Producer's trace context: pass it on to what this record produces. */
  traceContext: Context;
}

/** What an `@EventPattern(topic)` handler receives: validated records of one partition, in offset order. */
export interface RecordBatch<T> {
  topic: string;
  partition: number;
  records: ConsumedRecord<T>[];
  /** Call during long work so the group does not consider this consumer dead. */
  heartbeat(): Promise<void>;
}

export type BatchOf<T extends TopicName> = RecordBatch<MessageOf<T>>;

/**
 * A record that can never succeed (bad data, a broken business rule). Thrown by a handler, it sends the
 * record to the topic's dead-letter topic at once; any other error is retried (see KafkaConsumerServer).
 */
export class PermanentError extends RpcException {
  constructor(message: string) {
    // Nest's RPC exception filter rethrows `getError()`: this shape lets the transport recognise it.
    super({ status: PERMANENT, message });
    this.name = 'PermanentError';
  }
}

const PERMANENT = 'permanent';
/** Links of a batch span to its records' producer spans, at most (a batch may hold 500 records). */
const MAX_SPAN_LINKS = 128;

/** The reason of a permanent failure, as it reaches the transport through Nest's exception filter. */
function permanentReason(error: unknown): string | undefined {
  if (error instanceof PermanentError) return error.message;
  const shaped = error as { status?: unknown; message?: unknown } | null;
  return shaped?.status === PERMANENT && typeof shaped.message === 'string' ? shaped.message : undefined;
}

export interface KafkaConsumerServerOptions {
  /** The client library that consumes (`KAFKA_WIRE`); the logic below is the same for every client. */
  wire: KafkaWire;
  producer: KafkaProducerService;
  groupId: string;
  /** Most records handed to one handler call. */
  maxRecordsPerCall?: number;
  partitionsConsumedConcurrently?: number;
  /** New consumer groups start at the earliest offset so nothing published before them is lost. */
  fromBeginning?: boolean;
  /** Calls of the handler on a record (or on the records around it) before it goes to the dead-letter topic. */
  maxAttempts?: number;
  /** Wait before the second attempt; doubled for each further one (at most 30 s). */
  retryBackoffMs?: number;
  /**
   * Whether the service's dependencies answer (its readiness). While they do not, a failing handler is retried
   * without counting attempts: an outage holds the partition, it does not dead-letter it. Default: always.
   */
  dependenciesHealthy?: () => Promise<boolean>;
  /** An admin client: with it the server exports its group's lag (`ConsumerLagMonitor`) while it consumes. */
  lagAdmin?: Admin;
  /**
   * Events dated further past this consumer's wall clock than this are dead-lettered like a broken contract: ingest
   * refuses them, so one on the topic came from a producer with a bad clock (or around ingest) and would move the
   * customer's features, and the training window, into the future for good. Default: no check.
   */
  maxFutureSkewMs?: number;
  /**
   * Which of these customers were erased: their records (on the customer-keyed topics) are committed without being
   * handled. Throws while it cannot tell: the batch waits and asks again.
   */
  erasedCustomers?: (customerIds: string[]) => Promise<Set<string>>;
}

/**
 * Nest microservice transport over the wire's consumer loop with one handler shape for every consumer:
 * parse + validate against the topic contract (invalid -> dead-letter topic with the reason), hand the
 * valid records of a partition to the handler in batches, then resolve and commit the offsets.
 *
 * No record blocks a partition: a handler error is retried with backoff; while the service's dependencies are down
 * the retries are not counted (nothing is dead-lettered for an outage); once a batch has failed `maxAttempts` times
 * with the dependencies up, it is split in halves, each retried the same way, down to the record that fails alone,
 * which goes to the dead-letter topic with the error and its attempt count, and the partition moves on. Handlers are
 * idempotent, so the records around a poison one that are handled again change nothing.
 */
export class KafkaConsumerServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(KafkaConsumerServer.name);
  private readonly consumed = cvpMeter().createCounter('cvp.kafka.consumed.records', {
    description:
      'Records consumed, by topic and outcome (handled, dead-lettered, erased: skipped for an erased customer)',
  });
  private readonly batchSize = sizeHistogram('cvp.kafka.batch.size', 'Records per handler call, by topic');
  private readonly batchDuration = durationHistogram(
    'cvp.kafka.batch.duration.seconds',
    'Time to handle one batch of records (retries included), by topic',
  );
  private loop?: ConsumerLoop;
  private lag?: ConsumerLagMonitor;

  constructor(private readonly options: KafkaConsumerServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const topics = [...this.messageHandlers.keys()];
      const unknown = topics.filter((topic) => !(topic in MESSAGE_SCHEMAS));
      if (unknown.length > 0) throw new Error(`no contract for topic(s) ${unknown.join(', ')}`);
      this.loop = this.options.wire.consumer({
        groupId: this.options.groupId,
        topics,
        fromBeginning: this.options.fromBeginning ?? true,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      });
      await this.loop.start((batch, control) => this.handleBatch(batch, control));
      if (this.options.lagAdmin) {
        this.lag = new ConsumerLagMonitor(this.options.lagAdmin, this.options.groupId, () => topics);
        this.lag.start();
      }
      this.log.log(`consuming ${topics.join(', ')} as group ${this.options.groupId} (${this.options.wire.kind})`);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async handleBatch(batch: PartitionBatch, control: BatchControl): Promise<void> {
    const topic = batch.topic as TopicName;
    const heartbeat = () => control.heartbeat();
    const handler = this.getHandlerByPattern(topic);
    if (!handler) throw new Error(`no handler for ${topic}`);
    const chunkSize = this.options.maxRecordsPerCall ?? 500;

    for (let start = 0; start < batch.records.length; start += chunkSize) {
      if (!control.isActive()) return;
      const messages = batch.records.slice(start, start + chunkSize);
      const valid: ConsumedRecord<unknown>[] = [];
      const invalid: DeadLetter[] = [];
      for (const message of messages) {
        const parsed = this.parse(topic, batch.partition, message);
        if ('reason' in parsed) invalid.push(parsed);
        else valid.push(parsed);
      }
      const kept = await this.withoutErased(valid, () => control.isActive());
      if (kept === null) return;
      const started = performance.now();
      // A span per handled batch, linked to the span of each record's producer (at most MAX_SPAN_LINKS of them).
      const rejected = await inSpan(
        `process ${topic}`,
        context.active(),
        {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(batch.partition),
          'messaging.consumer.group.name': this.options.groupId,
          'messaging.batch.message_count': kept.length,
        },
        () =>
          this.dispatch(handler, { topic, partition: batch.partition, records: kept, heartbeat }, () =>
            control.isActive(),
          ),
        SpanKind.CONSUMER,
        kept.slice(0, MAX_SPAN_LINKS).map((one) => one.traceContext),
      );
      await this.options.producer.sendDeadLetters(deadLetterTopic(topic), [...invalid, ...rejected]);
      this.batchSize.record(messages.length, { topic });
      this.batchDuration.record(secondsSince(started), { topic });
      this.consumed.add(kept.length - rejected.length, { topic, outcome: 'handled' });
      this.consumed.add(invalid.length + rejected.length, { topic, outcome: 'dead-lettered' });
      this.consumed.add(valid.length - kept.length, { topic, outcome: 'erased' });
      for (const letter of [...invalid, ...rejected]) {
        this.log.warn({ msg: 'record sent to dead-letter topic', topic, offset: letter.offset, reason: letter.reason });
      }
      await control.commit(messages[messages.length - 1].offset);
      await control.heartbeat();
    }
  }

  /** The records whose customer was not erased (null: the partition was taken away while the lookup was retried). */
  private async withoutErased(
    records: ConsumedRecord<unknown>[],
    isActive: () => boolean,
  ): Promise<ConsumedRecord<unknown>[] | null> {
    const lookup = this.options.erasedCustomers;
    const customerOf = (record: ConsumedRecord<unknown>) => (record.value as { customerId?: unknown }).customerId;
    const ids = records.map(customerOf).filter((id): id is string => typeof id === 'string');
    if (!lookup || ids.length === 0) return records;
    for (let wait = 0; ; wait++) {
      try {
        const erased = await lookup(ids);
        if (erased.size === 0) return records;
        const kept = records.filter((record) => !erased.has(customerOf(record) as string));
        this.log.log({ msg: 'records of erased customers skipped', skipped: records.length - kept.length });
        return kept;
      } catch (error) {
        if (!isActive()) return null;
        if (wait === 0 || wait % 10 === 0) {
          this.log.warn({ msg: 'cannot tell which customers were erased, retrying', error: (error as Error).message });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** wait)));
      }
    }
  }

  /**
   * Calls the handler on the batch; returns the dead letters of the records that cannot be handled (a PermanentError
   * at once, any other error after `maxAttempts` with the dependencies up), narrowed down to those records.
   */
  private async dispatch(
    handler: NonNullable<ReturnType<Server['getHandlerByPattern']>>,
    batch: RecordBatch<unknown>,
    isActive: () => boolean = () => true,
  ): Promise<DeadLetter[]> {
    if (batch.records.length === 0) return [];
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempts = 0, waits = 0; ; waits++) {
      let error: unknown;
      try {
        const result = await handler(batch);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        return [];
      } catch (caught) {
        error = caught;
      }
      const reason = permanentReason(error);
      if (reason !== undefined)
        return this.narrow(handler, batch, isActive, reason, (one) => this.deadLetter(one, reason));
      const message = error instanceof Error ? error.message : JSON.stringify(error);
      if (await this.healthy()) attempts++;
      if (attempts >= maxAttempts) {
        return this.narrow(handler, batch, isActive, message, (one) =>
          this.deadLetter(one, `failed ${attempts} attempts: ${message}`, attempts),
        );
      }
      // A rebalance took the partition away: stop here, the new owner retries from the last commit.
      if (!isActive()) throw error instanceof Error ? error : new Error(message);
      this.log.warn({
        msg: 'handler failed, retrying',
        topic: batch.topic,
        partition: batch.partition,
        attempts,
        error: message,
      });
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(30_000, (this.options.retryBackoffMs ?? 200) * 2 ** waits)),
      );
      await batch.heartbeat();
    }
  }

  /** A batch that cannot be handled whole: its halves are dispatched on their own, down to single records. */
  private async narrow(
    handler: NonNullable<ReturnType<Server['getHandlerByPattern']>>,
    batch: RecordBatch<unknown>,
    isActive: () => boolean,
    reason: string,
    letter: (record: ConsumedRecord<unknown>) => DeadLetter,
  ): Promise<DeadLetter[]> {
    if (batch.records.length === 1) return [letter(batch.records[0])];
    this.log.warn({ msg: 'narrowing down a failing batch', topic: batch.topic, records: batch.records.length, reason });
    const middle = Math.ceil(batch.records.length / 2);
    const rejected: DeadLetter[] = [];
    for (const records of [batch.records.slice(0, middle), batch.records.slice(middle)]) {
      rejected.push(...(await this.dispatch(handler, { ...batch, records }, isActive)));
    }
    return rejected;
  }

  private async healthy(): Promise<boolean> {
    if (!this.options.dependenciesHealthy) return true;
    return this.options.dependenciesHealthy().catch(() => false);
  }

  private parse(topic: TopicName, partition: number, message: RawRecord): ConsumedRecord<unknown> | DeadLetter {
    const headers = message.headers;
    const fail = (reason: string): DeadLetter => ({
      sourceTopic: topic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers,
      reason,
      consumerGroup: this.options.groupId,
    });
    if (!message.value) return fail('empty record value');
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      return fail(`not JSON: ${(error as Error).message}`);
    }
    const checked = validate(MESSAGE_SCHEMAS[topic], json);
    if (!checked.ok)
      return fail(`contract ${topic}: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    if (topic === TOPICS.events && this.options.maxFutureSkewMs !== undefined) {
      const { occurredAt } = checked.value as MessageOf<typeof TOPICS.events>;
      const latestMs = Date.now() + this.options.maxFutureSkewMs;
      if (Date.parse(occurredAt) > latestMs) {
        return fail(
          `occurredAt ${occurredAt} is after ${new Date(latestMs).toISOString()} (the clock plus the allowed skew)`,
        );
      }
    }
    return {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: checked.value,
      headers,
      traceContext: extractTraceContext(headers),
    };
  }

  private deadLetter(record: ConsumedRecord<unknown>, reason: string, attempts?: number): DeadLetter {
    return {
      attempts,
      sourceTopic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key === null ? null : Buffer.from(record.key),
      value: Buffer.from(JSON.stringify(record.value)),
      headers: record.headers,
      reason,
      consumerGroup: this.options.groupId,
    };
  }

  /** Why the consumer stopped consuming on its own (liveness fails on it); null while it runs or before it starts. */
  failure(): string | null {
    return this.loop?.failure() ?? null;
  }

  /** Stops fetching, lets the batch in hand finish, commits what was resolved, leaves the group. */
  async close(): Promise<void> {
    await this.lag?.stop();
    this.lag = undefined;
    await this.loop?.stop();
    this.loop = undefined;
  }

  on(): void {
    throw new Error('KafkaConsumerServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    if (!this.loop) throw new Error('consumer not started');
    return this.loop.unwrap() as T;
  }
}
