/**
 * Pure helpers of a consumer loop over a client that delivers records one by one (@platformatic/kafka):
 * what it has buffered becomes one batch per partition, and a retry resumes after the last committed offset.
 */

export interface PositionedMessage {
  topic: string;
  partition: number;
  offset: bigint;
}

export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** Messages grouped by topic-partition, each group in arrival (offset) order, groups in order of first arrival. */
export function groupByPartition<M extends PositionedMessage>(messages: M[]): M[][] {
  const groups = new Map<string, M[]>();
  for (const message of messages) {
    const key = partitionKey(message.topic, message.partition);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(message);
  }
  return [...groups.values()];
}

/** The messages still to do once everything up to `committedThrough` (inclusive) is done. */
export function notYetCommitted<M extends { offset: bigint }>(
  messages: M[],
  committedThrough: bigint | undefined,
): M[] {
  return committedThrough === undefined ? messages : messages.filter((message) => message.offset > committedThrough);
}

/** Header bytes as text; a header sent more than once keeps its last value, as with kafkajs. */
export function textHeaders(
  headers: Map<Buffer | string, Buffer | string | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers ?? []) {
    if (value === undefined) continue;
    out[name.toString()] = value.toString();
  }
  return out;
}

/** Backoff before retrying a batch whose handler failed: 300 ms doubling, at most 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(300 * 2 ** Math.max(0, attempt - 1), 30_000);
}

/** Runs `work` on every item, at most `limit` at a time, each worker taking the next item in order. */
export async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
