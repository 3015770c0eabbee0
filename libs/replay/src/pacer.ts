/**
 * Paces a replay: a fixed rate (events per second), or event time sped up by a factor (the gap between
 * two events' occurredAt divided by `speedup`), or as fast as the sink takes it.
 */
export type Pace = { kind: 'max' } | { kind: 'rate'; eventsPerSecond: number } | { kind: 'speedup'; factor: number };

export class Pacer {
  private readonly startedAt: number;
  private sent = 0;
  private firstEventTime?: number;

  constructor(
    private readonly pace: Pace,
    private readonly now: () => number = Date.now,
    private readonly sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  ) {
    this.startedAt = now();
  }

  /** Milliseconds to wait before sending the next event, given its event time. */
  delayFor(eventTimeMs: number): number {
    const elapsed = this.now() - this.startedAt;
    switch (this.pace.kind) {
      case 'max':
        return 0;
      case 'rate':
        return Math.max(0, (this.sent / this.pace.eventsPerSecond) * 1000 - elapsed);
      case 'speedup':
        this.firstEventTime ??= eventTimeMs;
        return Math.max(0, (eventTimeMs - this.firstEventTime) / this.pace.factor - elapsed);
    }
  }

  /** Waits until the event may be sent, then counts it. */
  async admit(eventTimeMs: number): Promise<void> {
    const delay = this.delayFor(eventTimeMs);
    if (delay > 0) await this.sleep(delay);
    this.sent++;
  }
}
