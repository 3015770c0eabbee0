import { Inject, Injectable } from '@nestjs/common';
import type { CustomerScore, FeatureVectorMessage, ScoreTrigger } from '@cvp/contracts';
import type { FeatureVector } from '@cvp/features';
import { RFM_HEURISTIC_VERSION, rfmHeuristic, scoreWithModel } from '@cvp/scoring';
import { recommendationsForMany } from '@cvp/recommend';
import { cvpMeter, durationHistogram, secondsSince, sizeHistogram } from '@cvp/telemetry';
import { ScoreStore } from './score-store';
import { SCORER_CONFIG, type ScorerConfig } from './config';
import { ModelHolder } from './model-holder';

/** Turns feature vectors into scores: with the published model, or the RFM heuristic while there is none. */
@Injectable()
export class ScoringService {
  private readonly scored = cvpMeter().createCounter('cvp.scoring.scores', {
    description: 'Scores computed, by trigger (event, sweep, model-swap) and model version',
  });
  private readonly batchSize = sizeHistogram('cvp.scoring.batch.size', 'Customers per scoring batch, by trigger');
  private readonly batchDuration = durationHistogram(
    'cvp.scoring.batch.duration.seconds',
    'Time to score one batch (model and reasons), by trigger',
  );

  constructor(
    @Inject(SCORER_CONFIG) private readonly config: ScorerConfig,
    private readonly models: ModelHolder,
    private readonly store: ScoreStore,
  ) {
    // The versions in use, as a gauge of 1 per (kind, version): what a dashboard shows as "model in use".
    cvpMeter()
      .createObservableGauge('cvp.model.in_use', { description: '1 for the model versions this scorer serves now' })
      .addCallback((result) => {
        result.observe(1, { kind: 'value', version: this.modelVersion });
        const recommender = this.models.recommender;
        if (recommender) result.observe(1, { kind: 'recommender', version: recommender.version });
      });
  }

  /**
   * Adds each score's top products (SCORE_RECOMMENDATIONS of them) by the published recommender, from the customers'
   * items as stored now, scored as one batch (one Redis round trip per node); the scores as they are while none is published.
   */
  async withRecommendations(scores: CustomerScore[]): Promise<CustomerScore[]> {
    const served = this.models.recommender;
    const n = this.config.SCORE_RECOMMENDATIONS;
    if (!served || n === 0 || scores.length === 0) return scores;
    const hashes = await this.store.itemsOf(
      scores.map((score) => score.customerId),
      true,
    );
    const lists = recommendationsForMany(
      served,
      scores.map((score, i) => ({
        itemsHash: hashes[i],
        query: { n, excludePurchased: false, nowMs: Date.parse(score.asOf) },
      })),
    );
    return scores.map((score, i) => ({ ...score, recommendations: lists[i] }));
  }

  /** Synchronous on purpose: a model swap can only happen between two batches. */
  scoreBatch(messages: readonly FeatureVectorMessage[], scoredAt: string, trigger: ScoreTrigger): CustomerScore[] {
    const started = performance.now();
    const loaded = this.models.current;
    // A sweep scores every customer: its reasons take fewer integrated-gradients steps than an event's.
    const explainSteps = trigger === 'event' ? this.config.SCORE_EXPLAIN_STEPS : this.config.SWEEP_EXPLAIN_STEPS;
    const scores = loaded
      ? scoreWithModel(loaded, messages, scoredAt, { explainSteps, trigger })
      : messages.map((message) => this.heuristic(message, scoredAt, trigger));
    this.batchDuration.record(secondsSince(started), { trigger });
    this.batchSize.record(messages.length, { trigger });
    this.scored.add(scores.length, { trigger, model: this.modelVersion });
    return scores;
  }

  /** The version that scores now: the published model's, or the heuristic's. */
  get modelVersion(): string {
    return this.models.current?.metadata.version ?? RFM_HEURISTIC_VERSION;
  }

  private heuristic(message: FeatureVectorMessage, scoredAt: string, trigger: ScoreTrigger): CustomerScore {
    const estimate = rfmHeuristic(message.features as FeatureVector, {
      horizonDays: this.config.SCORE_HORIZON_DAYS,
      highTierSpend: this.config.TIER_HIGH_MIN_SPEND,
      midTierSpend: this.config.TIER_MID_MIN_SPEND,
    });
    return {
      customerId: message.customerId,
      asOf: message.asOf,
      lastEventAt: message.lastEventAt ?? message.asOf,
      trigger,
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
