import { evaluateTextModels, fitThresholds } from './evaluation';
import { toyReviews } from './testing/toy-reviews';

const reviews = toyReviews(300).map((review, i) => ({ ...review, id: `r${i}`, category: i % 2 ? 'A' : 'B' }));
const lexicon = (text: string) =>
  /(love|excellent|good|nice)/.test(text) ? 1 : /(broke|awful|poor)/.test(text) ? -1 : 0;

describe('evaluateTextModels', () => {
  it('measures the words-only head beside the lexicon and TF-IDF peer when no encoder is staged', async () => {
    const result = await evaluateTextModels({ reviews, lexicon });
    expect(result.served).toBe('tfidf');
    expect(Object.keys(result.models)).toEqual(['lexicon', 'tfidf-logreg', 'tfidf']);
    expect(result.train + result.test).toBe(300);
    expect(result.test).toBe(60);
    expect(result.models.tfidf.auc).toBeGreaterThan(0.95);
    expect(result.models.tfidf.macroF1).toBeGreaterThan(result.models.lexicon.macroF1);
  });

  it('adds the frozen-embedding peer and serves words + embedding when the encoder is there', async () => {
    const embeddings = new Map(reviews.map((review) => [review.id, review.embedding!]));
    const result = await evaluateTextModels({ reviews, lexicon, embeddings, encoder: { name: 'toy', dimensions: 3 } });
    expect(result.served).toBe('minilm+tfidf');
    expect(Object.keys(result.models)).toEqual(['lexicon', 'tfidf-logreg', 'minilm-logreg', 'minilm+tfidf']);
  });
});

describe('fitThresholds', () => {
  it('cuts scores where the classes part', () => {
    const scores = [-2, -1.5, -1, 0, 0.1, 1, 2, 3];
    const ratings = [1, 1, 2, 3, 3, 4, 5, 5];
    const [low, high] = fitThresholds(scores, ratings);
    expect(low).toBeGreaterThan(-1);
    expect(low).toBeLessThanOrEqual(0);
    expect(high).toBeGreaterThan(0.1);
    expect(high).toBeLessThanOrEqual(1);
  });
});
