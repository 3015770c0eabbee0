import * as path from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, type Dataset } from './loader';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
async function collect(dataset: Dataset): Promise<ClickstreamEvent[]> {
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  return events;
}

describe('online retail loader', () => {
  it('groups the lines of an invoice into one purchase, turns C invoices and negative quantities into refunds', async () => {
    const dataset = openDataset('online-retail', fixture('online_retail_I.csv'));
    expect(await collect(dataset)).toEqual([
      {
        eventId: 'online-retail:536365',
        customerId: 'ukretail-17850',
        occurredAt: '2010-12-01T08:26:00Z',
        type: 'purchase',
        orderId: '536365',
        // The third line comes after other invoices in the file, a minute later: it still joins its invoice.
        items: [
          { productId: '85123A', quantity: 6, unitPrice: 2.55 },
          { productId: '71053', quantity: 6, unitPrice: 3.39 },
          { productId: '21730', quantity: 6, unitPrice: 4.25 },
        ],
        total: 61.14,
        currency: 'GBP',
      },
      {
        eventId: 'online-retail:536367',
        customerId: 'ukretail-13047',
        occurredAt: '2010-12-01T08:34:00Z',
        type: 'purchase',
        orderId: '536367',
        items: [
          { productId: '84879', quantity: 32, unitPrice: 1.69 },
          { productId: 'POST', category: 'postage', quantity: 1, unitPrice: 18 },
        ],
        total: 72.08,
        currency: 'GBP',
      },
      {
        eventId: 'online-retail:C536379:refund',
        customerId: 'ukretail-17850',
        occurredAt: '2010-12-01T09:41:00Z',
        type: 'refund',
        orderId: 'C536379',
        amount: 27.5,
        currency: 'GBP',
      },
      {
        eventId: 'online-retail:536384:refund',
        customerId: 'ukretail-13047',
        occurredAt: '2010-12-01T09:53:00Z',
        type: 'refund',
        orderId: '536384',
        amount: 19.35,
        currency: 'GBP',
      },
      {
        eventId: 'online-retail:536385',
        customerId: 'ukretail-13047',
        occurredAt: '2010-12-01T09:55:00Z',
        type: 'purchase',
        orderId: '536385',
        items: [{ productId: '22961', quantity: 2, unitPrice: 1.45 }],
        total: 2.9,
        currency: 'GBP',
      },
    ]);
    expect(dataset.report).toEqual({
      format: 'online-retail',
      path: fixture('online_retail_I.csv'),
      rowsRead: 17,
      eventsProduced: 5,
      skipped: {
        duplicate_row: 1,
        missing_customer_id: 1,
        cancelled_without_original: 1,
        bad_date: 1,
        zero_price: 1,
        bad_price: 1,
        bad_debt_adjustment: 1,
        bad_quantity: 1,
        negative_price: 1,
      },
    });
  });

  it('accounts for every row: rows in events plus rows skipped make the rows read', async () => {
    const dataset = openDataset('online-retail', fixture('online_retail_I.csv'));
    const events = await collect(dataset);
    const purchaseLines = events.reduce((sum, event) => sum + (event.type === 'purchase' ? event.items.length : 0), 0);
    const refundLines = 2; // C536379 and the returned line of 536384
    const skipped = Object.values(dataset.report.skipped).reduce((sum, rows) => sum + rows, 0);
    expect(purchaseLines + refundLines + skipped).toBe(dataset.report.rowsRead);
  });

  it('reads the Online Retail II layout from gzip, in UK summer time, skipping test rows and foreign customers', async () => {
    const dataset = openDataset('online-retail', fixture('online_retail_II.csv.gz'));
    const events = await collect(dataset);
    expect(events).toEqual([
      {
        eventId: 'online-retail:489434',
        customerId: 'ukretail-13085',
        occurredAt: '2010-06-01T07:45:00+01:00',
        type: 'purchase',
        orderId: '489434',
        items: [
          { productId: '85048', quantity: 12, unitPrice: 6.95 },
          { productId: '79323P', quantity: 12, unitPrice: 6.75 },
        ],
        total: 164.4,
        currency: 'GBP',
      },
      expect.objectContaining({ eventId: 'online-retail:489435', total: 30.6 }),
      expect.objectContaining({ eventId: 'online-retail:489436', customerId: 'ukretail-99999', total: 1.25 }),
    ]);
    expect(dataset.report.skipped).toEqual({ test_row: 1, customer_mismatch: 1 });
    expect(dataset.report.rowsRead).toBe(6);
  });

  it('gives the same event ids on every run', async () => {
    const ids = async () =>
      (await collect(openDataset('online-retail', fixture('online_retail_I.csv')))).map((event) => event.eventId);
    expect(await ids()).toEqual(await ids());
  });

  it('uses the currency given', async () => {
    const [first] = await collect(openDataset('online-retail', fixture('online_retail_I.csv'), { currency: 'EUR' }));
    expect(first).toMatchObject({ currency: 'EUR' });
  });
});
