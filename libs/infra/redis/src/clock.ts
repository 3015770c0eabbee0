import type Redis from 'ioredis';
import type { BaseEnv } from '@cvp/config';
import { advanceWatermark, clockNow, watermarkCandidate, type ClockSettings } from '@cvp/clock';
import { CLOCK_WATERMARK_KEY } from './keys';
import { REDIS } from './redis.module';

export const clockSettingsOf = (env: BaseEnv): ClockSettings => ({
  mode: env.SCORE_CLOCK,
  latenessMs: env.SCORE_CLOCK_LATENESS_SECONDS * 1000,
  maxFutureSkewMs: env.SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS * 1000,
});

/** Moves the watermark forward only. KEYS[1] watermark. ARGV[1] candidate epoch ms. Returns the watermark. */
export const ADVANCE_WATERMARK_LUA = `
local held = tonumber(redis.call('GET', KEYS[1]) or '')
local candidate = tonumber(ARGV[1])
if candidate and (not held or candidate > held) then
  redis.call('SET', KEYS[1], ARGV[1])
  return ARGV[1]
end
return held and tostring(held) or false
`;

/**
 * The score clock of a deployment (`@cvp/clock`), with its event-time watermark kept in Redis so that every replica
 * of every service reads the same time. The features service moves the watermark as it folds events (in the same
 * script that commits the states); everybody else reads it.
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

  /** Now, given a watermark already read (or just advanced). */
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

  /** Moves the watermark to `candidate` if it is newer; returns the watermark after. */
  async advance(candidate: number | null): Promise<number | null> {
    if (candidate === null) return this.watermark();
    const after = await this.redis.eval(ADVANCE_WATERMARK_LUA, 1, CLOCK_WATERMARK_KEY, String(candidate));
    return advanceWatermark(after === null ? null : Number(after), candidate);
  }
}

/** The Nest provider of the ScoreClock (needs the REDIS client of RedisModule). */
export const scoreClockProvider = (env: BaseEnv) => ({
  provide: ScoreClock,
  useFactory: (redis: Redis) => new ScoreClock(redis, clockSettingsOf(env)),
  inject: [REDIS],
});
