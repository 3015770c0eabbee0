import type { ClickstreamEvent } from '@cvp/contracts';
import { applyEvent, foldEvent, emptyState, STATE_BOUNDS, type CustomerState } from './customer-state';
import { FEATURE_NAMES, featureVector } from './feature-vector';
import { addToCart, pageView, plusDays, productView, purchase, refund, review } from './testing/events';

/**
 * A heavy customer: 10,000 events over two years, active every day, a purchase of 3 new products nearly
 * every day, a new session every few events, reviews with text. Worst case for every bounded structure.
 */
function heavyCustomer(count = 10_000): ClickstreamEvent[] {
  const start = '2024-01-01T08:00:00Z';
  return Array.from({ length: count }, (_, i) => {
    const at = plusDays(start, (i * 730) / count);
    const sessionId = `s-${Math.floor(i / 4)}`;
    switch (i % 7) {
      case 0:
        return purchase(
          at,
          [0, 1, 2].map((line) => ({
            productId: `p-${i}-${line}`,
            category: `cat-${(i + line) % 40}`,
            unitPrice: 19.99,
          })),
          { sessionId },
        );
      case 1:
        return productView(at, `p-${i}`, { sessionId });
      case 2:
        return addToCart(at, `p-${i}`, { sessionId });
      case 3:
        return i % 5 === 0 ? refund(at, 19.99, { sessionId }) : pageView(at, { sessionId });
      case 4:
        return review(at, 1 + (i % 5), i % 2 ? 'Love it, great quality' : 'não gostei, veio quebrado', { sessionId });
      default:
        return pageView(at, { sessionId });
    }
  });
}

describe('state bounds', () => {
  const events = heavyCustomer();
  const state = events.reduce<CustomerState | null>(applyEvent, null)!;
  const bytes = Buffer.byteLength(JSON.stringify(state));

  it('keeps the JSON of a heavy customer under 10 KB after 10,000 events', () => {
    // About 9 KB, 5 KB of which are the daily purchase buckets of a customer who buys every day.
    expect(state.eventsApplied).toBe(10_000);
    expect(bytes).toBeLessThan(10 * 1024);
  });

  it('keeps every growing structure within its fixed bound', () => {
    expect(state.purchaseDays.length).toBeLessThanOrEqual(STATE_BOUNDS.purchaseDays);
    expect(state.activeDays.length).toBeLessThanOrEqual(STATE_BOUNDS.activityDays);
    expect(state.recentPurchaseMs).toHaveLength(STATE_BOUNDS.recentPurchases);
    for (const sketch of [state.productSketch, state.sessionSketch]) {
      expect(sketch).toHaveLength(STATE_BOUNDS.distinctSketch);
    }
    expect(state.categorySketch).toHaveLength(40);
  });

  it('does not grow with more history', () => {
    const longer = heavyCustomer(20_000).reduce(
      (s, event) => (foldEvent(s, event), s),
      emptyState('c-1', '2024-01-01T08:00:00Z'),
    );
    expect(Buffer.byteLength(JSON.stringify(longer))).toBeLessThan(bytes * 1.1);
  });

  it('still gives finite, plausible features', () => {
    const vector = featureVector(state);
    for (const name of FEATURE_NAMES) expect(Number.isFinite(vector[name])).toBe(true);
    expect(vector.frequency).toBe(1429);
    expect(vector.distinctCategories).toBe(40);
    expect(Math.abs(vector.distinctProducts - 3 * 1429) / (3 * 1429)).toBeLessThan(0.4);
    expect(Math.abs(vector.sessions - 2500) / 2500).toBeLessThan(0.4);
  });
});
