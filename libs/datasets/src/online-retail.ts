import type { ClickstreamEvent } from '@cvp/contracts';
import { columnIndex, csvRecords, readCsvHeader } from './lib/files';
import type { LoadContext, Loader } from './lib/load-context';
import { parseNumber, parseWholeNumber, roundMoney } from './lib/numbers';
import { OrderAssembler, type OrderLine } from './lib/order-assembler';
import { TimestampParser } from './lib/time';

/**
 * UCI Online Retail (I: `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country`) and
 * Online Retail II (`Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country`): one row per
 * invoice line. The lines of an invoice become one purchase; a `C` invoice (cancellation) or a negative quantity
 * becomes a refund of |quantity × price|.
 */
export const ONLINE_RETAIL_DEFAULTS = { timeZone: 'Europe/London', currency: 'GBP' } as const;

const LAYOUT = {
  invoice: ['InvoiceNo', 'Invoice'],
  stockCode: ['StockCode'],
  quantity: ['Quantity'],
  date: ['InvoiceDate'],
  price: ['UnitPrice', 'Price'],
  customer: ['CustomerID', 'Customer ID'],
} as const;
type Field = keyof typeof LAYOUT;

/** Stock codes that are not merchandise, tagged so feature code can tell postage or fees from goods. */
function nonMerchandiseCategory(stockCode: string): string | undefined {
  const code = stockCode.toUpperCase();
  if (code === 'POST' || code === 'DOT' || code === 'C2') return 'postage';
  if (code === 'D') return 'discount';
  if (code === 'M') return 'manual';
  if (code === 'S') return 'samples';
  if (code === 'BANK CHARGES' || code === 'AMAZONFEE' || code === 'CRUK') return 'fees';
  if (code.startsWith('ADJUST')) return 'adjustment';
  if (code.startsWith('GIFT_')) return 'gift_voucher';
  return undefined;
}

export function onlineRetailLayout(path: string): Record<Field, number> {
  const header = readCsvHeader(path);
  const layout = {} as Record<Field, number>;
  for (const [field, names] of Object.entries(LAYOUT) as [Field, readonly string[]][]) {
    const index = names.map((name) => columnIndex(header, name)).find((found) => found !== undefined);
    if (index === undefined) {
      throw new Error(
        `${path} is not an Online Retail file: no ${names.map((name) => `"${name}"`).join(' or ')} column ` +
          `(header: ${header.join(',')}; expected Online Retail I or II columns)`,
      );
    }
    layout[field] = index;
  }
  return layout;
}

export function onlineRetailLoader(
  path: string,
  settings: { timeZone: string; currency: string },
  layout: Record<Field, number>,
): Loader {
  return async function* load(context: LoadContext): AsyncGenerator<ClickstreamEvent> {
    const times = new TimestampParser(settings.timeZone);
    const orders = new OrderAssembler(context, { eventPrefix: 'online-retail', currency: settings.currency });
    const width = Math.max(...Object.values(layout)) + 1;
    for await (const { fields } of csvRecords(path, () => {
      context.read();
      context.skip('malformed_row');
    })) {
      context.read();
      const row = context.report.rowsRead;
      const parsed = fields.length < width ? 'malformed_row' : parseLine(fields, layout, times);
      if (typeof parsed === 'string') context.skip(parsed);
      else orders.add(parsed.invoice, parsed.line, row);
      // yield* would cost an await per row even when nothing closed.
      for (const event of orders.drain(row)) yield event;
    }
    for (const event of orders.finish()) yield event;
  };
}

/** The order line of a row, or the reason to skip it (the first that applies, in this order). */
function parseLine(
  fields: string[],
  layout: Record<Field, number>,
  times: TimestampParser,
): { invoice: string; line: OrderLine } | string {
  const invoice = fields[layout.invoice].trim();
  const stockCode = fields[layout.stockCode].trim();
  const customer = normaliseCustomerId(fields[layout.customer]);
  if (invoice === '') return 'missing_order_id';
  // "A" invoices are the accountant's "Adjust bad debt" entries, not sales.
  if (/^A/i.test(invoice)) return 'bad_debt_adjustment';
  if (/^TEST/i.test(stockCode)) return 'test_row';
  if (customer === '') return 'missing_customer_id';
  if (stockCode === '') return 'missing_product_id';
  const occurredAt = times.parse(fields[layout.date]);
  if (occurredAt === undefined) return 'bad_date';
  const quantity = parseWholeNumber(fields[layout.quantity]);
  if (quantity === undefined) return 'bad_quantity';
  if (quantity === 0) return 'zero_quantity';
  const price = parseNumber(fields[layout.price]);
  if (price === undefined) return 'bad_price';
  if (price < 0) return 'negative_price';
  if (price === 0) return 'zero_price';
  const category = nonMerchandiseCategory(stockCode);
  return {
    invoice,
    line: {
      customerId: `ukretail-${customer}`,
      occurredAt,
      productId: stockCode,
      ...(category ? { category } : {}),
      quantity: Math.abs(quantity),
      unitPrice: price,
      amount: roundMoney(Math.abs(quantity) * price),
      refund: /^C/i.test(invoice) || quantity < 0,
      rowKey: fields.join('\u0001'),
    },
  };
}

/** `17850`, `17850.0` and ` 17850 ` are the same customer. */
function normaliseCustomerId(text: string): string {
  return text.trim().replace(/\.0+$/, '');
}
