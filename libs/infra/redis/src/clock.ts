import type Redis from 'ioredis';
import type { BaseEnv } from '@cvp/config';
import { clockNow, watermarkCandidate, type ClockSettings } from '@cvp/clock';
import { CLOCK_WATERMARK_KEY } from './keys';
import { REDIS } from './redis.module';

export const clockSettingsOf = (env: BaseEnv): ClockSettings => ({
  mode: env.SCORE_CLOCK,
  latenessMs: env.SCORE_CLOCK_LATENESS_SECONDS * 1000,
  maxFutureSkewMs: env.SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS * 1000,
});

/**
 * The score clock of a deployment (`@cvp/clock`), with its event-time watermark kept in Redis so that every replica
 * of every service reads the same time. The features service moves the watermark forward as it folds events (in the
 * script that commits the states: the only writer); everybody else reads it.
 */
export class ScoreClock {
  constructor(
    private readonly redis: Redis,
    readonly settings: ClockSettings,
  ) {}

  get mode() {
    return this.settings.mode;
  }

  /** Now, by the clock (epoch ms); null in event-time mode before any event was seen. */
  async now(): Promise<number | null> {
    if (this.settings.mode === 'wall') return Date.now();
    return this.nowWith(await this.watermark());
  }

  /** Now, given a watermark already read. */
  nowWith(watermarkMs: number | null): number | null {
    return clockNow(this.settings, watermarkMs, Date.now());
  }

  async watermark(): Promise<number | null> {
    const raw = await this.redis.get(CLOCK_WATERMARK_KEY);
    return raw === null ? null : Number(raw);
  }

  /** The newest of these event times that may move the watermark (none past the wall clock's skew limit). */
  candidate(eventMs: Iterable<number>): number | null {
    return watermarkCandidate(this.settings, eventMs, Date.now());
  }
}

/** The Nest provider of the ScoreClock (needs the REDIS client of RedisModule). */
export const scoreClockProvider = (env: BaseEnv) => ({
  provide: ScoreClock,
  useFactory: (redis: Redis) => new ScoreClock(redis, clockSettingsOf(env)),
  inject: [REDIS],
});
