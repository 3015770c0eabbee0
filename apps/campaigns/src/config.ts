import { baseEnvSchema, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const campaignsEnvSchema = baseEnvSchema.extend({
  PORT: port(3005),
  KAFKA_GROUP_ID: z.string().default('cvp-campaigns'),
  /** How often the outbox relay publishes treated decisions left unpublished (0: never). */
  DECISION_OUTBOX_INTERVAL_MS: z.coerce.number().int().min(0).default(10_000),
  /** Decisions younger than this are left to the consumer that made them. */
  DECISION_OUTBOX_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
});
export type CampaignsConfig = z.output<typeof campaignsEnvSchema>;
export const loadCampaignsConfig = () => loadConfig(campaignsEnvSchema);
