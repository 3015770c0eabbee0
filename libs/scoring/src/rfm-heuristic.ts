import type { FeatureVector } from '@cvp/features';
import type { ScoreReason, Tier } from '@cvp/contracts';
import { reviewReason } from './review-reason';

export const RFM_HEURISTIC_VERSION = 'rfm-heuristic@1';

export interface HeuristicOptions {
  horizonDays: number;
  /** Expected spend at or above which a customer is `high` tier. */
  highTierSpend: number;
  /** Expected spend at or above which a customer is `mid` tier. */
  midTierSpend: number;
}

export interface ValueEstimate {
  expectedSpend: number;
  pBuyAgain: number;
  churnRisk: number;
  tier: Tier;
  reasons: ScoreReason[];
}

/**
 * A transparent rule of thumb, used until a trained model is published, and named as such on every score.
 * It is not a fitted model:
 * - purchase rate = orders / max(tenure, 30 days);
 * - P(alive) falls as recency grows past the customer's usual gap between purchases:
 *   1 / (1 + (recency / (3 x gap))^2), with gap = tenure / orders (at least 30 days);
 * - expected spend = P(alive) x rate x horizon x mean order value;
 * - P(buy again) = P(alive) x (1 - exp(-rate x horizon)); churn risk = 1 - P(alive).
 * Customers who never bought get P(alive) from their activity alone and no expected spend.
 */
export function rfmHeuristic(features: FeatureVector, options: HeuristicOptions): ValueEstimate {
  const { horizonDays } = options;
  const orders = features.frequency;
  const tenure = Math.max(features.tenureDays, 30);
  const ratePerDay = orders / tenure;
  const usualGap = Math.max(tenure / Math.max(orders, 1), 30);
  const recency = orders > 0 ? features.recencyDays : features.daysSinceLastEvent;
  const pAlive = orders > 0 ? 1 / (1 + (recency / (3 * usualGap)) ** 2) : (1 / (1 + (recency / 30) ** 2)) * 0.2;
  const pBuyAgain = orders > 0 ? pAlive * (1 - Math.exp(-ratePerDay * horizonDays)) : pAlive;
  const expectedSpend = pAlive * ratePerDay * horizonDays * features.monetaryMean;
  const tier: Tier =
    expectedSpend >= options.highTierSpend ? 'high' : expectedSpend >= options.midTierSpend ? 'mid' : 'low';
  const reasons: ScoreReason[] = [
    {
      feature: 'monetaryMean',
      value: features.monetaryMean,
      contribution: round2(pAlive * ratePerDay * horizonDays * features.monetaryMean),
      description: `mean order value ${features.monetaryMean.toFixed(2)}`,
    },
    {
      feature: 'frequency',
      value: orders,
      contribution: round2(ratePerDay * 365),
      description: `${orders} orders in ${Math.round(tenure)} days (${(ratePerDay * 365).toFixed(1)} a year)`,
    },
    {
      feature: 'recencyDays',
      value: round2(recency),
      contribution: round2(-(1 - pAlive)),
      description: `${Math.round(recency)} days since the last ${orders > 0 ? 'purchase' : 'activity'} (usual gap ${Math.round(usualGap)} days)`,
    },
  ];
  return {
    expectedSpend: round2(expectedSpend),
    pBuyAgain: clamp01(pBuyAgain),
    churnRisk: clamp01(1 - pAlive),
    tier,
    reasons: [
      ...reasons.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)),
      ...[reviewReason(features, null)].filter((reason): reason is ScoreReason => reason !== null),
    ],
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const clamp01 = (value: number) => Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
