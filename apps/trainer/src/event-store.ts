import { Injectable } from '@nestjs/common';
import type { ClickstreamEvent, ReviewSignalMessage } from '@cvp/contracts';
import { PrismaService, type Prisma } from '@cvp/db';
import { reviewReading, type ReviewReading } from '@cvp/features';

/**
 * The training store: every accepted event in PostgreSQL, and the language model's reading of every review text
 * (cvp.review-signals.v1). Kafka keeps cvp.events.v1 for 30 days, which is too short for models that learn from a
 * year or more of behaviour, and PostgreSQL lets a training run read exactly the window it needs, in time order, with
 * an index. Readings are kept so that training folds the same review sentiment the live features service did.
 */
@Injectable()
export class TrainingEventStore {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Deletes the events (and review readings) that happened before `before`, a batch of 10,000 at a time (no long
   * lock on the tables); returns how many events.
   */
  async deleteOlderThan(before: Date): Promise<number> {
    for (;;) {
      const count = await this.prisma.$executeRaw`
        DELETE FROM review_readings WHERE ctid IN (
          SELECT ctid FROM review_readings WHERE occurred_at < ${before} LIMIT 10000)`;
      if (count < 10_000) break;
    }
    let deleted = 0;
    for (;;) {
      const count = await this.prisma.$executeRaw`
        DELETE FROM training_events WHERE ctid IN (
          SELECT ctid FROM training_events WHERE occurred_at < ${before} LIMIT 10000)`;
      deleted += count;
      if (count < 10_000) return deleted;
    }
  }

  /**
   * Stores the language model's readings of reviews; a review already read keeps its first reading (as the features
   * service does: a replay or a re-reading by a newer head changes nothing). Returns how many were new.
   */
  async storeReadings(signals: ReviewSignalMessage[]): Promise<number> {
    if (signals.length === 0) return 0;
    const { count } = await this.prisma.reviewReading.createMany({
      data: signals.map((signal) => ({
        eventId: signal.eventId,
        customerId: signal.customerId,
        occurredAt: new Date(signal.occurredAt),
        sentiment: signal.sentiment,
        lexicon: signal.lexicon,
        headVersion: signal.headVersion,
      })),
      skipDuplicates: true,
    });
    return count;
  }

  /** The readings of the reviews written in [from, to) (or of the given customers), as fold inputs. */
  async readings(where: { from: Date; to: Date } | { customerIds: string[] }): Promise<ReviewReading[]> {
    const rows = await this.prisma.reviewReading.findMany({
      where:
        'customerIds' in where
          ? { customerId: { in: where.customerIds } }
          : { occurredAt: { gte: where.from, lt: where.to } },
      select: { eventId: true, customerId: true, occurredAt: true, sentiment: true, lexicon: true },
    });
    return rows.map((row) => reviewReading({ ...row, occurredAt: row.occurredAt.toISOString() }));
  }

  /** Stores a batch; an event already stored (a replay: same customer, same eventId) is skipped. Returns how many were new. */
  async store(events: ClickstreamEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const { count } = await this.prisma.trainingEvent.createMany({
      data: events.map((event) => ({
        eventId: event.eventId,
        customerId: event.customerId,
        type: event.type,
        occurredAt: new Date(event.occurredAt),
        payload: event as unknown as Prisma.InputJsonValue,
      })),
      skipDuplicates: true,
    });
    return count;
  }

  /** Event time of the newest stored event, or null when nothing is stored. */
  async newestEventTime(): Promise<Date | null> {
    const { _max } = await this.prisma.trainingEvent.aggregate({ _max: { occurredAt: true } });
    return _max.occurredAt;
  }

  /** Streams the events of [from, to) in time order, a page at a time (keyset pagination, no offset scans). */
  async *events(from: Date, to: Date, pageSize = 5000): AsyncGenerator<ClickstreamEvent> {
    type Cursor = { occurredAt: Date; eventId: string; customerId: string };
    let after: Cursor | null = null;
    for (;;) {
      const cursor: Cursor | null = after;
      const page: (Cursor & { payload: Prisma.JsonValue })[] = await this.prisma.trainingEvent.findMany({
        where: {
          occurredAt: { gte: from, lt: to },
          ...(cursor
            ? {
                OR: [
                  { occurredAt: { gt: cursor.occurredAt } },
                  { occurredAt: cursor.occurredAt, eventId: { gt: cursor.eventId } },
                  { occurredAt: cursor.occurredAt, eventId: cursor.eventId, customerId: { gt: cursor.customerId } },
                ],
              }
            : {}),
        },
        orderBy: [{ occurredAt: 'asc' }, { eventId: 'asc' }, { customerId: 'asc' }],
        take: pageSize,
        select: { eventId: true, customerId: true, occurredAt: true, payload: true },
      });
      for (const row of page) yield row.payload as unknown as ClickstreamEvent;
      if (page.length < pageSize) return;
      const { occurredAt, eventId, customerId } = page[page.length - 1];
      after = { occurredAt, eventId, customerId };
    }
  }
}
