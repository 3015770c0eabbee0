import { baseEnvSchema, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const featuresEnvSchema = baseEnvSchema.extend({
  PORT: port(3002),
  KAFKA_GROUP_ID: z.string().default('cvp-features'),
});
export type FeaturesConfig = z.output<typeof featuresEnvSchema>;
export const loadFeaturesConfig = () => loadConfig(featuresEnvSchema);
