import type { KafkaSecurity } from './security';
/**
 * The seam between CVP's Kafka logic and a Kafka client library. Only wire operations live behind it:
 * sending already-serialized records, and a consumer loop that hands over the raw records of one partition
 * and takes back "done up to this offset". Validation, keys, headers, trace context, dead-lettering and
 * chunking stay in KafkaProducerService and KafkaConsumerServer, one implementation for every client.
 * Admin operations (health, lag, topic offsets, the broadcast follower) stay on kafkajs.
 */

/** Which client library carries the records, from `KAFKA_CLIENT`. */
export const KAFKA_CLIENT_KINDS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientKind = (typeof KAFKA_CLIENT_KINDS)[number];

export interface KafkaWireOptions {
  clientId: string;
  brokers: string[];
  /** Default kafkajs. */
  client?: KafkaClientKind;
  /**
   * How long a send keeps retrying (the client's own retries, then ours with backoff) before it fails with
   * ProduceDeadlineExceeded (default 15,000 ms; KAFKA_PRODUCE_DEADLINE_MS).
   */
  produceDeadlineMs?: number;
  /** TLS and SASL (`kafkaSecurityFromEnv`); none by default. */
  security?: KafkaSecurity;
}

/** One record as it goes on the wire: key and value already serialized, headers as text. */
export interface WireMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers: Record<string, string>;
}

/** An idempotent producer that resolves once every record is acknowledged by all in-sync replicas. */
export interface ProducerWire {
  connect(): Promise<void>;
  send(topic: string, messages: WireMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** One consumed record, before parsing. A header sent more than once keeps its last value. */
export interface RawRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Consecutive records of one partition, in offset order. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  records: RawRecord[];
}

/** What a batch handler may ask of the consumer loop while it works on a batch. */
export interface BatchControl {
  /** False once the loop is stopping or the partition was taken away: stop and return. */
  isActive(): boolean;
  /** Keeps the group membership alive during long work (a no-op where the client heartbeats by itself). */
  heartbeat(): Promise<void>;
  /** Every record up to and including `offset` is done: commit it (Kafka stores `offset + 1`). */
  commit(offset: string): Promise<void>;
}

/**
 * The handler of a consumer loop. Returning means the batch is done as far as it committed; throwing means a
 * transient failure: the loop retries the records after the last committed offset, with backoff.
 */
export type BatchHandler = (batch: PartitionBatch, control: BatchControl) => Promise<void>;

export interface ConsumerLoopOptions {
  groupId: string;
  topics: string[];
  /** A group with no committed offset starts at the earliest record (else at the latest). */
  fromBeginning: boolean;
  partitionsConsumedConcurrently: number;
}

/** A consumer group member that feeds partition batches to one handler until stopped. */
export interface ConsumerLoop {
  /** Resolves once the group is joined and fetching has started. */
  start(handler: BatchHandler): Promise<void>;
  /** Stops fetching, lets the batch in hand finish (its commits included), leaves the group. */
  stop(): Promise<void>;
  /** The client's own consumer object, for diagnostics. */
  unwrap(): unknown;
  /** Why the loop stopped consuming on its own (a crash it does not recover from); null while it runs. */
  failure(): string | null;
}

/** A client library behind the seam. */
export interface KafkaWire {
  readonly kind: KafkaClientKind;
  producer(): ProducerWire;
  consumer(options: ConsumerLoopOptions): ConsumerLoop;
}

export function isKafkaClientKind(value: string): value is KafkaClientKind {
  return (KAFKA_CLIENT_KINDS as readonly string[]).includes(value);
}
