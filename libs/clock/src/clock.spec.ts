import { clockNow, DEFAULT_CLOCK_SETTINGS, scoreAsOf, sweepDue, watermarkCandidate, type ClockSettings } from './clock';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const wall = Date.parse('2026-11-30T12:00:00Z');
const eventTime: ClockSettings = { ...DEFAULT_CLOCK_SETTINGS, mode: 'event-time' };

describe('the score clock', () => {
  it('is the wall clock in wall mode, whatever the events say', () => {
    expect(clockNow(DEFAULT_CLOCK_SETTINGS, Date.parse('1997-06-01T00:00:00Z'), wall)).toBe(wall);
    expect(clockNow(DEFAULT_CLOCK_SETTINGS, null, wall)).toBe(wall);
  });

  it('trails the newest event by the lateness in event-time mode, and has not started before any event', () => {
    const newest = Date.parse('1997-06-01T00:00:00Z');
    expect(clockNow(eventTime, newest, wall)).toBe(newest - HOUR);
    expect(clockNow(eventTime, null, wall)).toBeNull();
  });

  it('never lets an event dated past the wall clock (plus the skew) move the watermark', () => {
    const times = [Date.parse('1997-06-01T00:00:00Z'), Date.parse('9999-12-31T00:00:00Z'), Number.NaN];
    const candidate = watermarkCandidate(eventTime, times, wall);
    expect(candidate).toBe(times[0]);
    expect(watermarkCandidate(eventTime, [wall + 23 * HOUR], wall)).toBe(wall + 23 * HOUR);
    expect(watermarkCandidate(eventTime, [wall + 25 * HOUR], wall)).toBeNull();
  });

  it('scores as of the clock, but never before the newest event folded in', () => {
    expect(scoreAsOf(1000, 5000)).toBe(5000);
    expect(scoreAsOf(9000, 5000)).toBe(9000);
    expect(scoreAsOf(9000, null)).toBe(9000);
  });

  it('makes a scheduled sweep due once the clock moved a whole interval', () => {
    expect(sweepDue(null, 0, DAY)).toBe(true);
    expect(sweepDue(0, DAY - 1, DAY)).toBe(false);
    expect(sweepDue(0, DAY, DAY)).toBe(true);
    expect(sweepDue(0, null, DAY)).toBe(false);
  });
});
