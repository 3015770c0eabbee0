import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** Variables every CVP service reads. Services extend this with their own. */
export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` for log shippers, `pretty` for people; defaults to json in production. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  HOST: z.string().default('0.0.0.0'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) =>
      value
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  /** Client library that produces and consumes records; admin operations always use kafkajs. */
  KAFKA_CLIENT: z.enum(['kafkajs', 'platformatic']).default('kafkajs'),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  /**
   * REDIS_URL names one node of a Redis Cluster (the client learns the others from it; user, password and TLS apply
   * to every node). The key layout keeps each script to one hash slot.
   */
  REDIS_CLUSTER: bool.default(false),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' })
    .default('postgresql://cvp:cvp@127.0.0.1:5432/cvp'),
  /**
   * Requests per second per API key (all replicas together, counted in Redis) by role, unless the key has its own
   * limit: `producer=200,reader=5000,marketer=50,admin=50`. Over it: 429 with Retry-After.
   */
  API_RATE_LIMITS: z
    .string()
    .default('producer=200,reader=5000,marketer=50,admin=50')
    .transform((value, context) => {
      const limits: Record<string, number> = {};
      for (const part of value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)) {
        const [role, raw] = part.split('=');
        const limit = Number(raw);
        if (!['producer', 'reader', 'marketer', 'admin'].includes(role) || !Number.isInteger(limit) || limit < 1) {
          context.addIssue({
            code: 'custom',
            message: `"${part}" is not role=requests-per-second (a whole number >= 1)`,
          });
          return z.NEVER;
        }
        limits[role] = limit;
      }
      return { producer: 200, reader: 5000, marketer: 50, admin: 50, ...limits };
    }),
  /**
   * Secret of customer pseudonyms (HMAC-SHA256 of the id): how erased customers are recognised without their id being
   * kept. Set a random secret of your own in production, the same for every service; changing it forgets erasures.
   */
  PSEUDONYM_KEY: z.string().min(16, 'must be at least 16 characters').default('cvp-development-pseudonym-key'),
  /** How long a verified (or unknown) API key is remembered: a revocation takes effect within this. */
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  /** Timeout of each dependency check behind /health/ready. */
  HEALTH_TIMEOUT_MS: z.coerce.number().int().positive().default(1500),
  /** Wait this long at boot for Kafka, Redis and PostgreSQL before giving up. */
  STARTUP_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  OTEL_SDK_DISABLED: bool.default(true),
  /**
   * Consumers: a handler failing this many times on a record while the dependencies are up sends it to the topic's
   * dead-letter topic (while a dependency is down, retries go on uncounted).
   */
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  CONSUMER_RETRY_BACKOFF_MS: z.coerce.number().int().min(1).max(60_000).default(200),
  /**
   * The one clock scores are as of (`@cvp/clock`): `wall` in production; `event-time` (the newest event time seen,
   * less SCORE_CLOCK_LATENESS_SECONDS) for replayed or simulated history. Set once for the whole deployment.
   */
  /** How long a Kafka send keeps retrying before it fails (ingest then answers 503 with Retry-After). */
  KAFKA_PRODUCE_DEADLINE_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  SCORE_CLOCK: z.enum(['wall', 'event-time']).default('wall'),
  SCORE_CLOCK_LATENESS_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** event-time: an event dated further past the wall clock than this never moves the clock. */
  SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS: z.coerce.number().int().min(0).default(86_400),
});

export type BaseEnv = z.output<typeof baseEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once at boot; a service never reads `process.env` elsewhere. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return result.data;
}

/** Port variable with the service's default (ingest 3001, features 3002, trainer 3003, scorer 3004, campaigns 3005). */
export const port = (defaultPort: number) => z.coerce.number().int().min(1).max(65535).default(defaultPort);
export { bool as envBoolean };
