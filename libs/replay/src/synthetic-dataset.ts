import { syntheticClickstream, type Dataset, type SyntheticOptions } from '@cvp/datasets';

export interface SyntheticDatasetOptions extends SyntheticOptions {
  /**
   * Send only the events with occurredAt in [sendFrom, sendBefore): the same seeded history can then be streamed in
   * parts (the demo sends the past, trains a model, then sends the rest). Others count as `outside_send_window`.
   */
  sendFrom?: Date;
  sendBefore?: Date;
}

/** The seeded synthetic clickstream as a Dataset, so `simulate` replays it like any real file. */
export function syntheticDataset(options: SyntheticDatasetOptions): Dataset {
  const report = {
    format: 'synthetic',
    path: `seed:${options.seed}`,
    rowsRead: 0,
    eventsProduced: 0,
    skipped: {} as Record<string, number>,
  };
  const fromMs = options.sendFrom?.getTime() ?? -Infinity;
  const beforeMs = options.sendBefore?.getTime() ?? Infinity;
  async function* events() {
    for (const event of syntheticClickstream(options)) {
      report.rowsRead++;
      const ms = Date.parse(event.occurredAt);
      if (ms < fromMs || ms >= beforeMs) {
        report.skipped.outside_send_window = (report.skipped.outside_send_window ?? 0) + 1;
        continue;
      }
      report.eventsProduced++;
      yield event;
    }
  }
  return { events: events(), report };
}
