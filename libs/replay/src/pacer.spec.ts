import { Pacer } from './pacer';

describe('Pacer', () => {
  const clock = () => {
    let now = 1_000_000;
    const slept: number[] = [];
    return {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
      advance: (ms: number) => (now += ms),
      slept,
    };
  };

  it('does not wait at full speed', async () => {
    const c = clock();
    const pacer = new Pacer({ kind: 'max' }, c.now, c.sleep);
    for (let i = 0; i < 100; i++) await pacer.admit(i * 1000);
    expect(c.slept).toEqual([]);
  });

  it('holds a fixed rate', async () => {
    const c = clock();
    const pacer = new Pacer({ kind: 'rate', eventsPerSecond: 10 }, c.now, c.sleep);
    for (let i = 0; i < 21; i++) await pacer.admit(0);
    // 21 events at 10/s: the 21st goes out 2 s after the first.
    expect(c.now() - 1_000_000).toBe(2000);
  });

  it('replays event time sped up', async () => {
    const c = clock();
    const pacer = new Pacer({ kind: 'speedup', factor: 60 }, c.now, c.sleep);
    await pacer.admit(Date.parse('2026-01-01T00:00:00Z'));
    await pacer.admit(Date.parse('2026-01-01T00:01:00Z')); // one minute later in event time: 1 s at 60x
    expect(c.now() - 1_000_000).toBe(1000);
    c.advance(5000); // the sink was slow: no extra wait for an event already due
    await pacer.admit(Date.parse('2026-01-01T00:02:00Z'));
    expect(c.slept).toEqual([1000]);
  });
});
