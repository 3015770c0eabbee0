import { Inject, Injectable } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import { emptyState, foldInput, readCustomerState, type CustomerState, type FoldInput } from '@cvp/features';
import { itemUpdatesJson, itemUpdatesOf, type ItemEntry, mergeItemUpdates, MERGE_ITEMS_LUA } from '@cvp/recommend';
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
  legacyAppliedEventKey,
  pipelineByNode,
  REDIS,
  type RedisClient,
  ScoreClock,
  valuesOrThrow,
} from '@cvp/redis';

/**
 * Writes the new states of one shard's customers and their applied-event marks in one step (one hash slot), only if
 * no state changed since it was read (compare-and-set on the whole value), so a state and its dedup marks are never
 * half-written; in the same step each customer joins the shard's sweep index and their items (what recommendations
 * read) take the batch's purchases, views and cart adds.
 * KEYS: n state keys, m event keys, n item hashes, the shard's index set. ARGV: n, m, ttl(state), ttl(event), n expected
 * old values ('' = none), n new values, n customer ids, n item updates (JSON, MERGE_ITEMS_LUA).
 */
const COMMIT_SCRIPT = `${MERGE_ITEMS_LUA}
local n = tonumber(ARGV[1])
local m = tonumber(ARGV[2])
for i = 1, n do
  local current = redis.call('GET', KEYS[i]) or ''
  if current ~= ARGV[4 + i] then return 0 end
end
for i = 1, n do
  redis.call('SET', KEYS[i], ARGV[4 + n + i], 'EX', ARGV[3])
  redis.call('SADD', KEYS[2 * n + m + 1], ARGV[4 + 2 * n + i])
  mergeItems(KEYS[n + m + i], ARGV[4 + 3 * n + i], ARGV[3])
end
for i = n + 1, n + m do
  redis.call('SET', KEYS[i], 'applied', 'EX', ARGV[4])
end
return 1
`;

export interface AppliedBatch {
  /**
   * The newest state of every customer whose features must be (re)published, with the event behind it (a reading's:
   * `review-reading:<review eventId>`). A customer with readings but no event yet is not published.
   */
  updates: { state: CustomerState; sourceEventId: string; index: number }[];
  /**
   * Now by the score clock as this batch arrived, i.e. before its own events moved it (null: event-time clock not
   * started): the events of one batch arrive together, so none of them ages another customer of the same batch,
   * whatever span of event time a lagging consumer's batch covers.
   */
  nowMs: number | null;
  /** Applied-event marks (`appliedEventKey`) to set to published once Kafka acknowledged the vectors. */
  eventKeys: string[];
  duplicates: number;
}

type Mark = 'applied' | 'published' | null;

