import * as fs from 'node:fs';
import type { ClickstreamEvent } from '@cvp/contracts';
import { AMAZON_REVIEWS_DEFAULTS, amazonReviewsLoader } from './amazon-reviews';
import { CDNOW_DEFAULTS, cdnowLoader } from './cdnow';
import { parseColumnMapping } from './columns';
import { OLIST_DEFAULTS, olistLoader, olistTables } from './olist';
import { ONLINE_RETAIL_DEFAULTS, onlineRetailLayout, onlineRetailLoader } from './online-retail';
import { REES46_DEFAULTS, rees46Layout, rees46Loader } from './rees46';
import { TRANSACTIONS_CSV_DEFAULTS, transactionsLayout, transactionsLoader } from './transactions-csv';
import { makeDataset, type Loader } from './lib/load-context';
import { assertTimeZone } from './lib/time';

export interface LoadReport {
  format: string;
  path: string;
  rowsRead: number;
  eventsProduced: number;
  /** reason -> rows, e.g. missing_customer_id, bad_date, bad_price, duplicate_row, invalid_event. */
  skipped: Record<string, number>;
}

export interface LoaderOptions {
  /** Generic CSV mapping, e.g. "customer=CustomerID,time=InvoiceDate,amount=Total,order=InvoiceNo". */
  columns?: string;
  /** IANA zone for local timestamps without offset (each format has its own default, see README). */
  timeZone?: string;
  /** ISO 4217 code of the amounts (GBP for Online Retail, BRL for Olist, USD otherwise). */
  currency?: string;
  /** Stop after this many events. */
  limit?: number;
}

export interface Dataset {
  /** Streaming, in file order (roughly time order); consume once. */
  events: AsyncIterable<ClickstreamEvent>;
  /** Updated live while iterating; final once the iteration ended. */
  report: LoadReport;
}

export const DATASET_FORMATS: readonly string[] = [
  'cdnow',
  'online-retail',
  'olist',
  'rees46',
  'amazon-reviews',
  'csv',
] as const;

const DEFAULTS: Record<string, { timeZone: string; currency: string }> = {
  cdnow: CDNOW_DEFAULTS,
  'online-retail': ONLINE_RETAIL_DEFAULTS,
  olist: OLIST_DEFAULTS,
  rees46: REES46_DEFAULTS,
  'amazon-reviews': AMAZON_REVIEWS_DEFAULTS,
  csv: TRANSACTIONS_CSV_DEFAULTS,
};

/**
 * Opens a dataset file (a folder for Olist) as a stream of contract-valid events. Checks what can be checked
 * before streaming (format, path, options, header columns) and throws a readable Error; nothing is read until
 * `events` is iterated.
 */
export function openDataset(format: string, path: string, options: LoaderOptions = {}): Dataset {
  if (!DATASET_FORMATS.includes(format)) {
    throw new Error(`unknown dataset format "${format}": use one of ${DATASET_FORMATS.join(', ')}`);
  }
  const settings = settingsOf(format, options);
  checkPath(format, path);
  if (options.columns !== undefined && format !== 'csv') {
    throw new Error(`columns is a mapping for the csv format only, not for ${format}`);
  }
  return makeDataset(format, path, options.limit, loaderOf(format, path, settings, options));
}

function loaderOf(
  format: string,
  path: string,
  settings: { timeZone: string; currency: string },
  options: LoaderOptions,
): Loader {
  switch (format) {
    case 'cdnow':
      return cdnowLoader(path, settings);
    case 'online-retail':
      return onlineRetailLoader(path, settings, onlineRetailLayout(path));
    case 'olist':
      return olistLoader(settings, olistTables(path));
    case 'rees46':
      return rees46Loader(path, settings, rees46Layout(path));
    case 'amazon-reviews':
      return amazonReviewsLoader(path, settings);
    default: {
      const mapping = parseColumnMapping(options.columns);
      return transactionsLoader(path, settings, mapping, transactionsLayout(path, mapping));
    }
  }
}

function settingsOf(format: string, options: LoaderOptions): { timeZone: string; currency: string } {
  const timeZone = options.timeZone ?? DEFAULTS[format].timeZone;
  assertTimeZone(timeZone);
  const currency = options.currency ?? DEFAULTS[format].currency;
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`currency "${currency}" must be an ISO 4217 code such as USD`);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw new Error(`limit must be a whole number of events (0 or more), got ${options.limit}`);
  }
  return { timeZone, currency };
}

function checkPath(format: string, path: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new Error(`${format} dataset not found: ${path}${format === 'olist' ? ' (expected a folder)' : ''}`);
  }
  if (format === 'olist' && !stat.isDirectory()) {
    throw new Error(`the olist dataset is a folder of CSV tables, but ${path} is not a folder`);
  }
  if (format !== 'olist' && !stat.isFile()) throw new Error(`${format} dataset ${path} is not a file`);
}
