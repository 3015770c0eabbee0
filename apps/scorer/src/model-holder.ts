import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Kafka } from 'kafkajs';
import { TOPICS, type ModelPublishedMessage } from '@cvp/contracts';
import { FEATURE_SCHEMA_VERSION } from '@cvp/features';
import { followTopicUntilCaughtUp, KAFKA_CLIENT, type Following } from '@cvp/kafka';
import { selectBackend, VALUE_MODEL_ALGORITHM, ValueModel, valueModelSpec, type ValueModelMetadata } from '@cvp/model';
import { PrismaService } from '@cvp/db';
import { ModelStore, recordedChecksum } from '@cvp/model-store';
import type { LoadedValueModel } from '@cvp/scoring';
import { RECOMMENDER_FILE, ServedRecommender, type RecommenderArtifact } from '@cvp/recommend';
import { SCORER_CONFIG, type ScorerConfig } from './config';

/**
 * The model the scorer scores with: the published one, learned from cvp.models.v1 (kept forever; its last record
 * is the published model) at start, then swapped whenever a new version is announced. A swap replaces the
 * reference between two batches (scoring a batch is synchronous), so no record is dropped or scored half by one
 * model and half by the other. Until a model is published, or when one cannot be loaded, `current` is null and
 * the scorer falls back to the RFM heuristic.
 */
@Injectable()
export class ModelHolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private loaded: LoadedValueModel | null = null;
  private served: ServedRecommender | null = null;
  private following?: Following;
  private stopped = false;
  private markReady!: () => void;
  private readonly swapListeners: ((version: string) => void)[] = [];
  /** Resolves once the model published at start is loaded (or found missing), or after STARTUP_TIMEOUT_MS. */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  private readonly store: ModelStore;

  constructor(
    @Inject(SCORER_CONFIG) private readonly config: ScorerConfig,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly logger: PinoLogger,
    @Optional() private readonly prisma?: PrismaService,
  ) {
    logger.setContext(ModelHolder.name);
    this.store = new ModelStore(config.MODEL_STORE_DIR);
  }

  get current(): LoadedValueModel | null {
    return this.loaded;
  }

  /** The published recommender (null before one is published); its version may be older than the value model's. */
  get recommender(): ServedRecommender | null {
    return this.served;
  }

  /** Called with the new version after every swap (including the model loaded at start). */
  onSwap(listener: (version: string) => void): void {
    this.swapListeners.push(listener);
  }

  onApplicationBootstrap(): void {
    const timer = setTimeout(() => {
      this.logger.warn('the published model is not known yet: scoring with the heuristic meanwhile');
      this.markReady();
    }, this.config.STARTUP_TIMEOUT_MS);
    timer.unref();
    void this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.following?.stop();
    this.loaded?.model.dispose();
    this.loaded = null;
  }

  private async follow(): Promise<void> {
    await selectBackend(this.config.SCORER_BACKEND, (line) => this.logger.info(line));
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
    this.logger.info({ modelVersion: this.loaded?.metadata.version ?? null }, 'published model known');
    this.markReady();
  }

  /**
   * Swaps in what an announcement publishes: its value model when it is another version, then its recommender when
   * that is another (each refused on its own: a refused one keeps the current). Announcements from before
   * recommenders were published apart carry none: the value model version's own recommender then.
   */
  async swapTo(announced: ModelPublishedMessage): Promise<void> {
    let failure: unknown = null;
    if (this.loaded?.metadata.version !== announced.version) {
      await this.swapModel(announced).catch((error: unknown) => (failure = error));
    }
    const legacy = announced.recommender === undefined;
    // An older announcement's recommender goes with its value model: none of a version that was refused.
    if (!legacy || this.loaded?.metadata.version === announced.version) {
      await this.swapRecommender(
        legacy
          ? { version: announced.version, artifactUri: announced.artifactUri, artifactSha256: announced.artifactSha256 }
          : (announced.recommender ?? null),
        legacy,
      ).catch((error: unknown) => (failure ??= error));
    }
    if (failure) throw failure;
  }

  /** Loads an announced value model and swaps it in; a model that cannot serve is refused and the current one kept. */
  private async swapModel(announced: ModelPublishedMessage): Promise<void> {
    if (announced.algorithm !== VALUE_MODEL_ALGORITHM || announced.featureSchemaVersion !== FEATURE_SCHEMA_VERSION) {
      this.logger.error(
        { announced },
        `model ${announced.version} (${announced.algorithm}, ${announced.featureSchemaVersion}) cannot score ` +
          `${FEATURE_SCHEMA_VERSION} features with this scorer: keeping ${this.loaded?.metadata.version ?? 'the heuristic'}`,
      );
      return;
    }
    const started = performance.now();
    // The registry (PostgreSQL) is the authority on what was published, not the topic.
    const artifactSha256 = await recordedChecksum(this.prisma, announced);
    const { model: network, metadata } = await this.store.load<ValueModelMetadata>(
      announced.artifactUri,
      artifactSha256,
    );
    let model: ValueModel;
    try {
      if (metadata.version !== announced.version || !metadata.tierThresholds || !(metadata.horizonDays > 0)) {
        throw new Error(`artifact ${announced.artifactUri} does not hold a complete ${announced.version}`);
      }
      model = new ValueModel(network, valueModelSpec(metadata));
    } catch (error) {
      network.dispose();
      throw error;
    }
    const previous = this.loaded;
    this.loaded = { model, metadata };
    previous?.model.dispose();
    this.logger.info(
      {
        modelVersion: metadata.version,
        previous: previous?.metadata.version ?? null,
        loadMs: Math.round(performance.now() - started),
      },
      'model swapped in',
    );
    for (const listener of this.swapListeners) listener(metadata.version);
  }

  /**
   * Serves the recommender of the version an announcement names (null: none), checked against the registry; one
   * that cannot be read is refused and the current one kept. `optional`: a version without one leaves none served.
   */
  private async swapRecommender(
    wanted: { version: string; artifactUri: string; artifactSha256: string } | null,
    optional: boolean,
  ): Promise<void> {
    if (this.served?.version === (wanted?.version ?? null) || (!wanted && !this.served)) return;
    if (!wanted) {
      this.logger.info({ previous: this.served?.version ?? null }, 'no recommender is published: none served');
      this.served = null;
      return;
    }
    const artifactSha256 = await recordedChecksum(this.prisma, wanted);
    const files = await this.store.loadFiles(wanted.artifactUri, artifactSha256, [RECOMMENDER_FILE]);
    const text = files[RECOMMENDER_FILE];
    if (!text && !optional) throw new Error(`artifact ${wanted.artifactUri} holds no ${RECOMMENDER_FILE}`);
    const previous = this.served?.version ?? null;
    this.served = text ? new ServedRecommender(JSON.parse(text) as RecommenderArtifact, wanted.version) : null;
    this.logger.info({ recommenderVersion: this.served?.version ?? null, previous }, 'recommender swapped in');
  }
}
