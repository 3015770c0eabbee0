import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS } from '@cvp/contracts';
import { scoreAsOf } from '@cvp/clock';
import { FEATURE_SCHEMA_VERSION, featureVectorAt, reviewReading, type FoldInput } from '@cvp/features';
import { KafkaProducerService, type BatchOf, type RecordBatch } from '@cvp/kafka';
import { FeatureStore } from './feature-store';

/**
 * cvp.events.v1 -> per-customer state in Redis -> cvp.features.v1; and cvp.review-signals.v1 (the language model's
 * readings of review texts, from the review-text worker) into the same states, so a review read as negative changes
 * the customer's features, hence their score, as soon as it is read.
 */
@Controller()
export class EventsConsumer {
  constructor(
    private readonly store: FeatureStore,
    private readonly producer: KafkaProducerService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(EventsConsumer.name);
  }

  @EventPattern(TOPICS.events)
  async onEvents(@Payload() batch: BatchOf<typeof TOPICS.events>): Promise<void> {
    await this.fold(
      batch.records.map((record) => record.value),
      batch,
    );
  }

  @EventPattern(TOPICS.reviewSignals)
  async onReviewSignals(@Payload() batch: BatchOf<typeof TOPICS.reviewSignals>): Promise<void> {
    await this.fold(
      batch.records.map((record) => reviewReading(record.value)),
      batch,
    );
  }

  private async fold(inputs: FoldInput[], batch: RecordBatch<unknown>): Promise<void> {
    const applied = await this.store.apply(inputs);
    const computedAt = new Date().toISOString();
    await this.producer.send(
      TOPICS.features,
      applied.updates.map(({ state, sourceEventId, index }) => {
        // As of the score clock (never before the newest event): a late event is scored as of now, like a sweep.
        const asOfMs = scoreAsOf(state.lastEventMs, applied.nowMs);
        return {
          value: {
            customerId: state.customerId,
            asOf: asOfMs === state.lastEventMs ? state.lastEventAt : new Date(asOfMs).toISOString(),
            lastEventAt: state.lastEventAt,
            sourceEventId,
            featureSchemaVersion: FEATURE_SCHEMA_VERSION,
            features: featureVectorAt(state, asOfMs),
            computedAt,
          },
          traceContext: batch.records[index].traceContext,
        };
      }),
    );
    await this.store.markPublished(applied.eventKeys);
    this.logger.debug(
      {
        partition: batch.partition,
        firstOffset: batch.records[0]?.offset,
        inputs: inputs.length,
        duplicates: applied.duplicates,
      },
      inputs[0]?.type === 'review_reading' ? 'review readings applied' : 'events applied',
    );
  }
}
