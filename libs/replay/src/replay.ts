import { SingleBar } from 'cli-progress';
import type { ClickstreamEvent, FieldError } from '@cvp/contracts';
import type { Dataset, LoadReport } from '@cvp/datasets';
import type { EventSink } from './sinks';
import { Pacer, type Pace } from './pacer';

export interface ReplaySummary {
  load: LoadReport;
  sent: number;
  rejected: number;
  rejectedReasons: Record<string, number>;
  retries: number;
  seconds: number;
  eventsPerSecond: number;
}

export interface ReplayOptions {
  pace: Pace;
  batchSize: number;
  /** Show a progress bar on stderr (a line every few seconds when stderr is not a terminal). */
  progress: boolean;
  /** Longest an event waits in a partly filled batch when pacing. */
  maxBatchDelayMs?: number;
}

/**
 * Streams a dataset's events into a sink in batches, paced, with a progress bar, and returns what happened:
 * the loader's report (rows read, events, skips by reason) and what the sink accepted or rejected.
 */
export async function replay(dataset: Dataset, sink: EventSink, options: ReplayOptions): Promise<ReplaySummary> {
  const started = Date.now();
  const pacer = new Pacer(options.pace);
  const summary = { sent: 0, rejected: 0, retries: 0, rejectedReasons: {} as Record<string, number> };
  const bar = options.progress
    ? new SingleBar({
        format: 'replay |{bar}| {value} sent | {rejected} rejected | {rate} events/s | {skipped} rows skipped',
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 5000,
        stream: process.stderr,
      })
    : null;
  bar?.start(0, 0, { rejected: 0, rate: 0, skipped: 0 });
  const maxDelay = options.maxBatchDelayMs ?? 200;

  let batch: ClickstreamEvent[] = [];
  let batchOpenedAt = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await sink.send(batch);
    summary.sent += result.accepted;
    summary.retries += result.retries;
    summary.rejected += result.rejected.length;
    for (const { errors } of result.rejected) countReasons(summary.rejectedReasons, errors);
    batch = [];
    const seconds = (Date.now() - started) / 1000;
    const skipped = Object.values(dataset.report.skipped).reduce((sum: number, count: number) => sum + count, 0);
    bar?.setTotal(summary.sent + summary.rejected);
    bar?.update(summary.sent, {
      rejected: summary.rejected,
      rate: Math.round(summary.sent / Math.max(seconds, 0.001)),
      skipped,
    });
  };

  try {
    for await (const event of dataset.events) {
      const eventTime = Date.parse(event.occurredAt);
      if (
        batch.length > 0 &&
        (pacer.delayFor(eventTime) > 0 || Date.now() - batchOpenedAt > maxDelay) &&
        options.pace.kind !== 'max'
      ) {
        await flush();
      }
      await pacer.admit(eventTime);
      if (batch.length === 0) batchOpenedAt = Date.now();
      batch.push(event);
      if (batch.length >= options.batchSize) await flush();
    }
    await flush();
  } finally {
    bar?.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    load: dataset.report,
    ...summary,
    seconds,
    eventsPerSecond: Math.round(summary.sent / Math.max(seconds, 0.001)),
  };
}

function countReasons(reasons: Record<string, number>, errors: FieldError[]): void {
  const reason = errors.map((error) => `${error.path.replace(/^events\.\d+\./, '')}: ${error.message}`).join('; ');
  reasons[reason] = (reasons[reason] ?? 0) + 1;
}
