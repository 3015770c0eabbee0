import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { sweepDue } from '@cvp/clock';
import { TOPICS } from '@cvp/contracts';
import { CUSTOMER_SHARDS, RedisLayout, ScoreClock } from '@cvp/redis';
import type { CustomerState } from '@cvp/features';
import { KafkaProducerService } from '@cvp/kafka';
import { cvpMeter } from '@cvp/telemetry';
import {
  readState,
  RFM_HEURISTIC_VERSION,
  scoreTriggerOf,
  sweepMessages,
  SWEEP_PHASES,
  type SweepPhase,
  type SweepProgress,
  type SweepRecord,
  type SweepSummary,
  type SweepTrigger,
} from '@cvp/scoring';
import { SCORER_CONFIG, type ScorerConfig } from './config';
import { ModelHolder } from './model-holder';
import { ScoreStore } from './score-store';
import { ScoringService } from './scoring.service';
import { SweepLedger, type PageOutcome } from './sweep-ledger';

export class ClockNotStarted extends Error {
  constructor() {
    super('the event-time clock has not started: no event has been seen yet');
  }
}

/**
 * Re-scoring sweeps: every customer's feature state -> features as of the clock -> scored in batches by the model
 * this replica holds -> written with the newest-wins rule -> published on cvp.scores.v1 with why (`sweep`,
 * `model-swap`). Triggers: the schedule (SWEEP_INTERVAL_HOURS of the clock), every model swap, and on demand.
 *
 * Replicas share a sweep through Redis (SweepLedger): the customer index is split in shards; a replica leases a
 * shard, walks it page by page (renewing the lease, storing its cursor after each page), and marks it done. A replica
 * that dies loses its lease; another takes the shard over from the stored cursor. The replica that finishes the last
 * shard closes the sweep and records its figures. A page scored twice (after a crash) writes nothing twice: the same
 * score is already held, and is only published again.
 */
