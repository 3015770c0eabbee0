import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { aofEnabled, REDIS, type RedisClient } from '@cvp/redis';
import type { FeaturesConfig } from './config';

export const FEATURES_CONFIG = Symbol('FEATURES_CONFIG');

/**
 * Redis holds the only live copy of the feature state, so the features service runs only on a Redis with the
 * append-only file on: checked at start and at every reconnection (a Redis restarted without AOF is caught too). On
 * one without, it logs why and exits (the orchestrator shows the reason; nothing is folded into a store that loses
 * it). REDIS_REQUIRE_PERSISTENCE=false turns the check into a warning.
 */
@Injectable()
export class PersistenceGuard implements OnApplicationBootstrap {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(FEATURES_CONFIG) private readonly config: FeaturesConfig,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(PersistenceGuard.name);
  }

  onApplicationBootstrap(): void {
    this.redis.on('ready', () => void this.check());
    if (this.redis.status === 'ready') void this.check();
  }

  private async check(): Promise<void> {
    let info: string;
    try {
      info = await this.redis.info('persistence');
    } catch (error) {
      this.logger.warn(
        { error: (error as Error).message },
        'could not read Redis persistence settings, will retry on reconnect',
      );
      return;
    }
    if (aofEnabled(info)) return;
    const message =
      'Redis has no append-only file (aof_enabled:0): feature state would be lost on a restart. Enable ' +
      '`appendonly yes` on the Redis server, or set REDIS_REQUIRE_PERSISTENCE=false where losing it is acceptable ' +
      '(then `cvp rebuild-features` rebuilds it from the event store)';
    if (!this.config.REDIS_REQUIRE_PERSISTENCE) {
      this.logger.warn(message);
      return;
    }
    this.logger.fatal(message);
    process.exit(1);
  }
}
