import type { ClickstreamEvent } from '@cvp/contracts';
import { columnIndex, csvRecords, readCsvHeader } from './lib/files';
import type { LoadContext, Loader } from './lib/load-context';
import { parseNumber, parseWholeNumber, roundMoney } from './lib/numbers';
import { OrderAssembler, type OrderLine } from './lib/order-assembler';
import { TimestampParser } from './lib/time';
import { COLUMN_KEYS, type ColumnKey, type ColumnMapping } from './columns';

/**
 * Any retailer's transactions export, one row per order line (or per order), described by a column mapping.
 * With an `order` column the rows of an order become one purchase with its line items (and one refund for its
 * negative lines); without one each row is its own order.
 */
export const TRANSACTIONS_CSV_DEFAULTS = { timeZone: 'UTC', currency: 'USD' } as const;

export type ColumnLayout = Partial<Record<ColumnKey, number>>;

/** Positions of the mapped columns in the file's header; throws naming any column the header lacks. */
export function transactionsLayout(path: string, mapping: ColumnMapping): ColumnLayout {
  const header = readCsvHeader(path);
  const layout: ColumnLayout = {};
  for (const key of COLUMN_KEYS) {
    const name = mapping[key];
    if (name === undefined) continue;
    const index = columnIndex(header, name);
    if (index === undefined) {
      throw new Error(`column "${name}" (${key}=) is not in the header of ${path}: ${header.join(', ')}`);
    }
    layout[key] = index;
  }
  return layout;
}

export function transactionsLoader(
  path: string,
  settings: { timeZone: string; currency: string },
  mapping: ColumnMapping,
  layout: ColumnLayout,
): Loader {
  return async function* load(context: LoadContext): AsyncGenerator<ClickstreamEvent> {
    const times = new TimestampParser(settings.timeZone, mapping.dates);
    const orders = new OrderAssembler(context, { eventPrefix: mapping.source, currency: settings.currency });
    const width = Math.max(...Object.values(layout)) + 1;
    for await (const { fields, row: record } of csvRecords(path, () => {
      context.read();
      context.skip('malformed_row');
    })) {
      context.read();
      const row = context.report.rowsRead;
      const parsed = fields.length < width ? 'malformed_row' : parseLine(fields, layout, mapping, times);
      if (typeof parsed === 'string') {
        context.skip(parsed);
      } else if (parsed.order !== undefined) {
        orders.add(parsed.order, parsed.line, row);
      } else {
        // No order column: the row is the order, keyed by its row number so a re-run names it alike.
        orders.add(`row-${record}`, parsed.line, row);
      }
      // yield* would cost an await per row even when nothing closed.
      for (const event of orders.drain(row)) yield event;
    }
    for (const event of orders.finish()) yield event;
  };
}

/** The order line of a row, or the reason to skip it (the first that applies, in this order). */
function parseLine(
  fields: string[],
  layout: ColumnLayout,
  mapping: ColumnMapping,
  times: TimestampParser,
): { order: string | undefined; line: OrderLine } | string {
  const cell = (key: ColumnKey) => {
    const index = layout[key];
    return index === undefined ? undefined : fields[index].trim();
  };
  const customer = cell('customer') ?? '';
  if (customer === '') return 'missing_customer_id';
  const order = cell('order');
  if (order === '') return 'missing_order_id';
  const product = cell('product');
  if (product === '') return 'missing_product_id';
  const occurredAt = times.parse(cell('time') ?? '');
  if (occurredAt === undefined) return 'bad_date';
  const quantityText = cell('quantity');
  const quantity = quantityText === undefined ? 1 : parseWholeNumber(quantityText);
  if (quantity === undefined) return 'bad_quantity';
  if (quantity === 0) return 'zero_quantity';
  const priceText = cell('price');
  const price = priceText === undefined ? undefined : parseNumber(priceText);
  if (priceText !== undefined && price === undefined) return 'bad_price';
  if (price !== undefined && price < 0) return 'negative_price';
  const amountText = cell('amount');
  const amount = amountText === undefined ? undefined : parseNumber(amountText);
  if (amountText !== undefined && amount === undefined) return 'bad_amount';
  // The row's money: the amount column when mapped, else quantity × price. A negative amount or quantity is a return.
  const money = amount ?? quantity * (price as number);
  if (money === 0) return 'zero_amount';
  const refund = money < 0 || quantity < 0;
  const units = Math.abs(quantity);
  const category = cell('category');
  return {
    order,
    line: {
      customerId: `${mapping.source}-${customer}`,
      occurredAt,
      productId: product ?? 'unknown',
      ...(category ? { category } : {}),
      quantity: units,
      unitPrice: roundMoney(price !== undefined ? price : Math.abs(money) / units),
      amount: roundMoney(Math.abs(money)),
      refund,
      rowKey: fields.join('\u0001'),
    },
  };
}
