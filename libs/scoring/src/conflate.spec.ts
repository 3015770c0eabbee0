import { newestPerCustomer } from './conflate';

const vector = (customerId: string, sourceEventId: string, lastEventAt: string, asOf = lastEventAt) => ({
  customerId,
  sourceEventId,
  lastEventAt: `2026-03-01T${lastEventAt}:00.000Z`,
  asOf: `2026-03-01T${asOf}:00.000Z`,
});

describe('newestPerCustomer', () => {
  it('keeps every vector of a batch with one per customer, in order', () => {
    const batch = [vector('a', 'a1', '10:00'), vector('b', 'b1', '09:00')];
    expect(newestPerCustomer(batch)).toEqual({ kept: batch, superseded: 0 });
  });

  it('keeps the vector the score store would hold after writing them all in order', () => {
    const batch = [
      vector('a', 'a1', '10:00'),
      vector('b', 'b1', '10:00'),
      vector('a', 'a2', '10:05'), // newer event: supersedes a1
      vector('a', 'a-late', '10:05', '10:06'), // a late event folded in: same newest event, later instant
      vector('b', 'b-replayed', '09:00'), // an older vector: the store would refuse it
      vector('c', 'c1', '11:00'),
      vector('c', 'c2', '11:00'), // same instants: the later record replaces (another event)
    ];
    const { kept, superseded } = newestPerCustomer(batch);
    expect(kept.map((v) => v.sourceEventId)).toEqual(['b1', 'a-late', 'c2']);
    expect(superseded).toBe(4);
  });

  it('reads asOf when a vector has no lastEventAt', () => {
    const batch = [
      { customerId: 'a', sourceEventId: 'a1', asOf: '2026-03-01T10:00:00.000Z' },
      { customerId: 'a', sourceEventId: 'a0', asOf: '2026-03-01T09:00:00.000Z' },
    ];
    expect(newestPerCustomer(batch).kept.map((v) => v.sourceEventId)).toEqual(['a1']);
  });
});
