import { Inject, Injectable } from '@nestjs/common';
import {
  CUSTOMER_SHARDS,
  customerIndexKey,
  featureStateKey,
  getMany,
  pipelineByNode,
  REDIS,
  type RedisClient,
  SWEEP_ACTIVE_KEY,
  SWEEP_KEYS_TTL_SECONDS,
  SWEEP_LAST_KEY,
  sweepCursorKey,
  sweepDoneKey,
  sweepLeaseKey,
  sweepStatsKey,
} from '@cvp/redis';
import {
  sweepFigures,
  SWEEP_PHASES,
  type SweepFigures,
  type SweepPhase,
  type SweepProgress,
  type SweepRecord,
  type SweepSummary,
} from '@cvp/scoring';

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

type SweepRedis = RedisClient & {
  cvpStartSweep(active: string, last: string, record: string, model: string, mode: string): Promise<[number, string]>;
  cvpRenewLease(lease: string, active: string, replica: string, ms: number, id: string): Promise<number>;
  cvpReleaseLease(lease: string, replica: string): Promise<number>;
  cvpFinishSweep(active: string, last: string, id: string, summary: string): Promise<number>;
};

/** What one page of a sweep did, added to the sweep's figures with its cursor. */
export interface PageOutcome {
  customers: number;
  written: number;
  forgotten: number;
  skipped: number;
  timeMs: Record<SweepPhase, number>;
}

/**
 * The shared state of re-scoring sweeps in Redis, so that every scorer replica sees the same sweep: the active sweep
 * and the last finished one, each shard's lease, resume cursor and done mark, the running figures, and the customer
 * index the shards come from. Every change that must not be half-made is one script or one MULTI (the sweep's keys
 * share one hash slot, `{sweep}`).
 */
@Injectable()
export class SweepLedger {
  private readonly redis: SweepRedis;

