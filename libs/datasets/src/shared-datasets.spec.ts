import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { ClickstreamEvent } from '@cvp/contracts';
import type { SummaryRequest, SummaryResponse } from './testing/summarize-dataset';
import { hillstromTestRows, readHillstrom } from './hillstrom';

/**
 * Loads every real dataset of the shared folder (beside the repository root, where CI puts it) and checks the
 * totals against what each SOURCE.md states. No skipping: without the folder these tests fail and say where they
 * looked.
 *
 * Each file is loaded by `src/testing/summarize-dataset.ts` in a child Node process, several at once: inside Jest's
 * sandbox every global lookup (`Math`, `Buffer`) is ~100x slower and csv-parse makes several per byte, which turns
 * the two Online Retail files (~0.5M rows each, ~10 s each in plain Node) into minutes.
 */
const SHARED = path.resolve(__dirname, '../../../../shared/datasets');
const ROOT = path.resolve(__dirname, '../../..');
const SUMMARIZE = path.resolve(__dirname, './testing/summarize-dataset.ts');

function shared(relative: string): string {
  if (!fs.existsSync(SHARED)) {
    throw new Error(
      `the shared datasets folder is missing: looked for ${SHARED} (the shared/ folder beside the repository ` +
        'root, as CI provides it)',
    );
  }
  return path.join(SHARED, relative);
}

const run = promisify(execFile);

async function summarize(request: SummaryRequest): Promise<SummaryResponse> {
  const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', SUMMARIZE, JSON.stringify(request)], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout) as SummaryResponse;
}

/** Runs the requests a few at a time (one per core), largest first. */
async function summarizeAll(requests: Record<string, SummaryRequest>): Promise<Record<string, SummaryResponse>> {
  const queue = Object.entries(requests);
  const results: Record<string, SummaryResponse> = {};
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results[next[0]] = await summarize(next[1]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(4, os.availableParallelism())) }, worker));
  return results;
}

/** Every file of the folder: the format that loads it, or why it holds no events. */
const CATALOGUE: Record<string, string> = {
  'cdnow/SOURCE.md': 'documentation',
  'cdnow/CDNOW_master.txt': 'cdnow',
  'cdnow/CDNOW_sample.txt': 'cdnow',
  'cdnow/cdnow_customers_summary.csv': 'not events: a per-customer RFM summary derived from the sample',
  'cdnow/cdnow_customers_summary_with_transactions.csv': 'not events: the same summary with mean spend',
  'clickstream_rees46_sample/SOURCE.md': 'documentation',
  'clickstream_rees46_sample/rees46_2019-Oct_head.csv': 'rees46',
  'hillstrom_email_uplift/SOURCE.md': 'documentation',
  'hillstrom_email_uplift/hillstrom.csv':
    'not events: a randomised trial, one row per customer (readHillstrom, for cvp evaluate-uplift)',
  'olist_partial/SOURCE.md': 'documentation',
  'olist_partial/olist_order_payments_dataset.csv.gz': 'olist (folder)',
  'olist_partial/olist_order_reviews_dataset_HEAD69.csv': 'olist (folder)',
  'olist_partial/olist_orders_dataset_HEAD4998.csv': 'olist (folder)',
  'olist_partial/olist_products_dataset.csv': 'olist (folder; used when the items table is present)',
  'olist_partial/olist_sellers_dataset.csv': 'not events: sellers, no customer side',
  'olist_partial/product_category_name_translation.csv': 'olist (folder; used with products)',
  'online_retail/SOURCE.md': 'documentation',
  'online_retail/online_retail_I.csv.gz': 'online-retail',
  'online_retail/online_retail_II_2009_2010.csv.gz': 'online-retail',
  'reviews_amazon2018_5core_small/SOURCE.md': 'documentation',
  'reviews_amazon2018_5core_small/AMAZON_FASHION_5.json.gz': 'amazon-reviews',
  'reviews_amazon2018_5core_small/All_Beauty_5.json.gz': 'amazon-reviews',
  'reviews_amazon2018_5core_small/Appliances_5.json.gz': 'amazon-reviews',
  'reviews_amazon2018_5core_small/Gift_Cards_5.json.gz': 'amazon-reviews',
  'reviews_amazon2018_5core_small/Magazine_Subscriptions_5.json.gz': 'amazon-reviews',
  'reviews_amazon2018_5core_small/meta_Gift_Cards.json.gz': 'not events: product metadata, no reviewer or time',
  'reviews_amazon2018_5core_small/meta_Magazine_Subscriptions.json.gz':
    'not events: product metadata, no reviewer or time',
};

/** What every load must satisfy: valid and unique events, and no row lost without a reason. */
function expectSound(summary: SummaryResponse): void {
  expect(summary.invalidEvents).toBe(0);
  expect(summary.duplicateEventIds).toBe(0);
  expect(summary.report.skipped.invalid_event ?? 0).toBe(0);
  const skipped = Object.values(summary.report.skipped).reduce((sum, rows) => sum + rows, 0);
  expect(skipped).toBeLessThanOrEqual(summary.report.rowsRead);
}

