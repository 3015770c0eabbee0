/** Retention of stored events against the real PostgreSQL of `npm run infra:up`. */
import { randomUUID } from 'node:crypto';
import { createPrismaClient, type PrismaService } from '@cvp/db';
import { TrainingEventStore } from './event-store';
import { retentionCutoff } from './retention';

const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
afterAll(() => prisma.$disconnect());

describe('stored events past retention', () => {
  it('deletes the events before the cutoff, and only those', async () => {
    const store = new TrainingEventStore(prisma as unknown as PrismaService);
    const customerId = `retention-${randomUUID()}`;
    const event = (eventId: string, occurredAt: string) => ({
      eventId,
      customerId,
      occurredAt,
      type: 'page_view' as const,
      url: '/',
    });
    // Dated before 1971, where no dataset of this project has events.
    await store.store([event('old', '1970-06-01T00:00:00Z'), event('kept', '1970-12-31T23:59:59Z')]);
    const deleted = await store.deleteOlderThan(retentionCutoff(new Date('1971-01-31T00:00:00Z'), 60));
    expect(deleted).toBe(1);
    const left = await prisma.trainingEvent.findMany({ where: { customerId }, select: { eventId: true } });
    expect(left).toEqual([{ eventId: 'kept' }]);
    await prisma.trainingEvent.deleteMany({ where: { customerId } });
  });

  it('puts the cutoff the given days before now', () => {
    expect(retentionCutoff(new Date('2026-03-01T00:00:00Z'), 30).toISOString()).toBe('2026-01-30T00:00:00.000Z');
  });
});
