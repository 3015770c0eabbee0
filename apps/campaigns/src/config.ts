import { baseEnvSchema, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const campaignsEnvSchema = baseEnvSchema.extend({
  PORT: port(3005),
  KAFKA_GROUP_ID: z.string().default('cvp-campaigns'),
});
export type CampaignsConfig = z.output<typeof campaignsEnvSchema>;
export const loadCampaignsConfig = () => loadConfig(campaignsEnvSchema);
