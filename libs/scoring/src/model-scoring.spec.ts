import { customerScoreSchema, type FeatureVectorMessage } from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import {
  FEATURE_NAMES,
  FEATURE_SCHEMA_VERSION,
  buildCustomerStates,
  buildFeatureVectors,
  featureArray,
  featureVectorAt,
  type CustomerState,
  type FeatureVector,
} from '@cvp/features';
import { BTYD_INPUT_NAMES, selectBackend, trainValueModel, valueModelMetadata } from '@cvp/model';
import { customerValueAt, customerValueQuerySchema, ValueAtBeforeLastEvent } from './customer-value';
import { scoreWithModel, type LoadedValueModel } from './model-scoring';
import { REVIEW_SENTIMENT_FEATURES, reviewReason } from './review-reason';

const START = new Date('2025-01-01T00:00:00Z');
const END = new Date('2026-11-01T00:00:00Z');

describe('scoreWithModel', () => {
  let loaded: LoadedValueModel;
  let messages: FeatureVectorMessage[];
  let states: CustomerState[];
  beforeAll(async () => {
    await selectBackend('wasm', () => undefined);
    const events = [...syntheticClickstream({ customers: 300, seed: 5, start: START, end: END })];
    const trained = await trainValueModel({
      events,
      to: END,
      horizonDays: 90,
      seed: 5,
      ziln: { hiddenUnits: [16], maxEpochs: 10 },
    });
    loaded = {
      model: trained.model,
      metadata: valueModelMetadata(trained, { version: 'ziln@test', from: START, to: END, seed: 5 }),
    };
    states = [...(await buildCustomerStates(events, END)).values()];
    const vectors = await buildFeatureVectors(events, END);
    messages = [...vectors].slice(0, 50).map(([customerId, features]) => ({
      customerId,
      asOf: '2026-10-31T00:00:00.000Z',
      sourceEventId: `evt-${customerId}`,
      featureSchemaVersion: FEATURE_SCHEMA_VERSION,
      features: features as unknown as Record<string, number>,
      computedAt: '2026-10-31T00:00:01.000Z',
    }));
  }, 60_000);
  afterAll(() => loaded?.model.dispose());

  it('gives contract-valid scores with the model version, its horizon, tiers from its thresholds and reasons', () => {
    const scores = scoreWithModel(loaded, messages, '2026-11-23T00:00:00.000Z');
    expect(scores).toHaveLength(50);
    for (const score of scores) {
      expect(customerScoreSchema.safeParse(score).success).toBe(true);
      expect(score.modelVersion).toBe('ziln@test');
      expect(score.horizonDays).toBe(90);
      expect(score.churnRisk).toBeCloseTo(1 - score.pBuyAgain, 3);
      expect(score.expectedSpendLow! <= score.expectedSpendHigh!).toBe(true);
      const { high, mid } = loaded.metadata.tierThresholds;
      // Nothing expected is low whatever the cut points (mid may be 0 when a served peer predicts 0 for many).
      const expectedTier =
        score.expectedSpend <= 0
          ? 'low'
          : score.expectedSpend >= high
            ? 'high'
            : score.expectedSpend >= mid
              ? 'mid'
              : 'low';
      // Tiers are decided on the unrounded spend: allow a cent at each boundary.
      if ([high, mid, 0].every((cut) => Math.abs(score.expectedSpend - cut) > 0.01))
        expect(score.tier).toBe(expectedTier);
      // The three largest attributions, then the review reason where recent reviews read negative.
      const review = reviewReason(messages[scores.indexOf(score)].features as FeatureVector, 0);
      const top = review
        ? score.reasons.filter((reason) => !reason.description.startsWith('recent reviews'))
        : score.reasons;
      expect(top.length).toBeLessThanOrEqual(3);
      const sizes = top.map((reason) => Math.abs(reason.contribution));
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    }
    expect(scores.some((score) => score.reasons.some((reason) => reason.contribution < 0))).toBe(true);
    // The reasons are the three largest attributions, as a full sort would give them.
    const { attributions } = loaded.model.predictAndExplain(
      messages.map((message) => featureArray(message.features as FeatureVector)),
    );
    scores.forEach((score, i) => {
      const expected = attributions[i]
        .map((value, j) => ({ j, size: Math.abs(value) }))
        .filter(({ size }) => size > 0)
        .sort((a, b) => b.size - a.size)
        .slice(0, 3)
        .map(({ j }) => loaded.model.spec.inputNames[j]);
      // Where recent reviews read negative, the review reason takes the place of a review feature, or comes after.
      const onTop = expected.findIndex((name) => (REVIEW_SENTIMENT_FEATURES as readonly string[]).includes(name));
      const review = reviewReason(messages[i].features as FeatureVector, 0);
      const names = !review
        ? expected
        : onTop < 0
          ? [...expected, 'recentReviewSentiment']
          : expected.map((name, k) => (k === onTop ? 'recentReviewSentiment' : name));
      expect(score.reasons.map((reason) => reason.feature)).toEqual(names);
    });
    // Reasons may name the hybrid inputs (what BG/NBD + Gamma-Gamma say of the customer) beside the features.
    expect(loaded.model.spec.inputNames).toEqual([...FEATURE_NAMES, ...BTYD_INPUT_NAMES]);
    expect(scoreWithModel(loaded, [], 'x')).toEqual([]);
  });

  it("names a customer's negative recent reviews among the reasons, with what the model makes of them", () => {
    const base = messages[0];
    const features = { ...(base.features as FeatureVector) };
    const calm = {
      ...features,
      reviewCount: 2,
      recentReviewSentiment: 0.4,
      reviewSentimentMean: 0.4,
      modelReadReviewShare: 1,
    };
    const angry = { ...calm, recentReviewSentiment: -0.8, reviewSentimentMean: -0.2, negativeReviewShare: 0.5 };
    const [before, after] = scoreWithModel(
      loaded,
      [calm, angry].map((vector) => ({ ...base, features: vector as unknown as Record<string, number> })),
      '2026-11-23T00:00:00.000Z',
    );
    expect(before.reasons.some((reason) => reason.description.startsWith('recent reviews'))).toBe(false);
    const review = after.reasons.find((reason) => reason.feature === 'recentReviewSentiment')!;
    expect(review).toBeDefined();
    expect(review.value).toBe(-0.8);
    expect(review.description).toMatch(
      /^recent reviews read negative: sentiment -0\.80 over the last 90 days, read by the language model; (raises|lowers) expected spend by \d+\.\d\d against the average customer$/,
    );
    // The contribution is the review sentiment features' attributions together.
    const { attributions } = loaded.model.predictAndExplain([featureArray(angry)]);
    const names = loaded.model.spec.inputNames;
    const sum = REVIEW_SENTIMENT_FEATURES.reduce((total, name) => total + attributions[0][names.indexOf(name)], 0);
    expect(review.contribution).toBeCloseTo(sum, 1);
  });

  it('values a customer as of a later date over any horizon, discounted, and refuses a date before their last event', () => {
    const state = states.find((candidate) => featureVectorAt(candidate, candidate.lastEventMs).frequency >= 2)!;
    const later = new Date(state.lastEventMs + 400 * 86_400_000).toISOString();
    const now = customerValueAt(loaded, state, {}, state.lastEventMs);
    expect(now).toMatchObject({ customerId: state.customerId, horizonDays: 90, annualDiscountRate: 0 });
    expect(now.clv).toBe(now.expectedSpend);
    const lapsed = customerValueAt(loaded, state, { at: later, horizonDays: 365, annualDiscountRate: 0.2 }, null);
    expect(lapsed.asOf).toBe(later);
    expect(lapsed.clv).toBeLessThanOrEqual(lapsed.expectedSpend);
    // Silence lowers BG/NBD's P(alive) for a repeat buyer (and never raises it).
    expect(lapsed.probabilityAlive!).toBeLessThanOrEqual(now.probabilityAlive! + 1e-9);
    expect(() =>
      customerValueAt(loaded, state, { at: new Date(state.lastEventMs - 1000).toISOString() }, null),
    ).toThrow(ValueAtBeforeLastEvent);
    expect(customerValueQuerySchema.safeParse({ horizonDays: '0' }).success).toBe(false);
    expect(customerValueQuerySchema.safeParse({ annualDiscountRate: '1.5' }).success).toBe(false);
    expect(customerValueQuerySchema.safeParse({ at: 'tomorrow' }).success).toBe(false);
    expect(customerValueQuerySchema.safeParse({ limit: '3' }).success).toBe(false);
    expect(customerValueQuerySchema.parse({ horizonDays: '365', annualDiscountRate: '0.1' })).toEqual({
      horizonDays: 365,
      annualDiscountRate: 0.1,
    });
  });
});
