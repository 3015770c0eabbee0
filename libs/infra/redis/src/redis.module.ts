import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis, { Cluster } from 'ioredis';
import { connected, type RedisClient } from './cluster';

import { RedisLayout } from './layout';
import { REDIS } from './token';

export { REDIS };

export interface RedisModuleOptions {
  url: string;
  /** `url` names a node of a Redis Cluster. */
  cluster?: boolean;
  /** A command that takes longer fails instead of hanging the caller. */
  commandTimeoutMs?: number;
}

/**
 * ioredis set up so that Redis trouble never hangs a caller: commands time out, nothing queues while the
 * connection is down (callers get an error at once), and the client reconnects by itself.
 */
export function createRedisClient(options: RedisModuleOptions): RedisClient {
  const logger = new Logger('redis');
  const connection = {
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
  };
  const client: RedisClient = options.cluster
    ? new Cluster([nodeOf(options.url)], {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 2000),
        redisOptions: { ...connection, ...credentialsOf(options.url) },
      })
    : new Redis(options.url, {
        ...connection,
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
      });
  client.on('error', (error: Error) => logger.warn(`redis: ${error.message}`));
  return client;
}

/** A cluster's seed node of a redis:// URL. */
function nodeOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

/** What a redis:// URL says beside the node: user, password, TLS (rediss://). */
function credentialsOf(url: string): { username?: string; password?: string; tls?: object } {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Whether `INFO persistence` says the append-only file is on (`aof_enabled:1`). */
export function aofEnabled(persistenceInfo: string): boolean {
  return /^aof_enabled:1\s*$/m.test(persistenceInfo);
}

/** Real readiness check: PING answered with PONG. The client's command timeout bounds it. */
export async function checkRedis(redis: RedisClient): Promise<void> {
  // Connecting already (another user of the client started it): wait for it rather than fail the check.
  await connected(redis);
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS, useFactory: () => createRedisClient(options) }, RedisCloser, RedisLayout],
      exports: [REDIS, RedisLayout],
    };
  }
}
