import * as path from 'node:path';
import { clickstreamEventSchema, type ClickstreamEvent } from '@cvp/contracts';
import { DATASET_FORMATS, openDataset, type Dataset } from './loader';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
async function collect(dataset: Dataset): Promise<ClickstreamEvent[]> {
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  return events;
}

const EVERY_FIXTURE: [string, string, string | undefined][] = [
  ['cdnow', 'cdnow_master.txt', undefined],
  ['cdnow', 'cdnow_sample.txt', undefined],
  ['online-retail', 'online_retail_I.csv', undefined],
  ['online-retail', 'online_retail_II.csv.gz', undefined],
  ['olist', 'olist-partial', undefined],
  ['olist', 'olist-full', undefined],
  ['rees46', 'rees46.csv', undefined],
  ['amazon-reviews', 'amazon_reviews.json.gz', undefined],
  [
    'csv',
    'transactions.csv',
    'customer=Client,time=Placed At,order=Order Ref,product=SKU,quantity=Units,price=Unit Price',
  ],
];

describe('openDataset', () => {
  it('knows every format', () => {
    expect(DATASET_FORMATS).toEqual(['cdnow', 'online-retail', 'olist', 'rees46', 'amazon-reviews', 'csv']);
  });

  it.each(EVERY_FIXTURE)('%s %s: only contract-valid events, with unique ids', async (format, file, columns) => {
    const dataset = openDataset(format, fixture(file), { columns });
    const events = await collect(dataset);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(clickstreamEventSchema.safeParse(event).success).toBe(true);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    expect(dataset.report.eventsProduced).toBe(events.length);
  });

  it('throws a clear error for an unknown format, a missing file or bad options', () => {
    expect(() => openDataset('parquet', fixture('rees46.csv'))).toThrow(
      'unknown dataset format "parquet": use one of cdnow, online-retail, olist, rees46, amazon-reviews, csv',
    );
    expect(() => openDataset('rees46', fixture('nope.csv'))).toThrow(
      `rees46 dataset not found: ${fixture('nope.csv')}`,
    );
    expect(() => openDataset('rees46', fixture('olist-full'))).toThrow('is not a file');
    expect(() => openDataset('rees46', fixture('rees46.csv'), { timeZone: 'Mars/Olympus' })).toThrow(
      'unknown time zone "Mars/Olympus"',
    );
    expect(() => openDataset('rees46', fixture('rees46.csv'), { currency: 'usd' })).toThrow('ISO 4217');
    expect(() => openDataset('rees46', fixture('rees46.csv'), { limit: -1 })).toThrow('limit');
    expect(() => openDataset('rees46', fixture('rees46.csv'), { columns: 'customer=a,time=b,amount=c' })).toThrow(
      'csv format only',
    );
  });

  it('checks the header of a file against its format before streaming', () => {
    expect(() => openDataset('online-retail', fixture('rees46.csv'))).toThrow(
      /is not an Online Retail file: no "InvoiceNo" or "Invoice" column/,
    );
    expect(() => openDataset('rees46', fixture('online_retail_I.csv'))).toThrow(/is not a REES46 event log/);
  });

  it('stops after limit events, with a report of what was read so far', async () => {
    const dataset = openDataset('rees46', fixture('rees46.csv'), { limit: 3 });
    const events = await collect(dataset);
    expect(events.map((event) => event.eventId)).toEqual(['rees46:1', 'rees46:2', 'rees46:4']);
    expect(dataset.report).toMatchObject({ rowsRead: 4, eventsProduced: 3, skipped: { duplicate_row: 1 } });
    expect(await collect(openDataset('rees46', fixture('rees46.csv'), { limit: 0 }))).toEqual([]);
  });

  it('updates the report while the consumer iterates, and lets it stop early', async () => {
    const dataset = openDataset('cdnow', fixture('cdnow_master.txt'));
    expect(dataset.report.rowsRead).toBe(0);
    const seen: number[] = [];
    for await (const _event of dataset.events) {
      seen.push(dataset.report.eventsProduced);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([1, 2]);
    expect(dataset.report.rowsRead).toBe(2);
  });
});
