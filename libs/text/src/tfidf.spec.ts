import { fitTfidf, ngrams, termIndex, tfidfVector } from './tfidf';

describe('TF-IDF', () => {
  it('takes lower-cased words of two or more characters, then bigrams of neighbours', () => {
    expect(ngrams('Great gift, a GREAT price! Ça va')).toEqual([
      'great',
      'gift',
      'great',
      'price',
      'ça',
      'va',
      'great gift',
      'gift great',
      'great price',
      'price ça',
      'ça va',
    ]);
  });

  it('keeps terms of at least minDocuments texts, with the smoothed idf', () => {
    const vocabulary = fitTfidf(['good card', 'good gift', 'bad card'], 2);
    expect(vocabulary.terms).toEqual(['card', 'good']);
    // ln((1 + 3) / (1 + 2)) + 1 for both
    expect(vocabulary.idf[0]).toBeCloseTo(Math.log(4 / 3) + 1, 12);
  });

  it('scales tf sublinearly and each vector to unit length; unknown words count for nothing', () => {
    const vocabulary = fitTfidf(['good good good card', 'card', 'good'], 1);
    const vector = tfidfVector('good good good card unknown', vocabulary, termIndex(vocabulary));
    const norm = Math.hypot(...vector.values);
    expect(norm).toBeCloseTo(1, 12);
    const good = vocabulary.terms.indexOf('good');
    const card = vocabulary.terms.indexOf('card');
    const ratio = vector.values[vector.indices.indexOf(good)] / vector.values[vector.indices.indexOf(card)];
    expect(ratio).toBeCloseTo(((1 + Math.log(3)) * vocabulary.idf[good]) / vocabulary.idf[card], 12);
    expect(tfidfVector('nothing known', vocabulary, termIndex(vocabulary))).toEqual({ indices: [], values: [] });
  });
});
