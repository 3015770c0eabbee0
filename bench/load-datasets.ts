/**
 * Loads every dataset of ../shared/datasets once and prints, per file, the load report (rows read, events,
 * rows skipped by reason), the time it took and the events per second.
 *
 *   node -r @swc-node/register bench/load-datasets.ts [shared-datasets-folder]
 */
import * as path from 'node:path';
import { openDataset, summarizeDataset, type LoaderOptions } from '@cvp/datasets';

const ONLINE_RETAIL_AS_CSV =
  'customer=CustomerID,time=InvoiceDate,order=InvoiceNo,product=StockCode,quantity=Quantity,price=UnitPrice,' +
  'source=ukretail-csv';

const RUNS: [string, string, LoaderOptions?][] = [
  ['cdnow', 'cdnow/CDNOW_master.txt'],
  ['cdnow', 'cdnow/CDNOW_sample.txt'],
  ['online-retail', 'online_retail/online_retail_I.csv.gz'],
  ['online-retail', 'online_retail/online_retail_II_2009_2010.csv.gz'],
  ['olist', 'olist_partial'],
  ['rees46', 'clickstream_rees46_sample/rees46_2019-Oct_head.csv'],
  ['amazon-reviews', 'reviews_amazon2018_5core_small/AMAZON_FASHION_5.json.gz'],
  ['amazon-reviews', 'reviews_amazon2018_5core_small/All_Beauty_5.json.gz'],
  ['amazon-reviews', 'reviews_amazon2018_5core_small/Appliances_5.json.gz'],
  ['amazon-reviews', 'reviews_amazon2018_5core_small/Gift_Cards_5.json.gz'],
  ['amazon-reviews', 'reviews_amazon2018_5core_small/Magazine_Subscriptions_5.json.gz'],
  [
    'csv',
    'online_retail/online_retail_I.csv.gz',
    { columns: ONLINE_RETAIL_AS_CSV, timeZone: 'Europe/London', currency: 'GBP' },
  ],
];

async function main(): Promise<void> {
  const folder = path.resolve(process.argv[2] ?? path.join(__dirname, '../../shared/datasets'));
  console.log(`node ${process.version}, ${folder}`);
  for (const [format, file, options] of RUNS) {
    const summary = await summarizeDataset(openDataset(format, path.join(folder, file), options));
    const { report } = summary;
    const skipped = Object.entries(report.skipped)
      .sort(([, a], [, b]) => b - a)
      .map(([reason, rows]) => `${reason} ${rows}`)
      .join(', ');
    console.log(
      `${format.padEnd(14)} ${file.padEnd(62)} rows ${String(report.rowsRead).padStart(7)}  ` +
        `events ${String(report.eventsProduced).padStart(6)}  ${summary.seconds.toFixed(2).padStart(6)} s  ` +
        `${String(summary.eventsPerSecond).padStart(6)} ev/s  ` +
        `${JSON.stringify(summary.eventsByType)}  customers ${summary.customers}  skipped: ${skipped || 'none'}`,
    );
    if (summary.invalidEvents || summary.duplicateEventIds) {
      throw new Error(`${file}: ${summary.invalidEvents} invalid events, ${summary.duplicateEventIds} duplicate ids`);
    }
  }
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
