import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS, type ClickstreamEvent } from '@cvp/contracts';
import { PrismaService } from '@cvp/db';
import type { Kafka } from 'kafkajs';
import { consumerGroupLag, KAFKA_CLIENT, KafkaProducerService } from '@cvp/kafka';
import type { FeaturesConfig } from './config';
import { FEATURES_CONFIG } from './persistence-guard';
import { readReviews, ReviewHeadHolder, type Review, type ServedReviewHead } from './review-head';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** One back-fill at a time among every worker replica: a transaction-scoped PostgreSQL advisory lock per page. */
const BACKFILL_LOCK = 'cvp-review-backfill';

interface StoredReview {
  event_id: string;
  customer_id: string;
  occurred_at: Date;
  payload: ClickstreamEvent;
}

export interface BackfillOutcome {
  /** Reviews read and published. */
  read: number;
  /** `done`: no unread review stored before the head came; `busy`: another replica holds the back-fill. */
  end: 'done' | 'busy' | 'stopped';
}

/**
 * Reviews the worker passed over — written before any head was published, or older than what Kafka still holds —
 * read once a head is served: every stored review (`training_events`, the trainer's copy of every accepted event)
 * that has no reading yet (`review_readings`, the trainer's copy of every reading), in time order, a page at a time,
 * published on cvp.review-signals.v1 like the live worker's readings. A reading is idempotent downstream (the features
 * service and the trainer keep a review's first reading), so a page read twice changes nothing. Each page is taken under
 * a PostgreSQL advisory lock held until it is published: with several worker replicas one back-fills, the others
 * find the lock taken and leave it. Reviews stored after the head came are the live worker's, and so are those still
 * ahead of it in Kafka: the back-fill starts once the worker has caught up (and its readings had
 * `TEXT_BACKFILL_GRACE_MS` to be stored).
 */
@Injectable()
export class ReviewBackfill implements OnApplicationShutdown {
  private running: Promise<BackfillOutcome> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(FEATURES_CONFIG) private readonly config: FeaturesConfig,
    private readonly heads: ReviewHeadHolder,
    private readonly prisma: PrismaService,
    private readonly producer: KafkaProducerService,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ReviewBackfill.name);
    if (config.TEXT_BACKFILL) heads.onSwap(() => void this.start());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  /** Starts a back-fill with the head served now (or marks one to follow the running one); resolves when it ends. */
  start(): Promise<BackfillOutcome> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run()
      .catch((error: Error) => {
        this.logger.error({ error: error.message }, 'review back-fill failed: it runs again with the next head');
        return { read: 0, end: 'stopped' as const };
      })
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.start();
        }
      });
    return this.running;
  }

  private async run(): Promise<BackfillOutcome> {
    const before = new Date();
    // What the worker is about to read live (its lag), and the readings it just published (the trainer stores them
    // within seconds), are not back-filled: wait for both, so one review is read once.
    if (!(await this.caughtUp())) return { read: 0, end: 'stopped' };
    let cursor: { occurredAt: Date; customerId: string; eventId: string } | null = null;
    let read = 0;
    for (;;) {
      const served = this.heads.current;
      if (this.stopped || !served) return { read, end: 'stopped' };
      const page = await this.page(served, before, cursor);
      if (page === 'busy') {
        this.logger.info({ read }, 'review back-fill: another worker holds it');
        return { read, end: 'busy' };
      }
      read += page.read;
      if (page.last === null) {
        if (read > 0) this.logger.info({ read, version: served.version }, 'review back-fill done');
        return { read, end: 'done' };
      }
      cursor = page.last;
      this.logger.info({ read, version: served.version }, 'review back-fill: a page read');
    }
  }

  /** Waits until this worker's consumer group has no lag on cvp.events.v1, then the grace; false when stopped. */
  private async caughtUp(): Promise<boolean> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    await admin.connect();
    try {
      while (!this.stopped) {
        const lag = await consumerGroupLag(admin, this.config.KAFKA_GROUP_ID, TOPICS.events).catch(() => -1);
        if (lag === 0) break;
        await sleep(2_000);
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(this.config.TEXT_BACKFILL_GRACE_MS);
    return !this.stopped;
  }

  /** Reads and publishes one page under the lock; `last` is the cursor past it (null: nothing was left). */
  private page(
    served: ServedReviewHead,
    before: Date,
    after: { occurredAt: Date; customerId: string; eventId: string } | null,
  ): Promise<'busy' | { read: number; last: { occurredAt: Date; customerId: string; eventId: string } | null }> {
    return this.prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
          SELECT pg_try_advisory_xact_lock(hashtext(${BACKFILL_LOCK})) AS locked`;
        if (!lock?.locked) return 'busy' as const;
        const start = after ?? { occurredAt: new Date(0), customerId: '', eventId: '' };
        const rows = await tx.$queryRaw<StoredReview[]>`
          SELECT e.event_id, e.customer_id, e.occurred_at, e.payload
          FROM training_events e
          WHERE e.type = 'review' AND e.stored_at < ${before}
            AND (e.occurred_at, e.customer_id, e.event_id) > (${start.occurredAt}, ${start.customerId}, ${start.eventId})
            AND NOT EXISTS (
              SELECT 1 FROM review_readings r WHERE r.customer_id = e.customer_id AND r.event_id = e.event_id)
          ORDER BY e.occurred_at, e.customer_id, e.event_id
          LIMIT ${this.config.TEXT_BACKFILL_PAGE}`;
        const lastRow = rows.at(-1);
        if (!lastRow) return { read: 0, last: null };
        const reviews = rows.flatMap((row): Review[] => {
          const event = row.payload;
          const text = event.type === 'review' ? event.text?.trim() : undefined;
          return text ? [{ ...event, text } as Review] : [];
        });
        await this.producer.send(
          TOPICS.reviewSignals,
          (await readReviews(served, reviews)).map((value) => ({ value })),
        );
        return {
          read: reviews.length,
          last: { occurredAt: lastRow.occurred_at, customerId: lastRow.customer_id, eventId: lastRow.event_id },
        };
      },
      // A page's encoding holds the lock (and a connection): a few seconds on one thread for the default page.
      { timeout: 300_000, maxWait: 10_000 },
    );
  }
}
