/**
 * Deciding by a published uplift model against the real PostgreSQL of the project's scripts: a campaign with one
 * decides where the model expects the action to pay (policy `learned`, with the estimate and the model's version),
 * skips where it does not unless the customer is in the exploration share (policy `exploration`), and its report
 * values the model's targeting against random targeting on its randomised decisions. Without a model: the constant
 * rate, as before.
 */
import { randomUUID } from 'node:crypto';
import type { CustomerScore } from '@cvp/contracts';
import { createPrismaClient, type Prisma, type PrismaService } from '@cvp/db';
import { explores } from '@cvp/decisioning';
import { fitUplift } from '@cvp/uplift';
import { CampaignsService } from './campaigns.service';
import { DecisionService } from './decision.service';
import { UpliftModels } from './uplift-models';

jest.setTimeout(60_000);

const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
const db = prisma as unknown as PrismaService;
const run = randomUUID().slice(0, 8);
const models = new UpliftModels(db);
const decisions = new DecisionService(db, models);
const reports = new CampaignsService(db);

const score = (customerId: string, pBuyAgain: number, at: string): CustomerScore =>
  ({
    customerId,
    asOf: at,
    trigger: 'event',
    sourceEventId: `${customerId}-e`,
    scoredAt: at,
    horizonDays: 90,
    expectedSpend: 150,
    expectedSpendLow: null,
    expectedSpendHigh: null,
    pBuyAgain,
    churnRisk: 1 - pBuyAgain,
    tier: 'mid',
    modelVersion: 'm1',
    featureSchemaVersion: 'features@1',
    reasons: [],
  }) as CustomerScore;

afterAll(async () => {
  const campaigns = await prisma.campaign.findMany({ where: { key: { endsWith: `-${run}` } } });
  const ids = campaigns.map((row) => row.id);
  await prisma.upliftModel.deleteMany({ where: { campaignId: { in: ids } } });
  await prisma.decision.deleteMany({ where: { campaignId: { in: ids } } });
  await prisma.customer.deleteMany({ where: { id: { startsWith: `lu-${run}` } } });
  await prisma.campaign.deleteMany({ where: { id: { in: ids } } });
  await prisma.$disconnect();
});

/** An active ad campaign for the mid tier: cost 5, 30% control, constant rate 0.05. */
const adCampaign = (key: string, extra: { explorationShare?: number } = {}) =>
  prisma.campaign.create({
    data: {
      key,
      name: key,
      status: 'active',
      audience: { field: 'tier', op: 'eq', value: 'mid' },
      action: 'ad_audience',
      actionParams: {},
      channel: 'ads',
      startsAt: new Date('2026-01-01T00:00:00Z'),
      budgetTotal: 100_000,
      costPerAction: 5,
      frequencyCap: 5,
      cooldownSeconds: 0,
      controlShare: 0.3,
      upliftRate: 0.05,
      attributionWindowDays: 30,
      ...extra,
    },
  });

describe('decisions by a learned uplift model (PostgreSQL)', () => {
  it('acts where the model expects the action to pay, explores a share elsewhere, and reports the targeting', async () => {
    // upliftRate 0.05: 7.5 on an expected spend of 150, so the constant rate would treat everyone.
    const campaign = await adCampaign(`learned-${run}`, { explorationShare: 0.2 });
    // A model that learnt: customers likely to buy again respond (+40 in revenue), the others do not.
    const features: number[][] = [];
    const treatment: number[] = [];
    const outcome: number[] = [];
    for (let i = 0; i < 400; i++) {
      const p = (i % 100) / 100;
      features.push([150, p, 1 - p]);
      treatment.push(i % 2);
      outcome.push(i % 2 === 1 && p > 0.5 ? 50 : 10);
    }
    const model = fitUplift(
      { learner: 't-learner', basis: 'linear' },
      { featureNames: ['expectedSpend', 'pBuyAgain', 'churnRisk'], features, treatment, outcome },
    );
    await prisma.upliftModel.create({
      data: {
        version: `u-${run}`,
        campaignId: campaign.id,
        learner: 't-learner(linear)',
        model: model as unknown as Prisma.InputJsonValue,
        metrics: { reason: 'test' },
        trainedTo: new Date('2026-01-01T00:00:00Z'),
        publishedAt: new Date(),
      },
    });
    models.refresh();

    const outcomes = [];
    for (let i = 0; i < 200; i++) {
      const p = i % 2 === 0 ? 0.9 : 0.1;
      const at = new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString();
      outcomes.push({ i, p, decided: await decisions.decide(score(`lu-${run}-${i}`, p, at), [campaign]) });
    }
    for (const { i, p, decided } of outcomes) {
      const customerId = `lu-${run}-${i}`;
      if (p === 0.9) {
        expect(decided?.decision).toMatchObject({ policy: 'learned', upliftModelVersion: `u-${run}` });
        expect(decided?.decision.upliftEstimate).toBeGreaterThan(5);
      } else if (explores(campaign.id, customerId, 0.2)) {
        expect(decided?.decision).toMatchObject({ policy: 'exploration', upliftModelVersion: `u-${run}` });
        expect(decided?.decision.upliftEstimate).toBeLessThan(5);
      } else {
        expect(decided).toBeNull();
      }
    }
    const explored = outcomes.filter(({ decided }) => decided?.decision.policy === 'exploration').length;
    expect(explored).toBeGreaterThan(5);
    expect(explored).toBeLessThan(40);

    const report = await reports.report(campaign.key);
    expect(report.decisionsByPolicy).toEqual({ learned: 100, exploration: explored });
    expect(report.learnedUplift).toMatchObject({ version: `u-${run}`, learner: 't-learner(linear)', learntFrom: 0 });
    expect(report.learnedUplift?.policy).toMatchObject({ customers: 100 + explored });
    expect(report.learnedUplift?.policy?.treatShare).toBeCloseTo(100 / (100 + explored), 3);
    // What the learned targeting earned over random targeting of as many, with the standard error of that difference.
    const policy = report.learnedUplift?.policy;
    expect(policy?.gainOverRandom.estimate).toBeCloseTo((policy?.learned ?? NaN) - (policy?.random ?? NaN), 1);
    expect(policy?.gainOverRandom.standardError).toBeGreaterThanOrEqual(0);
  });

  it('decides by the constant rate where no model is published', async () => {
    const campaign = await adCampaign(`constant-${run}`);
    const decided = await decisions.decide(score(`lu-${run}-c`, 0.1, '2026-02-01T00:00:00.000Z'), [campaign]);
    expect(decided?.decision).toMatchObject({ policy: 'constant', upliftEstimate: null, upliftModelVersion: null });
    expect((await reports.report(campaign.key)).learnedUplift).toBeNull();
  });
});
