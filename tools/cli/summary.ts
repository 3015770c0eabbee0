import type Redis from 'ioredis';
import type { PrismaClient } from '@cvp/db';
import { scoreKey } from '@cvp/redis';

interface TierTotals {
  customers: number;
  expectedSpend: number;
  churnRiskSum: number;
}

/** What the pipeline produced for customers with an id prefix: scores by tier (Redis), decisions (PostgreSQL). */
export async function summarize(redis: Redis, prisma: PrismaClient, customerPrefix: string): Promise<string> {
  const tiers: Record<string, TierTotals> = {};
  const models: Record<string, number> = {};
  const triggers: Record<string, number> = {};
  const atRisk: Record<string, string>[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', scoreKey(`${customerPrefix}*`), 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    for (const [, hash] of (await pipeline.exec()) ?? []) {
      const score = hash as Record<string, string>;
      const tier = (tiers[score.tier] ??= { customers: 0, expectedSpend: 0, churnRiskSum: 0 });
      tier.customers++;
      models[score.modelVersion] = (models[score.modelVersion] ?? 0) + 1;
      const trigger = score.trigger || 'event';
      triggers[trigger] = (triggers[trigger] ?? 0) + 1;
      tier.expectedSpend += Number(score.expectedSpend);
      tier.churnRiskSum += Number(score.churnRisk);
      if (Number(score.churnRisk) > 0.6) atRisk.push(score);
    }
  } while (cursor !== '0');

  const decisions = await prisma.decision.groupBy({
    by: ['group', 'action'],
    where: { customerId: { startsWith: customerPrefix } },
    _count: { _all: true },
    _sum: { cost: true },
  });

  const lines = [
    `Scores (Redis) of customers ${customerPrefix}*:`,
    '',
    '| tier | customers | expected spend | mean churn risk |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const name of ['high', 'mid', 'low']) {
    const tier = tiers[name];
    if (!tier) continue;
    lines.push(
      `| ${name} | ${tier.customers} | ${tier.expectedSpend.toFixed(2)} | ${(tier.churnRiskSum / tier.customers).toFixed(2)} |`,
    );
  }
  lines.push('', '| scored by model | customers |', '| --- | ---: |');
  for (const [version, count] of Object.entries(models).sort()) lines.push(`| ${version} | ${count} |`);
  lines.push('', '| latest score from | customers |', '| --- | ---: |');
  for (const [trigger, count] of Object.entries(triggers).sort()) lines.push(`| ${trigger} | ${count} |`);
  atRisk.sort((a, b) => Number(b.expectedSpend) - Number(a.expectedSpend));
  lines.push('', `At churn risk > 0.6: ${atRisk.length} customers; the highest expected spend among them:`);
  for (const score of atRisk.slice(0, 3)) {
    const [top] = JSON.parse(score.reasons ?? '[]') as { description: string }[];
    lines.push(
      `  ${score.customerId}: expected spend ${score.expectedSpend}, churn risk ${score.churnRisk}, ${score.modelVersion}; ${top?.description ?? ''}`,
    );
  }
  lines.push(
    '',
    'Campaign decisions (PostgreSQL):',
    '',
    '| group | action | decisions | cost |',
    '| --- | --- | ---: | ---: |',
  );
  for (const row of decisions)
    lines.push(`| ${row.group} | ${row.action} | ${row._count._all} | ${Number(row._sum.cost ?? 0).toFixed(2)} |`);
  if (decisions.length === 0) lines.push('| (none) | | 0 | 0 |');
  return lines.join('\n');
}
