import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS } from '@cvp/contracts';
import { scoreAsOf } from '@cvp/clock';
import { FEATURE_SCHEMA_VERSION, featureVectorAt } from '@cvp/features';
import { KafkaProducerService, type BatchOf } from '@cvp/kafka';
import { FeatureStore } from './feature-store';

/** cvp.events.v1 -> per-customer state in Redis -> cvp.features.v1. */
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
    const events = batch.records.map((record) => record.value);
    const applied = await this.store.apply(events);
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
        events: events.length,
        duplicates: applied.duplicates,
      },
      'events applied',
    );
  }
}
