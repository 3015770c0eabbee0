import { z } from 'zod';
import { clickstreamEventSchema, isoDateTime } from './events';
import { TOPICS, type TopicName } from './topics';

/** `cvp.features.v1`: a customer's feature vector after an event was applied. Key: customerId. */
export const featureVectorMessageSchema = z.object({
  customerId: z.string().min(1),
  /** The instant the features are as of: the score clock when computed, never before the newest event folded in. */
  asOf: isoDateTime,
  /** Event time of the newest event folded into these features (absent in older messages: then `asOf`). */
  lastEventAt: isoDateTime.optional(),
  /** The event whose arrival produced this vector (traceability, idempotency downstream). */
  sourceEventId: z.string().min(1),
  featureSchemaVersion: z.string().min(1),
  /** Feature name -> value, names as in the feature schema of `featureSchemaVersion`. */
  features: z.record(z.string(), z.number()),
  computedAt: isoDateTime,
});
export type FeatureVectorMessage = z.infer<typeof featureVectorMessageSchema>;

export const TIERS = ['high', 'mid', 'low'] as const;
export type Tier = (typeof TIERS)[number];

export const scoreReasonSchema = z.object({
  feature: z.string(),
  value: z.number(),
  /** Signed effect on expected spend in currency units (or a unitless weight for heuristics). */
  contribution: z.number(),
  description: z.string(),
});
export type ScoreReason = z.infer<typeof scoreReasonSchema>;

/** Why a score was computed: an event of the customer, a re-scoring sweep as the clock moved, a model swap. */
export const SCORE_TRIGGERS = ['event', 'sweep', 'model-swap'] as const;
export type ScoreTrigger = (typeof SCORE_TRIGGERS)[number];

/** `cvp.scores.v1`: the value score of one customer. Key: customerId. */
/**
 * The largest expected spend a score may carry: inside the DECIMAL(14, 2) columns of the stores, and far past any
 * customer; a model that predicts more is broken, and its score is refused rather than acted on.
 */
export const MAX_EXPECTED_SPEND = 1e11;
const expectedSpend = z.number().nonnegative().max(MAX_EXPECTED_SPEND, `must be at most ${MAX_EXPECTED_SPEND}`);

/** Why a product is on a customer's list (`@cvp/recommend`). */
export const RECOMMENDATION_REASONS = [
  'bought-before',
  'viewed-lately',
  'goes-with-their-items',
  'popular-now',
] as const;
export const recommendationSchema = z.object({
  productId: z.string().min(1),
  reason: z.enum(RECOMMENDATION_REASONS),
});
export type Recommendation = z.infer<typeof recommendationSchema>;

export const customerScoreSchema = z.object({
  customerId: z.string().min(1),
  /** The instant the score is as of (the score clock; recency and churn risk are measured to it). */
  asOf: isoDateTime,
  /** Event time of the newest event of the customer behind the score (absent in older messages: then `asOf`). */
  lastEventAt: isoDateTime.optional(),
  /** Why it was scored (absent in older messages: `event`). */
  trigger: z.enum(SCORE_TRIGGERS).default('event'),
  /** The event behind the score, or `sweep:<sweep id>` for a re-scoring sweep. */
  sourceEventId: z.string().min(1),
  scoredAt: isoDateTime,
  horizonDays: z.number().int().positive(),
  expectedSpend,
  /** Interval of expected spend, where the model gives one. */
  expectedSpendLow: expectedSpend.nullable(),
  expectedSpendHigh: expectedSpend.nullable(),
  pBuyAgain: z.number().min(0).max(1),
  churnRisk: z.number().min(0).max(1),
  tier: z.enum(TIERS),
  modelVersion: z.string().min(1),
  featureSchemaVersion: z.string().min(1),
  reasons: z.array(scoreReasonSchema),
  /**
   * The customer's top products by the recommender published with the model, as of this score (absent before one is
   * published, and in older messages): what a recommendation campaign sends.
   */
  recommendations: z.array(recommendationSchema).max(100).optional(),
});
export type CustomerScore = z.infer<typeof customerScoreSchema>;

export const ACTIONS = ['coupon', 'recommendation', 'ad_audience', 'win_back'] as const;
export type MarketingAction = (typeof ACTIONS)[number];

