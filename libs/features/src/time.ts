/** Time helpers. Every calendar notion here is UTC: a day is a UTC date, hours and weekdays are UTC. */

export const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Epoch milliseconds of an ISO 8601 instant; throws on a value that does not parse. */
export function epochMs(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error(`${what} is not a date-time: ${JSON.stringify(iso)}`);
  return ms;
}

/** Days since 1970-01-01 (UTC) of an instant. */
export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);

/** Hour of the day, 0-23, in UTC. */
export const utcHour = (ms: number): number => mod(Math.floor(ms / HOUR_MS), 24);

/** Day of the week in UTC, 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday). */
export const utcWeekday = (ms: number): number => mod(utcDay(ms) + 3, 7);

const mod = (value: number, by: number) => ((value % by) + by) % by;
