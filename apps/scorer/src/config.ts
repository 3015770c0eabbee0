import { baseEnvSchema, envBoolean, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const scorerEnvSchema = baseEnvSchema
  .extend({
    PORT: port(3004),
    KAFKA_GROUP_ID: z.string().default('cvp-scorer'),
    /** Folder of the model store (the trainer's, read-only here): the only place models are loaded from. */
    MODEL_STORE_DIR: z.string().min(1).default('.infra/models'),
    /** TensorFlow.js backend of the model; default: tfjs-node when installed, else wasm, else cpu. */
    SCORER_BACKEND: z.enum(['tensorflow', 'wasm', 'cpu']).optional(),
    /** The score API's Redis reads give up after this long (then: the last known score, flagged stale, or 503). */
    SCORE_READ_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(100),
    /** Scores this instance remembers from its reads, to answer while Redis is unreachable. */
    SCORE_STALE_CACHE_SIZE: z.coerce.number().int().min(1).default(100_000),
    /**
     * Of several feature vectors of one customer in a consumer batch, score only the newest (the one the score store
     * keeps; the others' scores would be overwritten in the same write and are not published). false: every vector.
     */
    SCORE_CONFLATE: envBoolean.default(true),
    /** Integrated-gradients points (Gauss-Legendre) behind the reasons of a model score. */
    SCORE_EXPLAIN_STEPS: z.coerce.number().int().min(1).max(256).default(6),
    /** Products attached to each score (`recommendations`) once a recommender is published; 0: none. */
    SCORE_RECOMMENDATIONS: z.coerce.number().int().min(0).max(100).default(5),
    /** Re-scoring sweeps: every this many hours of the score clock (0: only on demand and on model swaps). */
    SWEEP_INTERVAL_HOURS: z.coerce.number().min(0).default(24),
    /** How often (wall seconds) a replica checks whether a scheduled sweep is due. */
    SWEEP_CHECK_SECONDS: z.coerce.number().int().min(1).default(60),
    /** Customers read, scored and written per step of a sweep. */
    SWEEP_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    /** Shards a replica walks at once (one computes while another waits on Redis or Kafka). */
    SWEEP_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    /** Integrated-gradients steps behind the reasons of a sweep's scores (cheaper than SCORE_EXPLAIN_STEPS; see README). */
    SWEEP_EXPLAIN_STEPS: z.coerce.number().int().min(1).max(256).default(2),
    /** A replica that stops renewing its shard for this long (a crash) leaves it to another, which resumes it. */
    SWEEP_LEASE_SECONDS: z.coerce.number().int().min(1).default(30),
    /** Heuristic fallback (no model published yet): horizon of expected spend and P(buy again), in days. */
    SCORE_HORIZON_DAYS: z.coerce.number().int().positive().default(365),
    /** Heuristic tiers (until a model with its own quantile thresholds is published). */
    TIER_HIGH_MIN_SPEND: z.coerce.number().nonnegative().default(500),
    TIER_MID_MIN_SPEND: z.coerce.number().nonnegative().default(100),
  })
  .refine((env) => env.TIER_HIGH_MIN_SPEND >= env.TIER_MID_MIN_SPEND, {
    message: 'must be at least TIER_MID_MIN_SPEND',
    path: ['TIER_HIGH_MIN_SPEND'],
  });
export type ScorerConfig = z.output<typeof scorerEnvSchema>;
export const SCORER_CONFIG = Symbol('SCORER_CONFIG');
export const loadScorerConfig = () => loadConfig(scorerEnvSchema);
