import { baseEnvSchema, loadConfig, port } from '@cvp/config';
import { z } from 'zod';
import { UPSTREAMS } from './upstreams';

const serviceUrl = (defaultPort: number) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default(`http://127.0.0.1:${defaultPort}`);

export const consoleEnvSchema = baseEnvSchema.extend({
  PORT: port(3006),
  /** Where the console reaches each service's HTTP API (server side: the browser talks to the console only). */
  INGEST_URL: serviceUrl(3001),
  FEATURES_URL: serviceUrl(3002),
  TRAINER_URL: serviceUrl(3003),
  SCORER_URL: serviceUrl(3004),
  CAMPAIGNS_URL: serviceUrl(3005),
  /** Consumer groups whose lag the overview lists: those whose id starts with this. */
  CONSOLE_GROUP_PREFIX: z.string().default('cvp-'),
  /** How often the overview's pipeline figures (events/s, consumer lag) are sampled. */
  CONSOLE_PULSE_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(5_000),
  /** How long a call to another service may take before the console answers 504. */
  CONSOLE_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
});
export type ConsoleConfig = z.output<typeof consoleEnvSchema>;
export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
export const loadConsoleConfig = () => loadConfig(consoleEnvSchema);

/** The base URL of every service the console talks to, by name. */
export const upstreamUrls = (config: ConsoleConfig): Record<(typeof UPSTREAMS)[number], string> => ({
  ingest: config.INGEST_URL,
  features: config.FEATURES_URL,
  trainer: config.TRAINER_URL,
  scorer: config.SCORER_URL,
  campaigns: config.CAMPAIGNS_URL,
});
