import * as path from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, type Dataset } from './loader';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
async function collect(dataset: Dataset): Promise<ClickstreamEvent[]> {
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  return events;
}

describe('rees46 loader', () => {
  it('maps views, carts, removals and purchases, with sessions and categories', async () => {
    const dataset = openDataset('rees46', fixture('rees46.csv'));
    const session = '9333dfbd-b87a-4708-9857-6336556b0fcc';
    const category = 'appliances.environment.water_heater';
    const base = { customerId: 'rees46-554748717', sessionId: session };
    expect(await collect(dataset)).toEqual([
      {
        eventId: 'rees46:1',
        customerId: 'rees46-541312140',
        occurredAt: '2019-10-01T00:00:00Z',
        sessionId: '72d76fde-8bb3-4e00-8c23-a032dfed738c',
        type: 'product_view',
        productId: '44600062',
        // No category_code: the numeric category_id stands in.
        category: '2103807459595387724',
        price: 35.79,
      },
      {
        ...base,
        eventId: 'rees46:2',
        occurredAt: '2019-10-01T00:00:01Z',
        type: 'product_view',
        productId: '3900821',
        category,
        price: 33.2,
      },
      {
        ...base,
        eventId: 'rees46:4',
        occurredAt: '2019-10-01T00:00:02Z',
        type: 'add_to_cart',
        productId: '3900821',
        category,
        quantity: 1,
        unitPrice: 33.2,
      },
      {
        ...base,
        eventId: 'rees46:5',
        occurredAt: '2019-10-01T00:00:03Z',
        type: 'remove_from_cart',
        productId: '3900821',
        quantity: 1,
      },
      {
        ...base,
        eventId: 'rees46:6',
        occurredAt: '2019-10-01T00:00:04Z',
        type: 'purchase',
        orderId: `${session}-1569888004-3900821`,
        items: [{ productId: '3900821', category, quantity: 1, unitPrice: 33.2 }],
        total: 33.2,
        currency: 'USD',
      },
      {
        // A price of 0 on a view means unknown: no price.
        eventId: 'rees46:7',
        customerId: 'rees46-543272936',
        occurredAt: '2019-10-01T00:00:05Z',
        sessionId: '8187d148-3c41-46d4-b0c0-9c08cd9dc564',
        type: 'product_view',
        productId: '1004856',
        category: 'electronics.smartphone',
      },
      {
        // No session: the customer names the order.
        eventId: 'rees46:13',
        customerId: 'rees46-543272936',
        occurredAt: '2019-10-01T00:00:10Z',
        type: 'purchase',
        orderId: '543272936-1569888010-1004856',
        items: [{ productId: '1004856', category: 'electronics.smartphone', quantity: 1, unitPrice: 130.76 }],
        total: 130.76,
        currency: 'USD',
      },
    ]);
    expect(dataset.report).toEqual({
      format: 'rees46',
      path: fixture('rees46.csv'),
      rowsRead: 13,
      eventsProduced: 7,
      skipped: {
        duplicate_row: 1,
        missing_customer_id: 1,
        bad_price: 1,
        unknown_event_type: 1,
        bad_date: 1,
        zero_price: 1,
      },
    });
  });
});
