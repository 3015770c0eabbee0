import { applyEvent, STATE_BOUNDS } from './customer-state';
import { FEATURE_NAMES, FEATURE_SCHEMA_VERSION, featureArray, featureVector, featureVectorAt } from './feature-vector';
import { addToCart, pageView, plusDays, productView, purchase, refund, review } from './testing/events';
import type { ClickstreamEvent } from '@cvp/contracts';

const fold = (events: ClickstreamEvent[]) => events.reduce(applyEvent, null)!;

describe('feature vector', () => {
  // 2026-01-01 is a Thursday.
  const stream = [
    pageView('2026-01-01T00:00:00Z', { sessionId: 's1' }),
    productView('2026-01-01T00:10:00Z', 'p1', { sessionId: 's1' }),
    addToCart('2026-01-01T00:20:00Z', 'p1', { sessionId: 's1' }),
    purchase(
      '2026-01-02T10:00:00Z',
      [
        { productId: 'p1', category: 'shoes', quantity: 2, unitPrice: 25 },
        { productId: 'p2', category: 'socks', unitPrice: 50 },
      ],
      { sessionId: 's2' },
    ),
    purchase('2026-01-12T10:00:00Z', [{ productId: 'p3', category: 'shoes', unitPrice: 300 }], { sessionId: 's3' }),
    refund('2026-01-13T12:00:00Z', 50),
    purchase('2026-01-17T10:00:00Z', [{ productId: 'p1', category: 'shoes', unitPrice: 20 }]),
    review('2026-01-18T15:00:00Z', 5, 'Love it, great quality'),
    review('2026-01-19T15:00:00Z', 2, 'Não gostei, veio quebrado'),
    review('2026-01-20T15:00:00Z', 4),
    pageView('2026-01-22T00:00:00Z', { sessionId: 's4' }),
  ];
  const features = featureVector(fold(stream));

  it('is versioned, complete and in schema order', () => {
    expect(FEATURE_SCHEMA_VERSION).toBe('features@3');
    expect(Object.keys(features)).toEqual([...FEATURE_NAMES]);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length);
    expect(featureArray(features)).toHaveLength(FEATURE_NAMES.length);
  });

  it('computes recency, frequency, monetary value and tenure', () => {
    expect(features).toMatchObject({
      recencyDays: 4.5833, // 2026-01-17T10:00 -> 2026-01-22T00:00
      daysSinceLastEvent: 0,
      daysSinceFirstEvent: 21,
      tenureDays: 19.5833,
      frequency: 3,
      monetaryTotal: 370, // 420 gross - 50 refunded
      monetaryMean: 123.33,
      maxOrderValue: 300,
    });
  });

  it('computes the inter-purchase time: lifetime mean and spread of the gaps', () => {
    // Gaps of 10 and 5 days.
    expect(features.interPurchaseMeanDays).toBe(7.5);
    expect(features.interPurchaseStdDays).toBe(2.5);
  });

  it('computes breadth, basket size and refunds', () => {
    expect(features).toMatchObject({
      distinctProducts: 3,
      distinctCategories: 2,
      basketSizeMean: 1.6667, // 5 units in 3 orders
      refundCount: 1,
      refundAmount: 50,
      refundRate: 0.3333,
      refundAmountShare: 0.119,
    });
  });

  it('computes sessions, views, cart adds and conversions', () => {
    expect(features).toMatchObject({
      eventCount: 11,
      sessions: 4,
      pageViews: 2,
      productViews: 1,
      cartAdds: 1,
      cartRemoves: 0,
      checkouts: 0,
      viewToPurchaseRate: 1, // 3 orders for 1 product view, capped at 1
      cartToPurchaseRate: 1,
    });
  });

  it('computes reviews: count, mean rating, text sentiment and share of negative texts', () => {
    expect(features).toMatchObject({
      reviewCount: 3,
      meanRating: 3.6667,
      reviewSentimentMean: 0.144, // (0.9 - 0.612) / 2: the review without text has no sentiment
      negativeReviewShare: 0.5,
    });
  });

  it('profiles activity by UTC weekday and 4-hour block', () => {
    expect(features).toMatchObject({
      weekdayShareMon: 0.1818,
      weekdayShareTue: 0.1818,
      weekdayShareWed: 0,
      weekdayShareThu: 0.3636,
      weekdayShareFri: 0.0909,
      weekdayShareSat: 0.0909,
      weekdayShareSun: 0.0909,
      hourShare00to03: 0.3636,
      hourShare04to07: 0,
      hourShare08to11: 0.2727,
      hourShare12to15: 0.3636,
      hourShare16to19: 0,
      hourShare20to23: 0,
    });
  });

  it('reads weekday and hour in UTC whatever the offset of the event', () => {
    // Monday 23:30 in Sao Paulo is Tuesday 02:30 UTC.
    const vector = featureVector(fold([pageView('2026-01-05T23:30:00-03:00')]));
    expect(vector.weekdayShareTue).toBe(1);
    expect(vector.hourShare00to03).toBe(1);
  });

  describe('windows', () => {
    const asOf = '2026-06-30T12:00:00Z';
    const daysBack = [0, 29, 30, 89, 90, 179, 180, 364, 365];
    const purchases = fold(
      daysBack.map((back) => purchase(plusDays(asOf, -back), [{ productId: 'p', unitPrice: 10 }])),
    );

    it('sums spend and orders over the last 30, 90 and 365 UTC days, the as-of day included', () => {
      expect(featureVectorAt(purchases, asOf)).toMatchObject({
        spend30d: 20,
        orders30d: 2,
        spend90d: 40,
        orders90d: 4,
        spend365d: 80,
        orders365d: 8,
        frequency: 9,
        monetaryTotal: 90,
      });
    });

    it('compares the last 90 days with the 90 before, and the last 30 days of activity with the 30 before', () => {
      const vector = featureVectorAt(purchases, asOf);
      expect(vector.spendTrend90d).toBe(0.3333); // 40 against 20
      expect(vector.events30d).toBe(2);
      expect(vector.activityTrend30d).toBe(0.3333); // 2 events against 1
    });

    it('slides the windows with the as-of time', () => {
      const later = featureVectorAt(purchases, plusDays(asOf, 30));
      expect(later).toMatchObject({ spend30d: 0, spend90d: 30, orders90d: 3, events30d: 0, activityTrend30d: -1 });
      expect(later.recencyDays).toBe(30);
    });

    it('keeps bucket days only as far back as the longest window', () => {
      expect(purchases.purchaseDays).toHaveLength(8);
      expect(purchases.activeDays.length).toBeLessThanOrEqual(STATE_BOUNDS.activityDays);
    });

    it('takes an as-of before the newest event as that event', () => {
      expect(featureVectorAt(purchases, '2020-01-01T00:00:00Z')).toEqual(featureVector(purchases));
      expect(featureVectorAt(purchases, new Date(asOf))).toEqual(featureVectorAt(purchases, Date.parse(asOf)));
    });
  });

  it('counts distinct products exactly up to the sketch size, then estimates', () => {
    const lines = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        productId: `p-${from + i}`,
        category: `c-${(from + i) % 7}`,
        unitPrice: 1,
      }));
    const few = fold([purchase('2026-01-01T00:00:00Z', lines(0, 50)), purchase('2026-01-02T00:00:00Z', lines(25, 38))]);
    expect(featureVector(few)).toMatchObject({ distinctProducts: 63, distinctCategories: 7 });
    const many = fold(
      Array.from({ length: 20 }, (_, i) => purchase(plusDays('2026-01-01T00:00:00Z', i), lines(i * 100, 100))),
    );
    const estimate = featureVector(many).distinctProducts;
    expect(Math.abs(estimate - 2000) / 2000).toBeLessThan(0.3); // ~13% standard error at k = 64
  });

  it('gives a browser who never bought finite defaults', () => {
    const browser = featureVector(
      fold([pageView('2026-01-01T00:00:00Z'), pageView('2026-01-03T00:00:00Z')]),
      '2026-01-11T00:00:00Z',
    );
    for (const name of FEATURE_NAMES) expect(Number.isFinite(browser[name])).toBe(true);
    expect(browser).toMatchObject({
      recencyDays: 10, // from the first event when there is no purchase
      tenureDays: 10,
      daysSinceLastEvent: 8,
      frequency: 0,
      monetaryMean: 0,
      interPurchaseMeanDays: 0,
      interPurchaseStdDays: 0,
      spendTrend90d: 0,
      basketSizeMean: 0,
      refundRate: 0,
      refundAmountShare: 0,
      sessions: 0,
      viewToPurchaseRate: 0,
      meanRating: 0,
      reviewSentimentMean: 0,
      negativeReviewShare: 0,
    });
  });
});
