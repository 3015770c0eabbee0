import type { Recommendation } from '@cvp/contracts';
import type { PrismaClient } from '@cvp/db';
import { type RedisClient, scanPages, scoreKeyPattern } from '@cvp/redis';

/** What the trainer records of a run's recommender (`metrics.recommender` of its registry row). */
interface RecommenderRecord {
  name: string;
  validation: { days: number; candidates: { name: string; metrics: { ndcg: number } }[] };
  verdict?: { reason: string };
}

interface TierTotals {
  customers: number;
  expectedSpend: number;
  churnRiskSum: number;
}

/** What the pipeline produced for customers with an id prefix: scores by tier (Redis), decisions (PostgreSQL). */
export async function summarize(redis: RedisClient, prisma: PrismaClient, customerPrefix: string): Promise<string> {
  const tiers: Record<string, TierTotals> = {};
  const models: Record<string, number> = {};
  const triggers: Record<string, number> = {};
  const atRisk: Record<string, string>[] = [];
  const recommended: { customerId: string; products: Recommendation[] }[] = [];
  for await (const { keys, node } of scanPages(redis, scoreKeyPattern(`${customerPrefix}*`))) {
    const pipeline = node.pipeline();
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
      const products = score.json
        ? (JSON.parse(score.json) as { recommendations?: Recommendation[] }).recommendations
        : [];
      // Lists of customers CVP knows something about (a stranger's is what sells now, the same for all).
      const personal = products?.some((item) => item.reason !== 'popular-now');
      if (products && personal && recommended.length < 3) recommended.push({ customerId: score.customerId, products });
    }
  }

  const decisions = await prisma.decision.groupBy({
    by: ['group', 'action', 'policy'],
    where: { customerId: { startsWith: customerPrefix } },
    orderBy: [{ group: 'desc' }, { action: 'asc' }, { policy: 'asc' }],
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
  const served = await prisma.modelVersion.findFirst({
    where: { recommenderPublishedAt: { not: null } },
    orderBy: { recommenderPublishedAt: 'desc' },
  });
  const recommender = (served?.metrics as { recommender?: RecommenderRecord } | undefined)?.recommender;
  if (served && recommender) {
    const neural = recommender.validation.candidates.find((candidate) => candidate.name.startsWith('neural'));
    lines.push(
      '',
      `Recommender served: ${recommender.name}, of ${served.version} (its own publish verdict: ` +
        `${recommender.verdict?.reason ?? 'with its version'}); chosen among ${recommender.validation.candidates.length} ` +
        `candidates on ${recommender.validation.days} days before its training cutoff` +
        `; NDCG@10 there ${recommender.validation.candidates[0].metrics.ndcg.toFixed(3)}` +
        (neural ? ` (the TensorFlow.js autoencoder alone: ${neural.metrics.ndcg.toFixed(3)})` : '') +
        '.',
    );
  }
  if (recommended.length > 0) lines.push('', 'Recommended products (carried by the scores):');
  recommended.sort((a, b) => a.customerId.localeCompare(b.customerId));
  for (const { customerId, products } of recommended) {
    lines.push(`  ${customerId}: ${products.map((item) => `${item.productId} (${item.reason})`).join(', ')}`);
  }
  lines.push(
    '',
    'Campaign decisions (PostgreSQL):',
    '',
    '| group | action | policy | decisions | cost |',
    '| --- | --- | --- | ---: | ---: |',
  );
  for (const row of decisions) {
    lines.push(
      `| ${row.group} | ${row.action} | ${row.policy} | ${row._count._all} | ${Number(row._sum.cost ?? 0).toFixed(2)} |`,
    );
  }
  if (decisions.length === 0) lines.push('| (none) | | | 0 | 0 |');
  const carrying = await prisma.decision.findFirst({
    where: {
      customerId: { startsWith: customerPrefix },
      action: 'recommendation',
      group: 'treated',
      NOT: { products: { equals: [] } },
    },
    orderBy: { decidedAt: 'desc' },
  });
  if (carrying?.products) {
    const products = carrying.products as unknown as Recommendation[];
    lines.push(
      '',
      `A recommendation decision for ${carrying.customerId} carries: ${products.map((item) => item.productId).join(', ')}`,
    );
  }
  return lines.join('\n');
}
