import type { ClickstreamEvent } from '@cvp/contracts';
import { buildCustomerStates } from './batch';
import { applyEvent, readCustomerState, reviewReading, STATE_BOUNDS, type FoldInput } from './customer-state';
import { featureVectorAt } from './feature-vector';
import { textSentiment } from './sentiment';
import { pageView, purchase, review } from './testing/events';

const fold = (inputs: FoldInput[]) => inputs.reduce<ReturnType<typeof applyEvent> | null>(applyEvent, null)!;

/** The language model's reading of a review event, as the review-text worker publishes it. */
const readingOf = (event: ClickstreamEvent, sentiment: number) => {
  if (event.type !== 'review' || !event.text) throw new Error('not a review with text');
  return reviewReading({ ...event, sentiment, lexicon: Math.round(textSentiment(event.text) * 1000) / 1000 });
};

describe('review readings by the language model', () => {
  const bought = purchase('2026-03-01T10:00:00Z', [{ productId: 'p1', unitPrice: 40 }]);
  // The lexicon reads "great" and "love" as praise; the sarcasm is the model's to catch.
  const sarcastic = review(
    '2026-03-05T10:00:00Z',
    1,
    'Great, just great. I love waiting three weeks for a broken lamp',
  );
  const plain = review('2026-03-06T10:00:00Z', 4, 'Works fine');
  const asOf = '2026-03-10T00:00:00Z';

  it('replace the lexicon reading of the review they read, in every review feature', () => {
    const lexiconOnly = featureVectorAt(fold([bought, sarcastic, plain]), asOf);
    expect(lexiconOnly.reviewSentimentMean).toBeGreaterThan(0);
    expect(lexiconOnly.modelReadReviewShare).toBe(0);

    const read = featureVectorAt(fold([bought, sarcastic, plain, readingOf(sarcastic, -0.9)]), asOf);
    const plainLexicon = Math.round(textSentiment('Works fine') * 1000) / 1000;
    expect(read.reviewSentimentMean).toBeCloseTo((-0.9 + plainLexicon) / 2, 4);
    expect(read.recentReviewSentiment).toBeCloseTo((-0.9 + plainLexicon) / 2, 4);
    expect(read.negativeReviewShare).toBe(0.5);
    expect(read.modelReadReviewShare).toBe(0.5);
    // Everything else is the same: a reading is not an event.
    expect({
      ...read,
      reviewSentimentMean: 0,
      recentReviewSentiment: 0,
      negativeReviewShare: 0,
      modelReadReviewShare: 0,
    }).toEqual({
      ...lexiconOnly,
      reviewSentimentMean: 0,
      recentReviewSentiment: 0,
      negativeReviewShare: 0,
      modelReadReviewShare: 0,
    });
  });

  it('give the same state whether the reading comes before or after its review', () => {
    const reading = readingOf(sarcastic, -0.9);
    const after = fold([bought, sarcastic, reading, plain]);
    const before = fold([reading, bought, plain, sarcastic]);
    expect(before).toEqual(after);
  });

  it('count in the recent sentiment only for reviews of the last 90 days', () => {
    const old = review('2025-11-01T10:00:00Z', 5, 'Love it, great quality');
    const state = fold([old, bought, sarcastic, readingOf(sarcastic, -0.5)]);
    expect(featureVectorAt(state, asOf).recentReviewSentiment).toBe(-0.5);
    expect(featureVectorAt(state, '2026-06-10T00:00:00Z').recentReviewSentiment).toBe(0);
  });

  it('keep only the newest reviews in the recent list, whatever the order', () => {
    const reviews = Array.from({ length: 12 }, (_, i) =>
      review(`2026-02-${String(i + 10).padStart(2, '0')}T10:00:00Z`, 3, `review number ${i}`),
    );
    const readings = reviews.map((event, i) => readingOf(event, i / 20));
    const inOrder = fold([...reviews, ...readings]);
    const shuffled = fold([...readings.slice(6), ...reviews.reverse(), ...readings.slice(0, 6)]);
    expect(shuffled).toEqual(inOrder);
    expect(inOrder.recentReviews).toHaveLength(STATE_BOUNDS.recentReviews);
    expect(inOrder.recentReviews.map((entry) => entry.modelMilli)).toEqual([200, 250, 300, 350, 400, 450, 500, 550]);
    expect(inOrder.modelReviews).toBe(12);
  });

  it('make no state alone in a batch (a customer whose reviews were read but whose events are past the cutoff)', async () => {
    const states = await buildCustomerStates(
      [pageView('2026-03-01T00:00:00Z', { customerId: 'c-2' }), readingOf(sarcastic, -0.9)],
      new Date('2026-03-06T00:00:00Z'),
    );
    expect([...states.keys()]).toEqual(['c-2']);
  });

  it('upgrade a stored state of layout 2 (no readings yet) and refuse other layouts', () => {
    const current = fold([bought, sarcastic]);
    const {
      modelReviews,
      modelMilliSum,
      modelLexiconMilliSum,
      modelNegatives,
      modelLexiconNegatives,
      recentReviews,
      ...rest
    } = current;
    void [modelReviews, modelMilliSum, modelLexiconMilliSum, modelNegatives, modelLexiconNegatives, recentReviews];
    const upgraded = readCustomerState(JSON.stringify({ ...rest, stateVersion: 2 }));
    expect(upgraded).toEqual({ ...current, recentReviews: [] });
    expect(featureVectorAt(upgraded, asOf)).toEqual({
      ...featureVectorAt(current, asOf),
      recentReviewSentiment: 0,
    });
    expect(() => applyEvent(readCustomerState(JSON.stringify({ ...rest, stateVersion: 1 })), plain)).toThrow(
      /layout 1, this code reads 3/,
    );
  });
});
