import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { campaignOutcomes, PrismaService, type Campaign, type Prisma } from '@cvp/db';
import { upliftReport, type GroupOutcome, type UpliftReport } from '@cvp/decisioning';
import { learnedPolicyValue, scoreFields, type LearnedPolicyValue, type CampaignUpliftModel } from '@cvp/uplift';
import type { CreateCampaign, UpdateCampaign } from './campaign-request';

export interface CampaignView extends Omit<Campaign, 'budgetTotal' | 'costPerAction' | 'budgetSpent'> {
  budgetTotal: number;
  costPerAction: number;
  budgetSpent: number;
}

export interface CampaignReport extends UpliftReport {
  campaign: { id: string; key: string; status: string; attributionWindowDays: number };
  /** Treated decisions and the budget they spent. */
  treatedDecisions: number;
  /** Decisions (either group) by why the campaign acted: constant rate, learned uplift, exploration. */
  decisionsByPolicy: Record<string, number>;
  /** Decisions per UTC day of their event time, treated and control (the days with any, oldest first). */
  daily: { day: string; treated: number; control: number }[];
  /** The uplift model the campaign decides by (null: none published, the constant rate decides). */
  learnedUplift: {
    version: string;
    learner: string;
    trainedTo: string;
    publishedAt: string;
    reason: string;
    /** On the campaign's randomised decisions: the model's targeting against random targeting of as many. */
    policy: LearnedPolicyValue | null;
    /** How many of those customers the model learnt from (its estimate on them is optimistic). */
    learntFrom: number;
  } | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Campaigns in PostgreSQL: create, read, change, and the measured outcome against the control group. */
@Injectable()
export class CampaignsService {
  constructor(private readonly prisma: PrismaService) {}

  async create(input: CreateCampaign): Promise<CampaignView> {
    try {
      return view(
        await this.prisma.campaign.create({
          data: {
            ...input,
            audience: input.audience as Prisma.InputJsonValue,
            actionParams: input.actionParams as Prisma.InputJsonValue,
          },
        }),
      );
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') {
        throw new ConflictException(`a campaign with key ${input.key} already exists`);
      }
      throw error;
    }
  }

  async list(): Promise<CampaignView[]> {
    return (await this.prisma.campaign.findMany({ orderBy: { createdAt: 'asc' } })).map(view);
  }

  /** By id (uuid) or key. */
  async find(idOrKey: string): Promise<Campaign> {
    const campaign = await this.prisma.campaign.findUnique({
      where: UUID.test(idOrKey) ? { id: idOrKey } : { key: idOrKey },
    });
    if (!campaign) throw new NotFoundException(`no campaign ${idOrKey}`);
    return campaign;
  }

  async get(idOrKey: string): Promise<CampaignView> {
    return view(await this.find(idOrKey));
  }

  async update(idOrKey: string, patch: UpdateCampaign): Promise<CampaignView> {
    const current = await this.find(idOrKey);
    const merged = { ...current, ...patch };
    const params = (merged.actionParams ?? {}) as Record<string, unknown>;
    if (merged.action === 'coupon' && !(typeof params.couponValue === 'number' && params.couponValue > 0)) {
      throw new BadRequestException('a coupon needs actionParams.couponValue > 0');
    }
    if (merged.endsAt && new Date(merged.endsAt) <= new Date(merged.startsAt)) {
      throw new BadRequestException('endsAt must be after startsAt');
    }
    // The budget can shrink, never below what is spent; the condition makes it exact against concurrent spending.
    if (patch.budgetTotal !== undefined) {
      const updated = await this.prisma.$executeRaw`
        UPDATE campaigns SET budget_total = ${patch.budgetTotal}, updated_at = now()
        WHERE id = ${current.id}::uuid AND budget_spent <= ${patch.budgetTotal}`;
      if (updated === 0) {
        throw new ConflictException(
          `budgetTotal ${patch.budgetTotal} is below what the campaign has already spent (${current.budgetSpent})`,
        );
      }
    }
    const { budgetTotal: _budget, ...rest } = patch;
    return view(
      await this.prisma.campaign.update({
        where: { id: current.id },
        data: {
          ...rest,
          audience: rest.audience as Prisma.InputJsonValue | undefined,
          actionParams: rest.actionParams as Prisma.InputJsonValue | undefined,
        },
      }),
    );
  }

