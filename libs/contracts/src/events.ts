import { z } from 'zod';

/**
 * Clickstream events, as producers publish them to `POST /v1/events` and as they travel on
 * `cvp.events.v1` (Kafka key = customerId, so one customer's events stay in order).
 */

/** A NUL character, or a UTF-16 surrogate without its pair (not Unicode text: PostgreSQL and JSON tools refuse it). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this pattern is for
const NOT_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when PostgreSQL (text and jsonb) and JSON tools accept the string: no NUL, no lone surrogate. */
export function isUnicodeText(value: string): boolean {
  return !NOT_TEXT.test(value);
}

/** Free text as the stores accept it: refused (never silently cleaned) when it holds NUL or a lone surrogate. */
export const unicodeText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine(isUnicodeText, 'must be Unicode text without NUL characters or lone surrogates');
const text = unicodeText;

/** True when every key and string inside a JSON value is Unicode text (what a jsonb column stores). */
export function isStorableJson(value: unknown): boolean {
  if (typeof value === 'string') return isUnicodeText(value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, inner]) => isUnicodeText(key) && isStorableJson(inner));
  }
  return true;
}

const id = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(128, `${what} must be at most 128 characters`)
    .refine((value) => !NOT_TEXT.test(value), `${what} must be Unicode text without NUL characters or lone surrogates`);

/** ISO 8601 with an explicit offset or Z; stored as given, compared as instants. */
export const isoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-23T10:15:00Z',
});

/** The earliest event time accepted; the latest is a skew past the clock, checked by ingest (INGEST_MAX_FUTURE_SKEW_SECONDS). */
export const EARLIEST_EVENT_TIME = '1970-01-01T00:00:00Z';
const eventTime = isoDateTime.refine(
  // A value that is no date-time at all has its error already.
  (value) => !(Date.parse(value) < Date.parse(EARLIEST_EVENT_TIME)),
  `must not be before ${EARLIEST_EVENT_TIME}`,
);

/** The largest amount of one event: sums of many stay inside the stores' DECIMAL(14, 2) columns. */
export const MAX_AMOUNT = 1_000_000_000;
const money = z
  .number({ error: 'must be a number' })
  .finite()
  .nonnegative('must not be negative')
  .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);

const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
  .default('USD');

const base = {
  eventId: id('eventId'),
  customerId: id('customerId'),
  occurredAt: eventTime,
  sessionId: id('sessionId').optional(),
};

export const lineItemSchema = z.object({
  productId: id('productId'),
  category: text(256).trim().optional(),
  quantity: z.number().int('must be a whole number').positive('must be at least 1'),
  unitPrice: money,
});
export type LineItem = z.infer<typeof lineItemSchema>;

export const pageViewSchema = z.object({
  ...base,
  type: z.literal('page_view'),
  url: text(2048).optional(),
});

export const productViewSchema = z.object({
  ...base,
  type: z.literal('product_view'),
  productId: id('productId'),
  category: text(256).trim().optional(),
  price: money.optional(),
});

export const addToCartSchema = z.object({
  ...base,
  type: z.literal('add_to_cart'),
  productId: id('productId'),
  category: text(256).trim().optional(),
  quantity: z.number().int().positive().default(1),
  unitPrice: money.optional(),
});

export const removeFromCartSchema = z.object({
  ...base,
  type: z.literal('remove_from_cart'),
  productId: id('productId'),
  quantity: z.number().int().positive().default(1),
});

export const checkoutStartedSchema = z.object({
  ...base,
  type: z.literal('checkout_started'),
  cartValue: money.optional(),
});

export const purchaseSchema = z
  .object({
    ...base,
    type: z.literal('purchase'),
    orderId: id('orderId'),
    items: z.array(lineItemSchema).min(1, 'a purchase has at least one line item').max(1000),
    total: money,
    currency,
  })
  .superRefine((purchase, ctx) => {
    const itemsTotal = purchase.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
    // Totals may include shipping or discounts, but never more than the items and never a different order of magnitude.
    if (purchase.total > itemsTotal * 10 + 1000 || (itemsTotal > 0 && purchase.total < itemsTotal * 0.1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['total'],
        message: `total ${purchase.total} is inconsistent with the line items (${itemsTotal.toFixed(2)})`,
      });
    }
  });

export const refundSchema = z.object({
  ...base,
  type: z.literal('refund'),
  orderId: id('orderId'),
  amount: money.positive('must be greater than zero'),
  currency,
});

export const reviewSchema = z.object({
  ...base,
  type: z.literal('review'),
  productId: id('productId'),
  rating: z.number().int('must be a whole number').min(1, 'must be 1 to 5').max(5, 'must be 1 to 5'),
  text: text(20_000).optional(),
});

export const EVENT_TYPES = [
  'page_view',
  'product_view',
  'add_to_cart',
  'remove_from_cart',
  'checkout_started',
  'purchase',
  'refund',
  'review',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const clickstreamEventSchema = z.discriminatedUnion('type', [
  pageViewSchema,
  productViewSchema,
  addToCartSchema,
  removeFromCartSchema,
  checkoutStartedSchema,
  purchaseSchema,
  refundSchema,
  reviewSchema,
]);

export type ClickstreamEvent = z.infer<typeof clickstreamEventSchema>;
export type PurchaseEvent = z.infer<typeof purchaseSchema>;
export type RefundEvent = z.infer<typeof refundSchema>;
export type ReviewEvent = z.infer<typeof reviewSchema>;
