import { Injectable } from '@nestjs/common';
import type { CustomerScore, DecisionMessage, Recommendation } from '@cvp/contracts';
import { PrismaService, type Campaign, type Decision, type DecisionPolicy } from '@cvp/db';
import { FEATURE_NAMES } from '@cvp/features';
import { UpliftModels } from './uplift-models';
import { predictCampaignUplift } from '@cvp/uplift';
import {
  assignGroup,
  explores,
  audienceRuleSchema,
  byExpectedReturn,
  valueAtStake,
  eligibility,
  ruleFields,
  type CampaignEconomics,
  type CampaignTerms,
  type Facts,
} from '@cvp/decisioning';

const FEATURE_FIELDS: ReadonlySet<string> = new Set(FEATURE_NAMES);

/** Why a campaign acts, recorded with its decision. */
interface DecisionHow {
  policy: DecisionPolicy;
  upliftEstimate: number | null;
  upliftModelVersion: string | null;
}

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

export interface DecisionOutcome {
  decision: Decision;
  campaign: Campaign;
  /** A treated decision not yet published (new, or left unpublished by a crash). */
  needsPublish: boolean;
}

/**
 * Applies the active campaigns to one score: at most one decision per score, taken by the eligible campaign with
 * the best expected return (the incremental revenue its published uplift model expects for this customer, else its
 * constant uplift rate on the score's expected spend, minus the expected cost; ties by priority; customers in a
 * learned campaign's exploration share after those expected to pay), persisted
 * idempotently (a replayed score finds its decision), with budget spent atomically and the control group assigned by
 * hash. A campaign whose budget, cap or cooldown stops it leaves the customer to the next best one.
 */
@Injectable()
export class DecisionService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly uplift: UpliftModels,
  ) {}

  async activeCampaigns(): Promise<Campaign[]> {
    return this.prisma.campaign.findMany({ where: { status: 'active' } });
  }

  /** Whether the campaign's audience rule reads a customer feature (beside the score's fields). */
  readsFeatures(campaign: Campaign): boolean {
    return [...ruleFields(audienceRuleSchema.parse(campaign.audience))].some((field) => FEATURE_FIELDS.has(field));
  }

  /** `features`: the customer's current features, facts for rules beside the score's fields (which win on a clash). */
  async decide(score: CustomerScore, campaigns: Campaign[], features?: Facts): Promise<DecisionOutcome | null> {
    const eventTime = new Date(score.asOf);
    const facts = { ...features, ...scoreFacts(score) };
    const none = { lastEventTime: null, treatedCount: 0 };
    const eligible = campaigns.filter((campaign) => eligibility(terms(campaign), facts, eventTime, none).eligible);
    const history = { monetaryTotal: numeric(facts.monetaryTotal), tenureDays: numeric(facts.tenureDays) };
    const models = eligible.length > 0 ? await this.uplift.published() : new Map();
    const ranked = byExpectedReturn(
      eligible.map((row) => {
        const learnt = models.get(row.id);
        if (!learnt) return { ...economics(row), row, policy: null };
        // The published uplift model's incremental revenue replaces the constant rate; a customer in the
        // exploration share is decided even where it says the action does not pay.
        const learnedUplift = predictCampaignUplift(learnt.model, score);
        return {
          ...economics(row),
          row,
          learnedUplift,
          exploring: explores(row.id, score.customerId, row.explorationShare),
          policy: { version: learnt.version, estimate: learnedUplift },
        };
      }),
      { ...score, valueAtStake: valueAtStake(history, score.horizonDays) },
    );
    for (const { campaign, expected } of ranked) {
      const how: DecisionHow = campaign.policy
        ? {
            policy: expected.value > 0 ? 'learned' : 'exploration',
            upliftEstimate: campaign.policy.estimate,
            upliftModelVersion: campaign.policy.version,
          }
        : { policy: 'constant', upliftEstimate: null, upliftModelVersion: null };
      const outcome = await this.prisma.$transaction((tx) =>
        this.decideFor(tx, campaign.row, score, facts, eventTime, how),
      );
      if (outcome) return outcome;
    }
    return null;
  }

  private async decideFor(
    tx: Tx,
    campaign: Campaign,
    score: CustomerScore,
    facts: Facts,
    eventTime: Date,
    how: DecisionHow,
  ): Promise<DecisionOutcome | null> {
    // One decision at a time per campaign and customer, across instances.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${campaign.id}:${score.customerId}`}, 0))`;
    const idempotencyKey = `${campaign.id}:${score.customerId}:${score.sourceEventId}`;
    const existing = await tx.decision.findUnique({ where: { idempotencyKey } });
    if (existing)
      return { decision: existing, campaign, needsPublish: existing.group === 'treated' && !existing.publishedAt };

    const [last, treatedCount] = await Promise.all([
      tx.decision.findFirst({
        where: { campaignId: campaign.id, customerId: score.customerId },
        orderBy: { eventTime: 'desc' },
        select: { eventTime: true },
      }),
      tx.decision.count({ where: { campaignId: campaign.id, customerId: score.customerId, group: 'treated' } }),
    ]);
    const verdict = eligibility(terms(campaign), facts, eventTime, {
      lastEventTime: last?.eventTime ?? null,
      treatedCount,
    });
    if (!verdict.eligible) return null;

    const group = assignGroup(campaign.id, score.customerId, campaign.controlShare);
    const cost = group === 'treated' ? campaign.costPerAction : 0;
    if (group === 'treated') {
      // Spend only if the budget still covers it: exact under concurrency, never overspent.
      const spent = await tx.$executeRaw`
        UPDATE campaigns SET budget_spent = budget_spent + ${campaign.costPerAction}, updated_at = now()
        WHERE id = ${campaign.id}::uuid AND budget_spent + ${campaign.costPerAction} <= budget_total`;
      if (spent === 0) return null;
    }
    await tx.customer.upsert({
      where: { id: score.customerId },
      create: { id: score.customerId, ...customerScore(score) },
      update: customerScore(score),
    });
    const decision = await tx.decision.create({
      data: {
        idempotencyKey,
        campaignId: campaign.id,
        customerId: score.customerId,
        group,
        action: campaign.action,
        channel: campaign.channel,
        cost,
        score: { ...score },
        // A recommendation sends the products the score carries (none before a recommender is published).
        ...(campaign.action === 'recommendation' ? { products: score.recommendations ?? [] } : {}),
        eventTime,
        ...how,
      },
    });
    return { decision, campaign, needsPublish: group === 'treated' };
  }

  async markPublished(decisionIds: string[]): Promise<void> {
    if (decisionIds.length === 0) return;
    await this.prisma.decision.updateMany({ where: { id: { in: decisionIds } }, data: { publishedAt: new Date() } });
  }
}

