import { clickstreamEventSchema } from '@cvp/contracts';
import { syntheticClickstream } from './synthetic';

const options = {
  customers: 200,
  seed: 7,
  start: new Date('2025-01-01T00:00:00Z'),
  end: new Date('2026-01-01T00:00:00Z'),
};

describe('synthetic clickstream', () => {
  const events = [...syntheticClickstream(options)];

  it('is reproducible from its seed', () => {
    expect([...syntheticClickstream(options)]).toEqual(events);
    expect([...syntheticClickstream({ ...options, seed: 8 })]).not.toEqual(events);
  });

  it('produces only valid, unique events inside the window, in time order', () => {
    expect(events.length).toBeGreaterThan(1000);
    for (const event of events) expect(clickstreamEventSchema.safeParse(event).success).toBe(true);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const times = events.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.max(...times)).toBeLessThan(options.end.getTime());
  });

  it('has buyers, browsers and every event type', () => {
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).toEqual([
      'add_to_cart',
      'checkout_started',
      'page_view',
      'product_view',
      'purchase',
      'refund',
      'review',
    ]);
    const buyers = new Set(events.filter((e) => e.type === 'purchase').map((e) => e.customerId));
    expect(buyers.size).toBeGreaterThan(60);
    expect(buyers.size).toBeLessThan(200);
  });

  it("has customers with tastes: most of a customer's purchases come from their group of 50 products", () => {
    const purchases = events.flatMap((e) =>
      e.type === 'purchase' ? e.items.map((item) => [e.customerId, item.productId]) : [],
    );
    const inTaste = purchases.filter(([customerId, productId]) => {
      const group = Number(customerId.slice(-6)) % 10;
      const product = Number(productId.slice(4));
      return Math.floor(product / 50) === group;
    });
    expect(inTaste.length / purchases.length).toBeGreaterThan(0.6);
    expect(new Set(purchases.map(([, productId]) => productId)).size).toBeGreaterThan(200);
  });
});
