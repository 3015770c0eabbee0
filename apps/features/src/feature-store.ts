import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { ClickstreamEvent } from '@cvp/contracts';
import { emptyState, foldEvent, type CustomerState } from '@cvp/features';
import {
  APPLIED_EVENT_TTL_SECONDS,
  appliedEventKey,
  CLOCK_WATERMARK_KEY,
  legacyAppliedEventKey,
  customerIndexKey,
  customerShard,
  FEATURE_STATE_TTL_SECONDS,
  featureStateKey,
  REDIS,
  ScoreClock,
} from '@cvp/redis';

/**
 * Writes the new states and the applied-event marks in one step, only if no state changed since it was
 * read (compare-and-set on the whole value), so a state and its dedup marks are never half-written. In the same step:
 * each customer joins the sweep index (its shard's set), and the score clock's watermark moves forward.
 * KEYS: n state keys, m event keys, n index keys (the shard set of each state), the watermark key.
 * ARGV: n, m, ttl(state), ttl(event), watermark candidate ('' = none), n expected old values ('' = none),
 * n new values, n customer ids.
 */
const COMMIT_SCRIPT = `
local n = tonumber(ARGV[1])
local m = tonumber(ARGV[2])
for i = 1, n do
  local current = redis.call('GET', KEYS[i]) or ''
  if current ~= ARGV[5 + i] then return 0 end
end
for i = 1, n do
  redis.call('SET', KEYS[i], ARGV[5 + n + i], 'EX', ARGV[3])
  redis.call('SADD', KEYS[n + m + i], ARGV[5 + 2 * n + i])
end
for i = n + 1, n + m do
  redis.call('SET', KEYS[i], 'applied', 'EX', ARGV[4])
end
local candidate = tonumber(ARGV[5])
if candidate then
  local held = tonumber(redis.call('GET', KEYS[#KEYS]) or '')
  if not held or candidate > held then redis.call('SET', KEYS[#KEYS], ARGV[5]) end
end
return 1
`;

export interface AppliedBatch {
  /** The newest state of every customer whose features must be (re)published, with the event behind it. */
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
    @Inject(REDIS) private readonly redis: Redis,
    private readonly clock: ScoreClock,
  ) {
    this.redis.defineCommand('cvpCommitFeatures', { lua: COMMIT_SCRIPT });
  }

  /**
   * Folds a batch of events into the customers' states. An event already applied is skipped; if its
   * vector was applied but never published (a crash in between), the customer is published again.
   */
  async apply(events: ClickstreamEvent[]): Promise<AppliedBatch> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.tryApply(events);
      if (result) return result;
      if (attempt >= 5) throw new Error('feature state kept changing under this batch (concurrent writer?)');
    }
  }

  private async tryApply(events: ClickstreamEvent[]): Promise<AppliedBatch | null> {
    const customerIds = [...new Set(events.map((event) => event.customerId))];
    // An eventId is unique per customer: the same id of two customers is two events.
    const keyOf = (event: ClickstreamEvent) => appliedEventKey(event.customerId, event.eventId);
    const eventKeys = [...new Set(events.map(keyOf))];
    const legacyKeys = [...new Set(events.map((event) => legacyAppliedEventKey(event.eventId)))];
    const [rawStates, marks, legacyMarks, watermark] = await Promise.all([
      this.redis.mget(customerIds.map(featureStateKey)),
      this.redis.mget(eventKeys) as Promise<Mark[]>,
      this.redis.mget(legacyKeys) as Promise<Mark[]>,
      this.clock.mode === 'event-time' ? this.clock.watermark() : null,
    ]);
    const before = new Map(customerIds.map((id, i) => [id, rawStates[i] ?? '']));
    const states = new Map(
      customerIds.map((id, i) => [id, rawStates[i] ? (JSON.parse(rawStates[i]!) as CustomerState) : null]),
    );
    const legacyMarkOf = new Map(legacyKeys.map((key, i) => [key, legacyMarks[i]]));
    const markOf = new Map(eventKeys.map((key, i) => [key, marks[i]]));
    for (const event of events) {
      // Marks written before eventIds were per customer (v1) still count until they expire (35 days).
      const key = keyOf(event);
      if (!markOf.get(key)) markOf.set(key, legacyMarkOf.get(legacyAppliedEventKey(event.eventId)) ?? null);
    }

    const changed = new Set<string>();
    const republish = new Set<string>();
    const newEventKeys: string[] = [];
    const lastEvent = new Map<string, { eventId: string; index: number }>();
    const newEventMs: number[] = [];
    let duplicates = 0;
    events.forEach((event, index) => {
      const mark = markOf.get(keyOf(event));
      if (mark) {
        duplicates++;
        if (mark === 'applied') republish.add(event.customerId);
        if (!lastEvent.has(event.customerId)) lastEvent.set(event.customerId, { eventId: event.eventId, index });
        return;
      }
      markOf.set(keyOf(event), 'applied');
      newEventKeys.push(keyOf(event));
      // The states were just parsed from Redis and are owned here: fold in place (no copy per event).
      const state = states.get(event.customerId) ?? emptyState(event.customerId, event.occurredAt);
      foldEvent(state, event);
      newEventMs.push(Date.parse(event.occurredAt));
      states.set(event.customerId, state);
      changed.add(event.customerId);
      lastEvent.set(event.customerId, { eventId: event.eventId, index });
    });

    const candidate = this.clock.mode === 'event-time' ? this.clock.candidate(newEventMs) : null;
    if (changed.size > 0) {
      const ids = [...changed];
      const committed = await (this.redis as RedisWithCommit).cvpCommitFeatures(
        2 * ids.length + newEventKeys.length + 1,
        ...ids.map(featureStateKey),
        ...newEventKeys,
        ...ids.map((id) => customerIndexKey(customerShard(id))),
        CLOCK_WATERMARK_KEY,
        ids.length,
        newEventKeys.length,
        FEATURE_STATE_TTL_SECONDS,
        APPLIED_EVENT_TTL_SECONDS,
        candidate === null ? '' : String(candidate),
        ...ids.map((id) => before.get(id)!),
        ...ids.map((id) => JSON.stringify(states.get(id))),
        ...ids,
      );
      if (committed !== 1) return null;
    }

    const publish = [...new Set([...changed, ...republish])].filter((id) => states.get(id));
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

  /** After Kafka acknowledged the vectors: a replay of these events is now a plain duplicate. */
  async markPublished(eventKeys: string[]): Promise<void> {
    if (eventKeys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of eventKeys) pipeline.set(key, 'published', 'KEEPTTL');
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }
}

type RedisWithCommit = Redis & { cvpCommitFeatures(numKeys: number, ...args: (string | number)[]): Promise<number> };
