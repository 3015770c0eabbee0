import type Redis from 'ioredis';
import type { PrismaClient } from '@cvp/db';
import { scoreKey } from '@cvp/redis';

/** What the demo produced: scores by tier from Redis, decisions from PostgreSQL. */
export async function summarize(redis: Redis, prisma: PrismaClient, customerPrefix: string) {
  const tiers: Record<string, { customers: number; expectedSpend: number }> = {};
  let stream = '0';
  const samples: Record<string, string>[] = [];
  do {
    const [next, keys] = await redis.scan(stream, 'MATCH', scoreKey(`${customerPrefix}*`), 'COUNT', 1000);
    stream = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    for (const [, hash] of (await pipeline.exec()) ?? []) {
      const score = hash as Record<string, string>;
      const tier = (tiers[score.tier] ??= { customers: 0, expectedSpend: 0 });
      tier.customers++;
      tier.expectedSpend += Number(score.expectedSpend);
      if (samples.length < 3 || (score.tier === 'high' && samples.length < 5)) samples.push(score);
    }
  } while (stream !== '0');
  const decisions = await prisma.decision.groupBy({
    by: ['group'],
    where: { customerId: { startsWith: customerPrefix } },
    _count: { _all: true },
    _sum: { cost: true },
  });
  return {
    tiers,
    samples,
    decisions: decisions.map((d) => ({ group: d.group, count: d._count._all, cost: Number(d._sum.cost ?? 0) })),
  };
}
