import type { ClickstreamEvent } from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import { FEATURE_NAMES } from '@cvp/features';
import { selectBackend } from '../ziln/backend';
import {
  btydInputs,
  btydSummaryOfRow,
  fitBtydInputs,
  horizonStretch,
  processProbabilityOfPurchase,
} from './btyd-inputs';
import { cutoffExamples, rollingWindows } from './examples';
import {
  processesRead,
  publishVerdict,
  scoreDifferenceError,
  trainValueModel,
  validationMetrics,
  valueModelMetadata,
} from './train';
import {
  blendProbability,
  fitTierThresholds,
  NETWORK_PURCHASE,
  tierOf,
  ValueModel,
  valueModelSpec,
  ZILN_ONLY,
  type PurchaseBlend,
  type ServedBlend,
} from './value-model';

const START = new Date('2025-01-01T00:00:00Z');
const END = new Date('2026-11-01T00:00:00Z');
const DAY_MS = 86_400_000;
const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY_MS).toISOString();
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

describe('trainValueModel', () => {
  const events = [...syntheticClickstream({ customers: 400, seed: 7, start: START, end: END })];
  beforeAll(async () => {
    await selectBackend('wasm', () => undefined);
  });

  it('trains on rolling cutoffs, selects on the last one and fits tier thresholds on the population', async () => {
    const run = () =>
      trainValueModel({ events, to: END, horizonDays: 90, seed: 3, ziln: { hiddenUnits: [16], maxEpochs: 15 } });
    const trained = await run();
    // 22 months of history: label windows of the full horizon, the selection cutoff one horizon before the end.
    expect(trained.labelDays).toBe(90);
    expect(trained.labelFrom.toISOString()).toBe('2026-08-03T00:00:00.000Z');
    expect(trained.selection.validationCutoff).toBe('2026-08-03T00:00:00.000Z');
    expect(trained.examples.cutoffs).toBe(13);
    expect(trained.examples.final).toBeGreaterThan(trained.examples.selection);
    expect(trained.customers.scored).toBeGreaterThanOrEqual(trained.customers.validation);
    // Every candidate is recorded with its figures, best first; the winner is served.
    const names = trained.selection.candidates.map((candidate) => candidate.name);
    expect(names).toEqual(expect.arrayContaining(['cvp-ziln', 'cvp-btyd', 'cvp-calibration-total']));
    const scores = trained.selection.candidates.map((candidate) => candidate.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(trained.model.spec.served.name).toBe(trained.selection.winner);
    // The best on the window, unless it leads the best blend at the default weight by one standard error or less.
    const rule = trained.selection.combinationRule;
    if (rule?.preferred) {
      expect(trained.selection.winner).toBe(rule.blend);
      expect(rule.lead).toBeLessThanOrEqual(rule.standardError);
    } else expect(trained.selection.winner).toBe(names[0]);
    // P(buy) is chosen apart, by ROC AUC on the same customers: the network's, or its blends with each process.
    const purchase = trained.selection.purchase;
    expect(purchase.candidates.map((candidate) => candidate.name)).toEqual(
      expect.arrayContaining([
        'network',
        'network+bgnbd@0.50',
        'network+pareto-nbd@0.75',
        'network+modified-bgnbd@0.50',
      ]),
    );
    const aucs = purchase.candidates.map((candidate) => candidate.auc);
    expect(aucs).toEqual([...aucs].sort((a, b) => b - a));
    expect(purchase.winner).toBe(purchase.candidates[0].name);
    expect(trained.model.spec.purchase.name).toBe(purchase.winner);
    expect(trained.metrics.auc).toBe(aucs[0]);
    // The synthetic shoppers are learnable: the winner ranks the selection window's spend better than chance.
    expect(trained.metrics.gini).toBeGreaterThan(0.2);
    // Calibrated on the selection window's total.
    expect(trained.metrics.totalRatio).toBeCloseTo(1, 6);
    // The served total is calibrated with the final network on the same season a year before (22 months of
    // history: `to` − 365 days is a cutoff), where its label-window total is then the actual.
    expect(trained.calibration).toMatchObject({ cutoff: '2025-11-01T00:00:00.000Z', seasonal: true });
    expect(trained.model.spec.served.scale).toBe(trained.calibration.scale);
    const calibrationExamples = cutoffExamples(events, [new Date(trained.calibration.cutoff)], trained.labelDays, END)
      .perCutoff[0];
    expect(trained.calibration.customers).toBe(calibrationExamples.rows.length);
    expect(trained.calibration.actualSpend).toBeCloseTo(
      calibrationExamples.spend.reduce((sum, value) => sum + value, 0),
      6,
    );
    expect(trained.tierThresholds.high).toBeGreaterThan(trained.tierThresholds.mid);
    // The trainer compares the published model on the same customers with the same function.
    expect(Number.isFinite(validationMetrics(trained.model, trained.validation).gini)).toBe(true);

    const again = await run();
    expect(again.metrics).toEqual(trained.metrics);
    expect(again.tierThresholds).toEqual(trained.tierThresholds);

    const metadata = valueModelMetadata(trained, { version: 'ziln@1', from: START, to: END, seed: 3 });
    expect(metadata).toMatchObject({
      version: 'ziln@1',
      algorithm: 'ziln',
      featureSchemaVersion: 'features@3',
      horizonDays: 90,
      labelDays: 90,
      trainedFrom: START.toISOString(),
      trainedTo: END.toISOString(),
      backend: 'wasm',
      purchase: trained.model.spec.purchase,
    });
    expect(metadata.validation).not.toHaveProperty('deciles');
    // What the scorer rebuilds from the metadata predicts exactly what the trainer's model does.
    const rebuilt = new ValueModel(trained.model.network, valueModelSpec(JSON.parse(JSON.stringify(metadata))));
    const rows = trained.population.rows.slice(0, 20);
    expect(rebuilt.predict(rows)).toEqual(trained.model.predict(rows));

    // Value over another horizon, discounted: undiscounted at the model's horizon it is the served prediction.
    const served = trained.model.predict(rows);
    const plain = trained.model.valueOver(rows, { horizonDays: 90 });
    plain.forEach((value, i) => {
      expect(value.clv).toBe(served[i].expectedSpend);
      expect(value.expectedSpend).toBe(served[i].expectedSpend);
    });
    const year = trained.model.valueOver(rows, { horizonDays: 365, annualDiscountRate: 0.1 });
    year.forEach((value, i) => {
      expect(value.expectedSpend).toBeGreaterThanOrEqual(served[i].expectedSpend);
      // Every month is discounted by (1.1)^-(t/365), t in (0, 365): between 1.1^-1 and 1 of the undiscounted.
      expect(value.clv).toBeLessThanOrEqual(value.expectedSpend);
      expect(value.clv).toBeGreaterThanOrEqual(value.expectedSpend / 1.1);
      expect(value.probabilityAlive === null || (value.probabilityAlive >= 0 && value.probabilityAlive <= 1)).toBe(
        true,
      );
    });
    expect(year.some((value) => value.clv < value.expectedSpend)).toBe(true);
    expect(() => trained.model.valueOver(rows, { horizonDays: 0 })).toThrow(/horizonDays/);
    expect(() => trained.model.valueOver(rows, { horizonDays: 90, annualDiscountRate: 2 })).toThrow(
      /annualDiscountRate/,
    );
    // The served model carries the purchase processes its blends read and no other (each is a fit on the whole
    // population); the selection had them all.
    const read = processesRead(trained.model.spec.served, trained.model.spec.purchase);
    for (const process of ['pareto-nbd', 'modified-bgnbd'] as const) {
      const fitted = trained.model.spec.btyd?.[process === 'pareto-nbd' ? 'paretoNbd' : 'modifiedBgNbd'];
      if (read.includes(process)) expect(fitted?.r).toBeGreaterThan(0);
      else expect(fitted).toBeUndefined();
    }
    expect(names).toEqual(expect.arrayContaining(['cvp-pareto-nbd', 'cvp-modified-bgnbd']));
    trained.model.dispose();
    again.model.dispose();
  }, 120_000);

  it('calibrates on the last cutoff when the year before has too few customers to say anything', async () => {
    const to = new Date('2026-02-01T00:00:00Z');
    const early = events.filter((event) => event.occurredAt < '2025-02-01T00:00:00.000Z');
    expect(new Set(early.map((event) => event.customerId)).size).toBeLessThan(50);
    const trained = await trainValueModel({
      events,
      to,
      horizonDays: 90,
      seed: 1,
      members: 1,
      ziln: { hiddenUnits: [8], maxEpochs: 3 },
    });
    expect(trained.calibration).toMatchObject({ seasonal: false, cutoff: trained.labelFrom.toISOString() });
    trained.model.dispose();
  }, 60_000);

  it('refuses a window without enough history, saying what to do', async () => {
    await expect(trainValueModel({ events: events.slice(0, 30), to: END, horizonDays: 90, seed: 1 })).rejects.toThrow(
      /training needs at least 50: load more history or shorten the horizon/,
    );
    const recent = events.filter((event) => event.occurredAt >= '2026-10-20');
    await expect(trainValueModel({ events: recent, to: END, horizonDays: 90, seed: 1 })).rejects.toThrow(
      /too few to train on/,
    );
    await expect(trainValueModel({ events, to: END, horizonDays: 0, seed: 1 })).rejects.toThrow(/horizonDays/);
  });
});

describe('rolling windows and examples', () => {
  it('matches label windows to the horizon where history allows, a third of the history where not', () => {
    const to = new Date(day(300));
    expect(rollingWindows(Date.parse(day(0)), to, 90)).toMatchObject({ labelDays: 90, stepDays: 23 });
    const short = rollingWindows(Date.parse(day(0)), to, 273);
    expect(short.labelDays).toBe(100);
    // The newest cutoff is to − labelDays; none has less than a step of history before it.
    expect(short.cutoffs[short.cutoffs.length - 1].toISOString()).toBe(day(200));
    expect(short.cutoffs[0].getTime() - Date.parse(day(0))).toBeGreaterThanOrEqual(short.stepDays * DAY_MS);
    expect(() => rollingWindows(Date.parse(day(290)), to, 90)).toThrow(/too few to train on/);
    // Under a year of history: no cutoff a year before.
    expect(short.seasonalCutoff).toBeNull();
  });

  it('adds the cutoff a year before `to` when the history holds it, once, in order', () => {
    const to = new Date(day(700));
    const windows = rollingWindows(Date.parse(day(0)), to, 30);
    expect(windows.seasonalCutoff?.toISOString()).toBe(day(335));
    const times = windows.cutoffs.map((cutoff) => cutoff.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.filter((time) => time === Date.parse(day(335)))).toHaveLength(1);
    // 12 rolling cutoffs of 30-day windows reach back 90 days before `to` − 30: the year-before one is a 13th.
    expect(windows.cutoffs).toHaveLength(13);
    expect(windows.cutoffs[windows.cutoffs.length - 1].toISOString()).toBe(day(670));
    // Already a rolling cutoff: not added twice (label windows of a year: `to` − 365 is the last cutoff).
    const long = rollingWindows(Date.parse(day(0)), new Date(day(1200)), 365);
    expect(long.seasonalCutoff?.toISOString()).toBe(day(835));
    expect(long.cutoffs.filter((cutoff) => cutoff.toISOString() === day(835))).toHaveLength(1);
    // A year before with less than a step of history behind it: none.
    expect(rollingWindows(Date.parse(day(330)), to, 30).seasonalCutoff).toBeNull();
  });

  it('takes features as of each cutoff from the events before it, and the spend of the label window after it', () => {
    const days = [0, 10, 50, 95, 200, 290];
    const events = days.map((n) => purchase('a', n, n + 1));
    events.push(purchase('late', 250, 5));
    const cutoffs = [new Date(day(60)), new Date(day(120)), new Date(day(210))];
    const { perCutoff, population } = cutoffExamples(events, cutoffs, 90, new Date(day(300)));
    expect(population.customerIds).toEqual(['a', 'late']);
    const frequency = FEATURE_NAMES.indexOf('frequency');
    const recency = FEATURE_NAMES.indexOf('recencyDays');
    expect(perCutoff.map((examples) => examples.customerIds)).toEqual([['a'], ['a'], ['a']]);
    expect(perCutoff.map((examples) => examples.rows[0][frequency])).toEqual([3, 4, 5]);
    // Recency grows with the clock between events, as in a sweep.
    expect(perCutoff.map((examples) => examples.rows[0][recency])).toEqual([10, 25, 10]);
    // [60, 150): day 95; [120, 210): day 200; [210, 300): day 290. `late` first bought after the last cutoff.
    expect(perCutoff.map((examples) => examples.spend)).toEqual([[96], [201], [291]]);
  });
});

describe('hybrid inputs', () => {
  it("reads BG/NBD's summary from the feature row and gives zeros before a first purchase", () => {
    const row = new Array(FEATURE_NAMES.length).fill(0);
    const set = (name: (typeof FEATURE_NAMES)[number], value: number) => (row[FEATURE_NAMES.indexOf(name)] = value);
    expect(btydSummaryOfRow(row)).toBeNull();
    set('frequency', 4);
    set('tenureDays', 70);
    set('recencyDays', 14);
    set('monetaryMean', 25);
    expect(btydSummaryOfRow(row)).toEqual({ repeatCount: 3, lastRepeatTime: 8, age: 10, meanRepeatValue: 25 });
    expect(btydInputs(null, row, 90)).toEqual([0, 0, 0, 0, 0]);
    // Purchase days, not orders: four orders on the first day are one purchase (no repeat), four within two days
    // at most two repeats (without this, Pareto/NBD's fit ran off to an infinite rate on such logs, for minutes).
    set('recencyDays', 70);
    expect(btydSummaryOfRow(row)).toEqual({ repeatCount: 0, lastRepeatTime: 0, age: 10, meanRepeatValue: 0 });
    set('recencyDays', 67.9);
    expect(btydSummaryOfRow(row)).toMatchObject({ repeatCount: 2, meanRepeatValue: 25 });
  });

  it('fits on a population and stretches a prediction to a longer horizon by expected orders', () => {
    const rows: number[][] = [];
    for (let i = 0; i < 300; i++) {
      const row = new Array(FEATURE_NAMES.length).fill(0);
      const orders = 1 + (i % 6);
      row[FEATURE_NAMES.indexOf('frequency')] = orders;
      row[FEATURE_NAMES.indexOf('tenureDays')] = 100 + (i % 50);
      row[FEATURE_NAMES.indexOf('recencyDays')] = orders === 1 ? 100 + (i % 50) : (i * 7) % 100;
      row[FEATURE_NAMES.indexOf('monetaryMean')] = 20 + (i % 30);
      rows.push(row);
    }
    const fit = fitBtydInputs(rows)!;
    expect(fit.customers).toBe(300);
    const [alive, orders, buy, value, spend] = btydInputs(fit, rows[5], 90);
    expect(alive).toBeGreaterThan(0);
    expect(alive).toBeLessThanOrEqual(1);
    expect(buy).toBeLessThanOrEqual(alive);
    expect(spend).toBeCloseTo(orders * value, 6);
    const stretch = horizonStretch(fit, rows[5], 90, 270);
    expect(stretch.spend).toBeGreaterThan(1);
    expect(stretch.spend).toBeLessThanOrEqual(3 + 1e-9);
    expect(stretch.probability(0.3)).toBeGreaterThanOrEqual(0.3);
    expect(horizonStretch(null, rows[5], 90, 270).spend).toBe(3);
    expect(horizonStretch(fit, rows[5], 90, 90).spend).toBe(1);

    // P(buy) of a purchase process, and its blend with the network's; the network's where the process cannot read
    // the customer (no purchase yet) or was not fitted.
    const withAlternatives = fitBtydInputs(rows, { alternatives: true })!;
    const spec = { btyd: withAlternatives, labelDays: 90 };
    expect(processProbabilityOfPurchase(withAlternatives, rows[5], 90, 'bgnbd')).toBeCloseTo(buy, 12);
    const pareto = processProbabilityOfPurchase(withAlternatives, rows[5], 90, 'pareto-nbd')!;
    expect(pareto).toBeGreaterThan(0);
    expect(pareto).toBeLessThan(1);
    const mixed = { name: 'network+pareto-nbd@0.25', process: 'pareto-nbd' as const, networkWeight: 0.25 };
    expect(blendProbability(mixed, 0.8, rows[5], spec)).toBeCloseTo(0.25 * 0.8 + 0.75 * pareto, 12);
    expect(blendProbability(NETWORK_PURCHASE, 0.8, rows[5], spec)).toBe(0.8);
    const newcomer = new Array(FEATURE_NAMES.length).fill(0);
    expect(processProbabilityOfPurchase(withAlternatives, newcomer, 90, 'pareto-nbd')).toBeNull();
    expect(blendProbability(mixed, 0.8, newcomer, spec)).toBe(0.8);
    expect(processProbabilityOfPurchase(fit, rows[5], 90, 'pareto-nbd')).toBeNull();

    // Only the processes asked for: the same fits as with all of them.
    const onlyPareto = fitBtydInputs(rows, { alternatives: ['pareto-nbd'] })!;
    expect(onlyPareto.bgnbd).toEqual(withAlternatives.bgnbd);
    expect(onlyPareto.paretoNbd).toEqual(withAlternatives.paretoNbd);
    expect(onlyPareto.modifiedBgNbd).toBeUndefined();
  });

  it('names the purchase processes a served blend and its P(buy) read', () => {
    const blend = (peer: ServedBlend['peer']): ServedBlend => ({
      name: 'b',
      peer,
      zilnWeight: 0.5,
      peerScale: 1,
      scale: 1,
    });
    const buy = (process: PurchaseBlend['process']): PurchaseBlend => ({ name: 'p', process, networkWeight: 0.5 });
    expect(processesRead(ZILN_ONLY, NETWORK_PURCHASE)).toEqual([]);
    expect(processesRead(blend('calibration-total'), buy('bgnbd'))).toEqual([]);
    expect(processesRead(blend('pareto-nbd'), NETWORK_PURCHASE)).toEqual(['pareto-nbd']);
    expect(processesRead(blend('pareto-nbd'), buy('modified-bgnbd'))).toEqual(['pareto-nbd', 'modified-bgnbd']);
    expect(processesRead(blend('modified-bgnbd'), buy('modified-bgnbd'))).toEqual(['modified-bgnbd']);
  });
});

describe('value model helpers', () => {
  it('puts the top shares of predictions in high and mid', () => {
    const spends = Array.from({ length: 100 }, (_, i) => i);
    const thresholds = fitTierThresholds(spends, { high: 0.2, mid: 0.3 });
    expect(thresholds).toEqual({ high: 80, mid: 50, highShare: 0.2, midShare: 0.3 });
    const tiers = spends.map((spend) => tierOf(spend, thresholds));
    expect(tiers.filter((tier) => tier === 'high')).toHaveLength(20);
    expect(tiers.filter((tier) => tier === 'mid')).toHaveLength(30);
    expect(() => fitTierThresholds(spends, { high: 0.6, mid: 0.5 })).toThrow(/high \+ mid < 1/);
    expect(() => fitTierThresholds([], { high: 0.2, mid: 0.3 })).toThrow(/no predictions/);
    // More than the low share predicted 0 (a served peer like last-90-day spend): the mid cut point is 0, yet a
    // customer expected to spend nothing stays low.
    const peerLike = fitTierThresholds([...new Array(60).fill(0), ...spends.slice(60)], { high: 0.2, mid: 0.3 });
    expect(peerLike.mid).toBe(0);
    expect(tierOf(0, peerLike)).toBe('low');
    expect(tierOf(0.01, peerLike)).toBe('mid');
  });

  it('publishes only a candidate that ranks better (mean of Gini and Spearman) than the published model', () => {
    expect(publishVerdict({ gini: 0.5, spearmanRandomTies: 0.3 }, null)).toEqual({
      publish: true,
      reason: 'no model is published yet',
    });
    const current = { version: 'v1', metrics: { gini: 0.4, spearmanRandomTies: 0.4 } };
    expect(publishVerdict({ gini: 0.5, spearmanRandomTies: 0.35 }, current).publish).toBe(true);
    expect(publishVerdict({ gini: 0.5, spearmanRandomTies: 0.3 }, current)).toEqual({
      publish: false,
      reason: "validation (Gini + Spearman, ties at random) / 2 0.4000 does not beat v1's 0.4000",
    });
    expect(publishVerdict({ gini: Number.NaN, spearmanRandomTies: 0.3 }, null).publish).toBe(false);
  });
});

describe('scoreDifferenceError', () => {
  const n = 400;
  const actual = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 10 + (i % 17) : 0));
  const probability = actual.map((spend) => (spend > 0 ? 0.6 : 0.3));
  const good = actual.map((spend, i) => spend + (i % 5));
  const noisy = actual.map((spend, i) => spend * 0.2 + ((i * 7919) % 23));

  it('is 0 between a prediction and itself, and the same on every call (seeded draws)', () => {
    expect(scoreDifferenceError(good, good, actual, probability)).toBe(0);
    expect(scoreDifferenceError(good, noisy, actual, probability)).toBe(
      scoreDifferenceError(good, noisy, actual, probability),
    );
  });

  it('is small beside a lead the window shows clearly', () => {
    const error = scoreDifferenceError(good, noisy, actual, probability, 50);
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(0.1);
  });
});
