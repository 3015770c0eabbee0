import {
  ALLOWED_LATENESS_MS,
  applyEvent,
  emptyState,
  foldEvent,
  isBeyondAllowedLateness,
  type CustomerState,
} from './customer-state';
import { featureVector } from './feature-vector';
import { pageView, plusDays, purchase, refund, review } from './testing/events';

describe('customer state', () => {
  const events = [
    pageView('2026-01-01T00:00:00Z', { sessionId: 's-1' }),
    purchase('2026-01-02T00:00:00Z', [{ productId: 'p', category: 'shoes', unitPrice: 100 }]),
    purchase('2026-01-12T00:00:00Z', [{ productId: 'q', unitPrice: 300 }]),
    refund('2026-01-13T00:00:00Z', 50),
    review('2026-01-14T00:00:00Z', 4, 'Good value, would buy again'),
    pageView('2026-01-22T00:00:00Z'),
  ];
  const fold = (list = events) => list.reduce(applyEvent, null);

  it('keeps the fields the service and the end-to-end test read', () => {
    const state = fold()!;
    expect(state).toMatchObject({
      customerId: 'c-1',
      firstEventAt: '2026-01-01T00:00:00Z',
      lastEventAt: '2026-01-22T00:00:00Z',
      firstPurchaseAt: '2026-01-02T00:00:00Z',
      lastPurchaseAt: '2026-01-12T00:00:00Z',
      orders: 2,
      grossCents: 40_000,
      refundCents: 5_000,
      eventsApplied: 6,
    });
  });

  it('gives the same state whatever the arrival order', () => {
    const shuffled = fold([events[4], events[2], events[0], events[5], events[3], events[1]]);
    expect(shuffled).toEqual(fold());
  });

  it('picks the same text for one instant written two ways, whatever came first', () => {
    const a = pageView('2026-01-01T00:00:00Z');
    const b = pageView('2026-01-01T00:00:00.000+00:00');
    expect(fold([a, b])).toEqual(fold([b, a]));
  });

  it('replaces the placeholder time of an empty state with the first event', () => {
    const state = emptyState('c-1', '1999-01-01T00:00:00Z');
    foldEvent(state, events[1]);
    expect(state.firstEventAt).toBe(events[1].occurredAt);
    expect(state.lastEventAt).toBe(events[1].occurredAt);
  });

  it('does not change the previous state', () => {
    const first = fold(events.slice(0, 3))!;
    const copy = structuredClone(first);
    applyEvent(first, events[3]);
    applyEvent(first, events[4]);
    expect(first).toEqual(copy);
  });

  it('survives a JSON round trip (Redis) with identical behaviour', () => {
    const direct = fold()!;
    const viaJson = events
      .slice(3)
      .reduce<CustomerState>(applyEvent, JSON.parse(JSON.stringify(fold(events.slice(0, 3)))));
    expect(viaJson).toEqual(direct);
    expect(JSON.parse(JSON.stringify(direct))).toEqual(direct);
    expect(featureVector(viaJson, '2026-03-01T00:00:00Z')).toEqual(featureVector(direct, '2026-03-01T00:00:00Z'));
  });

  it('refuses an event of another customer and a state of an older layout', () => {
    const state = applyEvent(null, events[0]);
    expect(() => applyEvent(state, { ...events[1], customerId: 'c-2' })).toThrow(/c-2/);
    const legacy = { ...state, stateVersion: undefined } as unknown as typeof state;
    expect(() => applyEvent(legacy, events[1])).toThrow(/layout 1/);
  });

  it('refuses an event whose time does not parse', () => {
    expect(() => applyEvent(null, { ...events[0], occurredAt: 'yesterday' })).toThrow(/occurredAt/);
  });

  it('tells an event later than the allowed lateness', () => {
    const state = fold()!;
    const limit = plusDays(state.lastEventAt, -ALLOWED_LATENESS_MS / 86_400_000);
    expect(isBeyondAllowedLateness(state, pageView(limit))).toBe(false);
    expect(isBeyondAllowedLateness(state, pageView(plusDays(limit, -0.001)))).toBe(true);
    expect(isBeyondAllowedLateness(null, pageView(limit))).toBe(false);
  });
});