@Injectable()
export class FeatureStore {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly clock: ScoreClock,
  ) {
    this.redis.defineCommand('cvpCommitFeatures', { lua: COMMIT_SCRIPT });
  }

  /**
   * Folds a batch of events (or of the language model's review readings) into the customers' states. An input
   * already applied is skipped; if its vector was applied but never published (a crash in between), the customer is
   * published again. The states are committed shard by shard (one script each): when one shard's compare-and-set
   * fails, the batch is folded again, and the shards already committed come back as applied events, published again.
   * Readings move no clock and no item history.
   */
  async apply(events: FoldInput[]): Promise<AppliedBatch> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.tryApply(events);
      if (result) return result;
      if (attempt >= 5) throw new Error('feature state kept changing under this batch (concurrent writer?)');
    }
  }

  private async tryApply(events: FoldInput[]): Promise<AppliedBatch | null> {
    const customerIds = [...new Set(events.map((event) => event.customerId))];
    // An eventId is unique per customer: the same id of two customers is two events.
    const keyOf = (event: FoldInput) =>
      event.type === 'review_reading'
        ? appliedReadingKey(event.customerId, event.eventId)
        : appliedEventKey(event.customerId, event.eventId);
    const eventKeys = [...new Set(events.map(keyOf))];
    const legacyKeys = [
      ...new Set(
        events.flatMap((event) => (event.type === 'review_reading' ? [] : legacyAppliedEventKey(event.eventId))),
      ),
    ];
    const [rawStates, marks, legacyMarks, watermark] = await Promise.all([
      getMany(this.redis, customerIds.map(featureStateKey)),
      getMany(this.redis, eventKeys) as Promise<Mark[]>,
      getMany(this.redis, legacyKeys) as Promise<Mark[]>,
      this.clock.mode === 'event-time' ? this.clock.watermark() : null,
    ]);
    const before = new Map(customerIds.map((id, i) => [id, rawStates[i] ?? '']));
    const states = new Map(customerIds.map((id, i) => [id, rawStates[i] ? readCustomerState(rawStates[i]!) : null]));
    const legacyMarkOf = new Map(legacyKeys.map((key, i) => [key, legacyMarks[i]]));
    const markOf = new Map(eventKeys.map((key, i) => [key, marks[i]]));
    for (const event of events) {
      if (event.type === 'review_reading') continue;
      // Marks written before eventIds were per customer (v1) still count until they expire (35 days).
      const key = keyOf(event);
      if (!markOf.get(key)) markOf.set(key, legacyMarkOf.get(legacyAppliedEventKey(event.eventId)) ?? null);
    }

    const changed = new Set<string>();
    const items = new Map<string, Map<string, ItemEntry>>();
    const republish = new Set<string>();
    const newMarks: { customerId: string; key: string }[] = [];
    const lastEvent = new Map<string, { eventId: string; index: number }>();
    const sourceOf = (event: FoldInput) =>
      event.type === 'review_reading' ? `review-reading:${event.eventId}` : event.eventId;
    const newEventMs: number[] = [];
    let duplicates = 0;
    events.forEach((event, index) => {
      const mark = markOf.get(keyOf(event));
      if (mark) {
        duplicates++;
        if (mark === 'applied') republish.add(event.customerId);
        if (!lastEvent.has(event.customerId)) lastEvent.set(event.customerId, { eventId: sourceOf(event), index });
        return;
      }
      markOf.set(keyOf(event), 'applied');
      newMarks.push({ customerId: event.customerId, key: keyOf(event) });
      // The states were just parsed from Redis and are owned here: fold in place (no copy per event).
      const state = states.get(event.customerId) ?? emptyState(event.customerId, event.occurredAt);
      foldInput(state, event);
      if (event.type !== 'review_reading') {
        const updates = itemUpdatesOf(event);
        if (updates.size > 0) {
          const held = items.get(event.customerId);
          if (held) mergeItemUpdates(held, updates);
          else items.set(event.customerId, updates);
        }
        newEventMs.push(Date.parse(event.occurredAt));
      }
      states.set(event.customerId, state);
      changed.add(event.customerId);
      lastEvent.set(event.customerId, { eventId: sourceOf(event), index });
    });

    const candidate = this.clock.mode === 'event-time' ? this.clock.candidate(newEventMs) : null;
    if (changed.size > 0 && !(await this.commit([...changed], newMarks, before, states, items, candidate))) return null;

    const publish = [...new Set([...changed, ...republish])].filter((id) => (states.get(id)?.eventsApplied ?? 0) > 0);
    return {
      updates: publish.map((id) => ({
        state: states.get(id)!,
        sourceEventId: lastEvent.get(id)!.eventId,
        index: lastEvent.get(id)!.index,
      })),
      eventKeys: eventKeys.filter((key) => markOf.get(key) === 'applied'),
      duplicates,
      nowMs: this.clock.nowWith(watermark),
    };
  }

  /**
   * Commits the changed states with their new marks, one COMMIT_SCRIPT per shard (the shards of a node in one
   * pipeline), and moves the clock's watermark. False when a state changed since it was read.
   */
  private async commit(
    ids: string[],
    newMarks: { customerId: string; key: string }[],
    before: Map<string, string>,
    states: Map<string, CustomerState | null>,
    items: Map<string, Map<string, ItemEntry>>,
    candidate: number | null,
  ): Promise<boolean> {
    const byShard = new Map<number, { ids: string[]; marks: string[] }>();
    const shardOf = (id: string) => {
      const shard = customerShard(id);
      let group = byShard.get(shard);
      if (!group) byShard.set(shard, (group = { ids: [], marks: [] }));
      return group;
    };
    for (const id of ids) shardOf(id).ids.push(id);
    for (const { customerId, key } of newMarks) shardOf(customerId).marks.push(key);
    const shards = [...byShard.keys()];
    const [results] = await Promise.all([
      pipelineByNode(this.redis, shards.map(customerIndexKey), (pipeline, indexKey, i) => {
        const group = byShard.get(shards[i])!;
        (pipeline as PipelineWithCommit).cvpCommitFeatures(
          2 * group.ids.length + group.marks.length + 1,
          ...group.ids.map(featureStateKey),
          ...group.marks,
          ...group.ids.map(customerItemsKey),
          indexKey,
          group.ids.length,
          group.marks.length,
          FEATURE_STATE_TTL_SECONDS,
          APPLIED_EVENT_TTL_SECONDS,
          ...group.ids.map((id) => before.get(id)!),
          ...group.ids.map((id) => JSON.stringify(states.get(id))),
          ...group.ids,
          ...group.ids.map((id) => itemUpdatesJson(items.get(id) ?? new Map())),
        );
      }),
      candidate === null ? null : this.clock.raise(candidate),
    ]);
    return valuesOrThrow(results).every((committed) => committed === 1);
  }

  /** After Kafka acknowledged the vectors: a replay of these events is now a plain duplicate. */
  async markPublished(eventKeys: string[]): Promise<void> {
    if (eventKeys.length === 0) return;
    valuesOrThrow(
      await pipelineByNode(this.redis, eventKeys, (pipeline, key) => pipeline.set(key, 'published', 'KEEPTTL')),
    );
  }
}

type PipelineWithCommit = ChainableCommander & {
  cvpCommitFeatures(numKeys: number, ...args: (string | number)[]): unknown;
};
