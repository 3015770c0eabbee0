import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS } from '@cvp/contracts';
import { KafkaProducerService, type BatchOf } from '@cvp/kafka';
import { readReviews, ReviewHeadHolder, type Review } from './review-head';

/**
 * The review-text worker: the reviews with text of each cvp.events.v1 batch, read together by the sentence encoder
 * (one forward pass per 32) and the published review-sentiment head -> cvp.review-signals.v1. A consumer group of its
 * own: the state path does not wait for it, and it catches up on its own lag. No head yet: nothing is published (the
 * back-fill reads those reviews once a head is, `ReviewBackfill`).
 */
@Controller()
export class ReviewTextConsumer {
  constructor(
    private readonly heads: ReviewHeadHolder,
    private readonly producer: KafkaProducerService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ReviewTextConsumer.name);
  }

  @EventPattern(TOPICS.events)
  async onEvents(@Payload() batch: BatchOf<typeof TOPICS.events>): Promise<void> {
    const reviews = batch.records.flatMap((record) => {
      const event = record.value;
      const text = event.type === 'review' ? event.text?.trim() : undefined;
      return text ? [{ review: { ...event, text } as Review, traceContext: record.traceContext }] : [];
    });
    if (reviews.length === 0) return;
    await this.heads.ready;
    const served = this.heads.current;
    if (!served) {
      this.logger.debug(
        { reviews: reviews.length },
        'no review-sentiment head published yet: the lexicon reads these until one is, then the back-fill does',
      );
      return;
    }
    const readings = await readReviews(
      served,
      reviews.map(({ review }) => review),
    );
    await this.producer.send(
      TOPICS.reviewSignals,
      readings.map((value, i) => ({ value, traceContext: reviews[i].traceContext })),
    );
    this.logger.debug({ partition: batch.partition, reviews: reviews.length, version: served.version }, 'reviews read');
  }
}
