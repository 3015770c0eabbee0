import { sentimentClassOf, splitReviews } from './split';

const review = (id: string, rating: number, category = '') => ({ id, rating, category });

describe('sentimentClassOf', () => {
  it('maps 1-2 stars to negative, 3 to neutral, 4-5 to positive', () => {
    expect([1, 2, 3, 4, 5].map(sentimentClassOf)).toEqual(['negative', 'negative', 'neutral', 'positive', 'positive']);
  });

  it('refuses a rating outside 1..5 stars', () => {
    expect(() => sentimentClassOf(0)).toThrow(RangeError);
    expect(() => sentimentClassOf(4.5)).toThrow(RangeError);
  });
});

describe('splitReviews', () => {
  it('holds out the last floor((2n + 5) / 10) of each stratum by SHA-256 of "7|" + id', () => {
    const reviews = [
      ...Array.from({ length: 17 }, (_, i) => review(`p${i}`, 5, 'A')),
      ...Array.from({ length: 3 }, (_, i) => review(`n${i}`, 1, 'A')),
      ...Array.from({ length: 10 }, (_, i) => review(`q${i}`, 4, 'B')),
      review('solo', 3, 'B'),
    ];
    const { train, test } = splitReviews(reviews);
    const count = (list: typeof reviews, category: string, rating: number[]) =>
      list.filter((r) => r.category === category && rating.includes(r.rating)).length;
    // 17 -> 3 (39/10), 3 -> 1 (11/10), 10 -> 2 (25/10), 1 -> 0 (7/10)
    expect(count(test, 'A', [4, 5])).toBe(3);
    expect(count(test, 'A', [1, 2])).toBe(1);
    expect(count(test, 'B', [4, 5])).toBe(2);
    expect(count(test, 'B', [3])).toBe(0);
    expect(train.length + test.length).toBe(reviews.length);
  });

  it('does not depend on the order of the rows', () => {
    const reviews = Array.from({ length: 40 }, (_, i) => review(`r${i}`, (i % 5) + 1));
    const ids = (list: { id: string }[]) => list.map((r) => r.id).sort();
    expect(ids(splitReviews([...reviews].reverse()).test)).toEqual(ids(splitReviews(reviews).test));
  });
});
