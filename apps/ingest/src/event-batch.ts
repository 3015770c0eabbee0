import { clickstreamEventSchema, validate, type ClickstreamEvent, type FieldError } from '@cvp/contracts';

export type ParsedBatch = { ok: true; events: ClickstreamEvent[] } | { ok: false; errors: FieldError[] };

export interface BatchLimits {
  maxBatch: number;
  /** Latest accepted event time (epoch ms): the wall clock plus the allowed skew. */
  latestEventMs: number;
}

/** An event dated past the latest accepted time: a producer's bad clock, refused before it reaches any store. */
function futureError(event: ClickstreamEvent, latestEventMs: number, prefix: string): FieldError | null {
  if (Date.parse(event.occurredAt) <= latestEventMs) return null;
  return {
    path: `${prefix}occurredAt`,
    message: `must not be after ${new Date(latestEventMs).toISOString()} (the server's clock plus the allowed skew)`,
  };
}

/**
 * A request body is one event or `{ "events": [...] }`. All events are validated before anything is
 * produced: one bad event rejects the whole request, with every field error listed.
 */
export function parseEventBatch(body: unknown, limits: BatchLimits): ParsedBatch {
  const { maxBatch, latestEventMs } = limits;
  const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
  if (!isBatch) {
    const single = validate(clickstreamEventSchema, body);
    if (!single.ok) return { ok: false, errors: single.errors };
    const future = futureError(single.value, latestEventMs, '');
    return future ? { ok: false, errors: [future] } : { ok: true, events: [single.value] };
  }
  const items = (body as { events: unknown }).events;
  if (!Array.isArray(items)) return { ok: false, errors: [{ path: 'events', message: 'must be an array of events' }] };
  if (items.length === 0) return { ok: false, errors: [{ path: 'events', message: 'must hold at least one event' }] };
  if (items.length > maxBatch) {
    return {
      ok: false,
      errors: [{ path: 'events', message: `must hold at most ${maxBatch} events, got ${items.length}` }],
    };
  }
  const events: ClickstreamEvent[] = [];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const checked = validate(clickstreamEventSchema, item, ['events', index]);
    if (!checked.ok) return void errors.push(...checked.errors);
    const future = futureError(checked.value, latestEventMs, `events.${index}.`);
    if (future) return void errors.push(future);
    if (seen.has(checked.value.eventId)) {
      return void errors.push({
        path: `events.${index}.eventId`,
        message: `duplicate eventId ${checked.value.eventId} in this request`,
      });
    }
    seen.add(checked.value.eventId);
    events.push(checked.value);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
}
