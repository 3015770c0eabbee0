import type { ClickstreamEvent } from '@cvp/contracts';
import { applyEvent } from './customer-state';
import { featureVector } from './feature-vector';

const purchase = (id: string, at: string, total: number): ClickstreamEvent => ({
  eventId: id,
  customerId: 'c-1',
  occurredAt: at,
  type: 'purchase',
  orderId: `o-${id}`,
  items: [{ productId: 'p', quantity: 1, unitPrice: total }],
  total,
  currency: 'USD',
});
const view = (id: string, at: string): ClickstreamEvent => ({
  eventId: id,
  customerId: 'c-1',
  occurredAt: at,
  type: 'page_view',
});
const refund = (id: string, at: string, amount: number): ClickstreamEvent => ({
  eventId: id,
  customerId: 'c-1',
  occurredAt: at,
  type: 'refund',
  orderId: 'o-1',
  amount,
  currency: 'USD',
});

describe('customer state and features', () => {
  const events = [
    view('1', '2026-01-01T00:00:00Z'),
    purchase('2', '2026-01-02T00:00:00Z', 100),
    purchase('3', '2026-01-12T00:00:00Z', 300),
    refund('4', '2026-01-13T00:00:00Z', 50),
    view('5', '2026-01-22T00:00:00Z'),
  ];

  it('computes recency, frequency and monetary value', () => {
    const state = events.reduce(applyEvent, null as never);
    const features = featureVector(state);
    expect(features.recencyDays).toBe(10);
    expect(features.tenureDays).toBe(20);
    expect(features.frequency).toBe(2);
    expect(features.monetaryTotal).toBe(350);
    expect(features.monetaryMean).toBe(175);
    expect(features.maxOrderValue).toBe(300);
    expect(features.refundAmount).toBe(50);
    expect(features.count_page_view).toBe(2);
    expect(features.firstPurchaseAt).toBe(Date.parse('2026-01-02T00:00:00Z') / 1000);
  });

  it('gives the same state whatever the arrival order', () => {
    const inOrder = events.reduce(applyEvent, null as never);
    const shuffled = [events[4], events[2], events[0], events[3], events[1]].reduce(applyEvent, null as never);
    expect(shuffled).toEqual({ ...inOrder, firstEventAt: inOrder.firstEventAt });
    expect(featureVector(shuffled)).toEqual(featureVector(inOrder));
  });

  it('does not change the previous state', () => {
    const first = applyEvent(null, events[0]);
    const copy = structuredClone(first);
    applyEvent(first, events[1]);
    expect(first).toEqual(copy);
  });

  it('refuses an event of another customer', () => {
    const state = applyEvent(null, events[0]);
    expect(() => applyEvent(state, { ...events[1], customerId: 'c-2' })).toThrow(/c-2/);
  });
});
