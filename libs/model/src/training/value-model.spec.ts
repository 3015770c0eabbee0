import { syntheticClickstream } from '@cvp/datasets';
import { selectBackend } from '../ziln/backend';
import {
  fitTierThresholds,
  publishVerdict,
  spendBetween,
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
      trainValueModel({ events, to: END, horizonDays: 90, seed: 3, ziln: { hiddenUnits: [16], maxEpochs: 15 } });
    const trained = await run();
    expect(trained.labelFrom.toISOString()).toBe('2026-08-03T00:00:00.000Z');
    expect(trained.customers.validation).toBe(Math.round(0.2 * (trained.customers.train + trained.customers.validation)));
    expect(trained.customers.scored).toBeGreaterThanOrEqual(trained.customers.train + trained.customers.validation);
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
  });

  it('refuses a window without enough history before the label window, saying what to do', async () => {
    await expect(
      trainValueModel({ events: events.slice(0, 30), to: END, horizonDays: 90, seed: 1 }),
    ).rejects.toThrow(/training needs at least 50: load more history or shorten the horizon/);
    await expect(trainValueModel({ events, to: END, horizonDays: 0, seed: 1 })).rejects.toThrow(/horizonDays/);
  });
});

describe('value model helpers', () => {
  it('sums purchase spend in a half-open window', () => {
    const purchase = (customerId: string, occurredAt: string, total: number) =>
      ({ type: 'purchase', customerId, occurredAt, total }) as never;
    const spend = spendBetween(
      [
        purchase('a', '2026-01-01T00:00:00.000Z', 10),
        purchase('a', '2026-01-31T23:59:59.999Z', 5),
        purchase('a', '2026-02-01T00:00:00.000Z', 100),
        purchase('b', '2025-12-31T23:59:59.999Z', 7),
      ],
      new Date('2026-01-01T00:00:00Z'),
      new Date('2026-02-01T00:00:00Z'),
    );
    expect([...spend]).toEqual([['a', 15]]);
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
