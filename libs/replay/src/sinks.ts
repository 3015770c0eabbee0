import type { ClickstreamEvent, FieldError } from '@cvp/contracts';
import { TOPICS } from '@cvp/contracts';
import { createKafkaWire, KafkaProducerService, kafkaSecurityFromEnv } from '@cvp/kafka';

export interface SinkResult {
  accepted: number;
  /** Events the sink refused for good (never retried), with why. */
  rejected: { event: ClickstreamEvent; errors: FieldError[] }[];
  retries: number;
}

/** Where replayed events go: ingest over HTTP (as producers do), or straight to Kafka. */
export interface EventSink {
  send(events: ClickstreamEvent[]): Promise<SinkResult>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs batches to ingest. 5xx and network errors are retried with exponential backoff (ingest answers 202
 * only after Kafka acknowledged, so a retry never loses an event and the pipeline deduplicates by eventId).
 * A 400 names the bad events: they are set aside as rejected and the rest of the batch is sent again. 429 (over the
 * key's rate limit) waits and sends again; 401/403 (no usable key) stop the replay.
 */
export class HttpSink implements EventSink {
  /** `apiKey`: a `producer` (or `admin`) key, sent as `Authorization: Bearer <key>`. */
  constructor(
    private readonly ingestUrl: string,
    private readonly apiKey?: string,
    private readonly maxAttempts = 8,
  ) {}

  async send(events: ClickstreamEvent[]): Promise<SinkResult> {
    const result: SinkResult = { accepted: 0, rejected: [], retries: 0 };
    let pending = events;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let status = 0;
      let body: { errors?: FieldError[]; message?: string } | null = null;
      try {
        const response = await fetch(`${this.ingestUrl}/v1/events`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
          },
          body: JSON.stringify({ events: pending }),
        });
        status = response.status;
        body = status === 202 ? null : ((await response.json().catch(() => null)) as typeof body);
      } catch (error) {
        body = { message: (error as Error).message };
      }
      if (status === 202) {
        result.accepted += pending.length;
        return result;
      }
      if (status === 400 && body?.errors?.length) {
        const byIndex = new Map<number, FieldError[]>();
        for (const error of body.errors) {
          const index = Number(/^events\.(\d+)/.exec(error.path)?.[1]);
          if (Number.isInteger(index)) byIndex.set(index, [...(byIndex.get(index) ?? []), error]);
        }
        if (byIndex.size === 0) throw new Error(`ingest refused the batch: ${JSON.stringify(body).slice(0, 500)}`);
        result.rejected.push(...[...byIndex].map(([index, errors]) => ({ event: pending[index], errors })));
        pending = pending.filter((_, index) => !byIndex.has(index));
        continue;
      }
      // 429: over the key's rate limit, sent again after the wait like an outage.
      if (status >= 400 && status < 500 && status !== 429)
        throw new Error(`ingest refused the batch (${status}): ${JSON.stringify(body).slice(0, 500)}`);
      if (attempt >= this.maxAttempts)
        throw new Error(`ingest unavailable after ${attempt} attempts: ${status || body?.message}`);
      result.retries++;
      await sleep(Math.min(200 * 2 ** (attempt - 1), 10_000));
    }
    return result;
  }

  async close(): Promise<void> {
    // fetch keeps no connection of its own to close.
  }
}

/** Produces straight to cvp.events.v1 through the project's one producer (acks=all, idempotent). */
export class KafkaSink implements EventSink {
  private readonly producer: KafkaProducerService;

  constructor(brokers: string[]) {
    this.producer = new KafkaProducerService(
      createKafkaWire({ clientId: 'cvp-replay', brokers, security: kafkaSecurityFromEnv() }),
    );
  }

  async send(events: ClickstreamEvent[]): Promise<SinkResult> {
    await this.producer.send(
      TOPICS.events,
      events.map((value) => ({ value })),
    );
    return { accepted: events.length, rejected: [], retries: 0 };
  }

  close(): Promise<void> {
    return this.producer.onApplicationShutdown();
  }
}
