import type { Admin } from 'kafkajs';

/**
 * Records on `topic` that consumer group `groupId` has not committed yet (sum over partitions).
 * A group that never committed lags by the whole topic.
 */
export async function consumerGroupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  return ends.reduce((lag, end) => lag + Math.max(0, Number(end.high) - Math.max(0, done.get(end.partition) ?? 0)), 0);
}

/** Waits until every (group, topic) pair has no lag on two checks in a row, or throws after `timeoutMs`. */
export async function waitForZeroLag(
  admin: Admin,
  pairs: { groupId: string; topic: string }[],
  timeoutMs: number,
  pollMs = 300,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2) {
    const lags = await Promise.all(pairs.map(({ groupId, topic }) => consumerGroupLag(admin, groupId, topic)));
    quiet = lags.every((lag) => lag === 0) ? quiet + 1 : 0;
    if (Date.now() > deadline) {
      throw new Error(
        `consumers still lagging after ${timeoutMs} ms: ${pairs.map((p, i) => `${p.groupId}@${p.topic}=${lags[i]}`).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
