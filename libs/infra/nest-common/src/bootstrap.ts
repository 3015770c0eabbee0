import { type DynamicModule, type INestApplication, Logger as NestLogger, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices/nest-microservice';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { KAFKA_CLIENT, KAFKA_WIRE, KafkaConsumerServer, KafkaProducerService } from '@cvp/kafka';
import type { Kafka } from 'kafkajs';
import { secondsSince, type Telemetry } from '@cvp/telemetry';
import type { IncomingMessage, ServerResponse } from 'node:http';

type ExpressRequest = IncomingMessage & { method: string; originalUrl?: string; route?: { path?: string } };
import { RedisLayout } from '@cvp/redis';
import { ErasedCustomers } from './erased';
import { HttpMetrics } from './metrics';
import { SERVICE_CLIENTS } from './core.module';
import { HealthService, type Dependency } from './health';
import { RpcErrorPassthrough } from './rpc-errors';
import { privateUrl } from './log-privacy';

/** The part of a service's validated config the boot sequence reads. */
export interface ServiceConfig {
  PORT: number;
  HOST: string;
  STARTUP_TIMEOUT_MS: number;
  /** Consumer group of services that consume Kafka topics through `@EventPattern(topic)` handlers. */
  KAFKA_GROUP_ID?: string;
  /** Handler attempts on a record, with the dependencies up, before it goes to the dead-letter topic. */
  CONSUMER_MAX_ATTEMPTS?: number;
  /** Wait before the second attempt, doubled for each further one. */
  CONSUMER_RETRY_BACKOFF_MS?: number;
  /** Events dated further past the wall clock than this are dead-lettered by the consumers. */
  SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS?: number;
  /** Customer ids in the paths of logged failures become pseudonyms under this key. */
  PSEUDONYM_KEY?: string;
}

export interface ServiceOptions {
  module: Type<unknown> | DynamicModule;
  config: ServiceConfig;
  telemetry: Telemetry;
  maxRecordsPerCall?: number;
  /** Largest JSON body accepted; larger requests get 413. */
  jsonBodyLimitBytes?: number;
  /**
   * The HTTP server under Nest: Express (default) or Fastify, which serves the same routes with a fraction of the
   * per-request overhead (the scorer's score lookups; bench/serving.ts).
   */
  http?: 'express' | 'fastify';
  configure?(app: INestApplication): void;
}

/**
 * Boot sequence shared by every service: logger, shutdown hooks, HTTP listen (so /health/live answers),
 * wait until Kafka/Redis/PostgreSQL are ready, and only then start consuming.
 */
export async function runService(options: ServiceOptions): Promise<INestApplication> {
  @Module({ imports: [options.module] })
  class ServiceRoot {
    async onApplicationShutdown(): Promise<void> {
      await options.telemetry.shutdown();
    }
  }

  const bodyLimit = options.jsonBodyLimitBytes ?? 100 * 1024;
  const httpMetrics = new HttpMetrics();
  // Answers of 400 and above on the routes the request logger does not see (`unloggedRoutes`): one line each.
  const pseudonymKey = options.config.PSEUDONYM_KEY ?? '';
  let logFailure: (method: string, url: string, status: number, seconds: number) => void = () => undefined;
  let app: INestApplication;
  if (options.http === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const adapter = new FastifyAdapter({ bodyLimit });
    adapter.getInstance().addHook('onResponse', async (request, reply) => {
      httpMetrics.record(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
      if (reply.statusCode >= 400 && !loggedByPinoHttp(request.raw))
        logFailure(request.method, request.url, reply.statusCode, reply.elapsedTime / 1000);
    });
    app = await NestFactory.create(ServiceRoot, adapter, { bufferLogs: true });
  } else {
    const express = await NestFactory.create<NestExpressApplication>(ServiceRoot, { bufferLogs: true });
    express.useBodyParser('json', { limit: bodyLimit });
    express.use((request: ExpressRequest, response: ServerResponse, next: () => void) => {
      const started = performance.now();
      // Express sets `route` on the request once a route matched (Nest mounts every route at its full path).
      response.once('finish', () => {
        httpMetrics.record(request.method, request.route?.path, response.statusCode, secondsSince(started));
        if (response.statusCode >= 400 && !loggedByPinoHttp(request))
          logFailure(
            request.method,
            request.originalUrl ?? request.url ?? '',
            response.statusCode,
            secondsSince(started),
          );
      });
      next();
    });
    app = express;
  }
  const logger = app.get(Logger);
  app.useLogger(logger);
  logFailure = (method, url, status, seconds) => {
    // A probe answering 503 says so to the orchestrator every few seconds: not a line each in the log.
    if (/^\/(health|metrics)(\/|$|\?)/.test(url)) return;
    (status >= 500 ? logger.error : logger.log).call(
      logger,
      `${method} ${privateUrl(url, pseudonymKey)} answered ${status} in ${Math.round(seconds * 1000)} ms`,
      'http',
    );
  };
  app.flushLogs();
  exitCleanlyOnSignal(app);
  options.configure?.(app);
  const { PORT, HOST, STARTUP_TIMEOUT_MS, KAFKA_GROUP_ID } = options.config;
  // A client that trickles its request (slowloris) is cut off: the whole request within 30 s, its headers within 10 s.
  const server = app.getHttpServer() as { requestTimeout: number; headersTimeout: number };
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await app.listen(PORT, HOST);
  logger.log(`listening on ${HOST}:${PORT}`, 'bootstrap');

  const health = app.get(HealthService);
  await waitUntilReady(health, STARTUP_TIMEOUT_MS);
  // A store of the layout before hash tags is moved before anything reads or writes it (once; see @cvp/redis layout):
  // before consuming where Redis is needed; in the background where it is optional (ingest, a trainer's counters).
  const layout = layoutOf(app);
  if (layout && health.uses('redis')) await layout.ensure();
  else
    layout
      ?.ensure()
      .catch((error: Error) => logger.warn(`Redis layout not checked yet: ${error.message}`, 'bootstrap'));

  if (KAFKA_GROUP_ID) {
    const erased = app.get(ErasedCustomers);
    const server = new KafkaConsumerServer({
      wire: app.get(KAFKA_WIRE),
      producer: app.get(KafkaProducerService),
      groupId: KAFKA_GROUP_ID,
      maxRecordsPerCall: options.maxRecordsPerCall,
      maxAttempts: options.config.CONSUMER_MAX_ATTEMPTS,
      retryBackoffMs: options.config.CONSUMER_RETRY_BACKOFF_MS,
      // An outage of a dependency holds the partition instead of dead-lettering records.
      dependenciesHealthy: () => health.consumerReady(),
      lagAdmin: app.get<Kafka>(KAFKA_CLIENT).admin({ retry: { retries: 0 } }),
      // The bound ingest applies, applied again to what arrives around it.
      erasedCustomers: (ids) => erased.among(ids),
      maxFutureSkewMs:
        options.config.SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS === undefined
          ? undefined
          : options.config.SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS * 1000,
    });
    health.registerLiveness('kafka-consumer', () => server.failure());
    const consumer = app.connectMicroservice(
      { strategy: server },
      // Its own config (the HTTP side keeps Nest's filters); listeners registered once the filter below is in place.
      { deferInitialization: true },
    );
    consumer.useGlobalFilters(new RpcErrorPassthrough());
    // `app.listen` ran every provider's init and bootstrap hooks already; a deferred microservice runs them again when
    // it starts unless told (twice: two model followers, two outbox pollers, two recoveries per process).
    (consumer as NestMicroservice).setIsInitHookCalled(true);
    await app.startAllMicroservices();
  }
  logger.log('ready', 'bootstrap');
  return app;
}

/** Whether pino-http saw the request (it lists on each request it logs the loggers it gave it, `req.allLogs`). */
function loggedByPinoHttp(request: IncomingMessage): boolean {
  return (request as IncomingMessage & { allLogs?: unknown }).allLogs !== undefined;
}

function layoutOf(app: INestApplication): RedisLayout | null {
  // A service without a Redis client (the review-text worker) has no layout to look up.
  if (!app.get<Dependency[]>(SERVICE_CLIENTS).includes('redis')) return null;
  return app.get(RedisLayout, { strict: false });
}

async function waitUntilReady(health: HealthService, timeoutMs: number): Promise<void> {
  const logger = new NestLogger('bootstrap');
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const report = await health.readiness();
    if (report.status === 'ok') return;
    const down = Object.entries(report.checks)
      .filter(([, check]) => check?.status === 'down')
      .map(([name, check]) => `${name} (${check?.error})`)
      .join(', ');
    if (Date.now() > deadline) throw new Error(`dependencies not ready after ${timeoutMs} ms: ${down}`);
    if (attempt === 1 || attempt % 10 === 0) logger.warn(`waiting for ${down}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * SIGTERM/SIGINT: stop consuming (the batch in hand finishes and its offsets are committed), close every
 * connection through the shutdown hooks, then exit 0 — or exit 1 if that takes longer than the grace period.
 */
function exitCleanlyOnSignal(app: INestApplication, graceMs = 25_000): void {
  const logger = new NestLogger('shutdown');
  const shutdown = (signal: NodeJS.Signals) => {
    logger.log(`${signal} received, shutting down`);
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${graceMs} ms, exiting`);
      process.exit(1);
    }, graceMs);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** Exits with a clear message when the service cannot start (bad env, dependencies down). */
export function exitOnBootFailure(error: unknown): never {
  console.error(`[cvp] failed to start: ${(error as Error)?.message ?? error}`);
  process.exit(1);
}
