import { syntheticClickstream, type Dataset, type SyntheticOptions } from '@cvp/datasets';

/** The seeded synthetic clickstream as a Dataset, so `simulate` replays it like any real file. */
export function syntheticDataset(options: SyntheticOptions & { seed: number }): Dataset {
  const report = { format: 'synthetic', path: `seed:${options.seed}`, rowsRead: 0, eventsProduced: 0, skipped: {} };
  async function* events() {
    for (const event of syntheticClickstream(options)) {
      report.rowsRead++;
      report.eventsProduced++;
      yield event;
    }
  }
  return { events: events(), report };
}
