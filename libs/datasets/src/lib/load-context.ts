import { clickstreamEventSchema, type ClickstreamEvent } from '@cvp/contracts';
import type { Dataset, LoadReport } from '../loader';

/**
 * What every loader shares: the live report, counting skips by reason, and the contract check every event
 * passes before it is emitted (a failing one is counted as `invalid_event`, never dropped silently).
 */
export class LoadContext {
  constructor(readonly report: LoadReport) {}

  /** Counts rows read from the file (a row is counted once, whatever becomes of it). */
  read(rows = 1): void {
    this.report.rowsRead += rows;
  }

  skip(reason: string, rows = 1): void {
    if (rows <= 0) return;
    this.report.skipped[reason] = (this.report.skipped[reason] ?? 0) + rows;
  }

  /** The event as the contract parses it (trimmed, defaults applied), or undefined and `rows` skipped as invalid. */
  accept(candidate: unknown, rows = 1): ClickstreamEvent | undefined {
    const parsed = clickstreamEventSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
    this.skip('invalid_event', rows);
    return undefined;
  }
}

export type Loader = (context: LoadContext) => AsyncGenerator<ClickstreamEvent>;

/** Wraps a loader into a Dataset: counts events, honours `limit`, and closes the file when the consumer stops. */
export function makeDataset(format: string, path: string, limit: number | undefined, load: Loader): Dataset {
  const report: LoadReport = { format, path, rowsRead: 0, eventsProduced: 0, skipped: {} };
  const context = new LoadContext(report);
  async function* events(): AsyncGenerator<ClickstreamEvent> {
    if (limit === 0) return;
    for await (const event of load(context)) {
      report.eventsProduced++;
      yield event;
      if (limit !== undefined && report.eventsProduced >= limit) return;
    }
  }
  return { events: events(), report };
}
