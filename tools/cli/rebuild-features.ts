import type Redis from 'ioredis';
import type { ClickstreamEvent } from '@cvp/contracts';
import type { PrismaClient } from '@cvp/db';
import { buildCustomerStates, featureArray, featureVectorAt, type CustomerState } from '@cvp/features';
import {
  APPLIED_EVENT_TTL_SECONDS,
  appliedEventKey,
  CLOCK_WATERMARK_KEY,
  customerIndexKey,
  customerShard,
  FEATURE_STATE_TTL_SECONDS,
  featureStateKey,
  type ScoreClock,
} from '@cvp/redis';

/**
 * Writes a rebuilt state unless the one held has folded as many events or more (the live service got there first, or
 * is ahead of the event store), and puts the customer in the sweep index.
 * KEYS: state, index shard. ARGV: state JSON, its eventsApplied, TTL, customer id.
 */
const WRITE_IF_BEHIND = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, held = pcall(cjson.decode, current)
  if ok and type(held) == 'table' and tonumber(held.eventsApplied) and tonumber(held.eventsApplied) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
return 1
`;

/** Moves the event-time watermark forward only (as the features service's commit script does). */
const ADVANCE_WATERMARK = `
local held = tonumber(redis.call('GET', KEYS[1]) or '')
local candidate = tonumber(ARGV[1])
if not held or candidate > held then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0
`;

export interface RebuildOptions {
  prisma: PrismaClient;
  redis: Redis;
  clock: ScoreClock;
  /** Compare only: count the held states that differ from the event store's, write nothing. */
  verifyOnly?: boolean;
  /** Customers per page (default 500). */
  pageSize?: number;
  /** Only customers whose id starts with this (tests, partial repairs). */
  customerPrefix?: string;
  onProgress?: (customers: number) => void;
}

export interface RebuildSummary {
  customers: number;
  events: number;
  /** States written (missing, or behind the event store). */
  written: number;
  /** States kept: the held one has folded as many events or more. */
  kept: number;
  /** Held states whose features equal those of the event store's fold (as of their newest event). */
  equal: number;
  /** Held states that differ from the event store's fold, with the number of events each side folded (first 20). */
  different: { customerId: string; held: number | null; store: number }[];
  differentCount: number;
  watermarkMoved: boolean;
}

/**
 * Rebuilds the features service's Redis state from the trainer's event store (PostgreSQL `training_events`), after
 * Redis lost data (killed without persistence, a failover to an empty replica). Customers are read a page at a time in
 * id order; each one's events are folded with the same `@cvp/features` fold as the batch features (the fold does not
 * depend on order), and the state is written unless the held one has folded as many events or more. Events stored in
 * the last APPLIED_EVENT_TTL_SECONDS get their applied-event marks back ('published'), so a Kafka replay of them is a
 * duplicate; the event-time watermark moves forward to the store's newest event (less lateness) if it is behind.
 * Run it with the features service stopped (or paused): an event it folds into an empty state meanwhile makes a state
 * that the rebuild then treats as "ahead" only if it holds as many events.
 */
export async function rebuildFeatures(options: RebuildOptions): Promise<RebuildSummary> {
  const { prisma, redis, clock } = options;
  const pageSize = options.pageSize ?? 500;
  redis.defineCommand('cvpRebuildState', { numberOfKeys: 2, lua: WRITE_IF_BEHIND });
  redis.defineCommand('cvpAdvanceWatermark', { numberOfKeys: 1, lua: ADVANCE_WATERMARK });
  const commands = redis as Redis & {
    cvpRebuildState(...args: (string | number)[]): Promise<number>;
    cvpAdvanceWatermark(key: string, candidate: string): Promise<number>;
  };
  const summary: RebuildSummary = {
    customers: 0,
    events: 0,
    written: 0,
    kept: 0,
    equal: 0,
    different: [],
    differentCount: 0,
    watermarkMoved: false,
  };
  const recentMs = Date.now() - APPLIED_EVENT_TTL_SECONDS * 1000;
  let candidate: number | null = null;
  const prefix = options.customerPrefix ?? '';
  let after = '';
  for (;;) {
    const page = await prisma.$queryRaw<{ customer_id: string }[]>`
      SELECT DISTINCT customer_id FROM training_events
      WHERE customer_id > ${after} AND customer_id LIKE ${`${escapeLike(prefix)}%`}
      ORDER BY customer_id LIMIT ${pageSize}`;
    if (page.length === 0) break;
    const ids = page.map((row) => row.customer_id);
    after = ids[ids.length - 1];
    const rows = await prisma.trainingEvent.findMany({
      where: { customerId: { in: ids } },
      select: { customerId: true, eventId: true, payload: true, storedAt: true },
    });
    const events = rows.map((row) => row.payload as unknown as ClickstreamEvent);
    const pageCandidate = clock.candidate(events.map((event) => Date.parse(event.occurredAt)));
    if (pageCandidate !== null && (candidate === null || pageCandidate > candidate)) candidate = pageCandidate;
    const states = await buildCustomerStates(events, new Date(8.64e15));
    const held = await redis.mget(ids.map(featureStateKey));
    const pipeline = redis.pipeline() as ReturnType<Redis['pipeline']> & {
      cvpRebuildState(...args: (string | number)[]): unknown;
    };
    ids.forEach((id, i) => {
      const state = states.get(id);
      if (!state) return;
      const heldState = held[i] ? (JSON.parse(held[i]!) as CustomerState) : null;
      if (heldState && sameFeatures(heldState, state)) summary.equal++;
      else {
        summary.differentCount++;
        if (summary.different.length < 20) {
          summary.different.push({
            customerId: id,
            held: heldState?.eventsApplied ?? null,
            store: state.eventsApplied,
          });
        }
      }
      if (!options.verifyOnly) {
        pipeline.cvpRebuildState(
          featureStateKey(id),
          customerIndexKey(customerShard(id)),
          JSON.stringify(state),
          state.eventsApplied,
          FEATURE_STATE_TTL_SECONDS,
          id,
        );
      }
    });
    if (!options.verifyOnly) {
      const results = (await pipeline.exec()) ?? [];
      for (const [error, result] of results) {
        if (error) throw error;
        if (result === 1) summary.written++;
        else summary.kept++;
      }
      const marks = redis.pipeline();
      for (const row of rows) {
        if (row.storedAt.getTime() >= recentMs) {
          marks.set(appliedEventKey(row.customerId, row.eventId), 'published', 'EX', APPLIED_EVENT_TTL_SECONDS, 'NX');
        }
      }
      const failed = ((await marks.exec()) ?? []).find(([error]) => error);
      if (failed) throw failed[0];
    }
    summary.customers += ids.length;
    summary.events += rows.length;
    options.onProgress?.(summary.customers);
  }
  if (clock.mode === 'event-time' && candidate !== null && !options.verifyOnly) {
    summary.watermarkMoved = (await commands.cvpAdvanceWatermark(CLOCK_WATERMARK_KEY, String(candidate))) === 1;
  }
  return summary;
}

/** Equal features as of the newer of the two states' newest events (what a score of either would read). */
function sameFeatures(a: CustomerState, b: CustomerState): boolean {
  const asOf = Math.max(a.lastEventMs, b.lastEventMs);
  const x = featureArray(featureVectorAt(a, asOf));
  const y = featureArray(featureVectorAt(b, asOf));
  return x.every((value, i) => value === y[i]);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);
