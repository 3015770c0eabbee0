import { EVENT_TYPES, type ClickstreamEvent, type EventType } from '@cvp/contracts';

/**
 * Per-customer aggregate state, updated in O(1) per event and small enough to live in Redis as JSON.
 * Every field is order-insensitive (sums, counts, min/max), so events arriving out of order give the
 * same state as events in order.
 */
export interface CustomerState {
  customerId: string;
  firstEventAt: string;
  /** Newest event time folded in: the "as of" of the features. */
  lastEventAt: string;
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  orders: number;
  grossSpend: number;
  maxOrderValue: number;
  refunds: number;
  refundAmount: number;
  eventCounts: Record<EventType, number>;
  eventsApplied: number;
}

export function emptyState(customerId: string, at: string): CustomerState {
  return {
    customerId,
    firstEventAt: at,
    lastEventAt: at,
    firstPurchaseAt: null,
    lastPurchaseAt: null,
    orders: 0,
    grossSpend: 0,
    maxOrderValue: 0,
    refunds: 0,
    refundAmount: 0,
    eventCounts: Object.fromEntries(EVENT_TYPES.map((type) => [type, 0])) as Record<EventType, number>,
    eventsApplied: 0,
  };
}

const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);
const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/** Folds one event into the state (a new object; the input is not changed). */
export function applyEvent(previous: CustomerState | null, event: ClickstreamEvent): CustomerState {
  if (previous && previous.customerId !== event.customerId) {
    throw new Error(`event ${event.eventId} of ${event.customerId} applied to the state of ${previous.customerId}`);
  }
  const state = previous ? structuredClone(previous) : emptyState(event.customerId, event.occurredAt);
  state.firstEventAt = earlier(state.firstEventAt, event.occurredAt);
  state.lastEventAt = later(state.lastEventAt, event.occurredAt);
  state.eventCounts[event.type] += 1;
  state.eventsApplied += 1;
  if (event.type === 'purchase') {
    state.orders += 1;
    state.grossSpend += event.total;
    state.maxOrderValue = Math.max(state.maxOrderValue, event.total);
    state.firstPurchaseAt = state.firstPurchaseAt ? earlier(state.firstPurchaseAt, event.occurredAt) : event.occurredAt;
    state.lastPurchaseAt = state.lastPurchaseAt ? later(state.lastPurchaseAt, event.occurredAt) : event.occurredAt;
  } else if (event.type === 'refund') {
    state.refunds += 1;
    state.refundAmount += event.amount;
  }
  return state;
}
