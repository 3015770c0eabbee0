import type { CustomerScore } from '@cvp/contracts';

/** Flat hash layout of `cvp:score:v1:{id}`; nested reasons are JSON. */
export function toScoreHash(score: CustomerScore): Record<string, string> {
  return {
    customerId: score.customerId,
    asOf: score.asOf,
    lastEventAt: score.lastEventAt ?? score.asOf,
    trigger: score.trigger,
    sourceEventId: score.sourceEventId,
    scoredAt: score.scoredAt,
    horizonDays: String(score.horizonDays),
    expectedSpend: String(score.expectedSpend),
    expectedSpendLow: score.expectedSpendLow === null ? '' : String(score.expectedSpendLow),
    expectedSpendHigh: score.expectedSpendHigh === null ? '' : String(score.expectedSpendHigh),
    pBuyAgain: String(score.pBuyAgain),
    churnRisk: String(score.churnRisk),
    tier: score.tier,
    modelVersion: score.modelVersion,
    featureSchemaVersion: score.featureSchemaVersion,
    reasons: JSON.stringify(score.reasons),
    // The score as the API answers it, stored once when it is written: a lookup is one HGET and no parse.
    json: JSON.stringify(score),
  };
}

export function fromScoreHash(hash: Record<string, string>): CustomerScore {
  const optional = (value: string | undefined) => (value ? Number(value) : null);
  return {
    customerId: hash.customerId,
    asOf: hash.asOf,
    lastEventAt: hash.lastEventAt || hash.asOf,
    trigger: (hash.trigger || 'event') as CustomerScore['trigger'],
    sourceEventId: hash.sourceEventId,
    scoredAt: hash.scoredAt,
    horizonDays: Number(hash.horizonDays),
    expectedSpend: Number(hash.expectedSpend),
    expectedSpendLow: optional(hash.expectedSpendLow),
    expectedSpendHigh: optional(hash.expectedSpendHigh),
    pBuyAgain: Number(hash.pBuyAgain),
    churnRisk: Number(hash.churnRisk),
    tier: hash.tier as CustomerScore['tier'],
    modelVersion: hash.modelVersion,
    featureSchemaVersion: hash.featureSchemaVersion,
    reasons: JSON.parse(hash.reasons ?? '[]'),
  };
}