  constructor(@Inject(REDIS) redis: RedisClient) {
    redis.defineCommand('cvpStartSweep', { numberOfKeys: 2, lua: START_SWEEP });
    redis.defineCommand('cvpRenewLease', { numberOfKeys: 2, lua: RENEW_LEASE });
    redis.defineCommand('cvpReleaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE });
    redis.defineCommand('cvpFinishSweep', { numberOfKeys: 2, lua: FINISH_SWEEP });
    this.redis = redis as SweepRedis;
  }

  /** Starts `record` (see START_SWEEP); returns the sweep that runs and whether it is this one, or null. */
  async start(
    record: SweepRecord,
    replaceOtherModel: boolean,
  ): Promise<{ sweep: SweepRecord; started: boolean } | null> {
    const [started, raw] = await this.redis.cvpStartSweep(
      SWEEP_ACTIVE_KEY,
      SWEEP_LAST_KEY,
      JSON.stringify(record),
      record.modelVersion,
      replaceOtherModel ? 'swap' : 'join',
    );
    return raw ? { sweep: JSON.parse(raw) as SweepRecord, started: started === 1 } : null;
  }

  async active(): Promise<SweepRecord | null> {
    const raw = await this.redis.get(SWEEP_ACTIVE_KEY);
    return raw ? (JSON.parse(raw) as SweepRecord) : null;
  }

  async last(): Promise<SweepSummary | null> {
    const raw = await this.redis.get(SWEEP_LAST_KEY);
    return raw ? (JSON.parse(raw) as SweepSummary) : null;
  }

  /** The sweep in progress with its figures so far, and the last finished one. */
  async status(): Promise<{ active: SweepProgress | null; last: SweepSummary | null }> {
    const [active, last] = await Promise.all([this.active(), this.last()]);
    return { active: active && { ...active, ...(await this.figures(active)) }, last };
  }

  /** Customers in the index now. */
  async customersTotal(): Promise<number> {
    const keys = Array.from({ length: CUSTOMER_SHARDS }, (_, shard) => customerIndexKey(shard));
    const totals = await pipelineByNode(this.redis, keys, (pipeline, key) => pipeline.scard(key));
    return totals.reduce((sum, [, count]) => sum + Number(count ?? 0), 0);
  }

  /** Leases a shard not done yet to `replica` for `leaseMs`; false when done or held by another. */
  async claim(sweep: SweepRecord, shard: number, replica: string, leaseMs: number): Promise<boolean> {
    if (await this.redis.sismember(sweepDoneKey(sweep.id), String(shard))) return false;
    return (await this.redis.set(sweepLeaseKey(sweep.id, shard), replica, 'PX', leaseMs, 'NX')) === 'OK';
  }

  /** Extends the lease while it is `replica`'s and the sweep still the active one. */
  async renew(sweep: SweepRecord, shard: number, replica: string, leaseMs: number): Promise<boolean> {
    const lease = sweepLeaseKey(sweep.id, shard);
    return (await this.redis.cvpRenewLease(lease, SWEEP_ACTIVE_KEY, replica, leaseMs, sweep.id)) === 1;
  }

  async release(sweep: SweepRecord, shard: number, replica: string): Promise<void> {
    await this.redis.cvpReleaseLease(sweepLeaseKey(sweep.id, shard), replica);
  }

  /** Where the shard's walk resumes ('0': from its start). */
  async cursor(sweep: SweepRecord, shard: number): Promise<string> {
    return (await this.redis.get(sweepCursorKey(sweep.id, shard))) ?? '0';
  }

  /** The next page of customer ids of a shard from `cursor`, and the cursor after it ('0': the shard is walked). */
  async page(shard: number, cursor: string, size: number): Promise<[string, string[]]> {
    return this.redis.sscan(customerIndexKey(shard), cursor, 'COUNT', size);
  }

  /** The stored feature states of these customers (null: expired). */
  async states(ids: readonly string[]): Promise<(string | null)[]> {
    return getMany(this.redis, ids.map(featureStateKey));
  }

  /** After a page: its figures, the cursor after it and, at the shard's end, its done mark, in one step. */
  async record(sweep: SweepRecord, shard: number, next: string, outcome: PageOutcome | null): Promise<void> {
    const stats = sweepStatsKey(sweep.id);
    const step = this.redis.multi();
    step.set(sweepCursorKey(sweep.id, shard), next, 'EX', SWEEP_KEYS_TTL_SECONDS);
    step.hset(stats, 'progressAt', Date.now());
    if (outcome) {
      step.hincrby(stats, 'customers', outcome.customers);
      step.hincrby(stats, 'written', outcome.written);
      step.hincrby(stats, 'forgotten', outcome.forgotten);
      step.hincrby(stats, 'skipped', outcome.skipped);
      for (const phase of SWEEP_PHASES) step.hincrbyfloat(stats, `ms:${phase}`, outcome.timeMs[phase]);
    }
    step.expire(stats, SWEEP_KEYS_TTL_SECONDS);
    if (next === '0') {
      step.sadd(sweepDoneKey(sweep.id), String(shard));
      step.expire(sweepDoneKey(sweep.id), SWEEP_KEYS_TTL_SECONDS);
    }
    await step.exec();
  }

  async allDone(sweep: SweepRecord): Promise<boolean> {
    return (await this.redis.scard(sweepDoneKey(sweep.id))) >= sweep.shards;
  }

  /** Closes the sweep with its figures if it is still the active one; returns the summary, or null. */
  async finish(sweep: SweepRecord): Promise<SweepSummary | null> {
    const summary: SweepSummary = { ...sweep, ...(await this.figures(sweep)), finishedAt: new Date().toISOString() };
    const closed = await this.redis.cvpFinishSweep(SWEEP_ACTIVE_KEY, SWEEP_LAST_KEY, sweep.id, JSON.stringify(summary));
    return closed === 1 ? summary : null;
  }

  /** No page of the sweep was finished for `quietMs`. */
  async stalled(sweep: SweepRecord, quietMs: number): Promise<boolean> {
    const progressAt = await this.redis.hget(sweepStatsKey(sweep.id), 'progressAt');
    return Date.now() - Number(progressAt ?? Date.parse(sweep.startedAt)) > quietMs;
  }

  async figures(sweep: SweepRecord): Promise<SweepFigures> {
    const [stats, shardsDone] = await Promise.all([
      this.redis.hgetall(sweepStatsKey(sweep.id)),
      this.redis.scard(sweepDoneKey(sweep.id)),
    ]);
    const count = (name: string) => Number(stats[name] ?? 0);
    const timeMs = Object.fromEntries(SWEEP_PHASES.map((phase) => [phase, Math.round(count(`ms:${phase}`))])) as Record<
      SweepPhase,
      number
    >;
    const counts = {
      shardsDone,
      customers: count('customers'),
      written: count('written'),
      forgotten: count('forgotten'),
      skipped: count('skipped'),
    };
    return sweepFigures(counts, timeMs, sweep.startedAt, Date.now());
  }
}
