import { eventsPerSecond } from './pulse';

describe('events per second', () => {
  it('is unknown before two samples lie apart', () => {
    expect(eventsPerSecond([])).toBeNull();
    expect(eventsPerSecond([{ at: 1_000, records: 5 }])).toBeNull();
  });

  it('divides the records added by the time between the oldest and newest sample of the window', () => {
    const samples = [
      { at: 0, records: 0 },
      { at: 50_000, records: 100 },
      { at: 70_000, records: 300 },
      { at: 80_000, records: 400 },
    ];
    // The window is the last 60 s: from 50 s to 80 s, 300 records in 30 s.
    expect(eventsPerSecond(samples)).toBeCloseTo(10);
    expect(eventsPerSecond(samples, 15_000)).toBeCloseTo(10);
  });

  it('starts again from a topic whose offsets went back (recreated)', () => {
    expect(
      eventsPerSecond([
        { at: 0, records: 1_000 },
        { at: 10_000, records: 10 },
        { at: 20_000, records: 110 },
      ]),
    ).toBeCloseTo(10);
  });
});