const AMAZON: [string, number, number][] = [
  // file, rows, reviewers (SOURCE.md)
  ['AMAZON_FASHION_5', 3_176, 406],
  ['All_Beauty_5', 5_269, 991],
  ['Appliances_5', 2_277, 47],
  ['Gift_Cards_5', 2_972, 458],
  ['Magazine_Subscriptions_5', 2_375, 348],
];

const requests = (): Record<string, SummaryRequest> => ({
  onlineRetailI: {
    format: 'online-retail',
    path: shared('online_retail/online_retail_I.csv.gz'),
    keep: { types: ['purchase'], occurredAtPrefix: '2010-12' },
  },
  onlineRetailII: {
    format: 'online-retail',
    path: shared('online_retail/online_retail_II_2009_2010.csv.gz'),
    keep: { types: ['purchase'], occurredAtPrefix: '2010-12' },
  },
  cdnowMaster: { format: 'cdnow', path: shared('cdnow/CDNOW_master.txt') },
  cdnowSample: { format: 'cdnow', path: shared('cdnow/CDNOW_sample.txt') },
  rees46: { format: 'rees46', path: shared('clickstream_rees46_sample/rees46_2019-Oct_head.csv') },
  olist: { format: 'olist', path: shared('olist_partial'), keep: { types: ['review'] } },
  csv: {
    format: 'csv',
    path: shared('online_retail/online_retail_I.csv.gz'),
    options: {
      columns:
        'customer=CustomerID,time=InvoiceDate,order=InvoiceNo,product=StockCode,quantity=Quantity,price=UnitPrice,' +
        'source=ukretail',
      timeZone: 'Europe/London',
      currency: 'GBP',
      // The whole file is the Online Retail test; 2,000 events keep this one short.
      limit: 2_000,
    },
  },
  ...Object.fromEntries(
    AMAZON.map(([file]) => [
      file,
      { format: 'amazon-reviews', path: shared(`reviews_amazon2018_5core_small/${file}.json.gz`), listCustomers: true },
    ]),
  ),
});

