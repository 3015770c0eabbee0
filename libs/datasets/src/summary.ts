import { clickstreamEventSchema, type ClickstreamEvent } from '@cvp/contracts';
import type { Dataset, LoadReport } from './loader';

/** What a dataset turned into: the load report plus totals over its events, and how fast it streamed. */
export interface DatasetSummary {
  report: LoadReport;
  eventsByType: Record<string, number>;
  customers: number;
  /** Events whose id an earlier event of the same load already had (0 for a sound loader). */
  duplicateEventIds: number;
  /** Events failing the contract when checked again here (0 for a sound loader). */
  invalidEvents: number;
  /** Earliest and latest `occurredAt`, as written. */
  firstAt: string | null;
  lastAt: string | null;
  purchaseTotal: number;
  refundTotal: number;
  currencies: string[];
  seconds: number;
  eventsPerSecond: number;
}

export interface SummaryOptions {
  /** Called with each event, e.g. to keep a few. */
  onEvent?: (event: ClickstreamEvent) => void;
}

/**
 * Streams a dataset to its end and sums it up. Holds the event ids and customer ids in memory (to count
 * duplicates and customers), so it is meant for datasets of a few million events at most.
 */
export async function summarizeDataset(dataset: Dataset, options: SummaryOptions = {}): Promise<DatasetSummary> {
  const started = process.hrtime.bigint();
  const ids = new Set<string>();
  const customers = new Set<string>();
  const currencies = new Set<string>();
  const summary: DatasetSummary = {
    report: dataset.report,
    eventsByType: {},
    customers: 0,
    duplicateEventIds: 0,
    invalidEvents: 0,
    firstAt: null,
    lastAt: null,
    purchaseTotal: 0,
    refundTotal: 0,
    currencies: [],
    seconds: 0,
    eventsPerSecond: 0,
  };
  let first = Infinity;
  let last = -Infinity;
  for await (const event of dataset.events) {
    if (!clickstreamEventSchema.safeParse(event).success) summary.invalidEvents++;
    if (ids.has(event.eventId)) summary.duplicateEventIds++;
    ids.add(event.eventId);
    customers.add(event.customerId);
    summary.eventsByType[event.type] = (summary.eventsByType[event.type] ?? 0) + 1;
    const at = Date.parse(event.occurredAt);
    if (at < first) [first, summary.firstAt] = [at, event.occurredAt];
    if (at > last) [last, summary.lastAt] = [at, event.occurredAt];
    if (event.type === 'purchase') {
      summary.purchaseTotal += event.total;
      currencies.add(event.currency);
    } else if (event.type === 'refund') {
      summary.refundTotal += event.amount;
      currencies.add(event.currency);
    }
    options.onEvent?.(event);
  }
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  summary.eventsPerSecond = Math.round(summary.report.eventsProduced / Math.max(summary.seconds, 1e-9));
  summary.customers = customers.size;
  summary.purchaseTotal = Math.round(summary.purchaseTotal * 100) / 100;
  summary.refundTotal = Math.round(summary.refundTotal * 100) / 100;
  summary.currencies = [...currencies].sort();
  return summary;
}
