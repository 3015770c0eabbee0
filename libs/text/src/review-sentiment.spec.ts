import { ReviewSentimentPredictor, trainReviewSentiment } from './review-sentiment';
import { toyReviews } from './testing/toy-reviews';

describe('trainReviewSentiment', () => {
  it('learns words of each rating: classes, expected stars and a sentiment in order', async () => {
    const model = await trainReviewSentiment(toyReviews(200));
    const head = new ReviewSentimentPredictor(model);
    const bad = head.predict('the card broke, refund please');
    const meh = head.predict('okay average product');
    const good = head.predict('love it, excellent');
    expect([bad.label, meh.label, good.label]).toEqual(['negative', 'neutral', 'positive']);
    expect(bad.sentiment).toBeLessThan(meh.sentiment);
    expect(meh.sentiment).toBeLessThan(good.sentiment);
    expect(good.expectedStars).toBeGreaterThan(4);
    expect(good.sentiment).toBeLessThanOrEqual(1);
    expect(bad.sentiment).toBeGreaterThanOrEqual(-1);
    expect(bad.classes.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('uses the embedding beside the words when trained with an encoder, and needs it to predict', async () => {
    const model = await trainReviewSentiment(toyReviews(200), { encoder: { name: 'toy', dimensions: 3 } });
    const head = new ReviewSentimentPredictor(model);
    expect(head.needsEmbedding).toBe(true);
    // Words it never saw: only the embedding speaks.
    expect(head.predict('zzz qqq', [1, 0, 0.5]).label).toBe('negative');
    expect(head.predict('zzz qqq', [0, 1, 0.5]).label).toBe('positive');
    expect(() => head.predict('no embedding')).toThrow(/3-dimension toy embedding/);
  });

  it('survives JSON (what the model store keeps) and predicts the same after', async () => {
    const model = await trainReviewSentiment(toyReviews(100));
    const again = new ReviewSentimentPredictor(JSON.parse(JSON.stringify(model)));
    expect(again.predict('awful, broke').sentiment).toBeCloseTo(
      new ReviewSentimentPredictor(model).predict('awful, broke').sentiment,
      12,
    );
  });

  it('refuses bad ratings, a single rating, and weights that do not fit', async () => {
    await expect(trainReviewSentiment([{ text: 'x', rating: 6 }])).rejects.toThrow(/1..5 stars/);
    await expect(
      trainReviewSentiment([
        { text: 'good', rating: 5 },
        { text: 'great', rating: 5 },
      ]),
    ).rejects.toThrow(/two different star ratings/);
    const model = await trainReviewSentiment(toyReviews(50));
    expect(() => new ReviewSentimentPredictor({ ...model, starBias: [0] })).toThrow(/do not match/);
  });
});
