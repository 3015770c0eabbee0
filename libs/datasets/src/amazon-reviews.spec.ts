import * as path from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, type Dataset } from './loader';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
async function collect(dataset: Dataset): Promise<ClickstreamEvent[]> {
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  return events;
}

describe('amazon reviews loader', () => {
  it('turns each distinct review into a review event with rating and text, skipping the three kinds of repeats', async () => {
    const dataset = openDataset('amazon-reviews', fixture('amazon_reviews.json.gz'));
    expect(await collect(dataset)).toEqual([
      {
        eventId: 'amazon-reviews:A31UBHTUUIFJUT:B004LLIKVU:1529193600',
        customerId: 'amazon-A31UBHTUUIFJUT',
        occurredAt: '2018-06-17T00:00:00Z',
        type: 'review',
        productId: 'B004LLIKVU',
        rating: 5,
        text: 'Another great gift.',
      },
      {
        // No unixReviewTime: the "MM D, YYYY" reviewTime is read instead; no text, still a review.
        eventId: 'amazon-reviews:A2MN5JQMIY0FQ2:B004LLIKVU:1528934400',
        customerId: 'amazon-A2MN5JQMIY0FQ2',
        occurredAt: '2018-06-14T00:00:00Z',
        type: 'review',
        productId: 'B004LLIKVU',
        rating: 3,
      },
      {
        // The same reviewer again, another day: a repeat reviewer.
        eventId: 'amazon-reviews:A31UBHTUUIFJUT:B00ADR2LV6:1546387200',
        customerId: 'amazon-A31UBHTUUIFJUT',
        occurredAt: '2019-01-02T00:00:00Z',
        type: 'review',
        productId: 'B00ADR2LV6',
        rating: 4,
        text: 'Bought it again for my sister.',
      },
    ]);
    expect(dataset.report).toEqual({
      format: 'amazon-reviews',
      path: fixture('amazon_reviews.json.gz'),
      rowsRead: 11,
      eventsProduced: 3,
      skipped: {
        duplicate_row: 1,
        duplicate_review: 1,
        duplicate_review_variant: 1,
        bad_json: 1,
        missing_customer_id: 1,
        bad_rating: 2,
        bad_date: 1,
      },
    });
  });
});
