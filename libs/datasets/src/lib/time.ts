/**
 * Timestamps of real exports come in many shapes and often without a zone. `TimestampParser` turns each into an
 * ISO 8601 string that keeps the source's wall-clock time and states its offset (`2011-06-01T10:00:00+01:00`, or
 * `Z` for UTC), or `undefined` when the text is not a real date-time.
 *
 * Accepted: `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]]` with an optional `Z`, `UTC`, `GMT` or `±HH[:]MM` suffix;
 * `M/D/YYYY [H:MM[:SS]]` (or `D/M/YYYY` with `dateOrder: 'dmy'`); `YYYYMMDD`; Unix epoch seconds (10 digits) or
 * milliseconds (13 digits). Local times (no suffix) are read in the parser's IANA zone: a time that does not exist
 * (the hour skipped when clocks go forward) moves forward by the gap, and a time that happens twice (clocks go back)
 * is the earlier instant, as Temporal's `compatible` disambiguation does.
 */
export type DateOrder = 'mdy' | 'dmy';

const MIN_YEAR = 1970;
const MAX_YEAR = 2100;
const DAY_MS = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const ISO_LIKE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const EPOCH = /^(\d{10}|\d{13})$/;

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** Checks that a time zone name is one the runtime knows; throws a readable Error otherwise. */
export function assertTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new Error(`unknown time zone "${zone}": use an IANA name such as Europe/London, America/Sao_Paulo or UTC`);
  }
}

export class TimestampParser {
  private readonly utc: boolean;
  private readonly format: Intl.DateTimeFormat | undefined;
  /** Offset per local day, `null` on days with a clock change; those are resolved per minute. */
  private readonly days = new Map<string, number | null>();
  private readonly offsets = new Map<string, { shiftMs: number; offsetMinutes: number }>();
  private lastText: string | undefined;
  private lastResult: string | undefined;

  constructor(
    readonly timeZone: string,
    private readonly dateOrder: DateOrder = 'mdy',
  ) {
    assertTimeZone(timeZone);
    this.utc = /^(utc|etc\/utc|gmt|etc\/gmt|z)$/i.test(timeZone);
    this.format = this.utc
      ? undefined
      : new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
  }

  /** The ISO 8601 form of `text`, or undefined when it is empty, malformed or not a real calendar time. */
  parse(text: string): string | undefined {
    // Line-level exports repeat one timestamp on every line of an order.
    if (text === this.lastText) return this.lastResult;
    const result = this.parseText(text);
    this.lastText = text;
    this.lastResult = result;
    return result;
  }

  private parseText(text: string): string | undefined {
    const value = text.trim();
    if (value === '') return undefined;
    let match = ISO_LIKE.exec(value);
    if (match) {
      const wall = wallTime(match[1], match[2], match[3], match[4], match[5], match[6], match[7]);
      if (!wall) return undefined;
      return match[8] === undefined ? this.fromLocal(wall) : withOffset(wall, match[8]);
    }
    match = SLASHED.exec(value);
    if (match) {
      const [first, second] = this.dateOrder === 'mdy' ? [match[1], match[2]] : [match[2], match[1]];
      const wall = wallTime(match[3], first, second, match[4], match[5], match[6], undefined);
      return wall && this.fromLocal(wall);
    }
    match = COMPACT_DATE.exec(value);
    if (match) {
      const wall = wallTime(match[1], match[2], match[3], undefined, undefined, undefined, undefined);
      return wall && this.fromLocal(wall);
    }
    if (EPOCH.test(value)) return this.fromEpochMs(value.length === 10 ? Number(value) * 1000 : Number(value));
    return undefined;
  }

  /** An instant, written in this parser's zone. */
  fromEpochMs(epochMs: number): string | undefined {
    if (!Number.isFinite(epochMs)) return undefined;
    const offsetMinutes = this.offsetAt(epochMs);
    const wall = wallOf(epochMs + offsetMinutes * 60_000);
    return inRange(wall) ? formatIso(wall, offsetMinutes) : undefined;
  }

