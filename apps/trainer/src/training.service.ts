import {
  ConflictException,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  UnprocessableEntityException,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { UpliftTraining } from './uplift-training';
import { trainValueModelApart } from './value-training';
import { storage as requestLogContext } from 'nestjs-pino/storage';
import { TOPICS, type ClickstreamEvent, type ModelPublishedMessage } from '@cvp/contracts';
import { FEATURE_SCHEMA_VERSION } from '@cvp/features';
import { KAFKA_CLIENT, KafkaProducerService, readLastRecord } from '@cvp/kafka';
import {
  publishVerdict,
  selectBackend,
  VALUE_MODEL_ALGORITHM,
  ValueModel,
  valueModelSpec,
  validationMetrics,
  type EvaluationMetrics,
  type PublishVerdict,
  type ValueModelMetadata,
} from '@cvp/model';
import { ModelStore } from '@cvp/model-store';
import {
  RECOMMENDER_FILE,
  trainRecommenderArtifact,
  type RecommenderArtifact,
  type RecommenderVerdict,
} from '@cvp/recommend';
import { textSentiment } from '@cvp/features';
import {
  ratedReviewsOf,
  REVIEW_SENTIMENT_FILE,
  trainReviewSentimentArtifact,
  type ReviewSentimentArtifact,
} from '@cvp/text';
import { loadSentenceEncoder, textModelStatus, type SentenceEncoder } from '@cvp/text-encoder';
import type { Kafka } from 'kafkajs';
import { TRAINER_CONFIG, type TrainerConfig } from './config';
import { TrainingEventStore } from './event-store';
import { ModelRegistry } from './model-registry';
import type { TrainRequest } from './train-request';

const DAY_MS = 86_400_000;

export interface TrainingStarted {
  version: string;
  status: 'training';
  from: string;
  to: string;
  horizonDays: number;
}

class TrainingStopped extends Error {}

/**
 * Training runs: on demand (HTTP, command topic) and on a schedule, one at a time in this process (the chart runs
 * one trainer). A run reads its window of stored events, trains, compares the candidate with the published model on
 * the candidate's validation customers, saves the artifact, and publishes (registry + cvp.models.v1) only a better one.
 * The recommender trained in the same run is published apart, by its own verdict (`trainRecommender`).
 */
@Injectable()
export class TrainingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private running: Promise<void> | null = null;
  private currentVersion: string | null = null;
  private stopping = false;
  /** Ends the training process of the run in progress (set while one trains). */
  private stopTraining: (() => void) | null = null;
  private schedule?: NodeJS.Timeout;
  private readonly store: ModelStore;
  /** Loaded at the first run that has reviews to read, kept for the next. */
  private encoder: Promise<SentenceEncoder | null> | null = null;

  constructor(
    @Inject(TRAINER_CONFIG) private readonly config: TrainerConfig,
    private readonly events: TrainingEventStore,
    private readonly registry: ModelRegistry,
    private readonly producer: KafkaProducerService,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly logger: PinoLogger,
    private readonly uplift: UpliftTraining,
  ) {
    logger.setContext(TrainingService.name);
    this.store = new ModelStore(config.MODEL_STORE_DIR);
  }

  onApplicationBootstrap(): void {
    void this.recover();
    if (this.config.TRAIN_INTERVAL_MINUTES > 0) {
      this.schedule = setInterval(() => void this.scheduledRun(), this.config.TRAIN_INTERVAL_MINUTES * 60_000);
      this.schedule.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.schedule);
    this.stopping = true;
    this.stopTraining?.();
    await this.running;
    await (await this.encoder?.catch(() => null))?.close();
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Starts a run and returns once its window is known (bad windows fail here, with a clear error); the training
   * itself goes on in the background. 409 while another run is in progress.
   */
  async start(request: TrainRequest, origin: string): Promise<TrainingStarted> {
    if (this.running) throw new ConflictException('a training run is already in progress');
    if (this.stopping) throw new ConflictException('the trainer is shutting down');
    // Claim the slot before the first await so two requests cannot both start.
    let release!: () => void;
    this.running = new Promise<void>((resolve) => (release = resolve));
    try {
      const window = await this.window(request);
      const horizonDays = request.horizonDays ?? this.config.TRAIN_HORIZON_DAYS;
      const version = `${VALUE_MODEL_ALGORITHM}@${new Date().toISOString().replace(/[-:.]/g, '')}`;
      await this.registry.startRun({
        version,
        algorithm: VALUE_MODEL_ALGORITHM,
        featureSchemaVersion: FEATURE_SCHEMA_VERSION,
        from: window.from,
        to: window.to,
        request: { ...request, origin },
      });
      this.logger.info({ version, origin, from: window.from, to: window.to, horizonDays }, 'training run started');
      this.currentVersion = version;
      // The run outlives the request: its logs must not carry the request's fields.
      requestLogContext.exit(() => {
        void this.run(version, window, horizonDays, request).finally(() => {
          this.currentVersion = null;
          release();
        });
      });
      return { version, status: 'training', from: window.from.toISOString(), to: window.to.toISOString(), horizonDays };
    } catch (error) {
      release();
      throw error;
    } finally {
      void this.running.then(() => (this.running = null));
    }
  }

  private async window(request: TrainRequest): Promise<{ from: Date; to: Date }> {
    let to: Date;
    if (request.to) {
      to = new Date(request.to);
    } else {
      const newest = await this.events.newestEventTime();
      if (!newest) throw new UnprocessableEntityException('no events are stored for training yet');
      to = new Date(newest.getTime() + 1);
    }
    const from = request.from
      ? new Date(request.from)
      : new Date(to.getTime() - this.config.TRAIN_WINDOW_DAYS * DAY_MS);
    return { from, to };
  }

  private async run(
    version: string,
    window: { from: Date; to: Date },
    horizonDays: number,
    request: TrainRequest,
  ): Promise<void> {
    const started = performance.now();
    const seed = request.seed ?? this.config.TRAIN_SEED;
    try {
      const events: ClickstreamEvent[] = [];
      for await (const event of this.events.events(window.from, window.to)) {
        events.push(event);
        if (events.length % 100_000 === 0) this.logger.info({ version, events: events.length }, 'reading events');
        if (this.stopping) throw new TrainingStopped('the trainer is shutting down');
      }
      // The language model's readings of the window's reviews: the features fold them as the live service did.
      const readings = await this.events.readings(window);
      this.logger.info({ version, events: events.length, readings: readings.length }, 'events read, training');
      const backend = await selectBackend(this.config.TRAIN_BACKEND, (line) => this.logger.info(line));
      const maxEpochs = request.maxEpochs ?? this.config.TRAIN_MAX_EPOCHS;
      // In a process of its own: minutes of CPU-bound fitting must not hold this one's probes, API and consumer.
      const apart = trainValueModelApart(
        {
          version,
          window,
          events: readings.length > 0 ? [...events, ...readings] : events,
          horizonDays,
          seed,
          tierShares: { high: this.config.TIER_HIGH_SHARE, mid: this.config.TIER_MID_SHARE },
          minCustomers: this.config.TRAIN_MIN_CUSTOMERS,
          maxEpochs,
          backend: this.config.TRAIN_BACKEND,
        },
        {
          log: (line) => this.logger.info({ version }, line),
          onEpoch: (record) => {
            if (record.epoch === 1 || record.epoch % 10 === 0) {
              this.logger.info({ version, ...record, maxEpochs }, 'epoch');
            }
          },
        },
      );
      this.stopTraining = apart.stop;
      if (this.stopping) apart.stop();
      const trained = await apart.result.finally(() => (this.stopTraining = null));
      const recommender = await this.trainRecommender(version, events, window.to, horizonDays);
      // The value model does not depend on the review head: a head that cannot be trained is logged, not fatal.
      const reviewHead = await this.trainReviewHead(version, events).catch((error: Error) => {
        this.logger.error({ version, error: error.message }, 'review-sentiment head failed: the version goes without');
        return null;
      });
      // The campaigns' uplift models learn from decisions, not from the value model: their failure fails nothing else.
      // Learnt before the run is finished, so whoever waits for the run finds them registered.
      const uplift = await this.uplift.trainAll(version, window.to, seed).catch((error: Error) => {
        this.logger.error({ version, error: error.message }, 'uplift models failed: campaigns keep the ones they have');
        return { error: error.message };
      });
      try {
        const current = await this.currentOnValidation(trained.validation);
        const verdict: PublishVerdict = request.force
          ? { publish: true, reason: 'forced by the request' }
          : publishVerdict(trained.metrics, current);
        const { metadata } = trained;
        const recommenderVerdict: RecommenderVerdict | null = recommender && {
          ...recommender.verdict,
          ...(request.force ? { publish: true, reason: 'forced by the request' } : {}),
        };
        const artifact = await this.store.save(version, trained.network, metadata, {
          ...(recommender ? { [RECOMMENDER_FILE]: JSON.stringify(recommender.artifact) } : {}),
          ...(reviewHead ? { [REVIEW_SENTIMENT_FILE]: JSON.stringify(reviewHead) } : {}),
        });
        const row = await this.registry.finishRun(version, {
          publish: verdict.publish,
          publishRecommender: recommenderVerdict?.publish ?? false,
          artifactUri: artifact.uri,
          artifactSha256: artifact.sha256,
          tierThresholds: trained.tierThresholds,
          metrics: {
            validation: trained.metrics,
            selection: trained.selection,
            publishedOnValidation: current ? { version: current.version, ...current.metrics } : null,
            verdict,
            customers: trained.customers,
            examples: trained.examples,
            training: { ...trained.training, backend, seed, maxEpochs, events: events.length },
            recommender: recommender
              ? {
                  name: recommender.artifact.name,
                  items: recommender.artifact.items.length,
                  validation: recommender.artifact.validation,
                  verdict: recommenderVerdict,
                }
              : null,
            reviewSentiment: reviewHead
              ? {
                  encoder: reviewHead.model.encoder?.name ?? null,
                  reviews: reviewHead.model.trainedOn.reviews,
                  validation: reviewHead.validation,
                }
              : null,
            uplift,
            request,
          },
        });
        if (verdict.publish || row.recommenderPublishedAt) await this.announce();
        this.logger.info(
          {
            version,
            status: row.status,
            reason: verdict.reason,
            recommender: recommenderVerdict?.reason ?? null,
            gini: trained.metrics.gini,
            backend,
            epochs: trained.training.epochsRun,
            msPerEpoch: Math.round(trained.training.msPerEpoch),
            seconds: Math.round((performance.now() - started) / 100) / 10,
          },
          'training run finished',
        );
      } finally {
        trained.network.network.dispose();
      }
    } catch (error) {
      const message = (error as Error).message;
      this.logger.error({ version, error: message }, 'training run failed');
      await this.registry.failRun(version, message).catch((failure: Error) => {
        this.logger.error({ version, error: failure.message }, 'could not mark the run failed');
      });
    }
  }

  /**
   * The recommender trained on the same window, stored with the version (`recommender.json`): candidates chosen on a
   * split inside the window (`trainRecommender`), with the verdict on publishing it in place of the one served. Null,
   * with the reason logged, when the window's purchases name too few products to learn from.
   */
  private async trainRecommender(
    version: string,
    events: ClickstreamEvent[],
    to: Date,
    horizonDays: number,
  ): Promise<{ artifact: RecommenderArtifact; verdict: RecommenderVerdict } | null> {
    const started = performance.now();
    const trained = await trainRecommenderArtifact(events, to, horizonDays, await this.servedRecommender());
    if (!trained) {
      this.logger.warn({ version }, 'no recommender: the purchases name fewer than 2 products');
      return null;
    }
    this.logger.info(
      {
        version,
        recommender: trained.artifact.name,
        products: trained.products,
        validation: trained.artifact.validation.candidates[0]?.metrics,
        verdict: trained.verdict.reason,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      },
      'recommender trained',
    );
    return trained;
  }

  /** The artifact of the recommender served now (checked against the registry's checksum); null when none is. */
  private async servedRecommender(): Promise<{ version: string; artifact: RecommenderArtifact } | null> {
    const row = await this.registry.servedRecommender();
    if (!row) return null;
    try {
      if (!row.artifactSha256) throw new Error('the registry holds no checksum of its artifact');
      const files = await this.store.loadFiles(row.artifactUri, row.artifactSha256, [RECOMMENDER_FILE]);
      const text = files[RECOMMENDER_FILE];
      if (!text) throw new Error(`its artifact holds no ${RECOMMENDER_FILE}`);
      return { version: row.version, artifact: JSON.parse(text) as RecommenderArtifact };
    } catch (error) {
      // What cannot be read cannot be served either: the new recommender is judged as if none were.
      this.logger.warn({ version: row.version, error: (error as Error).message }, 'served recommender unreadable');
      return null;
    }
  }

  /**
   * The review-sentiment head trained on the window's newest TEXT_HEAD_MAX_REVIEWS reviews that carry text and stars
   * (the stream labels itself), on words and, when `npm run nlp:model` staged it, the sentence encoder's embedding;
   * stored with the version (`review-sentiment.json`). Null, with the reason logged, when there is too little to learn.
   */
  private async trainReviewHead(version: string, events: ClickstreamEvent[]): Promise<ReviewSentimentArtifact | null> {
    const started = performance.now();
    const reviews = ratedReviewsOf(events, this.config.TEXT_HEAD_MAX_REVIEWS);
    if (reviews.length === 0) {
      this.logger.info({ version }, 'no review-sentiment head: no reviews with text in the window');
      return null;
    }
    const encoder = await this.sentenceEncoder();
    const embeddings = encoder ? await encoder.encode(reviews.map((review) => review.text)) : null;
    const trained = await trainReviewSentimentArtifact(
      embeddings ? reviews.map((review, i) => ({ ...review, embedding: embeddings[i] })) : reviews,
      (text) => textSentiment(text),
      encoder ? { name: encoder.name, dimensions: encoder.dimensions } : null,
    );
    if (!trained.artifact) {
      this.logger.warn({ version, reason: trained.reason }, 'no review-sentiment head');
      return null;
    }
    const { validation } = trained.artifact;
    this.logger.info(
      {
        version,
        encoder: encoder?.name ?? null,
        reviews: reviews.length,
        served: validation.models[validation.served],
        lexicon: validation.models.lexicon,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      },
      'review-sentiment head trained',
    );
    return trained.artifact;
  }

  /** The staged sentence encoder, or null (said once) when it is not there: the head then learns from words. */
  private sentenceEncoder(): Promise<SentenceEncoder | null> {
    this.encoder ??= (async () => {
      const status = textModelStatus(this.config.TEXT_MODEL_DIR);
      if (!status.ready) {
        this.logger.warn({ reason: status.reason }, 'no sentence encoder: review heads learn from words alone');
        return null;
      }
      const encoder = await loadSentenceEncoder(this.config.TEXT_MODEL_DIR, { threads: 1 });
      this.logger.info({ encoder: encoder.name, dir: status.dir }, 'sentence encoder loaded');
      return encoder;
    })().catch((error: Error) => {
      this.logger.error({ error: error.message }, 'the sentence encoder could not be loaded: words alone');
      return null;
    });
    return this.encoder;
  }

  /** The published model's metrics on the candidate's validation customers (null when there is none to compare). */
  private async currentOnValidation(
    validation: Parameters<typeof validationMetrics>[1],
  ): Promise<{ version: string; metrics: EvaluationMetrics } | null> {
    const published = await this.registry.published();
    if (!published) return null;
    if (published.featureSchemaVersion !== FEATURE_SCHEMA_VERSION) {
      this.logger.warn({ version: published.version }, 'published model uses another feature schema: not compared');
      return null;
    }
    try {
      if (!published.artifactSha256) throw new Error('the registry holds no checksum of its artifact');
      const { model: network, metadata } = await this.store.load<ValueModelMetadata>(
        published.artifactUri,
        published.artifactSha256,
      );
      const model = new ValueModel(network, valueModelSpec(metadata));
      try {
        return { version: published.version, metrics: validationMetrics(model, validation) };
      } finally {
        model.dispose();
      }
    } catch (error) {
      this.logger.warn(
        { version: published.version, error: (error as Error).message },
        'published model could not be loaded: the candidate is not compared with it',
      );
      return null;
    }
  }

  /** What the registry says is published, as announced on cvp.models.v1 (null before a value model is published). */
  private async publishedState(): Promise<ModelPublishedMessage | null> {
    const [published, recommender] = await Promise.all([this.registry.published(), this.registry.servedRecommender()]);
    if (!published?.publishedAt) return null;
    const checksum = (row: { version: string; artifactSha256: string | null }) => {
      if (!row.artifactSha256) throw new Error(`${row.version} has no artifact checksum: not announced`);
      return row.artifactSha256;
    };
    return {
      version: published.version,
      algorithm: VALUE_MODEL_ALGORITHM,
      featureSchemaVersion: published.featureSchemaVersion,
      artifactUri: published.artifactUri,
      artifactSha256: checksum(published),
      publishedAt: published.publishedAt.toISOString(),
      recommender: recommender?.recommenderPublishedAt
        ? {
            version: recommender.version,
            artifactUri: recommender.artifactUri,
            artifactSha256: checksum(recommender),
            publishedAt: recommender.recommenderPublishedAt.toISOString(),
          }
        : null,
    };
  }

  /** Announces the published state (value model and recommender) on cvp.models.v1. */
  private async announce(): Promise<void> {
    const state = await this.publishedState();
    if (state) await this.producer.send(TOPICS.models, [{ value: state }]);
  }

  /**
   * After a restart: runs left `training` are marked failed, and if the registry's published state (value model and
   * recommender) is not the last one announced on cvp.models.v1 (the trainer stopped between the two), it is
   * announced again.
   */
  private async recover(): Promise<void> {
    for (let attempt = 1; attempt <= 30 && !this.stopping; attempt++) {
      try {
        const interrupted = await this.registry.failInterruptedRuns(this.currentVersion);
        if (interrupted.length > 0) this.logger.warn({ versions: interrupted }, 'interrupted runs marked failed');
        const state = await this.publishedState();
        if (state) {
          const announced = await readLastRecord(this.kafka, TOPICS.models, `${this.config.KAFKA_GROUP_ID}-recover`);
          if (announced?.version !== state.version || announced.recommender?.version !== state.recommender?.version) {
            this.logger.warn(
              { version: state.version, recommender: state.recommender?.version ?? null },
              'published state was not announced: announcing it',
            );
            await this.producer.send(TOPICS.models, [{ value: state }]);
          }
        }
        return;
      } catch (error) {
        this.logger.warn({ attempt, error: (error as Error).message }, 'recovery check failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  /** A scheduled run: skipped while one is running or when no event arrived after the last run's window. */
  private async scheduledRun(): Promise<void> {
    if (this.running) return;
    try {
      const [latest, newest] = await Promise.all([this.registry.latest(), this.events.newestEventTime()]);
      if (!newest || (latest?.trainedTo && newest < latest.trainedTo)) {
        this.logger.debug('no new events since the last run: scheduled training skipped');
        return;
      }
      await this.start({}, 'schedule');
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'scheduled training did not start');
    }
  }
}
