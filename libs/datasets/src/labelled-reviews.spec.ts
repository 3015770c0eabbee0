import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { readLabelledReviews } from './labelled-reviews';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);

describe('readLabelledReviews', () => {
  it('reads every review file of a folder (not meta_), one review per (reviewer, time, text), text trimmed', async () => {
    const set = await readLabelledReviews(fixture('labelled-reviews'), 'amazon-reviews');
    expect(set.reviews.map(({ category, rating, text }) => ({ category, rating, text }))).toEqual([
      { category: 'Books', rating: 3, text: 'It was okay' },
      { category: 'Toys', rating: 5, text: 'Love it' },
      { category: 'Toys', rating: 1, text: 'Broke on day one' },
    ]);
    expect(set.rows).toBe(10);
    expect(set.dropped).toEqual({
      bad_rating: 1,
      bad_json: 1,
      copy_of_a_review: 2,
      copies_disagree_on_rating: 1,
      // "   ", and a row without reviewText
      empty_text: 2,
    });
  });

  it('ids the review by SHA-256 of reviewer, time and the text as written', async () => {
    const set = await readLabelledReviews(fixture('labelled-reviews/Toys_5.jsonl'), 'amazon-reviews');
    const broke = set.reviews.find((review) => review.rating === 1)!;
    expect(broke.id).toBe(
      createHash('sha256').update('A2\n1500000000\n  Broke on day one  ').digest('hex').slice(0, 16),
    );
    expect(broke.category).toBe('Toys');
  });

  it('reads a CSV of id,rating,text, leaving out empty texts', async () => {
    const set = await readLabelledReviews(fixture('labelled-reviews.csv'), 'csv');
    expect(set.reviews).toEqual([
      { id: 'r1', category: '', rating: 5, text: 'Great, really great' },
      { id: 'r2', category: '', rating: 1, text: 'Awful' },
    ]);
    expect(set.dropped).toEqual({ empty_text: 1 });
  });

  it('refuses a CSV with a bad rating, a repeated id or a wrong header, naming the row', async () => {
    await expect(readLabelledReviews(fixture('labelled-reviews-bad-rating.csv'), 'csv')).rejects.toThrow(
      /row 3: rating "0" is not a whole number of stars 1..5/,
    );
    await expect(readLabelledReviews(fixture('labelled-reviews-twice.csv'), 'csv')).rejects.toThrow(
      /row 3: id "r1" appears twice/,
    );
    await expect(readLabelledReviews(fixture('labelled-reviews-header.csv'), 'csv')).rejects.toThrow(
      /header lacks rating/,
    );
  });
});
