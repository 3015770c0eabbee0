import * as path from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, type Dataset } from './loader';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
async function collect(dataset: Dataset): Promise<ClickstreamEvent[]> {
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  return events;
}

describe('olist loader', () => {
  it('joins orders, payments and reviews of a partial folder (no items, no customers table)', async () => {
    const dataset = openDataset('olist', fixture('olist-partial'));
    expect(await collect(dataset)).toEqual([
      {
        eventId: 'olist:o1',
        customerId: 'olist-c-c1',
        // M/D/YYYY H:MM, Brazilian time (no daylight saving on 2 October 2017).
        occurredAt: '2017-10-02T10:56:00-03:00',
        type: 'purchase',
        orderId: 'o1',
        // Two payments (card and voucher) make the total; without the items table the product is unknown.
        items: [{ productId: 'unknown', quantity: 1, unitPrice: 60.5 }],
        total: 60.5,
        currency: 'BRL',
      },
      {
        eventId: 'olist:review:r1:o1',
        customerId: 'olist-c-c1',
        occurredAt: '2017-10-11T21:46:59-03:00',
        type: 'review',
        productId: 'unknown',
        rating: 5,
        text: 'Ótimo\nRecebi bem antes do prazo.\r\nRecomendo!',
      },
      {
        // The order was cancelled (no purchase), but its review is the customer's and counts; not yet answered,
        // so it is dated by the survey's creation day.
        eventId: 'olist:review:r2:o2',
        customerId: 'olist-c-c2',
        occurredAt: '2018-07-30T00:00:00-03:00',
        type: 'review',
        productId: 'unknown',
        rating: 1,
        text: 'Cancelaram meu pedido',
      },
      {
        // 00:30 did not exist on 15 October 2017 in São Paulo (clocks went forward at midnight).
        eventId: 'olist:o5',
        customerId: 'olist-c-c5',
        occurredAt: '2017-10-15T01:30:00-02:00',
        type: 'purchase',
        orderId: 'o5',
        items: [{ productId: 'unknown', quantity: 1, unitPrice: 99.9 }],
        total: 99.9,
        currency: 'BRL',
      },
    ]);
    expect(dataset.report).toEqual({
      format: 'olist',
      path: fixture('olist-partial'),
      rowsRead: 13, // 8 order rows + 5 review rows
      eventsProduced: 4,
      skipped: {
        bad_rating: 1,
        order_canceled: 1,
        bad_date: 1,
        missing_customer_id: 2, // the order and its review
        missing_payment: 1,
        bad_payment: 1,
        duplicate_row: 1,
        review_order_not_found: 1,
      },
    });
  });

  it('uses customer_unique_id, line items with English categories and freight when those tables are there', async () => {
    const dataset = openDataset('olist', fixture('olist-full'));
    expect(await collect(dataset)).toEqual([
      {
        eventId: 'olist:p1',
        customerId: 'olist-u-U1',
        occurredAt: '2017-10-02T10:56:33-03:00',
        type: 'purchase',
        orderId: 'p1',
        items: [
          { productId: 'prodX', category: 'health_beauty', quantity: 2, unitPrice: 10 },
          // No English name in the translation table: the Portuguese one stays.
          { productId: 'prodY', category: 'utilidades_novas', quantity: 1, unitPrice: 20 },
        ],
        total: 53,
        currency: 'BRL',
      },
      {
        // Another customer_id, the same person: a repeat purchase. No payment row: items plus freight.
        eventId: 'olist:p2',
        customerId: 'olist-u-U1',
        occurredAt: '2018-01-20T09:00:00-02:00',
        type: 'purchase',
        orderId: 'p2',
        items: [{ productId: 'prodY', category: 'utilidades_novas', quantity: 1, unitPrice: 20 }],
        total: 24,
        currency: 'BRL',
      },
      {
        eventId: 'olist:review:r9:p2',
        customerId: 'olist-u-U1',
        occurredAt: '2018-01-31T14:02:11-02:00',
        type: 'review',
        productId: 'prodY',
        rating: 4,
        text: 'Chegou certinho',
      },
    ]);
    expect(dataset.report.skipped).toEqual({ unknown_customer: 1 });
    expect(dataset.report.rowsRead).toBe(4);
  });

  it('refuses a file, or a folder without orders', () => {
    expect(() => openDataset('olist', fixture('rees46.csv'))).toThrow(/folder/);
    expect(() => openDataset('olist', fixture(''))).toThrow(/no olist_orders_dataset/);
  });
});
