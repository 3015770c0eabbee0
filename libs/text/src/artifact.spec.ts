import { MIN_REVIEWS_FOR_HEAD, ratedReviewsOf, trainReviewSentimentArtifact } from './artifact';
import { ReviewSentimentPredictor } from './review-sentiment';
import { toyReviews } from './testing/toy-reviews';

const lexicon = (text: string) =>
  /(love|excellent|good|nice)/.test(text) ? 1 : /(broke|awful|poor)/.test(text) ? -1 : 0;
const rated = toyReviews(200).map((review, i) => ({ ...review, id: `e${i}` }));

describe('trainReviewSentimentArtifact', () => {
  it('measures the head beside the lexicon on a split, then fits it on every review', async () => {
    const trained = await trainReviewSentimentArtifact(rated, lexicon, { name: 'toy', dimensions: 3 });
    if (!trained.artifact) throw new Error(trained.reason);
    const { model, validation } = trained.artifact;
    expect(validation).toMatchObject({ reviews: 200, test: 40, served: 'minilm+tfidf' });
    expect(validation.models['minilm+tfidf'].macroF1).toBeGreaterThan(validation.models.lexicon.macroF1);
    expect(model.trainedOn.reviews).toBe(200);
    expect(new ReviewSentimentPredictor(model).predict('refund, it broke', [1, 0, 0.2]).label).toBe('negative');
  });

  it('trains on words alone without an encoder', async () => {
    const trained = await trainReviewSentimentArtifact(
      rated.map(({ embedding: _, ...review }) => review),
      lexicon,
      null,
    );
    expect(trained.artifact?.model.encoder).toBeNull();
    expect(trained.artifact?.validation.served).toBe('tfidf');
  });

  it('declines too few reviews or a single rating, saying why', async () => {
    await expect(
      trainReviewSentimentArtifact(rated.slice(0, MIN_REVIEWS_FOR_HEAD - 1), lexicon, null),
    ).resolves.toMatchObject({
      artifact: null,
      reason: expect.stringMatching(/at least 30/),
    });
    const fives = rated.map((review) => ({ ...review, rating: 5 }));
    await expect(trainReviewSentimentArtifact(fives, lexicon, null)).resolves.toMatchObject({ artifact: null });
  });

  it('refuses reviews without the embedding the encoder should have given', async () => {
    await expect(
      trainReviewSentimentArtifact(
        rated.map(({ embedding: _, ...review }) => review),
        lexicon,
        { name: 'toy', dimensions: 3 },
      ),
    ).rejects.toThrow(/3-dimension toy embedding/);
  });
});

describe('ratedReviewsOf', () => {
  it('takes the newest reviews with text (trimmed) and stars, and nothing else', () => {
    const review = (id: string, day: number, text?: string) =>
      ({
        eventId: id,
        customerId: 'c',
        type: 'review',
        productId: 'p',
        rating: 4,
        occurredAt: `2025-01-0${day}T00:00:00Z`,
        text,
      }) as const;
    const events = [
      review('old', 1, 'fine'),
      review('blank', 2, '   '),
      review('none', 3),
      review('new', 4, '  great  '),
      { eventId: 'v', customerId: 'c', type: 'page_view', occurredAt: '2025-01-05T00:00:00Z', url: '/' } as const,
    ];
    expect(ratedReviewsOf(events, 5)).toEqual([
      { id: 'new', rating: 4, text: 'great' },
      { id: 'old', rating: 4, text: 'fine' },
    ]);
    expect(ratedReviewsOf(events, 1).map((one) => one.id)).toEqual(['new']);
  });
});
