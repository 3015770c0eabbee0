/**
 * A campaign's uplift model learnt from its own decisions against the real PostgreSQL of the project's scripts:
 * decisions (treated and control, with the scores they were taken on) and the purchases in their attribution windows
 * go in; a registered model comes out, published only when it ranks better than the constant rate; customers whose
 * window is still open are not learnt from; too few customers give no model.
 */
import { randomUUID } from 'node:crypto';
import { PinoLogger } from 'nestjs-pino';
import { createPrismaClient, type PrismaService } from '@cvp/db';
import { seededRandom } from '@cvp/model';
import { predictCampaignUplift, predictPurchaseValue, type PurchaseUpliftModel } from '@cvp/uplift';
import { trainerEnvSchema } from './config';
import { UpliftTraining } from './uplift-training';

jest.setTimeout(120_000);

const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
const run = randomUUID().slice(0, 8);
const config = trainerEnvSchema.parse({ ...process.env, UPLIFT_MIN_GROUP: '100' });
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as PinoLogger;
const training = new UpliftTraining(prisma as unknown as PrismaService, config, logger);
const start = Date.UTC(2026, 0, 1);
const day = 86_400_000;

async function campaign(key: string) {
  return prisma.campaign.create({
    data: {
      key: `${key}-${run}`,
      name: key,
      status: 'active',
      audience: { field: 'tier', op: 'in', value: ['high', 'mid', 'low'] },
      action: 'ad_audience',
      actionParams: {},
      channel: 'ads',
      startsAt: new Date(start),
      budgetTotal: 100_000,
      costPerAction: 1,
      frequencyCap: 1,
      cooldownSeconds: 0,
      controlShare: 0.5,
      attributionWindowDays: 30,
    },
  });
}

/**
 * `customers` decisions, half treated; customers with pBuyAgain below 0.5 (lapsing) buy for 100 in their window when
 * treated (and for 100 with probability 0.1 either way); the rest only by the baseline. The constant rate is wrong
 * here: it expects the extra purchases of the likeliest buyers (and expected spend says nothing of it). Seeded.
 */
async function decisionsWithOutcomes(campaignId: string, prefix: string, customers: number, openFrom = Infinity) {
  const random = seededRandom(5);
  const decisions = [];
  const purchases = [];
  for (let i = 0; i < customers; i++) {
    const customerId = `${prefix}-${run}-${i}`;
    const group = i % 2 === 0 ? ('treated' as const) : ('control' as const);
    const pBuyAgain = random();
    const eventTime = new Date(start + (i >= openFrom ? 80 : 1) * day + i * 1000);
    decisions.push({
      idempotencyKey: `${campaignId}:${customerId}:e1`,
      campaignId,
      customerId,
      group,
      action: 'ad_audience' as const,
      channel: 'ads',
      cost: group === 'treated' ? 1 : 0,
      score: { customerId, tier: 'mid', expectedSpend: 20 + 200 * random(), pBuyAgain, churnRisk: 1 - pBuyAgain },
      eventTime,
    });
    const buys = random() < 0.1 || (group === 'treated' && pBuyAgain < 0.5);
    if (buys) {
      const eventId = `${customerId}-p`;
      const occurredAt = new Date(eventTime.getTime() + 5 * day);
      purchases.push({
        eventId,
        customerId,
        type: 'purchase',
        occurredAt,
        payload: { eventId, customerId, type: 'purchase', occurredAt: occurredAt.toISOString(), total: 100 },
      });
    }
  }
  await prisma.decision.createMany({ data: decisions });
  await prisma.trainingEvent.createMany({ data: purchases });
}

afterAll(async () => {
  const campaigns = await prisma.campaign.findMany({ where: { key: { endsWith: `-${run}` } } });
  const ids = campaigns.map((row) => row.id);
  await prisma.upliftModel.deleteMany({ where: { campaignId: { in: ids } } });
  await prisma.decision.deleteMany({ where: { campaignId: { in: ids } } });
  await prisma.trainingEvent.deleteMany({ where: { customerId: { contains: `-${run}-` } } });
  await prisma.campaign.deleteMany({ where: { id: { in: ids } } });
  await prisma.$disconnect();
});

describe('UpliftTraining (PostgreSQL)', () => {
  it('learns who responds from decisions and their purchases, registers the model and publishes it', async () => {
    const responsive = await campaign('uplift-learns');
    await decisionsWithOutcomes(responsive.id, 'ul', 1200, 1000);
    const small = await campaign('uplift-small');
    await decisionsWithOutcomes(small.id, 'us', 60);

    const summary = await training.trainAll(`v-${run}`, new Date(start + 60 * day), 42);

    expect(summary[`uplift-small-${run}`]).toMatchObject({ status: 'too_few', treated: 30, control: 30 });
    const learnt = summary[`uplift-learns-${run}`];
    // The 200 customers decided on day 80 (window open until day 110) are not learnt from on day 60.
    expect(learnt).toMatchObject({ status: 'published', treated: 500, control: 500 });
    const rows = await prisma.upliftModel.findMany({ where: { campaignId: { in: [responsive.id, small.id] } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: `v-${run}-uplift-uplift-learns-${run}`, campaignId: responsive.id });
    expect(rows[0].publishedAt).not.toBeNull();
    const model = rows[0].model as unknown as PurchaseUpliftModel;
    expect(model.kind).toBe('purchase-uplift');
    expect(rows[0].metrics).toMatchObject({ treated: 500, control: 500, outcome: expect.stringMatching(/^purchase/) });
    // Treating a lapsing customer adds more revenue than treating one likely to buy anyway. (Only the order is the
    // gate's: the one-standard-error rule serves a shared odds ratio here, which ranks as the others do, but its extra
    // chance of buying follows the baseline's, ~0.19 for the lapsing customer where the truth is ~0.9, and ~0.09 for
    // the likely buyer where it is 0.)
    const lapsing = predictCampaignUplift(model, { expectedSpend: 180, pBuyAgain: 0.2, churnRisk: 0.8 });
    const likely = predictCampaignUplift(model, { expectedSpend: 180, pBuyAgain: 0.8, churnRisk: 0.2 });
    expect(lapsing).toBeGreaterThan(10);
    expect(likely).toBeLessThan(lapsing);
    // A buyer spends 100 here whatever the score says: so does the value part.
    expect(predictPurchaseValue(model.value, { expectedSpend: 180, pBuyAgain: 0.2, churnRisk: 0.8 })).toBeCloseTo(
      100,
      3,
    );
  });
});
