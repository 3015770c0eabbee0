import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Kafka } from 'kafkajs';
import { TOPICS, type ClickstreamEvent, type ModelPublishedMessage, type ReviewSignalMessage } from '@cvp/contracts';
import { textSentiment } from '@cvp/features';
import { PrismaService } from '@cvp/db';
import { followTopicUntilCaughtUp, KAFKA_CLIENT, type Following } from '@cvp/kafka';
import { ModelStore, recordedChecksum } from '@cvp/model-store';
import { REVIEW_SENTIMENT_FILE, ReviewSentimentPredictor, type ReviewSentimentArtifact } from '@cvp/text';
import { loadSentenceEncoder, textModelStatus, type SentenceEncoder } from '@cvp/text-encoder';
import type { FeaturesConfig } from './config';
import { FEATURES_CONFIG } from './persistence-guard';

/** A review event with its text (trimmed, not empty). */
export type Review = Extract<ClickstreamEvent, { type: 'review' }> & { text: string };

const clamp = (value: number) => Math.max(-1, Math.min(1, Math.round(value * 1000) / 1000)) + 0;

export interface ServedReviewHead {
  version: string;
  head: ReviewSentimentPredictor;
  /** The encoder the head was trained with, loaded; null for a words-only head. */
  encoder: SentenceEncoder | null;
}

/**
 * The served head's readings of `reviews` (one forward pass of the encoder for them all), as cvp.review-signals.v1
 * values: what the live worker and the back-fill both publish.
 */
export async function readReviews(served: ServedReviewHead, reviews: Review[]): Promise<ReviewSignalMessage[]> {
  if (reviews.length === 0) return [];
  const embeddings = served.encoder ? await served.encoder.encode(reviews.map((review) => review.text)) : null;
  const scoredAt = new Date().toISOString();
  return reviews.map((review, i) => {
    const prediction = served.head.predict(review.text, embeddings?.[i]);
    return {
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
  });
}

/**
 * The review-sentiment head of the published model version (cvp.models.v1, checked against the registry like the
 * scorer does), swapped in between two batches; and the sentence encoder it needs, loaded once. Null until a
 * version with a head is published, or when its head needs an encoder this process does not have: then no signal is
 * published and the feature state keeps the lexicon's reading of the reviews.
 */
@Injectable()
export class ReviewHeadHolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private served: ServedReviewHead | null = null;
  private encoder: Promise<SentenceEncoder | null> | null = null;
  private following?: Following;
  private stopped = false;
  private markReady!: () => void;
  /**
   * Resolves once the version published at start is read (its head loaded, or found to have none), or after
   * STARTUP_TIMEOUT_MS: the worker reads no review before, so a review is not passed over for want of a head.
   */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  private readonly store: ModelStore;
  private readonly swapListeners: ((served: ServedReviewHead) => void)[] = [];

  constructor(
    @Inject(FEATURES_CONFIG) private readonly config: FeaturesConfig,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly logger: PinoLogger,
    @Optional() private readonly prisma?: PrismaService,
  ) {
    logger.setContext(ReviewHeadHolder.name);
    this.store = new ModelStore(config.MODEL_STORE_DIR);
  }

  get current(): ServedReviewHead | null {
    return this.served;
  }

  /** Calls `listener` with each head swapped in from now on (the first one included). */
  onSwap(listener: (served: ServedReviewHead) => void): void {
    this.swapListeners.push(listener);
  }

  onApplicationBootstrap(): void {
    const status = textModelStatus(this.config.TEXT_MODEL_DIR);
    if (status.ready)
      this.logger.info({ encoder: status.name, dir: status.dir }, 'review text: sentence encoder staged');
    else this.logger.warn({ reason: status.reason }, 'review text: no sentence encoder, only words-only heads serve');
    const timer = setTimeout(() => {
      this.logger.warn('the published model is not known yet: reading reviews without a head meanwhile');
      this.markReady();
    }, this.config.STARTUP_TIMEOUT_MS);
    timer.unref();
    void this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.following?.stop();
    await (await this.encoder?.catch(() => null))?.close();
  }

  private async follow(): Promise<void> {
    const following = await followTopicUntilCaughtUp(
      this.kafka,
      TOPICS.models,
      `${this.config.KAFKA_GROUP_ID}-models`,
      (record) => this.swapTo(record.value),
      () => this.stopped,
      (attempt, error) =>
        this.logger.warn({ attempt, error: error.message }, 'cannot follow cvp.models.v1 yet, retrying'),
    );
    if (!following) return;
    this.following = following;
    if (this.stopped) await following.stop();
    this.logger.info({ version: this.served?.version ?? null }, 'published review head known');
    this.markReady();
  }

  private sentenceEncoder(): Promise<SentenceEncoder | null> {
    this.encoder ??= textModelStatus(this.config.TEXT_MODEL_DIR).ready
      ? loadSentenceEncoder(this.config.TEXT_MODEL_DIR, { threads: this.config.TEXT_ENCODER_THREADS }).catch(
          (error: Error) => {
            this.logger.error({ error: error.message }, 'the sentence encoder could not be loaded');
            return null;
          },
        )
      : Promise.resolve(null);
    return this.encoder;
  }

  /** Loads the head of an announced version; a version without one, or one that cannot serve, keeps the current. */
  async swapTo(announced: ModelPublishedMessage): Promise<void> {
    if (this.served?.version === announced.version) return;
    const artifactSha256 = await recordedChecksum(this.prisma, announced);
    const files = await this.store.loadFiles(announced.artifactUri, artifactSha256, [REVIEW_SENTIMENT_FILE]);
    const text = files[REVIEW_SENTIMENT_FILE];
    if (!text) {
      this.logger.warn(
        { version: announced.version },
        'this version has no review-sentiment head: keeping the current',
      );
      return;
    }
    const head = new ReviewSentimentPredictor((JSON.parse(text) as ReviewSentimentArtifact).model);
    const wanted = head.model.encoder;
    const encoder = wanted ? await this.sentenceEncoder() : null;
    if (wanted && (!encoder || encoder.name !== wanted.name || encoder.dimensions !== wanted.dimensions)) {
      this.logger.error(
        { version: announced.version, wanted: wanted.name, staged: encoder?.name ?? null },
        'the head needs a sentence encoder this process does not have: keeping the current',
      );
      return;
    }
    const previous = this.served?.version ?? null;
    this.served = { version: announced.version, head, encoder };
    for (const listener of this.swapListeners) listener(this.served);
    this.logger.info(
      { version: announced.version, previous, encoder: encoder?.name ?? null },
      'review head swapped in',
    );
  }
}
