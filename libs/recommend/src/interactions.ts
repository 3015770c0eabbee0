import type { ClickstreamEvent } from '@cvp/contracts';

/**
 * What recommenders learn from: purchase lines (customer, item, time), folded into a catalogue of items and, per
 * customer, the distinct items bought with how often and when last.
 */
export interface PurchaseLine {
  customerId: string;
  itemId: string;
  atMs: number;
}

/** A customer's purchases: distinct items (catalogue indices), how many purchases of each, the last one's time. */
export interface History {
  items: number[];
  counts: number[];
  lastMs: number[];
}

/** Items by index and index by item. */
export class Catalog {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  indexOf(itemId: string): number | undefined {
    return this.index.get(itemId);
  }

  add(itemId: string): number {
    let at = this.index.get(itemId);
    if (at === undefined) {
      at = this.ids.length;
      this.ids.push(itemId);
      this.index.set(itemId, at);
    }
    return at;
  }

  get size(): number {
    return this.ids.length;
  }
}

/** The purchases of a training window: the catalogue, each customer's history, and each item's distinct buyers. */
export interface Interactions {
  catalog: Catalog;
  histories: Map<string, History>;
  /** Distinct customers who bought each item. */
  buyers: Float64Array;
  /** Distinct customers who bought each item in the last `recentDays` before the window's end. */
  recentBuyers: Float64Array;
  /** The window's end (epoch ms): the instant recommendations are made at. */
  nowMs: number;
}

/**
 * Folds purchase lines before `nowMs` into interactions (lines at or after it are ignored). A purchase is one
 * (customer, item, time): several lines of one order for one item count once.
 */
export function interactionsOf(lines: readonly PurchaseLine[], nowMs: number, recentDays = 30): Interactions {
  const catalog = new Catalog();
  const perCustomer = new Map<string, Map<number, { count: number; lastMs: number; seen: Set<number> }>>();
  for (const line of lines) {
    if (line.atMs >= nowMs) continue;
    const item = catalog.add(line.itemId);
    let items = perCustomer.get(line.customerId);
    if (!items) perCustomer.set(line.customerId, (items = new Map()));
    const held = items.get(item);
    if (!held) items.set(item, { count: 1, lastMs: line.atMs, seen: new Set([line.atMs]) });
    else if (!held.seen.has(line.atMs)) {
      held.seen.add(line.atMs);
      held.count++;
      held.lastMs = Math.max(held.lastMs, line.atMs);
    }
  }
  const buyers = new Float64Array(catalog.size);
  const recentBuyers = new Float64Array(catalog.size);
  const recentFrom = nowMs - recentDays * 86_400_000;
  const histories = new Map<string, History>();
  for (const [customerId, items] of perCustomer) {
    const history: History = { items: [], counts: [], lastMs: [] };
    for (const [item, held] of items) {
      history.items.push(item);
      history.counts.push(held.count);
      history.lastMs.push(held.lastMs);
      buyers[item]++;
      if (held.lastMs >= recentFrom) recentBuyers[item]++;
    }
    histories.set(customerId, history);
  }
  return { catalog, histories, buyers, recentBuyers, nowMs };
}

/** The distinct items each customer bought in [fromMs, toMs). */
export function itemsBoughtIn(lines: readonly PurchaseLine[], fromMs: number, toMs: number): Map<string, Set<string>> {
  const bought = new Map<string, Set<string>>();
  for (const line of lines) {
    if (line.atMs < fromMs || line.atMs >= toMs) continue;
    let items = bought.get(line.customerId);
    if (!items) bought.set(line.customerId, (items = new Set()));
    items.add(line.itemId);
  }
  return bought;
}

/** The purchase lines of clickstream purchases (one per line item; refunds and other events are not purchases). */
export function purchaseLinesOf(events: Iterable<ClickstreamEvent>): PurchaseLine[] {
  const lines: PurchaseLine[] = [];
  for (const event of events) {
    if (event.type !== 'purchase') continue;
    const atMs = Date.parse(event.occurredAt);
    for (const item of event.items) {
      if (item.quantity > 0) lines.push({ customerId: event.customerId, itemId: item.productId, atMs });
    }
  }
  return lines;
}
