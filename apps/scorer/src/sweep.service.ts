import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { sweepDue } from '@cvp/clock';
import { TOPICS } from '@cvp/contracts';
import type { CustomerState } from '@cvp/features';
import { KafkaProducerService } from '@cvp/kafka';
import {
  CUSTOMER_INDEX_COMPLETE_KEY,
  CUSTOMER_INDEX_SHARDS,
  customerIndexKey,
  customerShard,
  featureStateKey,
  REDIS,
  ScoreClock,
  SWEEP_ACTIVE_KEY,
  SWEEP_KEYS_TTL_SECONDS,
  SWEEP_LAST_KEY,
  sweepCursorKey,
  sweepDoneKey,
  sweepLeaseKey,
  sweepStatsKey,
} from '@cvp/redis';
import {
  readState,
  scoreTriggerOf,
  sweepFigures,
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

/**
 * Starts a sweep unless one runs. A model swap (ARGV[3] = 'swap') replaces a running sweep of another model, and is
 * skipped when the last finished sweep already scored everyone with this model (a restart re-announces it).
 * KEYS: active, last. ARGV: record JSON, model version, mode. Returns {1, record} started, {0, record} joined one
 * already running, {0, ''} nothing to do.
 */
const START_SWEEP = `
local active = redis.call('GET', KEYS[1])
if active then
  if ARGV[3] == 'swap' and cjson.decode(active).modelVersion ~= ARGV[2] then
    redis.call('SET', KEYS[1], ARGV[1])
    return {1, ARGV[1]}
  end
  return {0, active}
end
if ARGV[3] == 'swap' then
  local last = redis.call('GET', KEYS[2])
  if last and cjson.decode(last).modelVersion == ARGV[2] then return {0, ''} end
end
redis.call('SET', KEYS[1], ARGV[1])
return {1, ARGV[1]}
`;

/** Keeps a shard's lease while the sweep is still the active one. KEYS: lease, active. ARGV: replica, ms, sweep id. */
const RENEW_LEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local active = redis.call('GET', KEYS[2])
if not active or cjson.decode(active).id ~= ARGV[3] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/** Ends the sweep if it is still the active one. KEYS: active, last. ARGV: sweep id, summary JSON. */
const FINISH_SWEEP = `
local active = redis.call('GET', KEYS[1])
if not active or cjson.decode(active).id ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[1])
return 1
`;

export class ClockNotStarted extends Error {
  constructor() {
    super('the event-time clock has not started: no event has been seen yet');
  }
}

type SweepRedis = Redis & {
  cvpStartSweep(active: string, last: string, record: string, model: string, mode: string): Promise<[number, string]>;
  cvpRenewLease(lease: string, active: string, replica: string, ms: number, id: string): Promise<number>;
  cvpReleaseLease(lease: string, replica: string): Promise<number>;
  cvpFinishSweep(active: string, last: string, id: string, summary: string): Promise<number>;
};

/**
 * Re-scoring sweeps: every customer's feature state -> features as of the clock -> scored in batches by the model
 * this replica holds -> written with the newest-wins rule -> published on cvp.scores.v1 with why (`sweep`,
 * `model-swap`). Triggers: the schedule (SWEEP_INTERVAL_HOURS of the clock), every model swap, and on demand.
 *
 * Replicas share a sweep through Redis: the customer index is split in shards; a replica leases a shard, walks it
 * page by page (renewing the lease, storing its cursor after each page), and marks it done. A replica that dies
 * loses its lease; another takes the shard over from the stored cursor. The last replica to finish a shard closes
 * the sweep and records its figures. A page scored twice (after a crash) writes nothing twice: the same score is
 * already held, and is only published again.
 */
@Injectable()
export class SweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly replicaId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly redis: SweepRedis;
  private timer?: NodeJS.Timeout;
  private working: Promise<void> | null = null;
  private stopped = false;
  private lastScheduleCheck = 0;

  constructor(
    @Inject(SCORER_CONFIG) private readonly config: ScorerConfig,
    @Inject(REDIS) redis: Redis,
    private readonly clock: ScoreClock,
    private readonly scoring: ScoringService,
    private readonly store: ScoreStore,
    private readonly producer: KafkaProducerService,
    models: ModelHolder,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(SweepService.name);
    redis.defineCommand('cvpStartSweep', { numberOfKeys: 2, lua: START_SWEEP });
    redis.defineCommand('cvpRenewLease', { numberOfKeys: 2, lua: RENEW_LEASE });
    redis.defineCommand('cvpReleaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE });
    redis.defineCommand('cvpFinishSweep', { numberOfKeys: 2, lua: FINISH_SWEEP });
    this.redis = redis as SweepRedis;
    this.ready = models.ready;
    models.onSwap(() => {
      this.request('model-swap').catch((error: Error) =>
        this.logger.warn({ error: error.message }, 'could not start the model-swap sweep; the next check retries'),
      );
    });
  }

  private readonly ready: Promise<void>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), 1000);
    this.timer.unref();
  }

  /** Takes part in the active sweep now, unless already at it (every replica also checks once a second). */
  private kick(): void {
    if (!this.working && !this.stopped) this.working = this.work().finally(() => (this.working = null));
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
    await this.completeIndex();
    const totals = this.redis.pipeline();
    for (let shard = 0; shard < CUSTOMER_INDEX_SHARDS; shard++) totals.scard(customerIndexKey(shard));
    const customersTotal = ((await totals.exec()) ?? []).reduce((sum, [, count]) => sum + Number(count ?? 0), 0);
    const record: SweepRecord = {
      id: `${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`,
      trigger,
      asOf: new Date(nowMs).toISOString(),
      modelVersion: this.scoring.modelVersion,
      startedAt: new Date().toISOString(),
      shards: CUSTOMER_INDEX_SHARDS,
      customersTotal,
    };
    const [started, raw] = await this.redis.cvpStartSweep(
      SWEEP_ACTIVE_KEY,
      SWEEP_LAST_KEY,
      JSON.stringify(record),
      record.modelVersion,
      trigger === 'model-swap' ? 'swap' : 'join',
    );
    if (!raw) return null;
    const sweep = JSON.parse(raw) as SweepRecord;
    if (started === 1) {
      this.logger.info(
        { sweepId: sweep.id, trigger, asOf: sweep.asOf, modelVersion: sweep.modelVersion, customers: customersTotal },
        'sweep started',
      );
      this.kick();
    }
    return { sweep, started: started === 1 };
  }

  /** The sweep in progress with its figures so far, and the last finished one. */
  async status(): Promise<{ active: SweepProgress | null; last: SweepSummary | null }> {
    const [activeRaw, lastRaw] = await this.redis.mget(SWEEP_ACTIVE_KEY, SWEEP_LAST_KEY);
    const last = lastRaw ? (JSON.parse(lastRaw) as SweepSummary) : null;
    if (!activeRaw) return { active: null, last };
    const active = JSON.parse(activeRaw) as SweepRecord;
    return { active: { ...active, ...(await this.figures(active)) }, last };
  }

  private async work(): Promise<void> {
    try {
      await this.ready;
      await this.scheduleIfDue();
      const raw = await this.redis.get(SWEEP_ACTIVE_KEY);
      if (!raw) return;
      const sweep = JSON.parse(raw) as SweepRecord;
      // A replica still (or already) on another model leaves the sweep to those holding its model.
      if (sweep.modelVersion !== this.scoring.modelVersion) return;
      await this.sweepShards(sweep);
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'sweep step failed; retrying');
    }
  }

  private async scheduleIfDue(): Promise<void> {
    const everyMs = this.config.SWEEP_INTERVAL_HOURS * 3_600_000;
    if (everyMs <= 0 || Date.now() - this.lastScheduleCheck < this.config.SWEEP_CHECK_SECONDS * 1000) return;
    this.lastScheduleCheck = Date.now();
    const [nowMs, lastRaw] = await Promise.all([this.clock.now(), this.redis.get(SWEEP_LAST_KEY)]);
    const lastAsOf = lastRaw ? Date.parse((JSON.parse(lastRaw) as SweepSummary).asOf) : null;
    if (sweepDue(lastAsOf, nowMs, everyMs)) await this.request('schedule');
  }

  private async sweepShards(sweep: SweepRecord): Promise<void> {
    // SWEEP_CONCURRENCY walkers take the shards in turn from a random start, so replicas spread over the index.
    const first = Math.floor(Math.random() * sweep.shards);
    let next = 0;
    let replaced = false;
    const walker = async () => {
      while (next < sweep.shards && !this.stopped && !replaced) {
        const shard = (first + next++) % sweep.shards;
        if (await this.redis.sismember(sweepDoneKey(sweep.id), String(shard))) continue;
        const lease = sweepLeaseKey(sweep.id, shard);
        const leaseMs = this.config.SWEEP_LEASE_SECONDS * 1000;
        if ((await this.redis.set(lease, this.replicaId, 'PX', leaseMs, 'NX')) !== 'OK') continue;
        try {
          if (!(await this.sweepShard(sweep, shard, lease))) replaced = true;
        } finally {
          await this.redis.cvpReleaseLease(lease, this.replicaId);
        }
      }
    };
    await Promise.all(Array.from({ length: this.config.SWEEP_CONCURRENCY }, walker));
    if (!this.stopped && !replaced && (await this.redis.scard(sweepDoneKey(sweep.id))) >= sweep.shards) {
      await this.finish(sweep);
    }
  }

  /** Walks one shard from its stored cursor. False when the sweep was replaced, the model changed or we stop. */
  private async sweepShard(sweep: SweepRecord, shard: number, lease: string): Promise<boolean> {
    const trigger = scoreTriggerOf(sweep.trigger);
    const leaseMs = this.config.SWEEP_LEASE_SECONDS * 1000;
    let cursor = (await this.redis.get(sweepCursorKey(sweep.id, shard))) ?? '0';
    do {
      if (this.stopped || this.scoring.modelVersion !== sweep.modelVersion) return false;
      if ((await this.redis.cvpRenewLease(lease, SWEEP_ACTIVE_KEY, this.replicaId, leaseMs, sweep.id)) !== 1) {
        return false;
      }
      const [next, ids] = await this.redis.sscan(
        customerIndexKey(shard),
        cursor,
        'COUNT',
        this.config.SWEEP_BATCH_SIZE,
      );
      const counts = ids.length > 0 ? await this.sweepPage(sweep, trigger, ids) : null;
      const step = this.redis.multi();
      step.set(sweepCursorKey(sweep.id, shard), next, 'EX', SWEEP_KEYS_TTL_SECONDS);
      if (counts) {
        const stats = sweepStatsKey(sweep.id);
        step.hincrby(stats, 'customers', ids.length);
        step.hincrby(stats, 'written', counts.written);
        step.hincrby(stats, 'forgotten', counts.forgotten);
        step.hincrby(stats, 'skipped', counts.skipped);
        for (const phase of SWEEP_PHASES) step.hincrbyfloat(stats, `ms:${phase}`, counts.timeMs[phase]);
        step.expire(stats, SWEEP_KEYS_TTL_SECONDS);
      }
      if (next === '0') {
        step.sadd(sweepDoneKey(sweep.id), String(shard));
        step.expire(sweepDoneKey(sweep.id), SWEEP_KEYS_TTL_SECONDS);
      }
      await step.exec();
      cursor = next;
    } while (cursor !== '0');
    return true;
  }

  private async sweepPage(sweep: SweepRecord, trigger: 'sweep' | 'model-swap', ids: string[]) {
    const timeMs = Object.fromEntries(SWEEP_PHASES.map((phase) => [phase, 0])) as Record<SweepPhase, number>;
    let mark = performance.now();
    const lap = (phase: SweepPhase) => {
      const now = performance.now();
      timeMs[phase] += now - mark;
      mark = now;
    };
    const raws = await this.redis.mget(ids.map(featureStateKey));
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
    const scores = this.scoring.scoreBatch(messages, now, trigger);
    lap('score');
    const forgotten = await this.store.forget(expired);
    const outcome = await this.store.writeNewer(scores);
    lap('write');
    await this.producer.send(
      TOPICS.scores,
      outcome.publish.map((value) => ({ value })),
    );
    lap('publish');
    if (skipped > 0)
      this.logger.warn({ sweepId: sweep.id, skipped }, 'feature states of another layout left as they are');
    return { written: outcome.written, forgotten, skipped, timeMs };
  }

  private async finish(sweep: SweepRecord): Promise<void> {
    const summary: SweepSummary = { ...sweep, ...(await this.figures(sweep)), finishedAt: new Date().toISOString() };
    if ((await this.redis.cvpFinishSweep(SWEEP_ACTIVE_KEY, SWEEP_LAST_KEY, sweep.id, JSON.stringify(summary))) !== 1) {
      return;
    }
    const {
      id: sweepId,
      trigger,
      asOf,
      modelVersion,
      customers,
      written,
      forgotten,
      elapsedMs,
      customersPerSecond,
    } = summary;
    this.logger.info(
      { sweepId, trigger, asOf, modelVersion, customers, written, forgotten, elapsedMs, customersPerSecond },
      'sweep finished',
    );
  }

  private async figures(sweep: SweepRecord) {
    const [stats, shardsDone] = await Promise.all([
      this.redis.hgetall(sweepStatsKey(sweep.id)),
      this.redis.scard(sweepDoneKey(sweep.id)),
    ]);
    const count = (name: string) => Number(stats[name] ?? 0);
    const timeMs = Object.fromEntries(SWEEP_PHASES.map((phase) => [phase, Math.round(count(`ms:${phase}`))])) as Record<
      SweepPhase,
      number
    >;
    return sweepFigures(
      {
        shardsDone,
        customers: count('customers'),
        written: count('written'),
        forgotten: count('forgotten'),
        skipped: count('skipped'),
      },
      timeMs,
      sweep.startedAt,
      Date.now(),
    );
  }

  /** Once per deployment: adds to the index the states written before the index existed. */
  private async completeIndex(): Promise<void> {
    if (await this.redis.exists(CUSTOMER_INDEX_COMPLETE_KEY)) return;
    const prefix = featureStateKey('');
    let cursor = '0';
    let added = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const key of keys) {
        const id = key.slice(prefix.length);
        pipeline.sadd(customerIndexKey(customerShard(id)), id);
      }
      await pipeline.exec();
      added += keys.length;
    } while (cursor !== '0');
    await this.redis.set(CUSTOMER_INDEX_COMPLETE_KEY, new Date().toISOString());
    this.logger.info({ states: added }, 'customer index completed from the stored feature states');
  }
}
