import type { FeatureVectorMessage } from '@cvp/contracts';

type Instants = Pick<FeatureVectorMessage, 'customerId' | 'asOf' | 'lastEventAt'>;

/**
 * One feature vector per customer out of a consumer batch: the one the score store would end up holding had every
 * vector been scored and written in order (its write rule: a newer newest event, then a later instant, and at equal
 * instants the later record). The customer's state is cumulative, so that vector already holds every event of the
 * ones it supersedes; scoring only it spares the model (and the integrated-gradients reasons) work whose scores would
 * be overwritten within the same write. Under load batches grow and more is conflated; at a trickle every vector is
 * its own batch and every event gets its score. Returns the kept vectors in batch order and how many were superseded.
 */
export function newestPerCustomer<T extends Instants>(messages: readonly T[]): { kept: T[]; superseded: number } {
  const newest = new Map<string, number>();
  messages.forEach((message, i) => {
    const held = newest.get(message.customerId);
    if (held === undefined || !isOlder(message, messages[held])) newest.set(message.customerId, i);
  });
  if (newest.size === messages.length) return { kept: [...messages], superseded: 0 };
  const keep = new Set(newest.values());
  return { kept: messages.filter((_, i) => keep.has(i)), superseded: messages.length - keep.size };
}

/** Whether `later` (after `earlier` in the batch) would be refused by the store holding `earlier`'s score. */
function isOlder(later: Instants, earlier: Instants): boolean {
  const laterEvent = Date.parse(later.lastEventAt ?? later.asOf);
  const earlierEvent = Date.parse(earlier.lastEventAt ?? earlier.asOf);
  if (laterEvent !== earlierEvent) return laterEvent < earlierEvent;
  return Date.parse(later.asOf) < Date.parse(earlier.asOf);
}
