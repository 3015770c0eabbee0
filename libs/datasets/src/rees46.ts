import type { ClickstreamEvent } from '@cvp/contracts';
import { columnIndex, csvRecords, readCsvHeader } from './lib/files';
import type { LoadContext, Loader } from './lib/load-context';
import { compact } from './lib/compact';
import { parseNumber } from './lib/numbers';
import { RecentKeys } from './lib/recent-keys';
import { TimestampParser } from './lib/time';

/**
 * REES46 "eCommerce behavior data from multi category store" (Kaggle, Open CDP): one row per event,
 * `event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session`, times in UTC
 * (`2019-10-01 00:00:04 UTC`). view → product_view, cart → add_to_cart, remove_from_cart → remove_from_cart,
 * purchase → a one-item purchase.
 */
export const REES46_DEFAULTS = { timeZone: 'UTC', currency: 'USD' } as const;

const REQUIRED = ['event_time', 'event_type', 'product_id', 'price', 'user_id'] as const;
const OPTIONAL = ['category_id', 'category_code', 'user_session'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

export function rees46Layout(path: string): Record<Column, number | undefined> {
  const header = readCsvHeader(path);
  const layout = {} as Record<Column, number | undefined>;
  for (const name of [...REQUIRED, ...OPTIONAL]) layout[name] = columnIndex(header, name);
  const missing = REQUIRED.filter((name) => layout[name] === undefined);
  if (missing.length > 0) {
    throw new Error(`${path} is not a REES46 event log: no ${missing.join(', ')} column (header: ${header.join(',')})`);
  }
  return layout;
}

const TYPES: Record<string, ClickstreamEvent['type']> = {
  view: 'product_view',
  cart: 'add_to_cart',
  remove_from_cart: 'remove_from_cart',
  purchase: 'purchase',
};

export function rees46Loader(
  path: string,
  settings: { timeZone: string; currency: string },
  layout: Record<Column, number | undefined>,
): Loader {
  return async function* load(context: LoadContext): AsyncGenerator<ClickstreamEvent> {
    const times = new TimestampParser(settings.timeZone);
    // The log is in time order and a double-fired event repeats its row within the same second: a window of
    // recent rows finds exact duplicates in bounded memory.
    const recentRows = new RecentKeys(50_000);
    const cell = (fields: string[], column: Column) => {
      const index = layout[column];
      return index === undefined ? '' : (fields[index] ?? '').trim();
    };
    const width = Math.max(...REQUIRED.map((name) => layout[name] ?? 0)) + 1;
    for await (const { fields, row: record } of csvRecords(path, () => {
      context.read();
      context.skip('malformed_row');
    })) {
      context.read();
      if (fields.length < width) {
        context.skip('malformed_row');
        continue;
      }
      const parsed = parseRow(fields, cell, times);
      if (typeof parsed === 'string') {
        context.skip(parsed);
        continue;
      }
      const rowKey = fields.join('\u0001');
      if (recentRows.has(rowKey)) {
        context.skip('duplicate_row');
        continue;
      }
      const { type, customer, productId, occurredAt, price } = parsed;
      const sessionId = cell(fields, 'user_session') || undefined;
      const category = cell(fields, 'category_code') || cell(fields, 'category_id') || undefined;
      // A price of 0 on a view or cart means "not known", not "free".
      const knownPrice = price || undefined;
      const base = {
        eventId: `rees46:${record}`,
        customerId: `rees46-${customer}`,
        occurredAt,
        ...(sessionId ? { sessionId } : {}),
      };
      let candidate: unknown;
      if (type === 'product_view') {
        candidate = compact({ ...base, type, productId, category, price: knownPrice });
      } else if (type === 'add_to_cart') {
        candidate = compact({ ...base, type, productId, category, quantity: 1, unitPrice: knownPrice });
      } else if (type === 'remove_from_cart') {
        candidate = { ...base, type, productId, quantity: 1 };
      } else {
        // No order id in the log: session, second and product name the order, the same on every run.
        const second = Math.floor(Date.parse(occurredAt) / 1000);
        candidate = {
          ...base,
          type,
          orderId: `${sessionId ?? customer}-${second}-${productId}`,
          items: [compact({ productId, category, quantity: 1, unitPrice: price })],
          total: price,
          currency: settings.currency,
        };
      }
      const event = context.accept(candidate);
      if (!event) continue;
      recentRows.add(rowKey);
      yield event;
    }
  };
}

interface Rees46Row {
  type: ClickstreamEvent['type'];
  customer: string;
  productId: string;
  occurredAt: string;
  /** Absent when the cell is empty. */
  price: number | undefined;
}

/** The event fields of a row, or the reason to skip it. */
function parseRow(
  fields: string[],
  cell: (fields: string[], column: Column) => string,
  times: TimestampParser,
): Rees46Row | string {
  const type = TYPES[cell(fields, 'event_type')];
  if (type === undefined) return 'unknown_event_type';
  const customer = cell(fields, 'user_id');
  if (customer === '') return 'missing_customer_id';
  const productId = cell(fields, 'product_id');
  if (productId === '') return 'missing_product_id';
  const occurredAt = times.parse(cell(fields, 'event_time'));
  if (occurredAt === undefined) return 'bad_date';
  const priceText = cell(fields, 'price');
  const price = priceText === '' ? undefined : parseNumber(priceText);
  if ((priceText !== '' && (price === undefined || price < 0)) || (type === 'purchase' && price === undefined)) {
    return 'bad_price';
  }
  if (type === 'purchase' && price === 0) return 'zero_price';
  return { type, customer, productId, occurredAt, price };
}
