import type { ClickstreamEvent } from '@cvp/contracts';

/** Small builders of valid clickstream events for the tests of this lib. */
let counter = 0;
const next = () => `e-${++counter}`;

interface Common {
  customerId?: string;
  sessionId?: string;
  eventId?: string;
}

const base = (at: string, options: Common) => ({
  eventId: options.eventId ?? next(),
  customerId: options.customerId ?? 'c-1',
  occurredAt: at,
  ...(options.sessionId ? { sessionId: options.sessionId } : {}),
});

export const pageView = (at: string, options: Common = {}): ClickstreamEvent => ({
  ...base(at, options),
  type: 'page_view',
});

export const productView = (at: string, productId: string, options: Common = {}): ClickstreamEvent => ({
  ...base(at, options),
  type: 'product_view',
  productId,
});

export const addToCart = (at: string, productId: string, options: Common = {}): ClickstreamEvent => ({
  ...base(at, options),
  type: 'add_to_cart',
  productId,
  quantity: 1,
});

export interface Line {
  productId: string;
  category?: string;
  quantity?: number;
  unitPrice: number;
}

export const purchase = (at: string, lines: Line[], options: Common & { total?: number } = {}): ClickstreamEvent => {
  const items = lines.map((line) => ({ ...line, quantity: line.quantity ?? 1 }));
  return {
    ...base(at, options),
    type: 'purchase',
    orderId: `o-${at}`,
    items,
    total: options.total ?? items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0),
    currency: 'USD',
  };
};

export const refund = (at: string, amount: number, options: Common = {}): ClickstreamEvent => ({
  ...base(at, options),
  type: 'refund',
  orderId: 'o-refunded',
  amount,
  currency: 'USD',
});

export const review = (at: string, rating: number, text?: string, options: Common = {}): ClickstreamEvent => ({
  ...base(at, options),
  type: 'review',
  productId: 'p-reviewed',
  rating,
  ...(text === undefined ? {} : { text }),
});

/** ISO instant `days` (fractional) after `from`. */
export const plusDays = (from: string, days: number) => new Date(Date.parse(from) + days * 86_400_000).toISOString();
