import type { ClickstreamEvent } from '@cvp/contracts';
import { emptyState, featureVector, foldEvent, type CustomerState } from '@cvp/features';
import { readState, scoreTriggerOf, sweepFigures, sweepMessages, sweepSourceId } from './sweep';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const purchase = (customerId: string, day: number): ClickstreamEvent => ({
  eventId: `${customerId}-${day}`,
  customerId,
  occurredAt: new Date(T0 + day * DAY).toISOString(),
  type: 'purchase',
  orderId: `${customerId}-o${day}`,
  items: [{ productId: 'p', quantity: 1, unitPrice: 100 }],
  total: 100,
  currency: 'USD',
});
const stateOf = (customerId: string, days: number[]): CustomerState => {
  const state = emptyState(customerId, purchase(customerId, days[0]).occurredAt);
  for (const day of days) foldEvent(state, purchase(customerId, day));
  return state;
};

describe('sweeps', () => {
  const sweep = { id: 's1', asOf: new Date(T0 + 100 * DAY).toISOString() };

  it('computes every customer’s features as of the sweep’s instant, never before their newest event', () => {
    const silent = stateOf('silent', [0, 10, 20]);
    const ahead = stateOf('ahead', [0, 150]);
    const [a, b] = sweepMessages([silent, ahead], sweep, '2026-11-30T00:00:00.000Z');
    expect(a).toMatchObject({
      customerId: 'silent',
      asOf: sweep.asOf,
      lastEventAt: silent.lastEventAt,
      sourceEventId: sweepSourceId('s1'),
      featureSchemaVersion: 'features@3',
    });
    expect(a.features.recencyDays).toBe(80);
    expect(a.features.daysSinceLastEvent).toBe(80);
    // A customer whose newest event is after the sweep's instant is as of that event, as their event score was.
    expect(b.asOf).toBe(ahead.lastEventAt);
    expect(b.features).toEqual(featureVector(ahead));
  });

  it('reads only states of the layout it knows', () => {
    const state = stateOf('c', [0]);
    expect(readState(JSON.stringify(state))?.customerId).toBe('c');
    expect(readState(JSON.stringify({ ...state, stateVersion: 1 }))).toBeNull();
    expect(readState('{not json')).toBeNull();
  });

  it('names the trigger of its scores and sums its figures', () => {
    expect(scoreTriggerOf('schedule')).toBe('sweep');
    expect(scoreTriggerOf('on-demand')).toBe('sweep');
    expect(scoreTriggerOf('model-swap')).toBe('model-swap');
    const timeMs = { read: 1, parse: 1, features: 1, score: 1, write: 1, publish: 1 };
    const figures = sweepFigures(
      { shardsDone: 64, customers: 5000, written: 4000, forgotten: 2, skipped: 0 },
      timeMs,
      '2026-11-30T00:00:00.000Z',
      Date.parse('2026-11-30T00:00:02.000Z'),
    );
    expect(figures).toMatchObject({ elapsedMs: 2000, customersPerSecond: 2500, timeMs });
  });
});
