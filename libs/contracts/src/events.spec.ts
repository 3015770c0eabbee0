import { clickstreamEventSchema, isStorableJson, isUnicodeText, MAX_JSON_DEPTH, tooDeep, validate } from './index';

const purchase = {
  eventId: 'e-1',
  customerId: 'c-1',
  occurredAt: '2026-11-23T10:00:00Z',
  type: 'purchase',
  orderId: 'o-1',
  items: [{ productId: 'p-1', category: 'shoes', quantity: 2, unitPrice: 30 }],
  total: 60,
};

describe('clickstream event contract', () => {
  it('accepts a valid purchase and defaults the currency', () => {
    const result = validate(clickstreamEventSchema, purchase);
    expect(result).toEqual({ ok: true, value: { ...purchase, currency: 'USD' } });
  });

  it('reports field-level errors with their paths', () => {
    const result = validate(
      clickstreamEventSchema,
      { ...purchase, occurredAt: 'yesterday', items: [{ productId: 'p', quantity: 0, unitPrice: -1 }] },
      ['events', 3],
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.errors.map((e) => e.path).sort();
    expect(paths).toEqual(['events.3.items.0.quantity', 'events.3.items.0.unitPrice', 'events.3.occurredAt']);
  });

  it('rejects an unknown event type', () => {
    const result = validate(clickstreamEventSchema, { ...purchase, type: 'teleport' });
    expect(result.ok).toBe(false);
  });

  it('rejects a review rating outside 1-5 and a time without zone', () => {
    const result = validate(clickstreamEventSchema, {
      eventId: 'e',
      customerId: 'c',
      occurredAt: '2026-11-23T10:00:00',
      type: 'review',
      productId: 'p',
      rating: 6,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path).sort()).toEqual(['occurredAt', 'rating']);
  });

  it('rejects a purchase whose total contradicts its items', () => {
    const result = validate(clickstreamEventSchema, { ...purchase, total: 5 });
    expect(result.ok).toBe(false);
  });
});

describe('validate on deeply nested input', () => {
  it('answers a field error instead of overflowing the stack', () => {
    let nested: unknown = { type: 'page_view' };
    for (let i = 0; i < 100_000; i++) nested = { not: nested };
    const result = validate(clickstreamEventSchema, nested);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: Array(MAX_JSON_DEPTH).fill('not').join('.'),
          message: `nested more than ${MAX_JSON_DEPTH} levels deep`,
        },
      ],
    });
  });

  it('finds the deep value inside arrays, with its path', () => {
    let nested: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) nested = [nested];
    expect(tooDeep({ a: [0, nested] })).toEqual(['a', 1, ...Array(MAX_JSON_DEPTH - 2).fill(0)]);
    expect(tooDeep({ a: { b: 1 } })).toBeNull();
  });
});

describe('text and JSON the stores accept', () => {
  it('refuses NUL and lone surrogates at any depth, keys included', () => {
    expect(isStorableJson({ a: ['ok', { b: 'fine \u00e9 \ud83d\ude00' }] })).toBe(true);
    expect(isStorableJson({ a: ['ok', { b: 'a\u0000b' }] })).toBe(false);
    expect(isStorableJson({ ['\ud800']: 1 })).toBe(false);
    expect(isUnicodeText('\udc00x')).toBe(false);
  });
});
