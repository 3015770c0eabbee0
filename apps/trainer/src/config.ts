import { baseEnvSchema, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const trainerEnvSchema = baseEnvSchema
  .extend({
    PORT: port(3003),
    KAFKA_GROUP_ID: z.string().default('cvp-trainer'),
    /** Folder of the model store, shared with the scorers (a volume in Kubernetes). */
    MODEL_STORE_DIR: z.string().min(1).default('.infra/models'),
    /** Days of the spend window the model learns to predict. */
    TRAIN_HORIZON_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /** Days of events a training run reads, ending at the newest stored event. */
    TRAIN_WINDOW_DAYS: z.coerce.number().int().min(2).max(36500).default(730),
    /** Train every N minutes when new events arrived since the last run; 0 = only on demand. */
    TRAIN_INTERVAL_MINUTES: z.coerce.number().int().nonnegative().default(0),
    /**
     * Stored events older than this many days (by the wall clock: a privacy limit) are deleted, checked every hour;
     * 0 keeps them. Set it above the training window, and keep it 0 while replaying old history.
     */
    EVENT_RETENTION_DAYS: z.coerce.number().int().nonnegative().default(0),
    TRAIN_SEED: z.coerce.number().int().default(42),
    TRAIN_MAX_EPOCHS: z.coerce.number().int().min(1).max(10_000).default(200),
    /** Fewest customers with history before the label window. */
    TRAIN_MIN_CUSTOMERS: z.coerce.number().int().min(2).default(50),
    /** TensorFlow.js backend; default: tfjs-node(-gpu) when installed, else wasm, else cpu. */
    TRAIN_BACKEND: z.enum(['tensorflow', 'wasm', 'cpu']).optional(),
    /** Where `npm run nlp:model` staged the sentence encoder; without it the review head learns from words alone. */
    TEXT_MODEL_DIR: z.string().min(1).default('models/text'),
    /** The newest reviews with text and stars a run trains the review-sentiment head on (encoding: ~100/s a core). */
    TEXT_HEAD_MAX_REVIEWS: z.coerce.number().int().min(0).max(1_000_000).default(5_000),
    /**
     * Fewest treated and fewest control customers (with a closed attribution window) before a campaign's uplift model
     * is learnt from its decisions.
     */
    UPLIFT_MIN_GROUP: z.coerce.number().int().min(10).default(200),
    /**
     * Shuffles of the treatment labels in the permutation test that decides whether a campaign's uplift model is
     * published (each costs about one selection: ~0.3 s at 1,000 customers, ~12 s at 20,000 on two cores).
     */
    UPLIFT_PERMUTATIONS: z.coerce.number().int().min(19).max(999).default(39),
    /** Population shares of the high and mid value tiers. */
    TIER_HIGH_SHARE: z.coerce.number().gt(0).lt(1).default(0.2),
    TIER_MID_SHARE: z.coerce.number().gt(0).lt(1).default(0.3),
  })
  .refine((env) => env.TIER_HIGH_SHARE + env.TIER_MID_SHARE < 1, {
    message: 'TIER_HIGH_SHARE + TIER_MID_SHARE must be below 1',
    path: ['TIER_MID_SHARE'],
  });
export type TrainerConfig = z.output<typeof trainerEnvSchema>;
export const TRAINER_CONFIG = Symbol('TRAINER_CONFIG');
export const loadTrainerConfig = () => loadConfig(trainerEnvSchema);
