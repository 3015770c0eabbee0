import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { compact } from './lib/compact';
import { columnIndex, csvRecords, readCsvHeader } from './lib/files';
import type { LoadContext, Loader } from './lib/load-context';
import { parseNumber, roundMoney } from './lib/numbers';
import { RecentKeys } from './lib/recent-keys';
import { TimestampParser } from './lib/time';

/**
 * Olist Brazilian E-Commerce (Kaggle `olistbr/brazilian-ecommerce`): a folder of CSV tables (plain or gzip,
 * names may carry a suffix such as `_HEAD4998`). The orders table streams; the others are lookups held in memory
 * (payments, items, customers, reviews, products, category translation — each ~100k rows at most).
 * Each order becomes a purchase (total = its payments, else its items plus freight) and each of its reviews a
 * review event of the order's customer.
 */
export const OLIST_DEFAULTS = { timeZone: 'America/Sao_Paulo', currency: 'BRL' } as const;

const TABLES = {
  orders: 'olist_orders_dataset',
  payments: 'olist_order_payments_dataset',
  items: 'olist_order_items_dataset',
  reviews: 'olist_order_reviews_dataset',
  customers: 'olist_customers_dataset',
  products: 'olist_products_dataset',
  translation: 'product_category_name_translation',
} as const;
type Table = keyof typeof TABLES;

const COLUMNS: Record<Table, readonly string[]> = {
  orders: ['order_id', 'customer_id', 'order_status', 'order_purchase_timestamp'],
  payments: ['order_id', 'payment_value'],
  items: ['order_id', 'product_id', 'price', 'freight_value'],
  reviews: [
    'review_id',
    'order_id',
    'review_score',
    'review_comment_title',
    'review_comment_message',
    'review_creation_date',
    'review_answer_timestamp',
  ],
  customers: ['customer_id', 'customer_unique_id'],
  products: ['product_id', 'product_category_name'],
  translation: ['product_category_name', 'product_category_name_english'],
};

/** Orders in these states never became a sale. */
const NOT_SOLD: Record<string, string> = { canceled: 'order_canceled', unavailable: 'order_unavailable' };

/** Stands in for the product when the items table is absent (the partial copy has none). */
export const OLIST_UNKNOWN_PRODUCT = 'unknown';

export type OlistTables = Partial<Record<Table, { path: string; columns: number[] }>>;

/** Finds the tables in the folder and checks their headers; throws when the folder cannot make events. */
export function olistTables(folder: string): OlistTables {
  const files = fs.readdirSync(folder).sort();
  const tables: OlistTables = {};
  for (const [table, stem] of Object.entries(TABLES) as [Table, string][]) {
    const matches = files.filter((file) => file.startsWith(stem) && /\.csv(\.gz)?$/i.test(file));
    if (matches.length > 1) throw new Error(`${folder}: more than one ${stem} table (${matches.join(', ')})`);
    if (matches.length === 0) continue;
    const path = nodePath.join(folder, matches[0]);
    const header = readCsvHeader(path);
    const columns = COLUMNS[table].map((name) => columnIndex(header, name));
    const missing = COLUMNS[table].filter((_, index) => columns[index] === undefined);
    if (missing.length > 0) throw new Error(`${path}: no ${missing.join(', ')} column (header: ${header.join(',')})`);
    tables[table] = { path, columns: columns as number[] };
  }
  if (!tables.orders) throw new Error(`${folder} has no ${TABLES.orders}*.csv[.gz]: not an Olist folder`);
  if (!tables.payments && !tables.items) {
    throw new Error(`${folder} has neither ${TABLES.payments} nor ${TABLES.items}: order totals cannot be known`);
  }
  return tables;
}

interface OrderItems {
  /** Per product: units (one row per unit in Olist) and unit price. */
  products: Map<string, { quantity: number; unitPrice: number }>;
  total: number;
  bad: boolean;
}

interface Review {
  reviewId: string;
  score: string;
  title: string;
  message: string;
  created: string;
  answered: string;
}

