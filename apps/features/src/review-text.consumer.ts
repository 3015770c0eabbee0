import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS, type ClickstreamEvent, type ReviewSignalMessage } from '@cvp/contracts';
import { textSentiment } from '@cvp/features';
import { KafkaProducerService, type BatchOf } from '@cvp/kafka';
import { ReviewHeadHolder } from './review-head';

type Review = Extract<ClickstreamEvent, { type: 'review' }> & { text: string };

const clamp = (value: number) => Math.max(-1, Math.min(1, Math.round(value * 1000) / 1000)) + 0;

/**
 * The review-text worker: the reviews with text of each cvp.events.v1 batch, read together by the sentence encoder
 * (one forward pass per 32) and the published review-sentiment head -> cvp.review-signals.v1. A consumer group of its
 * own: the state path does not wait for it, and it catches up on its own lag. No head yet: nothing is published.
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
        'no review-sentiment head published yet: reviews left to the lexicon',
      );
      return;
    }
    const texts = reviews.map(({ review }) => review.text);
    const embeddings = served.encoder ? await served.encoder.encode(texts) : null;
    const scoredAt = new Date().toISOString();
    await this.producer.send(
      TOPICS.reviewSignals,
      reviews.map(({ review, traceContext }, i) => {
        const prediction = served.head.predict(review.text, embeddings?.[i]);
        const value: ReviewSignalMessage = {
          eventId: review.eventId,
          customerId: review.customerId,
          productId: review.productId,
          occurredAt: review.occurredAt,
          rating: review.rating,
          sentiment: clamp(prediction.sentiment),
          label: prediction.label,
          lexicon: clamp(textSentiment(review.text)),
          headVersion: served.version,
          encoder: served.encoder?.name ?? null,
          scoredAt,
        };
        return { value, traceContext };
      }),
    );
    this.logger.debug({ partition: batch.partition, reviews: reviews.length, version: served.version }, 'reviews read');
  }
}
