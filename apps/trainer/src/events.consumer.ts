import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS } from '@cvp/contracts';
import type { BatchOf } from '@cvp/kafka';
import { TrainingEventStore } from './event-store';

/** cvp.events.v1 and cvp.review-signals.v1 -> the training store in PostgreSQL (idempotent by eventId). */
@Controller()
export class EventsConsumer {
  constructor(
    private readonly store: TrainingEventStore,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(EventsConsumer.name);
  }

  @EventPattern(TOPICS.events)
  async onEvents(@Payload() batch: BatchOf<typeof TOPICS.events>): Promise<void> {
    const stored = await this.store.store(batch.records.map((record) => record.value));
    this.logger.debug(
      { partition: batch.partition, events: batch.records.length, stored },
      'events stored for training',
    );
  }

  @EventPattern(TOPICS.reviewSignals)
  async onReviewSignals(@Payload() batch: BatchOf<typeof TOPICS.reviewSignals>): Promise<void> {
    const stored = await this.store.storeReadings(batch.records.map((record) => record.value));
    this.logger.debug(
      { partition: batch.partition, readings: batch.records.length, stored },
      'review readings stored for training',
    );
  }
}
