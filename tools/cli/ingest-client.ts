import type { ClickstreamEvent } from '@cvp/contracts';

export interface SendReport {
  sent: number;
  rejected: number;
  requests: number;
  retries: number;
}

/**
 * Posts events to ingest in batches, retrying 5xx and network errors with exponential backoff.
 * A 400 is the producer's fault: it is reported, never retried.
 */
export async function sendEvents(
  ingestUrl: string,
  events: AsyncIterable<ClickstreamEvent> | Iterable<ClickstreamEvent>,
  options: { batchSize: number; onProgress?(report: SendReport): void },
): Promise<SendReport> {
  const report: SendReport = { sent: 0, rejected: 0, requests: 0, retries: 0 };
  let batch: ClickstreamEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const body = JSON.stringify({ events: batch });
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let detail = '';
      try {
        const response = await fetch(`${ingestUrl}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        status = response.status;
        detail = status >= 400 ? await response.text() : '';
      } catch (error) {
        detail = (error as Error).message;
      }
      report.requests++;
      if (status === 202) {
        report.sent += batch.length;
        break;
      }
      if (status >= 400 && status < 500) {
        report.rejected += batch.length;
        console.error(`[cvp] batch rejected (${status}): ${detail.slice(0, 500)}`);
        break;
      }
      if (attempt >= 6) throw new Error(`ingest unavailable after ${attempt + 1} attempts: ${status || detail}`);
      report.retries++;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
    batch = [];
    options.onProgress?.(report);
  };
  for await (const event of events) {
    batch.push(event);
    if (batch.length >= options.batchSize) await flush();
  }
  await flush();
  return report;
}
