import type { DateOrder } from './lib/time';

/**
 * The `--columns` mapping of the generic transactions CSV: `key=Column Name` pairs separated by commas.
 * Column keys: customer, time (required), amount and/or price (one required), order, product, quantity, category.
 * Setting keys: `source=<name>` (prefix of ids, default `csv`), `dates=mdy|dmy` (how to read `1/2/2020`).
 */
export interface ColumnMapping {
  customer: string;
  time: string;
  amount?: string;
  order?: string;
  product?: string;
  quantity?: string;
  price?: string;
  category?: string;
  source: string;
  dates: DateOrder;
}

export const COLUMN_KEYS = ['customer', 'time', 'amount', 'order', 'product', 'quantity', 'price', 'category'] as const;
export type ColumnKey = (typeof COLUMN_KEYS)[number];
const SETTING_KEYS = ['source', 'dates'] as const;

const EXAMPLE = 'customer=CustomerID,time=InvoiceDate,amount=Total,order=InvoiceNo';

export function parseColumnMapping(text: string | undefined): ColumnMapping {
  if (text === undefined || text.trim() === '') {
    throw new Error(`the csv format needs a column mapping (columns), e.g. "${EXAMPLE}"`);
  }
  const entries = new Map<string, string>();
  for (const pair of text.split(',')) {
    const equals = pair.indexOf('=');
    const key = (equals < 0 ? pair : pair.slice(0, equals)).trim();
    const value = equals < 0 ? '' : pair.slice(equals + 1).trim();
    if (equals < 0 || value === '') {
      throw new Error(`bad column mapping "${pair.trim()}" in "${text}": write key=Column, e.g. "${EXAMPLE}"`);
    }
    if (![...COLUMN_KEYS, ...SETTING_KEYS].includes(key as ColumnKey)) {
      throw new Error(
        `unknown key "${key}" in column mapping "${text}": use ${COLUMN_KEYS.join(', ')} (columns) or ` +
          `${SETTING_KEYS.join(', ')} (settings)`,
      );
    }
    if (entries.has(key)) throw new Error(`key "${key}" appears twice in column mapping "${text}"`);
    entries.set(key, value);
  }
  const missing = ['customer', 'time'].filter((key) => !entries.has(key));
  if (missing.length > 0) throw new Error(`column mapping "${text}" lacks ${missing.join(' and ')}, e.g. "${EXAMPLE}"`);
  if (!entries.has('amount') && !entries.has('price')) {
    throw new Error(`column mapping "${text}" needs amount= (money of the row) or price= (unit price, with quantity=)`);
  }
  const source = entries.get('source') ?? 'csv';
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/i.test(source)) {
    throw new Error(`source "${source}" in column mapping must be 1-32 letters, digits, "-" or "_"`);
  }
  const dates = entries.get('dates') ?? 'mdy';
  if (dates !== 'mdy' && dates !== 'dmy') throw new Error(`dates "${dates}" in column mapping must be mdy or dmy`);
  const mapping: ColumnMapping = { customer: '', time: '', source, dates };
  for (const key of COLUMN_KEYS) {
    const column = entries.get(key);
    if (column !== undefined) mapping[key] = column;
  }
  return mapping;
}
