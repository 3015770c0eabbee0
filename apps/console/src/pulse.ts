import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { TOPICS } from '@cvp/contracts';
import { allGroupLags, KAFKA_CLIENT } from '@cvp/kafka';

/** One reading of the events topic: records ever accepted (the sum of its partitions' end offsets), and when. */
export interface OffsetSample {
  at: number;
  records: number;
}

/**
 * Events per second between the oldest and the newest sample of the last `windowMs` (null until two samples lie
 * apart in time). A topic whose offsets went backwards (recreated) restarts the count from that sample.
 */
export function eventsPerSecond(samples: readonly OffsetSample[], windowMs = 60_000): number | null {
  const newest = samples.at(-1);
  if (!newest) return null;
  let oldest = newest;
  for (let i = samples.length - 2; i >= 0; i--) {
    const sample = samples[i];
    if (newest.at - sample.at > windowMs || sample.records > oldest.records) break;
    oldest = sample;
  }
  const seconds = (newest.at - oldest.at) / 1000;
  return seconds > 0 ? (newest.records - oldest.records) / seconds : null;
}

export interface ConsumerLag {
  groupId: string;
  topic: string;
  lag: number;
}

export interface PipelinePulse {
  /** Accepted events per second over the last minute (null until measured). */
  eventsPerSecond: number | null;
  /** Events ever accepted on cvp.events.v1 (what the topic holds and held). */
  eventsTotal: number | null;
  /** Records each consumer group has not committed yet, per topic, largest first. */
  lags: ConsumerLag[];
  /** When these figures were read (null: never yet). */
  sampledAt: string | null;
  /** Why the last sampling failed (null when it did not). */
  error: string | null;
}

export const PULSE_OPTIONS = Symbol('PULSE_OPTIONS');
export interface PulseOptions {
  intervalMs: number;
  groupPrefix: string;
}

/** Samples the pipeline from Kafka every `intervalMs`: events/s on the events topic, consumer lag per group. */
@Injectable()
export class Pulse implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(Pulse.name);
  private readonly admin: Admin;
  private readonly samples: OffsetSample[] = [];
  private lags: ConsumerLag[] = [];
  private sampledAt: string | null = null;
  private error: string | null = null;
  private connected = false;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(PULSE_OPTIONS) private readonly options: PulseOptions,
  ) {
    this.admin = kafka.admin({ retry: { retries: 0 } });
  }

  onApplicationBootstrap(): void {
    const tick = () =>
      this.sample().finally(() => {
        this.timer = setTimeout(tick, this.options.intervalMs);
        this.timer.unref();
      });
    void tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    if (this.connected) await this.admin.disconnect().catch(() => undefined);
  }

  current(): PipelinePulse {
    return {
      eventsPerSecond: eventsPerSecond(this.samples),
      eventsTotal: this.samples.at(-1)?.records ?? null,
      lags: this.lags,
      sampledAt: this.sampledAt,
      error: this.error,
    };
  }

  private async sample(): Promise<void> {
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      const offsets = await this.admin.fetchTopicOffsets(TOPICS.events);
      const now = Date.now();
      this.samples.push({ at: now, records: offsets.reduce((sum, partition) => sum + Number(partition.high), 0) });
      while (this.samples.length > 0 && now - this.samples[0].at > 120_000) this.samples.shift();
      this.lags = await allGroupLags(this.admin, this.options.groupPrefix);
      this.sampledAt = new Date(now).toISOString();
      if (this.error) this.log.log('pipeline figures read again');
      this.error = null;
    } catch (error) {
      if (!this.error) this.log.warn(`pipeline figures not read: ${(error as Error).message}`);
      this.error = (error as Error).message;
    }
  }
}
