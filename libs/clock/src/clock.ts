/**
 * The one clock of CVP: the instant a score is "as of". Pure (no I/O): the services keep the watermark in Redis
 * (`@cvp/redis` ScoreClock) and ask this module what time it is.
 *
 * - `wall`: the machine's clock. Production, where events arrive as they happen.
 * - `event-time`: the pipeline's event-time watermark, the newest event time seen less an allowed lateness. For
 *   replayed or simulated history, so that replaying 1997 does not make every customer look silent since 1997.
 */
export const SCORE_CLOCK_MODES = ['wall', 'event-time'] as const;
export type ScoreClockMode = (typeof SCORE_CLOCK_MODES)[number];

export interface ClockSettings {
  mode: ScoreClockMode;
  /** event-time: how far the clock trails the newest event seen, so slightly late events still fall ahead of it. */
  latenessMs: number;
  /**
   * event-time: an event dated further than this past the wall clock never moves the watermark (a producer's
   * bad clock, `9999-12-31`, would otherwise stop time for everyone else).
   */
  maxFutureSkewMs: number;
}

export const DEFAULT_CLOCK_SETTINGS: ClockSettings = {
  mode: 'wall',
  latenessMs: 60 * 60 * 1000,
  maxFutureSkewMs: 24 * 60 * 60 * 1000,
};

/**
 * Now, by the clock: the wall time, or the watermark less the lateness (null before any event was seen:
 * event time has not started). Never earlier than 0.
 */
export function clockNow(settings: ClockSettings, watermarkMs: number | null, wallMs: number): number | null {
  if (settings.mode === 'wall') return wallMs;
  if (watermarkMs === null || !Number.isFinite(watermarkMs)) return null;
  return Math.max(0, watermarkMs - settings.latenessMs);
}

/**
 * The newest event time among `eventMs` that may move the watermark: events dated past the wall clock by more than
 * `maxFutureSkewMs` are left out. Null when none qualifies.
 */
export function watermarkCandidate(settings: ClockSettings, eventMs: Iterable<number>, wallMs: number): number | null {
  const limit = wallMs + settings.maxFutureSkewMs;
  let newest: number | null = null;
  for (const ms of eventMs) {
    if (Number.isFinite(ms) && ms <= limit && (newest === null || ms > newest)) newest = ms;
  }
  return newest;
}

/**
 * The instant a customer's features and score are as of: the clock, but never before their newest event (the
 * state cannot forget an event; a customer whose event is ahead of a trailing event-time clock is as of that event).
 */
export function scoreAsOf(lastEventMs: number, nowMs: number | null): number {
  return nowMs === null ? lastEventMs : Math.max(lastEventMs, nowMs);
}

/** Whether a scheduled sweep is due: the clock moved at least `everyMs` past the last sweep's instant. */
export function sweepDue(lastSweepAsOfMs: number | null, nowMs: number | null, everyMs: number): boolean {
  if (nowMs === null) return false;
  return lastSweepAsOfMs === null || nowMs - lastSweepAsOfMs >= everyMs;
}
