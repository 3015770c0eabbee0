/**
 * The decision outbox relay against the real PostgreSQL and Kafka of the project's scripts: a treated decision left
 * unpublished (a crash between the commit and the publish) goes out on cvp.decisions.v1 and is marked published;
 * a young one is left to its consumer, a control one is never published.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@cvp/contracts';
import { createPrismaClient, seedDefaultCampaign, type PrismaService } from '@cvp/db';
import { createKafkaWire, KafkaProducerService } from '@cvp/kafka';
import { DecisionOutbox } from './decision-outbox';

jest.setTimeout(60_000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
const producer = new KafkaProducerService(createKafkaWire({ clientId: 'outbox-int-spec', brokers }));
const run = randomUUID().slice(0, 8);
const outbox = new DecisionOutbox(prisma as unknown as PrismaService, producer, { intervalMs: 0, graceMs: 30_000 });

afterAll(async () => {
  await prisma.decision.deleteMany({ where: { customerId: { startsWith: `outbox-${run}` } } });
  await producer.onApplicationShutdown();
  await prisma.$disconnect();
});

const decision = (campaignId: string, suffix: string, group: 'treated' | 'control', ageMs: number) =>
  prisma.decision.create({
    data: {
      idempotencyKey: `${campaignId}:outbox-${run}-${suffix}:e1`,
      campaignId,
      customerId: `outbox-${run}-${suffix}`,
      group,
      action: 'win_back',
      channel: 'email',
      cost: group === 'treated' ? 1 : 0,
      score: {
        customerId: `outbox-${run}-${suffix}`,
        tier: 'high',
        expectedSpend: 120,
        churnRisk: 0.8,
        pBuyAgain: 0.2,
        modelVersion: 'm1',
      },
      eventTime: new Date(),
      decidedAt: new Date(Date.now() - ageMs),
    },
  });

async function published(decisionId: string): Promise<boolean> {
  const consumer = new Kafka({ clientId: 'outbox-int-spec', brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: `outbox-int-spec-${run}-${randomUUID().slice(0, 4)}`,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.decisions, fromBeginning: true });
  let found = false;
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (JSON.parse(String(message.value)).decisionId === decisionId) found = true;
    },
  });
  const deadline = Date.now() + 30_000;
  while (!found && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  await consumer.disconnect();
  return found;
}

describe('DecisionOutbox.relay (real PostgreSQL and Kafka)', () => {
  it('publishes the treated decisions left unpublished, once, and nothing else', async () => {
    const campaign = await seedDefaultCampaign(prisma);
    const stranded = await decision(campaign.id, 'stranded', 'treated', 60_000);
    const young = await decision(campaign.id, 'young', 'treated', 0);
    const control = await decision(campaign.id, 'control', 'control', 60_000);

    expect(await outbox.relay()).toBeGreaterThanOrEqual(1);
    const rows = await prisma.decision.findMany({ where: { id: { in: [stranded.id, young.id, control.id] } } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(stranded.id)!.publishedAt).not.toBeNull();
    expect(byId.get(young.id)!.publishedAt).toBeNull();
    expect(byId.get(control.id)!.publishedAt).toBeNull();
    expect(await published(stranded.id)).toBe(true);
    // Nothing is left to relay for it: a second pass publishes none of these again.
    const before = byId.get(stranded.id)!.publishedAt!.getTime();
    await outbox.relay();
    expect((await prisma.decision.findUnique({ where: { id: stranded.id } }))!.publishedAt!.getTime()).toBe(before);
  });
});
