import { emptyState, foldInput, type CustomerState, type FoldInput } from './customer-state';
import { featureVectorAt, type FeatureVector } from './feature-vector';

/**
 * The states of every customer from the events (and review readings) that occurred strictly before `cutoff`,
 * streaming: only the per-customer states are held, never the events. Any order gives the same states (the fold is
 * order-insensitive), so the events need not be sorted. Duplicate events are counted twice: deduplicate
 * by eventId upstream (the features service does). A customer with readings but no event before the cutoff has no
 * state.
 */
export async function buildCustomerStates(
  events: Iterable<FoldInput> | AsyncIterable<FoldInput>,
  cutoff: Date,
): Promise<Map<string, CustomerState>> {
  const cutoffMs = cutoff.getTime();
  const states = new Map<string, CustomerState>();
  for await (const event of events) {
    if (!(Date.parse(event.occurredAt) < cutoffMs)) continue;
    let state = states.get(event.customerId);
    if (!state) states.set(event.customerId, (state = emptyState(event.customerId, event.occurredAt)));
    foldInput(state, event);
  }
  for (const [customerId, state] of states) if (state.eventsApplied === 0) states.delete(customerId);
  return states;
}

/** Batch features for training: the vector of every customer as of `cutoff`, from the events before it. */
export async function buildFeatureVectors(
  events: Iterable<FoldInput> | AsyncIterable<FoldInput>,
  cutoff: Date,
): Promise<Map<string, FeatureVector>> {
  const vectors = new Map<string, FeatureVector>();
  for (const [customerId, state] of await buildCustomerStates(events, cutoff)) {
    vectors.set(customerId, featureVectorAt(state, cutoff));
  }
  return vectors;
}
