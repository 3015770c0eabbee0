import type { ClickstreamEvent } from '@cvp/contracts';

/**
 * A seeded synthetic clickstream: the default data of the demo, so it runs anywhere with no dataset.
 * Customers come in three behaviours: loyal repeat buyers, buyers who lapse (high value then silence, the
 * win-back audience), and browsers who rarely or never buy; each shops mostly in one of ten product groups (what a
 * recommender learns). Same seed, same events, same ids.
 */
export interface SyntheticOptions {
  customers: number;
  seed: number;
  /** Events span [start, end); end is "now" of the demo. */
  start: Date;
  end: Date;
}

/** mulberry32: small, fast, seedable; good enough for simulated shoppers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['shoes', 'bags', 'outerwear', 'beauty', 'home', 'electronics'];
const REVIEWS = [
  [5, 'Love it, great quality and fast delivery'],
  [4, 'Good value, would buy again'],
  [2, 'Arrived late and the size was wrong'],
  [1, 'Broken on arrival, very disappointed'],
] as const;

/** Products of the catalogue, in TASTES groups of equal size: each customer shops mostly in one group. */
const PRODUCTS = 500;
const TASTES = 10;
const IN_TASTE = 0.7;

/**
 * The product a draw in [0, 1) picks for customer `c`: 70% of the time one of the 50 of their taste group
 * (`c mod 10`), else any of the 500; each product has one category. What a recommender can learn: customers of
 * one taste buy from the same 50 products.
 */
function productFor(c: number, draw: number): number {
  const size = PRODUCTS / TASTES;
  if (draw < IN_TASTE) return (c % TASTES) * size + Math.floor((draw / IN_TASTE) * size);
  return Math.floor(((draw - IN_TASTE) / (1 - IN_TASTE)) * PRODUCTS);
}

export function* syntheticClickstream(options: SyntheticOptions): Generator<ClickstreamEvent> {
  const random = seededRandom(options.seed);
  const span = options.end.getTime() - options.start.getTime();
  const perCustomer: ClickstreamEvent[][] = [];
  for (let c = 0; c < options.customers; c++) {
    const customerId = `syn-${options.seed}-${String(c).padStart(6, '0')}`;
    const kind = random();
    const events: ClickstreamEvent[] = [];
    let n = 0;
    const id = () => `${customerId}-e${n++}`;
    const basket = (at: number, orderValue: number) => {
      const sessionId = `${customerId}-s${n}`;
      const product = productFor(c, random());
      random(); // (the draw that once picked the category: kept, so every later draw is what it was)
      const productId = `sku-${product}`;
      const category = CATEGORIES[product % CATEGORIES.length];
      const when = (offsetMin: number) => new Date(at + offsetMin * 60_000).toISOString();
      events.push({ eventId: id(), customerId, sessionId, occurredAt: when(0), type: 'page_view', url: '/' });
      events.push({
        eventId: id(),
        customerId,
        sessionId,
        occurredAt: when(1),
        type: 'product_view',
        productId,
        category,
        price: orderValue,
      });
      if (orderValue <= 0) return;
      events.push({
        eventId: id(),
        customerId,
        sessionId,
        occurredAt: when(2),
        type: 'add_to_cart',
        productId,
        category,
        quantity: 1,
        unitPrice: orderValue,
      });
      events.push({
        eventId: id(),
        customerId,
        sessionId,
        occurredAt: when(3),
        type: 'checkout_started',
        cartValue: orderValue,
      });
      events.push({
        eventId: id(),
        customerId,
        sessionId,
        occurredAt: when(4),
        type: 'purchase',
        orderId: `${customerId}-o${n}`,
        items: [{ productId, category, quantity: 1, unitPrice: orderValue }],
        total: orderValue,
        currency: 'USD',
      });
      if (random() < 0.05) {
        events.push({
          eventId: id(),
          customerId,
          occurredAt: when(60 * 24 * 3),
          type: 'refund',
          orderId: `${customerId}-o${n - 1}`,
          amount: orderValue,
          currency: 'USD',
        });
      } else if (random() < 0.2) {
        const [rating, text] = REVIEWS[Math.floor(random() * REVIEWS.length)];
        events.push({
          eventId: id(),
          customerId,
          occurredAt: when(60 * 24 * 7),
          type: 'review',
          productId,
          rating,
          text,
        });
      }
    };
    const first = options.start.getTime() + random() * span * 0.3;
    if (kind < 0.3) {
      // Loyal: buys every few weeks until the end.
      const gap = (14 + random() * 40) * 86_400_000;
      const value = 40 + random() * 260;
      for (let t = first; t < options.end.getTime(); t += gap * (0.5 + random()))
        basket(t, Math.round(value * (0.6 + random() * 0.8)));
    } else if (kind < 0.5) {
      // Lapsing big spender: frequent large orders, then only the odd visit.
      const value = 300 + random() * 900;
      let t = first;
      for (let i = 0; i < 4 + Math.floor(random() * 5); i++, t += (10 + random() * 20) * 86_400_000)
        basket(t, Math.round(value * (0.7 + random() * 0.6)));
      basket(options.end.getTime() - random() * 5 * 86_400_000, 0);
    } else {
      // Browser: visits, rarely buys.
      for (let i = 0; i < 1 + Math.floor(random() * 6); i++) {
        basket(
          first + random() * (options.end.getTime() - first),
          random() < 0.15 ? Math.round(10 + random() * 60) : 0,
        );
      }
    }
    perCustomer.push(
      events
        .filter((e) => Date.parse(e.occurredAt) < options.end.getTime())
        .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)),
    );
  }
  // Interleave customers by time, as a live clickstream would arrive.
  const all = perCustomer
    .flat()
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId));
  yield* all;
}