@Injectable()
export class SweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly replicaId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly ready: Promise<void>;
  private timer?: NodeJS.Timeout;
  private working: Promise<void> | null = null;
  private stopped = false;
  private lastScheduleCheck = 0;
  /** A model was swapped in and its sweep is not started yet (retried every second until it is). */
  private swapPending = false;
  private readonly swept = cvpMeter().createCounter('cvp.sweep.customers', {
    description: 'Customers re-scored by sweeps in this replica, by trigger (schedule, on-demand, model-swap)',
  });
  private readonly sweepsFinished = cvpMeter().createCounter('cvp.sweep.finished', {
    description: 'Sweeps this replica closed, by trigger',
  });

  constructor(
    @Inject(SCORER_CONFIG) private readonly config: ScorerConfig,
    private readonly ledger: SweepLedger,
    private readonly clock: ScoreClock,
    private readonly scoring: ScoringService,
    private readonly store: ScoreStore,
    private readonly producer: KafkaProducerService,
    private readonly layout: RedisLayout,
    models: ModelHolder,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(SweepService.name);
    this.ready = models.ready;
    models.onSwap(() => {
      this.swapPending = true;
      this.kick();
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.working;
  }

  /**
   * Starts a sweep as of now by the clock, or joins the one running. Returns it and whether it was started here;
   * null when a model swap finds everyone already scored by this model.
   */
  async request(trigger: SweepTrigger): Promise<{ sweep: SweepRecord; started: boolean } | null> {
    await this.ready;
    const nowMs = await this.clock.now();
    if (nowMs === null) throw new ClockNotStarted();
    await this.layout.ensure(); // the index of a store moved from the layout before hash tags is complete
    const record: SweepRecord = {
      id: `${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`,
      trigger,
      asOf: new Date(nowMs).toISOString(),
      modelVersion: this.scoring.modelVersion,
      startedAt: new Date().toISOString(),
      shards: CUSTOMER_SHARDS,
      customersTotal: await this.ledger.customersTotal(),
    };
    const outcome = await this.ledger.start(record, trigger === 'model-swap');
    if (outcome?.started) {
      const { id: sweepId, asOf, modelVersion, customersTotal: customers } = outcome.sweep;
      this.logger.info({ sweepId, trigger, asOf, modelVersion, customers }, 'sweep started');
      this.kick();
    }
    return outcome;
  }

  status(): Promise<{ active: SweepProgress | null; last: SweepSummary | null }> {
    return this.ledger.status();
  }

  /** Takes part in the active sweep now, unless already at it (every replica also checks once a second). */
  private kick(): void {
    if (!this.working && !this.stopped) this.working = this.work().finally(() => (this.working = null));
  }

  private async work(): Promise<void> {
    try {
      await this.ready;
      await this.layout.ensure();
      if (this.swapPending) {
        this.swapPending = false;
        await this.request('model-swap').catch((error: Error) => {
          if (!(error instanceof ClockNotStarted)) this.swapPending = true;
          throw error;
        });
      }
      await this.scheduleIfDue();
      const sweep = await this.ledger.active();
      if (!sweep) return;
      if (sweep.modelVersion !== this.scoring.modelVersion) {
        // A replica still (or already) on another model leaves the sweep to those holding its model; if none of
        // them has moved it for ten leases' time (they are gone, or cannot load it), it takes the sweep over with
        // its own. Never a model's sweep by a replica left on the heuristic: that would undo the model's scores.
        const downgrade = this.scoring.modelVersion === RFM_HEURISTIC_VERSION;
        if (!downgrade && (await this.ledger.stalled(sweep, 10 * this.leaseMs))) {
          this.logger.warn({ sweepId: sweep.id, modelVersion: sweep.modelVersion }, 'sweep stalled: taking it over');
          await this.request('model-swap');
        }
        return;
      }
      await this.sweepShards(sweep);
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'sweep step failed; retrying');
    }
  }

  private get leaseMs(): number {
    return this.config.SWEEP_LEASE_SECONDS * 1000;
  }

  private async scheduleIfDue(): Promise<void> {
    const everyMs = this.config.SWEEP_INTERVAL_HOURS * 3_600_000;
    if (everyMs <= 0 || Date.now() - this.lastScheduleCheck < this.config.SWEEP_CHECK_SECONDS * 1000) return;
    this.lastScheduleCheck = Date.now();
    const [nowMs, last] = await Promise.all([this.clock.now(), this.ledger.last()]);
    if (sweepDue(last ? Date.parse(last.asOf) : null, nowMs, everyMs)) await this.request('schedule');
  }

  private async sweepShards(sweep: SweepRecord): Promise<void> {
    // SWEEP_CONCURRENCY walkers take the shards in turn from a random start, so replicas spread over the index.
    const first = Math.floor(Math.random() * sweep.shards);
    let next = 0;
    let replaced = false;
    const walker = async () => {
      while (next < sweep.shards && !this.stopped && !replaced) {
        const shard = (first + next++) % sweep.shards;
        if (!(await this.ledger.claim(sweep, shard, this.replicaId, this.leaseMs))) continue;
        try {
          if (!(await this.sweepShard(sweep, shard))) replaced = true;
        } finally {
          await this.ledger.release(sweep, shard, this.replicaId);
        }
      }
    };
    await Promise.all(Array.from({ length: this.config.SWEEP_CONCURRENCY }, walker));
    if (this.stopped || replaced || !(await this.ledger.allDone(sweep))) return;
    const summary = await this.ledger.finish(sweep);
    if (!summary) return;
    this.sweepsFinished.add(1, { trigger: summary.trigger });
    const { id: sweepId, trigger, asOf, modelVersion, customers, written, forgotten, elapsedMs } = summary;
    this.logger.info(
      {
        sweepId,
        trigger,
        asOf,
        modelVersion,
        customers,
        written,
        forgotten,
        elapsedMs,
        customersPerSecond: summary.customersPerSecond,
      },
      'sweep finished',
    );
  }

  /** Walks one shard from its stored cursor. False when the sweep was replaced, the model changed or we stop. */
  private async sweepShard(sweep: SweepRecord, shard: number): Promise<boolean> {
    const trigger = scoreTriggerOf(sweep.trigger);
    let cursor = await this.ledger.cursor(sweep, shard);
    do {
      if (this.stopped || this.scoring.modelVersion !== sweep.modelVersion) return false;
      if (!(await this.ledger.renew(sweep, shard, this.replicaId, this.leaseMs))) return false;
      const [next, ids] = await this.ledger.page(shard, cursor, this.config.SWEEP_BATCH_SIZE);
      const outcome = ids.length > 0 ? await this.sweepPage(sweep, trigger, ids) : null;
      await this.ledger.record(sweep, shard, next, outcome);
      if (outcome) this.swept.add(outcome.customers, { trigger: sweep.trigger });
      cursor = next;
    } while (cursor !== '0');
    return true;
  }

  /** One page: states -> features as of the sweep -> scores -> Redis (newest wins) -> cvp.scores.v1. */
  private async sweepPage(sweep: SweepRecord, trigger: 'sweep' | 'model-swap', ids: string[]): Promise<PageOutcome> {
    const timeMs = Object.fromEntries(SWEEP_PHASES.map((phase) => [phase, 0])) as Record<SweepPhase, number>;
    let mark = performance.now();
    const lap = (phase: SweepPhase) => {
      const now = performance.now();
      timeMs[phase] += now - mark;
      mark = now;
    };
    const raws = await this.ledger.states(ids);
    lap('read');
    const states: CustomerState[] = [];
    const expired: string[] = [];
    let skipped = 0;
    raws.forEach((raw, i) => {
      if (raw === null) return void expired.push(ids[i]);
      const state = readState(raw);
      if (state) states.push(state);
      else skipped++;
    });
    lap('parse');
    const now = new Date().toISOString();
    const messages = sweepMessages(states, sweep, now);
    lap('features');
    const scores = await this.scoring.withRecommendations(this.scoring.scoreBatch(messages, now, trigger));
    lap('score');
    const forgotten = await this.store.forget(expired);
    const outcome = await this.store.writeNewer(scores);
    lap('write');
    await this.producer.send(
      TOPICS.scores,
      outcome.publish.map((value) => ({ value })),
    );
    lap('publish');
    if (skipped > 0) {
      this.logger.warn({ sweepId: sweep.id, skipped }, 'feature states of another layout left as they are');
    }
    return { customers: ids.length, written: outcome.written, forgotten, skipped, timeMs };
  }
}
