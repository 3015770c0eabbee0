import type { ClickstreamEvent } from '@cvp/contracts';
import { parseEventBatch } from './event-batch';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const limits = { maxBatch: 10, latestEventMs: NOW + 86_400_000 };
const view = (overrides: Record<string, unknown> = {}) => ({
  eventId: 'e1',
  customerId: 'c1',
  occurredAt: '2026-11-30T11:00:00Z',
  type: 'page_view',
  url: '/home',
  ...overrides,
});
const purchase = (total: number) => ({
  eventId: 'p1',
  customerId: 'c1',
  occurredAt: '2026-11-30T11:00:00Z',
  type: 'purchase',
  orderId: 'o1',
  items: [{ productId: 'sku', quantity: 1, unitPrice: total }],
  total,
});
const errorsOf = (body: unknown) => {
  const parsed = parseEventBatch(body, limits);
  return parsed.ok ? [] : parsed.errors.map((error) => `${error.path}: ${error.message}`);
};

describe('parseEventBatch: what ingest refuses before anything is produced', () => {
  it('accepts a normal event, alone or in a batch', () => {
    const parsed = parseEventBatch({ events: [view()] }, limits);
    expect(parsed.ok && parsed.events.map((event: ClickstreamEvent) => event.eventId)).toEqual(['e1']);
    expect(parseEventBatch(view(), limits).ok).toBe(true);
  });

  it('refuses text with a NUL character or a lone surrogate, naming the field', () => {
    expect(errorsOf(view({ url: 'a\u0000b' }))).toEqual([
      'url: must be Unicode text without NUL characters or lone surrogates',
    ]);
    expect(errorsOf({ events: [view(), view({ eventId: 'e2', customerId: 'c\uD800' })] })).toEqual([
      'events.1.customerId: customerId must be Unicode text without NUL characters or lone surrogates',
    ]);
    // A well-formed surrogate pair (an emoji) is text.
    expect(errorsOf(view({ url: '/search?q=\uD83D\uDE00' }))).toEqual([]);
  });

  it('refuses events dated past the clock plus the skew, or before 1970', () => {
    expect(errorsOf(view({ occurredAt: '9999-12-31T00:00:00Z' }))).toEqual([
      "occurredAt: must not be after 2026-12-01T12:00:00.000Z (the server's clock plus the allowed skew)",
    ]);
    expect(errorsOf(view({ occurredAt: '2026-12-01T11:00:00Z' }))).toEqual([]);
    expect(errorsOf({ events: [view({ occurredAt: '1969-12-31T23:59:59Z' })] })).toEqual([
      'events.0.occurredAt: must not be before 1970-01-01T00:00:00Z',
    ]);
  });

  it('refuses amounts past what the stores hold', () => {
    expect(errorsOf(purchase(1e306))).toEqual(
      expect.arrayContaining(['total: must be at most 1000000000', 'items.0.unitPrice: must be at most 1000000000']),
    );
    expect(errorsOf(purchase(999_999_999))).toEqual([]);
  });
});