  private fromLocal(wall: WallTime): string {
    const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
    const dayOffset = this.utc ? 0 : this.uniformOffset(wall);
    if (dayOffset !== undefined) return formatIso(wall, dayOffset);
    const resolved = this.resolveMinute(wall);
    return formatIso(wallOf(asUtc + resolved.shiftMs + resolved.offsetMinutes * 60_000), resolved.offsetMinutes);
  }

  /** The zone's offset on the wall time's local day when it is the same all day (no clock change), else undefined. */
  private uniformOffset(wall: WallTime): number | undefined {
    const key = `${wall.year}-${wall.month}-${wall.day}`;
    let offset = this.days.get(key);
    if (offset === undefined) {
      // Offsets lie within ±14 h, so the instants of one local day fall in [00:00 - 14 h, 24:00 + 14 h] UTC.
      const midnight = Date.UTC(wall.year, wall.month - 1, wall.day);
      const first = this.offsetAt(midnight - 14 * 3_600_000);
      const last = this.offsetAt(midnight + 38 * 3_600_000);
      offset = first === last ? first : null;
      if (this.days.size > 100_000) this.days.clear();
      this.days.set(key, offset);
    }
    return offset ?? undefined;
  }

  /** On a day with a clock change: the reading of one local minute. */
  private resolveMinute(wall: WallTime): { shiftMs: number; offsetMinutes: number } {
    const key = `${wall.year}-${wall.month}-${wall.day}T${wall.hour}:${wall.minute}`;
    let resolved = this.offsets.get(key);
    if (!resolved) {
      const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
      const before = this.offsetAt(asUtc - DAY_MS);
      const after = this.offsetAt(asUtc + DAY_MS);
      const valid = [...new Set([before, after])]
        .map((offset) => asUtc - offset * 60_000)
        .filter((instant) => asUtc - this.offsetAt(instant) * 60_000 === instant);
      // No valid reading: the wall time falls in a gap, read it with the offset in force before the gap.
      const instant = valid.length > 0 ? Math.min(...valid) : asUtc - before * 60_000;
      resolved = { shiftMs: instant - asUtc, offsetMinutes: this.offsetAt(instant) };
      if (this.offsets.size > 100_000) this.offsets.clear();
      this.offsets.set(key, resolved);
    }
    return resolved;
  }

  /** Offset of the zone from UTC at an instant, in minutes. */
  private offsetAt(epochMs: number): number {
    if (!this.format) return 0;
    const whole = Math.floor(epochMs / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(whole)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second);
    return Math.round((asUtc - whole) / 60_000);
  }
}

function wallTime(
  year: string,
  month: string,
  day: string,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
  fraction: string | undefined,
): WallTime | undefined {
  const wall: WallTime = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    millisecond: fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0,
  };
  const leap = wall.year % 4 === 0 && (wall.year % 100 !== 0 || wall.year % 400 === 0);
  const daysInMonth = wall.month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[wall.month - 1];
  const valid =
    inRange(wall) &&
    wall.month >= 1 &&
    wall.month <= 12 &&
    wall.day >= 1 &&
    wall.day <= daysInMonth &&
    wall.hour <= 23 &&
    wall.minute <= 59 &&
    wall.second <= 59;
  return valid ? wall : undefined;
}

function inRange(wall: WallTime): boolean {
  return wall.year >= MIN_YEAR && wall.year <= MAX_YEAR;
}

function withOffset(wall: WallTime, suffix: string): string | undefined {
  if (/^(z|utc|gmt)$/i.test(suffix)) return formatIso(wall, 0);
  const [, sign, hours, minutes] = /^([+-])(\d{2}):?(\d{2})?$/.exec(suffix) ?? [];
  const offset = Number(hours) * 60 + Number(minutes ?? 0);
  if (Number(hours) > 23 || Number(minutes ?? 0) > 59) return undefined;
  return formatIso(wall, sign === '-' ? -offset : offset);
}

function wallOf(shiftedMs: number): WallTime {
  const date = new Date(shiftedMs);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    millisecond: date.getUTCMilliseconds(),
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function formatIso(wall: WallTime, offsetMinutes: number): string {
  const fraction = wall.millisecond ? `.${pad(wall.millisecond, 3)}` : '';
  const abs = Math.abs(offsetMinutes);
  const zone =
    offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}` +
    `T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${fraction}${zone}`
  );
}
