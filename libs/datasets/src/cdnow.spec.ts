import * as path from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, type Dataset } from './loader';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
async function collect(dataset: Dataset): Promise<ClickstreamEvent[]> {
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  return events;
}

describe('cdnow loader', () => {
  it('turns each row of the 1/10 sample into one purchase of the master-file customer id', async () => {
    const dataset = openDataset('cdnow', fixture('cdnow_sample.txt'));
    expect(await collect(dataset)).toEqual([
      {
        eventId: 'cdnow:00004:19970101:1',
        customerId: 'cdnow-00004',
        occurredAt: '1997-01-01T00:00:00Z',
        type: 'purchase',
        orderId: 'cdnow-00004-19970101-1',
        items: [{ productId: 'cd', quantity: 2, unitPrice: 14.665 }],
        total: 29.33,
        currency: 'USD',
      },
      expect.objectContaining({ eventId: 'cdnow:00004:19970118:2', customerId: 'cdnow-00004', total: 29.73 }),
      expect.objectContaining({ eventId: 'cdnow:00018:19970102:3', customerId: 'cdnow-00018', total: 14.96 }),
    ]);
    expect(dataset.report).toEqual({
      format: 'cdnow',
      path: fixture('cdnow_sample.txt'),
      rowsRead: 3,
      eventsProduced: 3,
      skipped: {},
    });
  });

  it('reads the master layout (header, CRLF), keeps same-day rows as separate orders and $0 rows, skips bad rows by reason', async () => {
    const dataset = openDataset('cdnow', fixture('cdnow_master.txt'));
    const events = await collect(dataset);
    expect(events.map((event) => [event.eventId, event.type === 'purchase' ? event.total : null])).toEqual([
      ['cdnow:00001:19970101:2', 11.77],
      ['cdnow:00002:19970112:3', 12],
      ['cdnow:00002:19970112:4', 77],
      ['cdnow:00005:19970105:7', 0],
    ]);
    expect(events[2]).toMatchObject({ items: [{ productId: 'cd', quantity: 5, unitPrice: 15.4 }] });
    expect(dataset.report).toEqual({
      format: 'cdnow',
      path: fixture('cdnow_master.txt'),
      rowsRead: 8,
      eventsProduced: 4,
      skipped: { bad_date: 1, bad_quantity: 1, bad_price: 1, malformed_row: 1 },
    });
  });

  it('stamps days in the given time zone', async () => {
    const [first] = await collect(
      openDataset('cdnow', fixture('cdnow_sample.txt'), { timeZone: 'America/New_York', limit: 1 }),
    );
    expect(first.occurredAt).toBe('1997-01-01T00:00:00-05:00');
  });
});
