import { baseEnvSchema, envBoolean, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const featuresEnvSchema = baseEnvSchema
  .extend({
    PORT: port(3002),
    /**
     * `state`: folds cvp.events.v1 into per-customer state and publishes feature vectors. `review-text`: the review-text
     * worker, a process (and consumer group) of its own so the state path never waits on a language model: it reads
     * review texts of cvp.events.v1 in batches with the sentence encoder and the published review-sentiment head and
     * publishes cvp.review-signals.v1.
     */
    FEATURES_ROLE: z.enum(['state', 'review-text']).default('state'),
    /** Default: `cvp-features`, or `cvp-review-text` for the review-text role. */
    KAFKA_GROUP_ID: z.string().min(1).optional(),
    /**
     * Redis holds the only live copy of the feature state: the service refuses a Redis without the append-only file
     * (checked at every (re)connection). `false` only where losing it is acceptable (rebuild: `cvp rebuild-features`).
     */
    REDIS_REQUIRE_PERSISTENCE: envBoolean.default(true),
    /** review-text: the model store the trainer writes (the review-sentiment head travels with each model version). */
    MODEL_STORE_DIR: z.string().min(1).default('.infra/models'),
    /** review-text: where `npm run nlp:model` staged the sentence encoder. */
    TEXT_MODEL_DIR: z.string().min(1).default('models/text'),
    /**
     * review-text: the worker's CPU niceness (0-19; 0 leaves it as started). It catches up on its own lag, so where it
     * shares cores with the state path (one host, compose) it yields them: the state path keeps its pace.
     */
    TEXT_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
    /**
     * review-text: events handed to one read at most (the other services take 500). The reviews among them share the
     * encoder's length-sorted passes: ~25 reviews a read (500 events at 5% reviews) read 75 reviews per CPU second,
     * 250 read 105 (less padding). Only a backlog fills a read; a worker that keeps up reads what came.
     */
    TEXT_EVENTS_PER_READ: z.coerce.number().int().min(1).max(100_000).default(5_000),
    /** review-text: ONNX runtime threads of the encoder (one core's worth by default). */
    TEXT_ENCODER_THREADS: z.coerce.number().int().min(1).max(64).default(1),
    /**
     * review-text: once a head is served, read the stored reviews that have no reading yet (written before any head
     * was published, or older than Kafka's retention), `TEXT_BACKFILL_PAGE` at a time.
     */
    TEXT_BACKFILL: envBoolean.default(true),
    TEXT_BACKFILL_PAGE: z.coerce.number().int().min(1).max(10_000).default(256),
    /** review-text: how long after catching up the back-fill waits, for the trainer to store the live readings. */
    TEXT_BACKFILL_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  })
  .transform((env) => ({
    ...env,
    KAFKA_GROUP_ID: env.KAFKA_GROUP_ID ?? (env.FEATURES_ROLE === 'review-text' ? 'cvp-review-text' : 'cvp-features'),
  }));
export type FeaturesConfig = z.output<typeof featuresEnvSchema>;
export const loadFeaturesConfig = () => loadConfig(featuresEnvSchema);
