import type { ChainableCommander } from 'ioredis';
import type { ClickstreamEvent } from '@cvp/contracts';
import type { PrismaClient } from '@cvp/db';
import {
  buildCustomerStates,
  featureArray,
  featureVectorAt,
  readCustomerState,
  reviewReading,
  type CustomerState,
} from '@cvp/features';
import { itemUpdatesJson, itemUpdatesOf, type ItemEntry, mergeItemUpdates } from '@cvp/recommend';
import {
  APPLIED_EVENT_TTL_SECONDS,
  appliedEventKey,
  appliedReadingKey,
  customerIndexKey,
  customerItemsKey,
  customerShard,
  FEATURE_STATE_TTL_SECONDS,
  featureStateKey,
  getMany,
  pipelineByNode,
  type RedisClient,
  type ScoreClock,
  valuesOrThrow,
} from '@cvp/redis';

/**
 * Writes a rebuilt state unless the one held has folded as many events and review readings or more (the live service
 * got there first, or is ahead of the event store), puts the customer in the sweep index and writes their items anew (one hash slot).
 * KEYS: state, index shard, items. ARGV: state JSON, its eventsApplied + modelReviews, TTL, customer id, items
 * (`[[productId, purchases, lastPurchaseMs, lastSeenMs], ...]`).
 */
const WRITE_IF_BEHIND = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, held = pcall(cjson.decode, current)
  if ok and type(held) == 'table' and tonumber(held.eventsApplied)
    and tonumber(held.eventsApplied) + (tonumber(held.modelReviews) or 0) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('DEL', KEYS[3])
for _, u in ipairs(cjson.decode(ARGV[5])) do
  redis.call('HSET', KEYS[3], u[1], string.format('%d|%d|%d', u[2], u[3], u[4]))
end
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
`;

export interface RebuildOptions {
  prisma: PrismaClient;
  redis: RedisClient;
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
  redis.defineCommand('cvpRebuildState', { numberOfKeys: 3, lua: WRITE_IF_BEHIND });
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
    const readingRows = await prisma.reviewReading.findMany({
      where: { customerId: { in: ids } },
      select: { customerId: true, eventId: true, occurredAt: true, sentiment: true, lexicon: true, storedAt: true },
    });
    const readings = readingRows.map((row) => reviewReading({ ...row, occurredAt: row.occurredAt.toISOString() }));
    const pageCandidate = clock.candidate(events.map((event) => Date.parse(event.occurredAt)));
    if (pageCandidate !== null && (candidate === null || pageCandidate > candidate)) candidate = pageCandidate;
    const states = await buildCustomerStates([...events, ...readings], new Date(8.64e15));
    const held = await getMany(redis, ids.map(featureStateKey));
    const items = new Map<string, Map<string, ItemEntry>>();
    for (const event of events) {
      const updates = itemUpdatesOf(event);
      if (updates.size === 0) continue;
      const heldItems = items.get(event.customerId);
      if (heldItems) mergeItemUpdates(heldItems, updates);
      else items.set(event.customerId, updates);
    }
    const writes: string[] = [];
    ids.forEach((id, i) => {
      const state = states.get(id);
      if (!state) return;
      const heldState = held[i] ? readCustomerState(held[i]!) : null;
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
      writes.push(id);
    });
    if (!options.verifyOnly) {
      const results = valuesOrThrow(
        await pipelineByNode(redis, writes.map(featureStateKey), (pipeline, key, i) => {
          const id = writes[i];
          const state = states.get(id)!;
          (pipeline as RebuildPipeline).cvpRebuildState(
            key,
            customerIndexKey(customerShard(id)),
            customerItemsKey(id),
            JSON.stringify(state),
            state.eventsApplied + state.modelReviews,
            FEATURE_STATE_TTL_SECONDS,
            id,
            itemUpdatesJson(items.get(id) ?? new Map()),
          );
        }),
      );
      for (const result of results) {
        if (result === 1) summary.written++;
        else summary.kept++;
      }
      const recent = [
        ...rows
          .filter((row) => row.storedAt.getTime() >= recentMs)
          .map((row) => appliedEventKey(row.customerId, row.eventId)),
        ...readingRows
          .filter((row) => row.storedAt.getTime() >= recentMs)
          .map((row) => appliedReadingKey(row.customerId, row.eventId)),
      ];
      valuesOrThrow(
        await pipelineByNode(redis, recent, (pipeline, key) =>
          pipeline.set(key, 'published', 'EX', APPLIED_EVENT_TTL_SECONDS, 'NX'),
        ),
      );
    }
    summary.customers += ids.length;
    summary.events += rows.length;
    options.onProgress?.(summary.customers);
  }
  if (clock.mode === 'event-time' && candidate !== null && !options.verifyOnly) {
    const before = await clock.watermark();
    await clock.raise(candidate);
    summary.watermarkMoved = before === null || candidate > before;
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

type RebuildPipeline = ChainableCommander & { cvpRebuildState(...args: (string | number)[]): unknown };
