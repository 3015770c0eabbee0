import type { MarketingAction } from '@cvp/contracts';

/** What the engine knows of a campaign's economics (stored with the campaign). */
export interface CampaignEconomics {
  id: string;
  priority: number;
  action: MarketingAction;
  /** Fixed cost of one treated action (message, ad impression...), spent from the budget. */
  costPerAction: number;
  /**
   * Expected incremental spend caused by the action, as a share of the customer's expected spend over the score's
   * horizon (the marketer's prior; the campaign report measures the real one against the control group).
   */
  upliftRate: number;
  /** Coupon value, paid only when the customer buys (coupon actions). */
  couponValue?: number;
  /**
   * For this customer: the incremental revenue the campaign's published uplift model expects (learnt from its own
   * treated and control groups), in place of the constant rate.
   */
  learnedUplift?: number;
  /** This customer is in the campaign's exploration share: decided even when not expected to pay (keeps learning). */
  exploring?: boolean;
}

/** The score fields the economics use. */
export interface ScoreEconomics {
  expectedSpend: number;
  pBuyAgain: number;
  /**
   * What the customer spends over the score's horizon while active, from their own history (`valueAtStake`); what a
   * win-back can win back. Absent: no history known.
   */
  valueAtStake?: number;
}

/**
 * A customer's spend over `horizonDays` at the rate they spent while a customer: net spend over the days since their
 * first purchase (at least 30, so one recent order is not read as a daily habit). 0 without spend.
 */
export function valueAtStake(history: { monetaryTotal?: number; tenureDays?: number }, horizonDays: number): number {
  const spend = history.monetaryTotal ?? 0;
  if (!(spend > 0) || !(horizonDays > 0)) return 0;
  return (spend / Math.max(30, history.tenureDays ?? 0)) * horizonDays;
}

export interface ExpectedReturn {
  incrementalValue: number;
  cost: number;
  /** incrementalValue − cost. */
  value: number;
}

/**
 * Expected return of treating a customer: incremental value = upliftRate × expected spend; expected cost = the
 * action's cost plus, for a coupon, its value × P(buy again) (the discount is paid only on a purchase).
 *
 * A win-back is the exception: it is aimed at customers the model already expects to lose, so their expected spend
 * is near 0 by construction, and upliftRate × 0 would never justify one. What it can win back is the customer's spend
 * while active (`valueAtStake`): its incremental value is upliftRate × the larger of the two. The campaign report
 * measures whether that prior holds, against the control group.
 */
export function expectedReturn(campaign: CampaignEconomics, score: ScoreEconomics): ExpectedReturn {
  const base =
    campaign.action === 'win_back' ? Math.max(score.expectedSpend, score.valueAtStake ?? 0) : score.expectedSpend;
  const incrementalValue = campaign.learnedUplift ?? campaign.upliftRate * base;
  const couponCost = campaign.action === 'coupon' ? (campaign.couponValue ?? 0) * score.pBuyAgain : 0;
  const cost = campaign.costPerAction + couponCost;
  return { incrementalValue, cost, value: incrementalValue - cost };
}

/**
 * The order in which competing campaigns are tried for one customer: best expected return first (ties: higher
 * priority, then id), only those expected to return more than they cost, then those exploring this customer
 * (randomised exploration, best first). The engine takes the first one whose budget, cap and cooldown allow it, so a
 * customer gets at most one action per score.
 */
export function byExpectedReturn<C extends CampaignEconomics>(
  campaigns: readonly C[],
  score: ScoreEconomics,
): { campaign: C; expected: ExpectedReturn }[] {
  return campaigns
    .map((campaign) => ({ campaign, expected: expectedReturn(campaign, score) }))
    .filter(({ campaign, expected }) => expected.value > 0 || campaign.exploring)
    .sort(
      (a, b) =>
        Number(a.expected.value <= 0) - Number(b.expected.value <= 0) ||
        b.expected.value - a.expected.value ||
        b.campaign.priority - a.campaign.priority ||
        a.campaign.id.localeCompare(b.campaign.id),
    );
}