  /**
   * Treated vs control over the attribution window: each customer's window starts at their first decision in the
   * campaign (either group) and lasts `attributionWindowDays`; their purchases strictly after that start and inside
   * the window are read from the event store (`training_events`, every accepted event), so a purchase that arrives
   * before the decision is written still counts.
   */
  async report(idOrKey: string): Promise<CampaignReport> {
    const campaign = await this.find(idOrKey);
    const rows = await this.prisma.$queryRaw<
      {
        group: 'treated' | 'control';
        customers: bigint;
        converters: bigint;
        revenue: string;
        revenue_squares: string;
      }[]
    >`
      WITH firsts AS (
        SELECT customer_id, "group"::text AS "group", min(event_time) AS start
        FROM decisions WHERE campaign_id = ${campaign.id}::uuid
        GROUP BY customer_id, "group"
      ), per_customer AS (
        SELECT f.customer_id, f."group",
               COALESCE(sum((e.payload->>'total')::numeric), 0) AS revenue,
               count(e.event_id) AS purchases
        FROM firsts f
        LEFT JOIN training_events e
          ON e.customer_id = f.customer_id AND e.type = 'purchase'
         AND e.occurred_at > f.start
         AND e.occurred_at < f.start + make_interval(days => ${campaign.attributionWindowDays})
        GROUP BY f.customer_id, f."group"
      )
      SELECT "group", count(*) AS customers, count(*) FILTER (WHERE purchases > 0) AS converters,
             COALESCE(sum(revenue), 0)::text AS revenue, COALESCE(sum(revenue * revenue), 0)::text AS revenue_squares
      FROM per_customer GROUP BY "group"`;
    const outcome = (group: 'treated' | 'control'): GroupOutcome => {
      const row = rows.find((candidate) => candidate.group === group);
      return {
        customers: Number(row?.customers ?? 0),
        converters: Number(row?.converters ?? 0),
        revenue: Number(row?.revenue ?? 0),
        revenueSquares: Number(row?.revenue_squares ?? 0),
      };
    };
    const treatedDecisions = await this.prisma.decision.count({ where: { campaignId: campaign.id, group: 'treated' } });
    const byPolicy = await this.prisma.decision.groupBy({
      by: ['policy'],
      where: { campaignId: campaign.id },
      _count: { _all: true },
    });
    return {
      campaign: {
        id: campaign.id,
        key: campaign.key,
        status: campaign.status,
        attributionWindowDays: campaign.attributionWindowDays,
      },
      treatedDecisions,
      ...upliftReport(outcome('treated'), outcome('control'), Number(campaign.budgetSpent)),
      decisionsByPolicy: Object.fromEntries(byPolicy.map((row) => [row.policy, row._count._all])),
      daily: await this.daily(campaign.id),
      learnedUplift: await this.learnedUplift(campaign),
    };
  }

  private async daily(campaignId: string): Promise<CampaignReport['daily']> {
    const rows = await this.prisma.$queryRaw<{ day: string; treated: bigint; control: bigint }[]>`
      SELECT to_char(date_trunc('day', event_time AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
             count(*) FILTER (WHERE "group" = 'treated') AS treated,
             count(*) FILTER (WHERE "group" = 'control') AS control
      FROM decisions WHERE campaign_id = ${campaignId}::uuid
      GROUP BY 1 ORDER BY 1`;
    return rows.map((row) => ({ day: row.day, treated: Number(row.treated), control: Number(row.control) }));
  }

  private async learnedUplift(campaign: Campaign): Promise<CampaignReport['learnedUplift']> {
    const published = await this.prisma.upliftModel.findFirst({
      where: { campaignId: campaign.id, publishedAt: { not: null } },
      orderBy: { publishedAt: 'desc' },
    });
    if (!published?.publishedAt) return null;
    const rows = await campaignOutcomes(this.prisma, campaign);
    const outcomes = rows.map((row) => ({ group: row.group, score: scoreFields(row.score), revenue: row.revenue }));
    const windowMs = campaign.attributionWindowDays * 86_400_000;
    return {
      version: published.version,
      learner: published.learner,
      trainedTo: published.trainedTo.toISOString(),
      publishedAt: published.publishedAt.toISOString(),
      reason: String((published.metrics as { reason?: unknown }).reason ?? ''),
      policy: learnedPolicyValue(outcomes, published.model as unknown as CampaignUpliftModel, {
        costPerAction: Number(campaign.costPerAction),
        controlShare: campaign.controlShare,
      }),
      learntFrom: rows.filter((row) => row.start.getTime() + windowMs <= published.trainedTo.getTime()).length,
    };
  }
}

function view(campaign: Campaign): CampaignView {
  return {
    ...campaign,
    budgetTotal: Number(campaign.budgetTotal),
    costPerAction: Number(campaign.costPerAction),
    budgetSpent: Number(campaign.budgetSpent),
  };
}