export function olistLoader(settings: { timeZone: string; currency: string }, tables: OlistTables): Loader {
  return async function* load(context: LoadContext): AsyncGenerator<ClickstreamEvent> {
    const times = new TimestampParser(settings.timeZone);
    const lookups = await loadLookups(tables, context);
    const seenOrders = new RecentKeys(1_000_000);
    const orders = tables.orders as { path: string; columns: number[] };
    const [orderIdAt, customerAt, statusAt, purchasedAt] = orders.columns;
    const width = Math.max(...orders.columns) + 1;
    for await (const { fields } of csvRecords(orders.path, () => {
      context.read();
      context.skip('malformed_row');
    })) {
      context.read();
      if (fields.length < width) {
        context.skip('malformed_row');
        continue;
      }
      const orderId = fields[orderIdAt].trim();
      const customerKey = fields[customerAt].trim();
      if (orderId === '') {
        context.skip('missing_order_id');
        continue;
      }
      if (seenOrders.has(orderId)) {
        context.skip('duplicate_row');
        continue;
      }
      seenOrders.add(orderId);
      const reviews = lookups.reviews.get(orderId) ?? [];
      lookups.reviews.delete(orderId);
      context.read(reviews.length);
      const customer = resolveCustomer(customerKey, lookups.customers);
      if (customer === undefined) {
        const reason = customerKey === '' ? 'missing_customer_id' : 'unknown_customer';
        context.skip(reason, 1 + reviews.length);
        continue;
      }
      const order: OrderContext = { orderId, customerId: customer, lookups, times, currency: settings.currency };
      const purchase = purchaseOf(order, fields[statusAt].trim(), fields[purchasedAt]);
      if (typeof purchase === 'string') {
        context.skip(purchase);
      } else {
        const event = context.accept(purchase);
        if (event) yield event;
      }
      for (const review of reviews) {
        const candidate = reviewOf(order, review);
        if (typeof candidate === 'string') {
          context.skip(candidate);
        } else {
          const event = context.accept(candidate);
          if (event) yield event;
        }
      }
    }
    // Reviews of orders that are not in the orders table (the partial copy holds the first rows of each file):
    // without the order there is no customer.
    let orphans = 0;
    for (const reviews of lookups.reviews.values()) orphans += reviews.length;
    context.read(orphans);
    context.skip('review_order_not_found', orphans);
  };
}

interface OrderContext {
  orderId: string;
  customerId: string;
  lookups: Lookups;
  times: TimestampParser;
  currency: string;
}

/** The purchase event of an order row, or the reason to skip it. */
function purchaseOf(order: OrderContext, status: string, purchased: string): object | string {
  if (NOT_SOLD[status]) return NOT_SOLD[status];
  const occurredAt = order.times.parse(purchased);
  if (occurredAt === undefined) return 'bad_date';
  const paid = order.lookups.payments?.get(order.orderId);
  if (paid !== undefined && Number.isNaN(paid)) return 'bad_payment';
  const items = order.lookups.items?.get(order.orderId);
  if (items?.bad) return 'bad_price';
  const total = paid ?? items?.total;
  if (total === undefined) return 'missing_payment';
  return {
    eventId: `olist:${order.orderId}`,
    customerId: order.customerId,
    occurredAt,
    type: 'purchase',
    orderId: order.orderId,
    items: items
      ? [...items.products].map(([productId, { quantity, unitPrice }]) =>
          compact({ productId, category: order.lookups.categories.get(productId), quantity, unitPrice }),
        )
      : [{ productId: OLIST_UNKNOWN_PRODUCT, quantity: 1, unitPrice: roundMoney(total) }],
    total: roundMoney(total),
    currency: order.currency,
  };
}

