import type { ClickstreamEvent } from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import { FEATURE_NAMES } from '@cvp/features';
import { selectBackend } from '../ziln/backend';
import {
  fitTierThresholds,
  publishVerdict,
  scoringMoments,
  tierOf,
  trainValueModel,
  validationMetrics,
  valueModelMetadata,
} from './value-model';

const START = new Date('2025-01-01T00:00:00Z');
const END = new Date('2026-11-01T00:00:00Z');

describe('trainValueModel', () => {
  const events = [...syntheticClickstream({ customers: 400, seed: 7, start: START, end: END })];
  beforeAll(async () => {
    await selectBackend('cpu', () => undefined);
  });

  it('trains on the window, validates on held-out customers and fits tier thresholds on the population', async () => {
    const run = () =>
      trainValueModel({
        events,
        to: END,
        horizonDays: 90,
        seed: 3,
        momentsPerCustomer: 2,
        clockMomentsPerCustomer: 2,
        ziln: { hiddenUnits: [16], maxEpochs: 15 },
      });
    const trained = await run();
    expect(trained.labelFrom.toISOString()).toBe('2026-08-03T00:00:00.000Z');
    expect(trained.customers.validation).toBe(
      Math.round(0.2 * (trained.customers.train + trained.customers.validation)),
    );
    expect(trained.customers.scored).toBeGreaterThanOrEqual(trained.customers.train + trained.customers.validation);
    expect(trained.examples.train).toBeGreaterThan(trained.customers.train);
    // Up to 2 event moments and exactly 2 clock moments per customer.
    expect(trained.examples.train).toBeLessThanOrEqual(4 * trained.customers.train);
    // The synthetic shoppers are learnable: the model ranks held-out spend better than chance (Gini 0).
    expect(trained.metrics.gini).toBeGreaterThan(0.2);
    expect(trained.tierThresholds.high).toBeGreaterThan(trained.tierThresholds.mid);
    expect(validationMetrics(trained.model, trained.validation).gini).toBe(trained.metrics.gini);

    const again = await run();
    expect(again.metrics).toEqual(trained.metrics);
    expect(again.tierThresholds).toEqual(trained.tierThresholds);

    const metadata = valueModelMetadata(trained, { version: 'ziln@1', from: START, to: END, seed: 3 });
    expect(metadata).toMatchObject({
      version: 'ziln@1',
      algorithm: 'ziln',
      featureSchemaVersion: 'features@2',
      horizonDays: 90,
      trainedFrom: START.toISOString(),
      trainedTo: END.toISOString(),
      backend: 'cpu',
    });
    expect(metadata.validation).not.toHaveProperty('deciles');
    trained.model.dispose();
    again.model.dispose();
  }, 60_000);

  it('refuses a window without enough history before the label window, saying what to do', async () => {
    await expect(trainValueModel({ events: events.slice(0, 30), to: END, horizonDays: 90, seed: 1 })).rejects.toThrow(
      /training needs at least 50: load more history or shorten the horizon/,
    );
    await expect(trainValueModel({ events, to: END, horizonDays: 0, seed: 1 })).rejects.toThrow(/horizonDays/);
  });
});

