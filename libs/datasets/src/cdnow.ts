import type { ClickstreamEvent } from '@cvp/contracts';
import { textLines } from './lib/files';
import type { LoadContext, Loader } from './lib/load-context';
import { parseNumber, parseWholeNumber, roundMoney } from './lib/numbers';
import { TimestampParser } from './lib/time';

/**
 * CDNOW (Fader & Hardie): whitespace-separated columns, one row per purchase day and customer.
 * `CDNOW_master.txt`: `customer_id date number_of_cds dollar_value` (a header line);
 * `CDNOW_sample.txt`: `orig_id new_id date cds dollars` (no header). Dates are `YYYYMMDD` without a time, so a
 * purchase is stamped at midnight of that day (UTC by default, so the calendar day survives in every reading).
 */
export const CDNOW_DEFAULTS = { timeZone: 'UTC', currency: 'USD' } as const;

export function cdnowLoader(path: string, settings: { timeZone: string; currency: string }): Loader {
  return async function* load(context: LoadContext): AsyncGenerator<ClickstreamEvent> {
    const times = new TimestampParser(settings.timeZone);
    for await (const { text, line } of textLines(path)) {
      const fields = text.trim().split(/\s+/);
      if (fields.length === 1 && fields[0] === '') continue; // blank line: not a row
      if (line === 1 && !/^\d/.test(fields[0])) continue; // the master file's header
      context.read();
      const parsed = parseRow(fields, times);
      if (typeof parsed === 'string') {
        context.skip(parsed);
        continue;
      }
      const { customer, date, occurredAt, quantity, amount } = parsed;
      // No order id in CDNOW and same-day rows of a customer may be separate orders: the line number keys it.
      // $0 rows (80 in the master file) are kept: the standard CDNOW protocol counts them as transactions.
      const event = context.accept({
        eventId: `cdnow:${customer}:${date}:${line}`,
        customerId: `cdnow-${customer}`,
        occurredAt,
        type: 'purchase',
        orderId: `cdnow-${customer}-${date}-${line}`,
        items: [{ productId: 'cd', quantity, unitPrice: roundMoney(amount / quantity) }],
        total: roundMoney(amount),
        currency: settings.currency,
      });
      if (event) yield event;
    }
  };
}

interface CdnowRow {
  customer: string;
  date: string;
  occurredAt: string;
  quantity: number;
  amount: number;
}

/** The purchase of a row, or the reason to skip it. */
function parseRow(fields: string[], times: TimestampParser): CdnowRow | string {
  if (fields.length !== 4 && fields.length !== 5) return 'malformed_row';
  // The sample file carries the master file's id first and a 1..2357 renumbering second: keep the master id so
  // both files name a customer alike.
  const [customer, date, cds, dollars] = fields.length === 5 ? [fields[0], ...fields.slice(2)] : fields;
  if (!/^\d+$/.test(customer)) return 'missing_customer_id';
  const occurredAt = /^\d{8}$/.test(date) ? times.parse(date) : undefined;
  if (occurredAt === undefined) return 'bad_date';
  const quantity = parseWholeNumber(cds);
  if (quantity === undefined || quantity < 1) return 'bad_quantity';
  const amount = parseNumber(dollars);
  if (amount === undefined || amount < 0) return 'bad_price';
  return { customer, date, occurredAt, quantity, amount };
}
