import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

export const REDIS = Symbol('REDIS');

export interface RedisModuleOptions {
  url: string;
  /** A command that takes longer fails instead of hanging the caller. */
  commandTimeoutMs?: number;
}

/**
 * ioredis set up so that Redis trouble never hangs a caller: commands time out, nothing queues while the
 * connection is down (callers get an error at once), and the client reconnects by itself.
 */
export function createRedisClient(options: RedisModuleOptions): Redis {
  const logger = new Logger('redis');
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  client.on('error', (error) => logger.warn(`redis: ${error.message}`));
  return client;
}

/** Whether `INFO persistence` says the append-only file is on (`aof_enabled:1`). */
export function aofEnabled(persistenceInfo: string): boolean {
  return /^aof_enabled:1\s*$/m.test(persistenceInfo);
}

/** Real readiness check: PING answered with PONG. The client's command timeout bounds it. */
export async function checkRedis(redis: Redis): Promise<void> {
  if (redis.status === 'wait') await redis.connect();
  else if (redis.status === 'connecting' || redis.status === 'connect') {
    // Connecting already (another user of the client started it): wait for it rather than fail the check.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still ${redis.status} after 2000 ms`)), 2000);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
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
      providers: [{ provide: REDIS, useFactory: () => createRedisClient(options) }, RedisCloser],
      exports: [REDIS],
    };
  }
}