export function decisionMessage({
  decision,
  campaign,
}: Pick<DecisionOutcome, 'decision' | 'campaign'>): DecisionMessage {
  const score = decision.score as unknown as CustomerScore;
  return {
    decisionId: decision.id,
    campaignId: campaign.id,
    campaignKey: campaign.key,
    customerId: decision.customerId,
    group: decision.group,
    action: decision.action,
    actionParams: (campaign.actionParams ?? {}) as Record<string, unknown>,
    channel: decision.channel,
    cost: Number(decision.cost),
    eventTime: decision.eventTime.toISOString(),
    decidedAt: decision.decidedAt.toISOString(),
    ...(decision.products ? { products: decision.products as unknown as Recommendation[] } : {}),
    policy: decision.policy,
    upliftEstimate: decision.upliftEstimate,
    upliftModelVersion: decision.upliftModelVersion,
    score: {
      tier: score.tier,
      expectedSpend: score.expectedSpend,
      churnRisk: score.churnRisk,
      pBuyAgain: score.pBuyAgain,
      modelVersion: score.modelVersion,
    },
  };
}

function terms(campaign: Campaign): CampaignTerms {
  return {
    id: campaign.id,
    status: campaign.status,
    audience: audienceRuleSchema.parse(campaign.audience),
    startsAt: campaign.startsAt,
    endsAt: campaign.endsAt,
    priority: campaign.priority,
    frequencyCap: campaign.frequencyCap,
    cooldownSeconds: campaign.cooldownSeconds,
  };
}

const numeric = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export function economics(campaign: Campaign): CampaignEconomics {
  const params = (campaign.actionParams ?? {}) as { couponValue?: unknown };
  return {
    id: campaign.id,
    priority: campaign.priority,
    action: campaign.action,
    costPerAction: Number(campaign.costPerAction),
    upliftRate: campaign.upliftRate,
    couponValue: typeof params.couponValue === 'number' ? params.couponValue : undefined,
  };
}

function scoreFacts(score: CustomerScore): Facts {
  const { reasons: _reasons, recommendations: _recommendations, ...fields } = score;
  return fields;
}

function customerScore(score: CustomerScore) {
  return {
    lastScoredAt: new Date(score.scoredAt),
    tier: score.tier,
    expectedSpend: score.expectedSpend,
    churnRisk: score.churnRisk,
  };
}
