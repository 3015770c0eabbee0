import type { RedisClient } from './cluster';
import type { BaseEnv } from '@cvp/config';
import { clockNow, watermarkCandidate, type ClockSettings } from '@cvp/clock';
import { CLOCK_WATERMARK_KEY } from './keys';
import { REDIS } from './redis.module';

/** KEYS[1] watermark; ARGV[1] candidate: the watermark only moves forward. */
const RAISE = `
local held = tonumber(redis.call('GET', KEYS[1]) or '')
if not held or tonumber(ARGV[1]) > held then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
`;

export const clockSettingsOf = (env: BaseEnv): ClockSettings => ({
  mode: env.SCORE_CLOCK,
  latenessMs: env.SCORE_CLOCK_LATENESS_SECONDS * 1000,
  maxFutureSkewMs: env.SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS * 1000,
});

/**
 * The score clock of a deployment (`@cvp/clock`), with its event-time watermark kept in Redis so that every replica
 * of every service reads the same time. The features service moves the watermark forward as it folds events (the only
 * writer, `raise`); everybody else reads it.
 */
export class ScoreClock {
  constructor(
    private readonly redis: RedisClient,
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

  /** Moves the watermark to `candidate` (epoch ms) unless it is there or further already. */
  async raise(candidate: number): Promise<void> {
    await this.redis.eval(RAISE, 1, CLOCK_WATERMARK_KEY, String(candidate));
  }

  /** The newest of these event times that may move the watermark (none past the wall clock's skew limit). */
  candidate(eventMs: Iterable<number>): number | null {
    return watermarkCandidate(this.settings, eventMs, Date.now());
  }
}

/** The Nest provider of the ScoreClock (needs the REDIS client of RedisModule). */
export const scoreClockProvider = (env: BaseEnv) => ({
  provide: ScoreClock,
  useFactory: (redis: RedisClient) => new ScoreClock(redis, clockSettingsOf(env)),
  inject: [REDIS],
});
