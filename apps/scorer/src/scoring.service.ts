import { Inject, Injectable } from '@nestjs/common';
import type { CustomerScore, FeatureVectorMessage } from '@cvp/contracts';
import type { FeatureVector } from '@cvp/features';
import { RFM_HEURISTIC_VERSION, rfmHeuristic } from '@cvp/scoring';
import { SCORER_CONFIG, type ScorerConfig } from './config';

/** Turns feature vectors into scores. Until a trained model is published, the RFM heuristic scores. */
@Injectable()
export class ScoringService {
  constructor(@Inject(SCORER_CONFIG) private readonly config: ScorerConfig) {}

  score(message: FeatureVectorMessage, scoredAt: string): CustomerScore {
    const estimate = rfmHeuristic(message.features as FeatureVector, {
      horizonDays: this.config.SCORE_HORIZON_DAYS,
      highTierSpend: this.config.TIER_HIGH_MIN_SPEND,
      midTierSpend: this.config.TIER_MID_MIN_SPEND,
    });
    return {
      customerId: message.customerId,
      asOf: message.asOf,
      sourceEventId: message.sourceEventId,
      scoredAt,
      horizonDays: this.config.SCORE_HORIZON_DAYS,
      expectedSpend: estimate.expectedSpend,
      expectedSpendLow: null,
      expectedSpendHigh: null,
      pBuyAgain: estimate.pBuyAgain,
      churnRisk: estimate.churnRisk,
      tier: estimate.tier,
      modelVersion: RFM_HEURISTIC_VERSION,
      featureSchemaVersion: message.featureSchemaVersion,
      reasons: estimate.reasons,
    };
  }
}
