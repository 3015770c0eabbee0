/**
 * Loads one dataset and prints its summary as JSON on stdout (one line). The shared-datasets test runs this in a
 * child process: inside Jest's sandbox every global lookup (`Math`, `Buffer`) is ~100× slower, and csv-parse
 * makes several per byte, so the big files would take minutes there instead of seconds here.
 *
 *   node -r @swc-node/register libs/datasets/src/testing/summarize-dataset.ts \
 *     '{"format":"cdnow","path":"../shared/datasets/cdnow/CDNOW_sample.txt"}'
 */
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, type LoaderOptions } from '../loader';
import { summarizeDataset, type DatasetSummary } from '../summary';

export interface SummaryRequest {
  format: string;
  path: string;
  options?: LoaderOptions;
  /** Also return the events of these types whose `occurredAt` starts with this prefix. */
  keep?: { types: string[]; occurredAtPrefix?: string };
  /** Also return the customer ids. */
  listCustomers?: boolean;
}

export interface SummaryResponse extends DatasetSummary {
  kept: ClickstreamEvent[];
  customerIds: string[];
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as SummaryRequest;
  const kept: ClickstreamEvent[] = [];
  const customerIds = new Set<string>();
  const summary = await summarizeDataset(openDataset(request.format, request.path, request.options), {
    onEvent: (event) => {
      if (request.listCustomers) customerIds.add(event.customerId);
      const { keep } = request;
      if (keep && keep.types.includes(event.type) && event.occurredAt.startsWith(keep.occurredAtPrefix ?? '')) {
        kept.push(event);
      }
    },
  });
  const response: SummaryResponse = { ...summary, kept, customerIds: [...customerIds] };
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
