import { metrics } from '@opentelemetry/api';
import type { Admin } from 'kafkajs';

/**
 * Records on `topic` that consumer group `groupId` has not committed yet (sum over partitions).
 * A group that never committed lags by the whole topic.
 */
export async function consumerGroupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await retryRetriable(() =>
    Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]),
  );
  const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  return ends.reduce((lag, end) => lag + Math.max(0, Number(end.high) - Math.max(0, done.get(end.partition) ?? 0)), 0);
}

/**
 * Retries what Kafka calls retriable (a group coordinator moving or loading, a leader election: NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS, ...; kafkajs marks them `retriable`) up to `attempts` times, 500 ms apart: a lag
 * poll right after a broker starts or fails over gets such answers for a few seconds.
 */
export async function retryRetriable<T>(call: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !(error as { retriable?: boolean }).retriable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
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

/** Lag of every group on every topic it has committed offsets for (groups named with `prefix`), largest first. */
export async function allGroupLags(
  admin: Admin,
  prefix = '',
): Promise<{ groupId: string; topic: string; lag: number }[]> {
  const { groups } = await admin.listGroups();
  const out: { groupId: string; topic: string; lag: number }[] = [];
  for (const { groupId } of groups.filter((group) => group.groupId.startsWith(prefix))) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      // Listed but never committed (every offset -1): not a topic this group consumes.
      if (partitions.every((partition) => Number(partition.offset) < 0)) continue;
      out.push({ groupId, topic, lag: await consumerGroupLag(admin, groupId, topic) });
    }
  }
  return out.sort((a, b) => b.lag - a.lag || a.groupId.localeCompare(b.groupId) || a.topic.localeCompare(b.topic));
}

/**
 * Keeps the lag of one consumer group on its topics, refreshed every `intervalMs`, and exports it as the OpenTelemetry
 * gauge `cvp.kafka.consumer.lag` (attributes `group`, `topic`; records not yet committed), read by whatever metrics
 * exporter the telemetry runs (OTEL_METRICS_EXPORTER=prometheus|otlp). A failed refresh keeps the last figures.
 */
export class ConsumerLagMonitor {
  private readonly lags = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private connected = false;

  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly topics: () => readonly string[],
    private readonly intervalMs = 15_000,
  ) {
    metrics
      .getMeter('cvp')
      .createObservableGauge('cvp.kafka.consumer.lag', {
        description: 'Records of the topic this consumer group has not committed yet',
        unit: '{record}',
      })
      .addCallback((result) => {
        for (const [topic, lag] of this.lags) result.observe(lag, { group: this.groupId, topic });
      });
  }

  /** The latest figures, per topic. */
  current(): Record<string, number> {
    return Object.fromEntries(this.lags);
  }

  async refresh(): Promise<void> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    for (const topic of this.topics()) {
      this.lags.set(topic, await consumerGroupLag(this.admin, this.groupId, topic));
    }
  }

  start(): void {
    const tick = () =>
      this.refresh()
        .catch(() => undefined)
        .finally(() => {
          this.timer = setTimeout(tick, this.intervalMs);
          this.timer.unref();
        });
    void tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    if (this.connected) await this.admin.disconnect();
    this.connected = false;
  }
}