describe('the shared datasets', () => {
  let loaded: Record<string, SummaryResponse>;

  beforeAll(async () => {
    loaded = await summarizeAll(requests());
  }, 180_000);

  it('are where the tests look, and each file is either loaded here or known to hold no events', () => {
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const entry of fs.readdirSync(shared(folder), { withFileTypes: true })) {
        const relative = folder ? `${folder}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(relative);
        // The evaluate commands write their HTML reports next to the data they read: outputs, not datasets.
        else if (!entry.name.endsWith('.html')) files.push(relative);
      }
    };
    walk('');
    expect(files.filter((file) => !(file in CATALOGUE))).toEqual([]);
  });

  it('CDNOW master: 69,659 purchases of 23,570 customers, $2,500,315.63, 1997-01-01 .. 1998-06-30', () => {
    const summary = loaded.cdnowMaster;
    expectSound(summary);
    expect(summary.report).toMatchObject({ rowsRead: 69_659, eventsProduced: 69_659, skipped: {} });
    expect(summary.customers).toBe(23_570);
    expect(summary.purchaseTotal).toBeCloseTo(2_500_315.63, 2);
    expect([summary.firstAt, summary.lastAt]).toEqual(['1997-01-01T00:00:00Z', '1998-06-30T00:00:00Z']);
  });

  it('CDNOW sample: 6,919 purchases of the 2,357 sample customers', () => {
    const summary = loaded.cdnowSample;
    expectSound(summary);
    expect(summary.report).toMatchObject({ rowsRead: 6_919, eventsProduced: 6_919, skipped: {} });
    expect(summary.customers).toBe(2_357);
  });

  it('Online Retail I (2010-12 .. 2011-12): purchases and refunds in GBP, every lost row skipped for a reason', () => {
    const summary = loaded.onlineRetailI;
    expectSound(summary);
    const { report } = summary;
    expect(report.rowsRead).toBe(541_909);
    // SOURCE.md: 135,080 lines without CustomerID, 3 of them the "A" bad-debt adjustments.
    expect(report.skipped.missing_customer_id).toBe(135_077);
    expect(report.skipped.bad_debt_adjustment).toBe(3);
    expect(report.skipped.duplicate_row).toBeGreaterThan(5_000);
    expect(report.skipped.cancelled_without_original).toBeGreaterThan(0);
    expect(summary.eventsByType.purchase).toBeGreaterThan(18_000);
    expect(summary.eventsByType.refund).toBeGreaterThan(3_000);
    expect(summary.customers).toBeGreaterThan(4_300);
    expect(summary.customers).toBeLessThanOrEqual(4_372);
    expect(summary.currencies).toEqual(['GBP']);
    expect([summary.firstAt, summary.lastAt]).toEqual(['2010-12-01T08:26:00Z', '2011-12-09T12:50:00Z']);
  });

  it('Online Retail II (2009-12 .. 2010-12): the other layout, split invoices joined, test rows skipped', () => {
    const summary = loaded.onlineRetailII;
    expectSound(summary);
    const { report } = summary;
    expect(report.rowsRead).toBe(525_461);
    expect(report.skipped.late_order_row).toBeUndefined();
    expect(report.skipped.test_row).toBeGreaterThan(0);
    expect(report.skipped.missing_customer_id).toBeGreaterThan(100_000);
    expect(summary.eventsByType.refund).toBeGreaterThan(3_000);
    expect(summary.customers).toBeLessThanOrEqual(4_383);
    expect([summary.firstAt, summary.lastAt]).toEqual(['2009-12-01T07:45:00Z', '2010-12-09T20:01:00Z']);
  });

  it('Online Retail I and II: the days both hold give the same purchases under the same ids (a pipeline dedupes)', () => {
    const byId = (events: ClickstreamEvent[]) => new Map(events.map((event) => [event.eventId, event] as const));
    const inFirst = byId(loaded.onlineRetailI.kept);
    const inSecond = byId(loaded.onlineRetailII.kept);
    expect(inSecond.size).toBeGreaterThan(700);
    expect([...inSecond.keys()].filter((id) => !inFirst.has(id))).toEqual([]);
    // The two files list some invoices' lines in another order: compare the lines as a set.
    const canonical = (event: ClickstreamEvent | undefined) =>
      event?.type === 'purchase' ? { ...event, items: event.items.map((item) => JSON.stringify(item)).sort() } : event;
    for (const [id, event] of inSecond) expect(canonical(inFirst.get(id))).toEqual(canonical(event));
  });

  it('Olist partial: 4,998 orders (49 never sold), the 6 reviews whose order is there, 56 that have none', () => {
    const summary = loaded.olist;
    expectSound(summary);
    expect(summary.report).toMatchObject({
      rowsRead: 4_998 + 62,
      skipped: { order_canceled: 25, order_unavailable: 24, review_order_not_found: 56 },
    });
    expect(summary.eventsByType).toEqual({ purchase: 4_949, review: 6 });
    expect(summary.currencies).toEqual(['BRL']);
    expect(summary.kept.filter((event) => event.type === 'review' && event.text).length).toBeGreaterThan(0);
  });

  it('REES46: 17,434 rows of views, carts and purchases (5 double-fired rows dropped), 59,442.63 of purchases', () => {
    const summary = loaded.rees46;
    expectSound(summary);
    expect(summary.report).toMatchObject({ rowsRead: 17_434, eventsProduced: 17_429, skipped: { duplicate_row: 5 } });
    expect(summary.eventsByType).toEqual({ product_view: 17_051, add_to_cart: 164, purchase: 214 });
    expect(summary.customers).toBe(4_504);
    expect(summary.purchaseTotal).toBeCloseTo(59_442.63, 2);
    expect([summary.firstAt, summary.lastAt]).toEqual(['2019-10-01T00:00:00Z', '2019-10-01T02:50:00Z']);
  });

  it('Amazon reviews: each file read whole, repeats dropped, 2,244 reviewers across the five', () => {
    const reviewers = new Set<string>();
    for (const [file, rows, fileReviewers] of AMAZON) {
      const summary = loaded[file];
      expectSound(summary);
      expect(summary.report.rowsRead).toBe(rows);
      expect(summary.customers).toBe(fileReviewers);
      expect(summary.eventsByType).toEqual({ review: summary.report.eventsProduced });
      summary.customerIds.forEach((customer) => reviewers.add(customer));
    }
    expect(reviewers.size).toBe(2_244);
  });

  it('Hillstrom: 64,000 customers in three arms; the published split has 19,201 test rows, 3, 6, 8, 11 ... first', async () => {
    const trial = await readHillstrom(shared('hillstrom_email_uplift/hillstrom.csv'));
    expect(trial.arm.length).toBe(64_000);
    expect(trial.featureNames).toHaveLength(11);
    expect(trial.arm.filter((arm) => arm === 'none').length).toBe(21_306);
    expect(trial.outcomes.spend.reduce((sum, value) => sum + value, 0)).toBeCloseTo(67_258.13, 1);
    const test = hillstromTestRows(trial);
    expect(test.filter(Boolean).length).toBe(19_201);
    expect(test.flatMap((isTest, i) => (isTest ? [i] : [])).slice(0, 10)).toEqual([
      3, 6, 8, 11, 16, 19, 24, 27, 29, 32,
    ]);
  });

  it('the generic CSV loader reads a real export with a column mapping (first 2,000 events)', () => {
    const summary = loaded.csv;
    expectSound(summary);
    expect(summary.report.eventsProduced).toBe(2_000);
    expect(summary.eventsByType.purchase).toBeGreaterThan(1_000);
    expect(summary.eventsByType.refund).toBeGreaterThan(0);
    expect(summary.report.skipped.missing_customer_id).toBeGreaterThan(0);
  });
});
