/**
 * Every Kafka topic CVP uses, in one place. Names carry a version: a breaking change to a message
 * makes a new topic (`cvp.events.v2`), never an edited schema.
 */
export const TOPICS = {
  events: 'cvp.events.v1',
  features: 'cvp.features.v1',
  scores: 'cvp.scores.v1',
  decisions: 'cvp.decisions.v1',
  commands: 'cvp.commands.v1',
  models: 'cvp.models.v1',
  reviewSignals: 'cvp.review-signals.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Dead-letter topic of a consumed topic: records that can never be processed, with the reason in headers. */
export function deadLetterTopic(topic: TopicName): string {
  return `${topic}.dlt`;
}

/** Topics consumed by some service, so each has a dead-letter topic. */
export const CONSUMED_TOPICS: readonly TopicName[] = [
  TOPICS.events,
  TOPICS.features,
  TOPICS.scores,
  TOPICS.commands,
  TOPICS.models,
  TOPICS.reviewSignals,
];

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Retention in milliseconds; -1 keeps records forever. */
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Partition counts: customer-keyed topics get 6 partitions so up to 6 instances of a consumer share
 * the load while one customer's records stay in order. Events are kept 30 days so a new consumer
 * (or a re-trained model) can replay them.
 */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: TOPICS.events, partitions: 6, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.features, partitions: 6, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.scores, partitions: 6, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.decisions, partitions: 6, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.commands, partitions: 1, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  { name: TOPICS.models, partitions: 1, retentionMs: -1, cleanupPolicy: 'delete' },
  { name: TOPICS.reviewSignals, partitions: 6, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  ...CONSUMED_TOPICS.map((topic) => ({
    name: deadLetterTopic(topic),
    partitions: 1,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete' as const,
  })),
];