/** The review event of a review row, or the reason to skip it. */
function reviewOf(order: OrderContext, review: Review): object | string {
  if (!/^\s*[1-5]\s*$/.test(review.score)) return 'bad_rating';
  // Answered is when the customer wrote it; created is when the survey went out (a day, no time).
  const occurredAt = order.times.parse(review.answered) ?? order.times.parse(review.created);
  if (occurredAt === undefined) return 'bad_date';
  const text = [review.title.trim(), review.message.trim()].filter(Boolean).join('\n');
  const items = order.lookups.items?.get(order.orderId);
  // Olist reviews an order, not a product: the order's first product stands for it.
  const productId = items?.products.keys().next().value ?? OLIST_UNKNOWN_PRODUCT;
  return compact({
    eventId: `olist:review:${review.reviewId}:${order.orderId}`,
    customerId: order.customerId,
    occurredAt,
    type: 'review',
    productId,
    rating: Number(review.score),
    text: text.slice(0, 20_000) || undefined,
  });
}

/**
 * The customer id of an order: `olist-u-<customer_unique_id>` when the customers table is there (one per person,
 * so repeat buyers are visible), else `olist-c-<customer_id>` (Olist issues a new customer_id for every order).
 */
function resolveCustomer(customerKey: string, customers: Map<string, string> | undefined): string | undefined {
  if (customerKey === '') return undefined;
  if (!customers) return `olist-c-${customerKey}`;
  const unique = customers.get(customerKey);
  return unique ? `olist-u-${unique}` : undefined;
}

interface Lookups {
  payments?: Map<string, number>;
  items?: Map<string, OrderItems>;
  customers?: Map<string, string>;
  categories: Map<string, string>;
  reviews: Map<string, Review[]>;
}

async function loadLookups(tables: OlistTables, context: LoadContext): Promise<Lookups> {
  // Review rows are rows of the dataset (counted when their order comes by); rows of the other tables are not,
  // so a row of theirs that cannot be read is counted under its own reason.
  const malformed = (table: Table) => () =>
    table === 'reviews' ? (context.read(), context.skip('malformed_row')) : context.skip(`malformed_${table}_row`);
  const rows = async function* (table: Table) {
    const found = tables[table];
    if (!found) return;
    const width = Math.max(...found.columns) + 1;
    for await (const { fields } of csvRecords(found.path, malformed(table))) {
      if (fields.length < width) malformed(table)();
      else yield found.columns.map((at) => fields[at]);
    }
  };
  const lookups: Lookups = { categories: new Map(), reviews: new Map() };
  if (tables.payments) {
    lookups.payments = new Map();
    for await (const [orderId, value] of rows('payments')) {
      const amount = parseNumber(value);
      const sum = (lookups.payments.get(orderId.trim()) ?? 0) + (amount === undefined || amount < 0 ? NaN : amount);
      lookups.payments.set(orderId.trim(), sum);
    }
  }
  if (tables.items) {
    lookups.items = new Map();
    for await (const [orderId, productId, priceText, freightText] of rows('items')) {
      const order = lookups.items.get(orderId.trim()) ?? { products: new Map(), total: 0, bad: false };
      lookups.items.set(orderId.trim(), order);
      const price = parseNumber(priceText);
      const freight = freightText.trim() === '' ? 0 : parseNumber(freightText);
      if (price === undefined || price < 0 || freight === undefined || freight < 0 || productId.trim() === '') {
        order.bad = true;
        continue;
      }
      const product = order.products.get(productId.trim()) ?? { quantity: 0, unitPrice: price };
      product.quantity += 1;
      order.products.set(productId.trim(), product);
      order.total += price + freight;
    }
    const english = new Map<string, string>();
    for await (const [name, translated] of rows('translation')) english.set(name.trim(), translated.trim());
    for await (const [productId, name] of rows('products')) {
      const category = english.get(name.trim()) || name.trim();
      if (category) lookups.categories.set(productId.trim(), category);
    }
  }
  if (tables.customers) {
    lookups.customers = new Map();
    for await (const [customerId, unique] of rows('customers')) {
      if (unique.trim()) lookups.customers.set(customerId.trim(), unique.trim());
    }
  }
  for await (const [reviewId, orderId, score, title, message, created, answered] of rows('reviews')) {
    const list = lookups.reviews.get(orderId.trim()) ?? [];
    list.push({ reviewId: reviewId.trim(), score, title, message, created, answered });
    lookups.reviews.set(orderId.trim(), list);
  }
  return lookups;
}
