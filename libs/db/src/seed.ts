// Idempotent seed: `npm run db:seed` (or `prisma db seed` where the CLI works). Creates what is missing and never
// overwrites a row an operator may have changed since (a paused campaign stays paused, its spend stays).
import { createPrismaClient } from './client';
import type { Prisma, PrismaClient } from './generated/client';

export const DEFAULT_CAMPAIGN = {
  key: 'win-back-high-value',
  name: 'Win-back coupon for customers who spent a lot and are at risk',
  status: 'active',
  // Past value (a feature) and churn risk (the score): a model's tier is forward-looking expected spend, which
  // already discounts churn, so "tier = high AND churnRisk > 0.6" would rarely match once a model is published.
  audience: {
    all: [
      { field: 'monetaryTotal', op: 'gte', value: 500 },
      { field: 'churnRisk', op: 'gt', value: 0.6 },
    ],
  },
  action: 'win_back',
  actionParams: { couponValue: 10, currency: 'USD' },
  channel: 'email',
  // Long before any dataset, so the campaign also applies when historical events are replayed.
  startsAt: new Date('2000-01-01T00:00:00Z'),
  priority: 100,
  budgetTotal: 10000,
  costPerAction: 1,
  frequencyCap: 3,
  cooldownSeconds: 7 * 24 * 3600,
  controlShare: 0.1,
} satisfies Prisma.CampaignCreateInput;

export async function seedDefaultCampaign(prisma: PrismaClient): Promise<{ id: string; key: string }> {
  return prisma.campaign.upsert({
    where: { key: DEFAULT_CAMPAIGN.key },
    create: DEFAULT_CAMPAIGN,
    update: {},
    select: { id: true, key: true },
  });
}

async function main(): Promise<void> {
  const databaseUrl = process.env['DATABASE_URL'];
  if (!databaseUrl) throw new Error('DATABASE_URL must be set');
  const prisma = createPrismaClient(databaseUrl);
  try {
    const campaign = await seedDefaultCampaign(prisma);
    console.log(`Seeded campaign ${campaign.key} (${campaign.id})`);
  } finally {
    await prisma.$disconnect();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
