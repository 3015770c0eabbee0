import * as path from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, type Dataset } from './loader';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
async function collect(dataset: Dataset): Promise<ClickstreamEvent[]> {
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  return events;
}

const FULL_MAPPING =
  'customer=Client,time=Placed At,order=Order Ref,product=SKU,quantity=Units,price=Unit Price,amount=Line Total,' +
  'category=Segment,source=acme';

describe('generic transactions csv loader', () => {
  it('groups order lines, reads returns as refunds and local times in the zone given', async () => {
    const dataset = openDataset('csv', fixture('transactions.csv'), {
      columns: FULL_MAPPING,
      timeZone: 'America/New_York',
    });
    expect(await collect(dataset)).toEqual([
      {
        eventId: 'acme:A-1',
        customerId: 'acme-alice',
        // The timestamp carries its own offset: kept as written.
        occurredAt: '2024-03-01T10:00:00+01:00',
        type: 'purchase',
        orderId: 'A-1',
        items: [
          { productId: 'sku-1', category: 'toys', quantity: 2, unitPrice: 5 },
          { productId: 'sku-2', category: 'garden', quantity: 1, unitPrice: 1250 },
        ],
        total: 1260,
        currency: 'USD',
      },
      {
        // A later negative line of the same order: a return, dated when it happened.
        eventId: 'acme:A-1:refund',
        customerId: 'acme-alice',
        occurredAt: '2024-03-05T12:00:00-05:00',
        type: 'refund',
        orderId: 'A-1',
        amount: 5,
        currency: 'USD',
      },
      {
        eventId: 'acme:A-2',
        customerId: 'acme-bob',
        occurredAt: '2024-03-02T09:30:00-05:00',
        type: 'purchase',
        orderId: 'A-2',
        items: [{ productId: 'sku-1', category: 'toys', quantity: 1, unitPrice: 5 }],
        total: 5,
        currency: 'USD',
      },
    ]);
    expect(dataset.report).toEqual({
      format: 'csv',
      path: fixture('transactions.csv'),
      rowsRead: 10,
      eventsProduced: 3,
      skipped: {
        duplicate_row: 1,
        missing_customer_id: 1,
        bad_date: 1,
        bad_amount: 1,
        zero_amount: 1,
        malformed_row: 1,
      },
    });
  });

  it('makes each row an order when no order column is mapped', async () => {
    const dataset = openDataset('csv', fixture('transactions.csv'), {
      columns: 'customer=Client,time=Placed At,amount=Line Total',
      currency: 'EUR',
    });
    const events = await collect(dataset);
    expect(events[0]).toEqual({
      eventId: 'csv:row-1',
      customerId: 'csv-alice',
      occurredAt: '2024-03-01T10:00:00+01:00',
      type: 'purchase',
      orderId: 'row-1',
      items: [{ productId: 'unknown', quantity: 1, unitPrice: 10 }],
      total: 10,
      currency: 'EUR',
    });
    // Without order ids, identical rows cannot be told from two real orders: both stay.
    expect(events.filter((event) => event.customerId === 'csv-alice' && event.type === 'purchase')).toHaveLength(3);
    expect(events.find((event) => event.type === 'refund')).toMatchObject({ eventId: 'csv:row-8:refund', amount: 5 });
    expect(dataset.report.skipped).toEqual({ missing_customer_id: 1, bad_date: 1, bad_amount: 1, zero_amount: 1 });
  });

  it('names a missing or unknown column before reading anything', () => {
    expect(() => openDataset('csv', fixture('transactions.csv'))).toThrow(/needs a column mapping/);
    expect(() =>
      openDataset('csv', fixture('transactions.csv'), { columns: 'customer=Client,time=When,amount=Line Total' }),
    ).toThrow('column "When" (time=) is not in the header');
  });
});
