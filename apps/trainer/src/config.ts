import { baseEnvSchema, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const trainerEnvSchema = baseEnvSchema.extend({
  PORT: port(3003),
  KAFKA_GROUP_ID: z.string().default('cvp-trainer'),
});
export type TrainerConfig = z.output<typeof trainerEnvSchema>;
export const loadTrainerConfig = () => loadConfig(trainerEnvSchema);
