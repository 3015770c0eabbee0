import { FEATURE_NAMES, type FeatureVector } from '@cvp/features';
import { rfmHeuristic } from './rfm-heuristic';
import { reviewReason } from './review-reason';

const vector = (values: Partial<FeatureVector>): FeatureVector =>
  ({ ...Object.fromEntries(FEATURE_NAMES.map((name) => [name, 0])), ...values }) as FeatureVector;

describe('reviewReason', () => {
  it('names recent reviews that read negative, and who read them', () => {
    expect(reviewReason(vector({ recentReviewSentiment: -0.62, modelReadReviewShare: 1 }), -1.234)).toEqual({
      feature: 'recentReviewSentiment',
      value: -0.62,
      contribution: -1.23,
      description:
        'recent reviews read negative: sentiment -0.62 over the last 90 days, read by the language model; ' +
        'lowers expected spend by 1.23 against the average customer',
    });
    expect(reviewReason(vector({ recentReviewSentiment: -0.3, modelReadReviewShare: 0.5 }), 0.5)?.description).toBe(
      'recent reviews read negative: sentiment -0.30 over the last 90 days, read by the language model (50% of ' +
        'reviews) and the word lexicon; raises expected spend by 0.50 against the average customer',
    );
  });

  it('says nothing of reviews that do not read negative, or of no reviews', () => {
    expect(reviewReason(vector({ recentReviewSentiment: 0.5, modelReadReviewShare: 1 }), -3)).toBeNull();
    expect(reviewReason(vector({ recentReviewSentiment: -0.04 }), -3)).toBeNull();
    expect(reviewReason(vector({}), 0)).toBeNull();
  });

  it('is added to the heuristic’s reasons, which do not value it', () => {
    const features = vector({ frequency: 2, tenureDays: 200, recencyDays: 20, monetaryMean: 40 });
    const options = { horizonDays: 90, highTierSpend: 100, midTierSpend: 20 };
    expect(rfmHeuristic(features, options).reasons).toHaveLength(3);
    const reasons = rfmHeuristic({ ...features, recentReviewSentiment: -0.5 }, options).reasons;
    expect(reasons).toHaveLength(4);
    expect(reasons[3]).toMatchObject({ feature: 'recentReviewSentiment', contribution: 0 });
    expect(reasons[3].description).toMatch(/read by the word lexicon; not part of the rule of thumb$/);
  });
});