/** `cvp.decisions.v1`: a treated marketing decision for the channel systems to execute. Key: customerId. */
export const decisionMessageSchema = z.object({
  decisionId: z.string().min(1),
  campaignId: z.string().min(1),
  campaignKey: z.string().min(1),
  customerId: z.string().min(1),
  group: z.enum(['treated', 'control']),
  action: z.enum(ACTIONS),
  actionParams: z.record(z.string(), z.unknown()),
  channel: z.string().min(1),
  cost: z.number().nonnegative(),
  eventTime: isoDateTime,
  decidedAt: isoDateTime,
  /** A recommendation's products, each with why (the score's recommendations when it was decided). */
  products: z.array(recommendationSchema).optional(),
  /**
   * Why the campaign acted: its constant uplift rate, its published uplift model (`learned`, with the incremental
   * revenue it expected and its version) or randomised exploration. Absent in messages of older engines.
   */
  policy: z.enum(['constant', 'learned', 'exploration']).optional(),
  upliftEstimate: z.number().finite().nullable().optional(),
  upliftModelVersion: z.string().min(1).nullable().optional(),
  score: customerScoreSchema.pick({
    tier: true,
    expectedSpend: true,
    churnRisk: true,
    pBuyAgain: true,
    modelVersion: true,
  }),
});
export type DecisionMessage = z.infer<typeof decisionMessageSchema>;

/** `cvp.commands.v1`: operator commands to services (training on demand). Key: command type. */
export const commandMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('train'),
    commandId: z.string().min(1),
    requestedAt: isoDateTime,
    params: z.record(z.string(), z.unknown()).default({}),
  }),
]);
export type CommandMessage = z.infer<typeof commandMessageSchema>;

const artifactSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');

/**
 * `cvp.models.v1`: what is published, announced whenever it changes: the value model version (and the
 * review-sentiment head stored with it) and, in `recommender`, the version whose artifact holds the recommender served
 * (the two are published apart: each only when it does better than the one served). The last record is the whole
 * published state. Key: "model".
 */
export const modelPublishedSchema = z.object({
  version: z.string().min(1),
  algorithm: z.string().min(1),
  featureSchemaVersion: z.string().min(1),
  artifactUri: z.string().min(1),
  /** SHA-256 of the artifact's files, as the registry recorded it; a scorer checks both before loading. */
  artifactSha256,
  publishedAt: isoDateTime,
  /**
   * The recommender served, by the version whose artifact holds it (`recommender.json`); null: none. Absent in
   * announcements from before recommenders were published on their own: the value model version's own then.
   */
  recommender: z
    .object({
      version: z.string().min(1),
      artifactUri: z.string().min(1),
      artifactSha256,
      publishedAt: isoDateTime,
    })
    .nullable()
    .optional(),
});
export type ModelPublishedMessage = z.infer<typeof modelPublishedSchema>;

/**
 * `cvp.review-signals.v1`: what the pre-trained language model read in a review's text (the review-text worker of the
 * features service: sentence encoder + the review-sentiment head published with the model). Key: customerId.
 */
export const reviewSignalSchema = z.object({
  /** The review event's id. */
  eventId: z.string().min(1).max(128),
  customerId: z.string().min(1).max(128),
  productId: z.string().min(1).max(128),
  /** When the review was written (the review event's occurredAt). */
  occurredAt: isoDateTime,
  rating: z.number().int().min(1).max(5),
  /** -1 (surely one star) .. +1 (surely five), by the head. */
  sentiment: z.number().min(-1).max(1),
  label: z.enum(['negative', 'neutral', 'positive']),
  /** The lexicon's score of the same text (what the feature state holds for it). */
  lexicon: z.number().min(-1).max(1),
  /** The model version whose review-sentiment head read it, and the sentence encoder (null: words alone). */
  headVersion: z.string().min(1),
  encoder: z.string().min(1).nullable(),
  scoredAt: isoDateTime,
});
export type ReviewSignalMessage = z.infer<typeof reviewSignalSchema>;

/** The value schema of every topic: producers and consumers validate against this one map. */
export const MESSAGE_SCHEMAS = {
  [TOPICS.events]: clickstreamEventSchema,
  [TOPICS.features]: featureVectorMessageSchema,
  [TOPICS.scores]: customerScoreSchema,
  [TOPICS.decisions]: decisionMessageSchema,
  [TOPICS.commands]: commandMessageSchema,
  [TOPICS.models]: modelPublishedSchema,
  [TOPICS.reviewSignals]: reviewSignalSchema,
} as const satisfies Record<TopicName, z.ZodType>;

export type MessageOf<T extends TopicName> = z.output<(typeof MESSAGE_SCHEMAS)[T]>;

/** The Kafka key of a message on its topic. */
export function messageKey<T extends TopicName>(topic: T, message: MessageOf<T>): string {
  switch (topic) {
    case TOPICS.commands:
      return (message as CommandMessage).type;
    case TOPICS.models:
      return 'model';
    default:
      return (message as { customerId: string }).customerId;
  }
}
