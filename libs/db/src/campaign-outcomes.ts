import type { PrismaClient } from './generated/client';

export interface CampaignOutcomeRow {
  customerId: string;
  group: 'treated' | 'control';
  /** The score snapshot of the customer's first decision in the campaign. */
  score: Record<string, unknown>;
  /** When that decision was taken (event time): the attribution window starts here. */
  start: Date;
  /** Revenue of the customer's purchases strictly after `start` and inside the attribution window. */
  revenue: number;
}

/**
 * Each customer's first decision in a campaign (either group) and the revenue their purchases brought in the
 * attribution window after it, read from the event store (`training_events`), as the campaign report counts it.
 * `closedBy`: only customers whose window ended by then (what a model may learn from).
 */
export async function campaignOutcomes(
  prisma: Pick<PrismaClient, '$queryRaw'>,
  campaign: { id: string; attributionWindowDays: number },
  closedBy?: Date,
): Promise<CampaignOutcomeRow[]> {
  const days = campaign.attributionWindowDays;
  const until = closedBy ?? new Date('9999-12-31T00:00:00Z');
  const rows = await prisma.$queryRaw<
    {
      customer_id: string;
      group: 'treated' | 'control';
      score: Record<string, unknown>;
      start: Date;
      revenue: string;
    }[]
  >`
    WITH firsts AS (
      SELECT DISTINCT ON (customer_id) customer_id, "group"::text AS "group", score, event_time AS start
      FROM decisions WHERE campaign_id = ${campaign.id}::uuid
      ORDER BY customer_id, event_time, id
    )
    SELECT f.customer_id, f."group", f.score, f.start,
           COALESCE(sum((e.payload->>'total')::numeric), 0)::text AS revenue
    FROM firsts f
    LEFT JOIN training_events e
      ON e.customer_id = f.customer_id AND e.type = 'purchase'
     AND e.occurred_at > f.start
     AND e.occurred_at < f.start + make_interval(days => ${days})
    WHERE f.start + make_interval(days => ${days}) <= ${until}
    GROUP BY f.customer_id, f."group", f.score, f.start
    ORDER BY f.customer_id`;
  return rows.map((row) => ({
    customerId: row.customer_id,
    group: row.group,
    score: row.score,
    start: row.start,
    revenue: Number(row.revenue),
  }));
}