describe('value model helpers', () => {
  it('draws one scoring moment per customer at an event, with the spend of the following horizon as label', () => {
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();
    const purchase = (customerId: string, n: number, total: number): ClickstreamEvent => ({
      eventId: `${customerId}-${n}`,
      customerId,
      occurredAt: day(n),
      type: 'purchase',
      orderId: `${customerId}-o${n}`,
      items: [{ productId: 'p', quantity: 1, unitPrice: total }],
      total,
      currency: 'USD',
    });
    const days = [0, 10, 50, 95, 200, 290];
    const events = days.map((n) => purchase('a', n, n + 1));
    events.push(purchase('late', 250, 5)); // only events after to − horizon: no moment, but in the population
    const to = new Date(day(300));
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const { moments, population } = scoringMoments(events, to, 90, seed);
      expect(population).toHaveLength(2);
      expect(moments).toHaveLength(1);
      const [moment] = moments;
      const t = days.find((n) => day(n) === moment.at)!;
      expect(t).toBeLessThanOrEqual(210);
      seen.add(moment.at);
      const expected = days.filter((n) => n > t && n <= t + 90).reduce((sum, n) => sum + n + 1, 0);
      expect(moment.spend).toBe(expected);
      // The features are those the features service computes right after that event.
      expect(moment.features[FEATURE_NAMES.indexOf('frequency')]).toBe(days.filter((n) => n <= t).length);
    }
    expect(seen.size).toBe(5); // every eligible event gets drawn for some seed
  });

  it('adds moments at instants of the clock, with the features as of that instant and the spend after it', () => {
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();
    const purchase = (n: number, total: number): ClickstreamEvent => ({
      eventId: `q-p${n}`,
      customerId: 'q',
      occurredAt: day(n),
      type: 'purchase',
      orderId: `q-o${n}`,
      items: [{ productId: 'p', quantity: 1, unitPrice: total }],
      total,
      currency: 'USD',
    });
    const days = [0, 20, 40, 200];
    const events = days.map((n) => purchase(n, 10));
    const to = new Date(day(300));
    const { moments } = scoringMoments(events, to, 90, 3, 0, 25);
    expect(moments).toHaveLength(25);
    const recency = FEATURE_NAMES.indexOf('recencyDays');
    const silence = FEATURE_NAMES.indexOf('daysSinceLastEvent');
    for (const moment of moments) {
      const atMs = Date.parse(moment.at);
      expect(atMs).toBeGreaterThanOrEqual(Date.parse(day(0)));
      expect(atMs).toBeLessThanOrEqual(Date.parse(day(210)));
      const lastBefore = Math.max(...days.filter((n) => Date.parse(day(n)) <= atMs));
      // Recency and silence grow with the clock between events, as in a sweep.
      expect(moment.features[recency]).toBeCloseTo((atMs - Date.parse(day(lastBefore))) / 86_400_000, 3);
      expect(moment.features[silence]).toBe(moment.features[recency]);
      const later = days.filter((n) => Date.parse(day(n)) > atMs && Date.parse(day(n)) <= atMs + 90 * 86_400_000);
      expect(moment.spend).toBe(later.length * 10);
    }
    expect(new Set(moments.map((moment) => moment.at)).size).toBeGreaterThan(20);
  });

  it('puts the top shares of predictions in high and mid', () => {
    const spends = Array.from({ length: 100 }, (_, i) => i);
    const thresholds = fitTierThresholds(spends, { high: 0.2, mid: 0.3 });
    expect(thresholds).toEqual({ high: 80, mid: 50, highShare: 0.2, midShare: 0.3 });
    const tiers = spends.map((spend) => tierOf(spend, thresholds));
    expect(tiers.filter((tier) => tier === 'high')).toHaveLength(20);
    expect(tiers.filter((tier) => tier === 'mid')).toHaveLength(30);
    expect(() => fitTierThresholds(spends, { high: 0.6, mid: 0.5 })).toThrow(/high \+ mid < 1/);
    expect(() => fitTierThresholds([], { high: 0.2, mid: 0.3 })).toThrow(/no predictions/);
  });

  it('publishes only a candidate that ranks better than the published model', () => {
    expect(publishVerdict({ gini: 0.5 }, null)).toEqual({ publish: true, reason: 'no model is published yet' });
    expect(publishVerdict({ gini: 0.5 }, { version: 'v1', metrics: { gini: 0.4 } }).publish).toBe(true);
    expect(publishVerdict({ gini: 0.4 }, { version: 'v1', metrics: { gini: 0.4 } })).toEqual({
      publish: false,
      reason: "validation Gini 0.4000 does not beat v1's 0.4000",
    });
    expect(publishVerdict({ gini: Number.NaN }, null).publish).toBe(false);
  });
});
