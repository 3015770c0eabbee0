import { baseEnvSchema, loadConfig, port } from '@cvp/config';
import { z } from 'zod';

export const ingestEnvSchema = baseEnvSchema.extend({
  PORT: port(3001),
  /** Largest accepted request body; larger requests get 413. */
  INGEST_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Most events in one `{ "events": [...] }` request. */
  INGEST_MAX_BATCH: z.coerce.number().int().positive().max(10_000).default(500),
});
export type IngestConfig = z.output<typeof ingestEnvSchema>;
export const INGEST_CONFIG = Symbol('INGEST_CONFIG');
export const loadIngestConfig = () => loadConfig(ingestEnvSchema);
