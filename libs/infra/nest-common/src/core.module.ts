import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { BaseEnv } from '@cvp/config';
import { KafkaModule, kafkaSecurityFromEnv } from '@cvp/kafka';
import { RedisModule } from '@cvp/redis';
import { DbModule } from '@cvp/db';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard, AUTH_OPTIONS, type AuthOptions } from '@cvp/auth';
import { HEALTH_OPTIONS, HealthController, HealthService, type Dependency } from './health';
import { MetricsController } from './metrics';
import { ErasedCustomers, PSEUDONYM_KEY } from './erased';
import { privateUrl } from './log-privacy';

/** The open routes of every service that no request log line is written for. */
const UNLOGGED_OPEN_ROUTES: { method: 'GET'; path: string }[] = [
  { method: 'GET', path: 'health/live' },
  { method: 'GET', path: 'health/ready' },
  { method: 'GET', path: 'metrics' },
];

/** The dependencies whose clients a service was given (`dependencies`, optional and consumer ones together). */
export const SERVICE_CLIENTS = Symbol('SERVICE_CLIENTS');

export interface CoreModuleOptions {
  /** Service name, e.g. `ingest`; used as Kafka client id and in every log line. */
  service: string;
  config: BaseEnv;
  /** What the service needs to do its job: clients are created and /health/ready checks each one. */
  dependencies: Dependency[];
  /**
   * Clients for side features that must not take the service out of rotation when down (e.g. the campaigns
   * service's audience export reads Redis; its decisions do not): created, not checked for readiness.
   */
  optionalDependencies?: Dependency[];
  /**
   * Dependencies the Kafka consumer needs beyond `dependencies`: while one is down, handler failures are retried
   * without counting attempts (nothing is dead-lettered for an outage). Not part of /health/ready.
   */
  consumerDependencies?: Dependency[];
  /**
   * Hot read paths (the score lookups) served without the per-request HTTP logger: no request log line and no
   * request-scoped logger (pino-http's per-request child and the AsyncLocalStorage nestjs-pino enters for each
   * request, whose promise hooks then tax every promise of the process: ~20% of the score API's throughput,
   * bench/serving.ts). Their answers of 400 and above are still logged, one line each, by `runService`.
   */
  unloggedRoutes?: { method: 'GET' | 'POST'; path: string }[];
}

function resolvable(moduleName: string): boolean {
  try {
    require.resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

/** What every CVP service shares: one logger, the clients of the dependencies it uses, and health endpoints. */
@Module({})
export class CoreModule {
  static forRoot({
    service,
    config,
    dependencies,
    optionalDependencies = [],
    consumerDependencies = [],
    unloggedRoutes = [],
  }: CoreModuleOptions): DynamicModule {
    const clients = new Set([...dependencies, ...optionalDependencies, ...consumerDependencies]);
    // pino-pretty is a development dependency: without it (a production install) logs stay JSON.
    const wanted = config.LOG_FORMAT ?? (config.NODE_ENV === 'production' ? 'json' : 'pretty');
    const format = wanted === 'pretty' && !resolvable('pino-pretty') ? 'json' : wanted;
    return {
      module: CoreModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          // Probes and scrapes are never logged either: without the request logger they enter no AsyncLocalStorage,
          // so a service that answers only those (features, a scorer nobody looks up) never turns its hooks on.
          exclude: [...UNLOGGED_OPEN_ROUTES, ...unloggedRoutes].map(({ method, path }) => ({
            method: method === 'GET' ? RequestMethod.GET : RequestMethod.POST,
            path,
          })),
          pinoHttp: {
            level: config.LOG_LEVEL,
            base: { service },
            transport: format === 'pretty' ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.databaseUrl'],
              censor: '[redacted]',
            },
            customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
            // Request logs name no customer: ids in paths become pseudonyms, and the path's parameters are not kept.
            serializers: {
              req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
                id: req.id,
                method: req.method,
                url: privateUrl(req.url, config.PSEUDONYM_KEY),
                remoteAddress: req.remoteAddress,
              }),
            },
          },
        }),
        KafkaModule.forRoot({
          clientId: `cvp-${service}`,
          brokers: config.KAFKA_BROKERS,
          client: config.KAFKA_CLIENT,
          produceDeadlineMs: config.KAFKA_PRODUCE_DEADLINE_MS,
          // TLS and SASL from KAFKA_TLS*, KAFKA_SASL_* (validated at boot: a half setting stops the service).
          security: kafkaSecurityFromEnv(),
        }),
        ...(clients.has('redis')
          ? [RedisModule.forRoot({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER })]
          : []),
        ...(clients.has('postgres') ? [DbModule.forRoot({ databaseUrl: config.DATABASE_URL })] : []),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        {
          provide: HEALTH_OPTIONS,
          useValue: { dependencies, consumerDependencies, timeoutMs: config.HEALTH_TIMEOUT_MS },
        },
        HealthService,
        {
          provide: AUTH_OPTIONS,
          useValue: {
            rateLimits: config.API_RATE_LIMITS,
            cacheSeconds: config.API_KEY_CACHE_SECONDS,
          } satisfies AuthOptions,
        },
        // Every /v1 route asks for an API key of the right role (libs/infra/auth).
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: PSEUDONYM_KEY, useValue: config.PSEUDONYM_KEY },
        { provide: SERVICE_CLIENTS, useValue: [...clients] },
        ErasedCustomers,
      ],
      exports: [HealthService, ErasedCustomers, PSEUDONYM_KEY, SERVICE_CLIENTS],
    };
  }
}
