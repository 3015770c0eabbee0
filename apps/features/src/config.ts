import { baseEnvSchema, envBoolean, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const featuresEnvSchema = baseEnvSchema.extend({
  PORT: port(3002),
  KAFKA_GROUP_ID: z.string().default('cvp-features'),
  /**
   * Redis holds the only live copy of the feature state: the service refuses a Redis without the append-only file
   * (checked at every (re)connection). `false` only where losing it is acceptable (rebuild: `cvp rebuild-features`).
   */
  REDIS_REQUIRE_PERSISTENCE: envBoolean.default(true),
});
export type FeaturesConfig = z.output<typeof featuresEnvSchema>;
export const loadFeaturesConfig = () => loadConfig(featuresEnvSchema);
