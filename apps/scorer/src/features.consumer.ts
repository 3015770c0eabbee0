import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS } from '@cvp/contracts';
import { FEATURE_NAMES, FEATURE_SCHEMA_VERSION } from '@cvp/features';
import { KafkaProducerService, PermanentError, type BatchOf } from '@cvp/kafka';
import { newestPerCustomer } from '@cvp/scoring';
import { cvpMeter } from '@cvp/telemetry';
import { SCORER_CONFIG, type ScorerConfig } from './config';
import { ModelHolder } from './model-holder';
import { ScoreStore } from './score-store';
import { ScoringService } from './scoring.service';

/**
 * cvp.features.v1 -> score -> Redis (newest by event time wins) -> cvp.scores.v1. Of several vectors of one customer
 * in a batch only the one Redis would keep is scored (SCORE_CONFLATE; `newestPerCustomer`).
 */
@Controller()
export class FeaturesConsumer {
  private readonly superseded = cvpMeter().createCounter('cvp.scoring.superseded', {
    description:
      'Feature vectors not scored because a newer vector of the same customer was in the same batch (SCORE_CONFLATE)',
  });

  constructor(
    @Inject(SCORER_CONFIG) private readonly config: ScorerConfig,
    private readonly scoring: ScoringService,
    private readonly models: ModelHolder,
    private readonly store: ScoreStore,
    private readonly producer: KafkaProducerService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(FeaturesConsumer.name);
  }

  @EventPattern(TOPICS.features)
  async onFeatures(@Payload() batch: BatchOf<typeof TOPICS.features>): Promise<void> {
    // The first batch waits for the model published at start (normally already loaded).
    await this.models.ready;
    for (const record of batch.records) {
      if (record.value.featureSchemaVersion !== FEATURE_SCHEMA_VERSION) {
        throw new PermanentError(
          `feature schema ${record.value.featureSchemaVersion} is not the ${FEATURE_SCHEMA_VERSION} this scorer knows`,
        );
      }
      const missing = FEATURE_NAMES.filter((name) => !Number.isFinite(record.value.features[name]));
      if (missing.length > 0) {
        throw new PermanentError(`feature vector lacks ${missing.slice(0, 5).join(', ')} (${missing.length} missing)`);
      }
    }
    let records = batch.records;
    if (this.config.SCORE_CONFLATE) {
      const { kept, superseded } = newestPerCustomer(
        records.map((record) => ({
          customerId: record.value.customerId,
          asOf: record.value.asOf,
          lastEventAt: record.value.lastEventAt,
          record,
        })),
      );
      if (superseded > 0) {
        this.superseded.add(superseded);
        records = kept.map(({ record }) => record);
      }
    }
    const scores = await this.scoring.withRecommendations(
      this.scoring.scoreBatch(
        records.map((record) => record.value),
        new Date().toISOString(),
        'event',
      ),
    );
    const scored = records.map((record, i) => ({ record, score: scores[i] }));
    const outcome = await this.store.writeNewer(scores);
    const publish = new Set(outcome.publish);
    await this.producer.send(
      TOPICS.scores,
      scored
        .filter(({ score }) => publish.has(score))
        .map(({ record, score }) => ({ value: score, traceContext: record.traceContext })),
    );
    this.logger.debug(
      {
        partition: batch.partition,
        records: batch.records.length,
        scored: scored.length,
        newer: outcome.written,
        modelVersion: scores[0]?.modelVersion,
      },
      'features scored',
    );
  }
}
