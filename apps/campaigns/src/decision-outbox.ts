import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS } from '@cvp/contracts';
import { PrismaService } from '@cvp/db';
import { KafkaProducerService } from '@cvp/kafka';
import { decisionMessage } from './decision.service';

export const DECISION_OUTBOX_OPTIONS = Symbol('DECISION_OUTBOX_OPTIONS');

export interface DecisionOutboxOptions {
  /** How often the relay looks for unpublished treated decisions (0: never; tests call relay()). */
  intervalMs: number;
  /** A decision younger than this is left to the consumer that made it (it publishes right after deciding). */
  graceMs: number;
  /** Decisions claimed per transaction. */
  batchSize?: number;
}

/**
 * The decisions table is the outbox of cvp.decisions.v1: a treated decision is stored with `published_at` null in
 * the same transaction that spends its budget, and the consumer publishes it right after. Whatever it did not
 * publish — the publish failed, the process was killed in between, the score was dead-lettered or its campaign
 * stopped qualifying before a retry — this relay publishes: at start and every `intervalMs`, it claims the oldest
 * unpublished treated decisions (FOR UPDATE SKIP LOCKED, so instances share the work), publishes them and marks them
 * published in that transaction. At least once: a decision the consumer published just as the relay claimed it can
 * go out twice; its `decisionId` makes that recognisable downstream.
 */
@Injectable()
export class DecisionOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: KafkaProducerService,
    @Inject(DECISION_OUTBOX_OPTIONS) private readonly options: DecisionOutboxOptions,
    @Optional() private readonly logger?: PinoLogger,
  ) {
    this.logger?.setContext(DecisionOutbox.name);
  }

  onApplicationBootstrap(): void {
    if (this.options.intervalMs > 0) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.relay();
      this.running
        .catch((error: Error) =>
          this.logger?.warn({ error: error.message }, 'decision outbox relay failed, will retry'),
        )
        .finally(() => {
          if (!this.stopped) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Publishes every unpublished treated decision older than the grace period; returns how many. */
  async relay(): Promise<number> {
    const batchSize = this.options.batchSize ?? 100;
    let total = 0;
    for (;;) {
      const published = await this.prisma.$transaction(
        async (tx) => {
          const claimed = await tx.$queryRaw<{ id: string }[]>`
            SELECT id FROM decisions
            WHERE "group" = 'treated' AND published_at IS NULL
              AND decided_at < now() - make_interval(secs => ${this.options.graceMs / 1000})
            ORDER BY decided_at
            LIMIT ${batchSize}
            FOR UPDATE SKIP LOCKED`;
          if (claimed.length === 0) return 0;
          const ids = claimed.map((row) => row.id);
          const decisions = await tx.decision.findMany({ where: { id: { in: ids } }, include: { campaign: true } });
          await this.producer.send(
            TOPICS.decisions,
            decisions.map((decision) => ({ value: decisionMessage({ decision, campaign: decision.campaign }) })),
          );
          await tx.decision.updateMany({ where: { id: { in: ids } }, data: { publishedAt: new Date() } });
          return ids.length;
        },
        { timeout: 60_000 },
      );
      total += published;
      if (published > 0) this.logger?.info({ published }, 'decision outbox: published decisions left unpublished');
      if (published < batchSize || this.stopped) return total;
    }
  }
}
