import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { TRAINER_CONFIG, type TrainerConfig } from './config';
import { TrainingEventStore } from './event-store';

const HOUR_MS = 3_600_000;

/** The instant before which stored events are deleted: `days` before `now`. */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 24 * HOUR_MS);
}

/** Deletes stored events past EVENT_RETENTION_DAYS at start and every hour (nothing when it is 0). */
@Injectable()
export class EventRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(TRAINER_CONFIG) private readonly config: TrainerConfig,
    private readonly events: TrainingEventStore,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(EventRetention.name);
  }

  onApplicationBootstrap(): void {
    if (this.config.EVENT_RETENTION_DAYS === 0) return;
    void this.purge();
    this.timer = setInterval(() => void this.purge(), HOUR_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(now = new Date()): Promise<number> {
    const before = retentionCutoff(now, this.config.EVENT_RETENTION_DAYS);
    try {
      const deleted = await this.events.deleteOlderThan(before);
      if (deleted > 0)
        this.logger.info({ deleted, before: before.toISOString() }, 'stored events past retention deleted');
      return deleted;
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'retention purge failed; next try in an hour');
      return 0;
    }
  }
}
