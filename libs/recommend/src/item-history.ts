import type { ClickstreamEvent } from '@cvp/contracts';
import type { Catalog, History } from './interactions';

/**
 * A customer's items as the stream leaves them, what recommendations are served from: per product, the purchases of
 * it (one per purchase event), the last purchase's time and the last time it was viewed or put in the cart. Kept in
 * Redis as a hash (field: product id, value: `purchases|lastPurchaseMs|lastSeenMs`), written by the features service in
 * the same step as the feature state.
 */
export interface ItemEntry {
  purchases: number;
  lastPurchaseMs: number;
  lastSeenMs: number;
}

/** What one event adds to its customer's items (empty for events that name no product). */
export function itemUpdatesOf(event: ClickstreamEvent): Map<string, ItemEntry> {
  const updates = new Map<string, ItemEntry>();
  const atMs = Date.parse(event.occurredAt);
  if (event.type === 'purchase') {
    for (const item of event.items) {
      if (item.quantity > 0) updates.set(item.productId, { purchases: 1, lastPurchaseMs: atMs, lastSeenMs: 0 });
    }
  } else if (event.type === 'product_view' || event.type === 'add_to_cart') {
    updates.set(event.productId, { purchases: 0, lastPurchaseMs: 0, lastSeenMs: atMs });
  }
  return updates;
}

/** Adds `updates` into `items` (purchases summed, times the latest). */
export function mergeItemUpdates(items: Map<string, ItemEntry>, updates: Map<string, ItemEntry>): void {
  for (const [productId, update] of updates) {
    const held = items.get(productId);
    if (!held) items.set(productId, { ...update });
    else {
      held.purchases += update.purchases;
      held.lastPurchaseMs = Math.max(held.lastPurchaseMs, update.lastPurchaseMs);
      held.lastSeenMs = Math.max(held.lastSeenMs, update.lastSeenMs);
    }
  }
}

export const encodeItemEntry = (entry: ItemEntry) => `${entry.purchases}|${entry.lastPurchaseMs}|${entry.lastSeenMs}`;

export function decodeItemEntry(value: string): ItemEntry | null {
  const match = /^(\d+)\|(\d+)\|(\d+)$/.exec(value);
  return match ? { purchases: Number(match[1]), lastPurchaseMs: Number(match[2]), lastSeenMs: Number(match[3]) } : null;
}

/**
 * A customer's purchase history over a recommender's catalogue (products it does not know are left out), and the
 * catalogue items they viewed or carted without buying since `seenSinceMs`.
 */
export function historyOfItems(
  hash: Record<string, string>,
  catalog: Catalog,
  seenSinceMs: number,
): { history: History | undefined; seen: number[] } {
  const history: History = { items: [], counts: [], lastMs: [] };
  const seen: number[] = [];
  for (const [productId, value] of Object.entries(hash)) {
    const entry = decodeItemEntry(value);
    const item = catalog.indexOf(productId);
    if (!entry || item === undefined) continue;
    if (entry.purchases > 0) {
      history.items.push(item);
      history.counts.push(entry.purchases);
      history.lastMs.push(entry.lastPurchaseMs);
    } else if (entry.lastSeenMs >= seenSinceMs) seen.push(item);
  }
  return { history: history.items.length > 0 ? history : undefined, seen };
}

/** Lua: merges JSON updates `[[productId, purchases, lastPurchaseMs, lastSeenMs], ...]` into a hash of ItemEntry. */
export const MERGE_ITEMS_LUA = `
local function mergeItems(key, json, ttl)
  local updates = cjson.decode(json)
  if #updates == 0 then return end
  for _, u in ipairs(updates) do
    local p, tp, ts = 0, 0, 0
    local held = redis.call('HGET', key, u[1])
    if held then
      local a, b, c = string.match(held, '^(%d+)|(%d+)|(%d+)$')
      if a then p, tp, ts = tonumber(a), tonumber(b), tonumber(c) end
    end
    p = p + u[2]
    if u[3] > tp then tp = u[3] end
    if u[4] > ts then ts = u[4] end
    redis.call('HSET', key, u[1], string.format('%d|%d|%d', p, tp, ts))
  end
  redis.call('EXPIRE', key, ttl)
end
`;

/** The JSON argument of MERGE_ITEMS_LUA for a customer's updates. */
export const itemUpdatesJson = (updates: Map<string, ItemEntry>) =>
  JSON.stringify([...updates].map(([id, e]) => [id, e.purchases, e.lastPurchaseMs, e.lastSeenMs]));
