import {
  averageRanks,
  decileTable,
  evaluatePredictions,
  normalizedGini,
  ResampledRankMetrics,
  rocAuc,
  spearman,
  spearmanRandomTies,
  topCapture,
  type PredictionOutcome,
} from './metrics';

const outcomes = (predicted: number[], actual: number[], probabilities?: number[]): PredictionOutcome[] =>
  predicted.map((predictedSpend, i) => ({
    predictedSpend,
    actualSpend: actual[i],
    probabilityOfPurchase: probabilities?.[i] ?? predictedSpend,
    bought: actual[i] > 0,
  }));

describe('evaluatePredictions on a hand-computed example', () => {
  // Ranked by prediction: actual 30, 0, 10, 0 (total 40): gain 0.75, 0.75, 1, 1, raw Gini 2 · 3.5/4 - 1 = 0.75.
  // Ranked by itself: 30, 10, 0, 0: gain 0.75, 1, 1, 1, raw Gini 2 · 3.75/4 - 1 = 0.875.
  const metrics = evaluatePredictions(outcomes([1, 2, 3, 4], [0, 10, 0, 30]));

  it('gives the normalized Gini', () => {
    expect(metrics.gini).toBeCloseTo(0.75 / 0.875, 14);
  });

  it('gives Spearman with average ranks for ties', () => {
    // ranks: prediction 1, 2, 3, 4; actual 1.5, 3, 1.5, 4 -> covariance 3, variances 5 and 4.5
    expect(metrics.spearman).toBeCloseTo(3 / Math.sqrt(22.5), 14);
  });

  it('gives the captured share at fractional counts of customers', () => {
    // top 10% of 4 customers = 0.4 of the first (30 of 40); top 20% = 0.8 of it
    expect(metrics.top10Capture).toBeCloseTo(0.3, 14);
    expect(metrics.top20Capture).toBeCloseTo(0.6, 14);
  });

  it('gives the errors and the total ratio', () => {
    expect(metrics.mae).toBeCloseTo((1 + 8 + 3 + 26) / 4, 14);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt((1 + 64 + 9 + 676) / 4), 14);
    expect(metrics.totalRatio).toBeCloseTo(10 / 40, 14);
  });

  it('gives the AUC of P(buy) against who bought', () => {
    // buyers scored 2 and 4, non-buyers 1 and 3: 3 of 4 pairs in order
    expect(metrics.auc).toBeCloseTo(0.75, 14);
  });

  it('does not depend on the input order', () => {
    const shuffled = evaluatePredictions(outcomes([3, 1, 4, 2], [0, 0, 30, 10]));
    expect(shuffled).toEqual(metrics);
  });
});

describe('ties', () => {
  it('give tied customers their mean actual value in the Gini and the captures', () => {
    // ranked: (10, 0 tied -> 5, 5), 20, 0; total 30: gain 1/6, 1/3, 1, 1 -> raw 0.25; best raw 5/6
    const actual = [10, 0, 20, 0];
    const predicted = [5, 5, 1, 0];
    expect(normalizedGini(actual, predicted)).toBeCloseTo(0.3, 14);
    expect(topCapture(actual, predicted, 0.1)).toBeCloseTo((0.4 * 5) / 30, 14);
  });

  it('make a constant prediction capture its share only', () => {
    const actual = [0, 10, 0, 30];
    const predicted = [7, 7, 7, 7];
    expect(topCapture(actual, predicted, 0.2)).toBeCloseTo(0.2, 14);
    expect(spearman(predicted, actual)).toBeNaN();
    expect(rocAuc([false, true, false, true], predicted)).toBe(0.5);
    // raw Gini of a constant order is 1/n against 0.875 at best
    expect(normalizedGini(actual, predicted)).toBeCloseTo(0.25 / 0.875, 14);
  });

  it('count in the random-ties Spearman what a random order of each tie would earn, on average', () => {
    // Every order of the two tie groups (2! × 3! = 12), each an untied prediction: the mean of their Spearmans.
    const actual = [0, 0, 0, 40, 0, 25, 10];
    const predicted = [1, 1, 3, 3, 3, 9, 2];
    const orders = (values: number[]): number[][] =>
      values.length <= 1
        ? [values]
        : values.flatMap((v, i) => orders(values.filter((_, j) => j !== i)).map((rest) => [v, ...rest]));
    let sum = 0;
    let count = 0;
    for (const low of orders([0, 1])) {
      for (const mid of orders([2, 3, 4])) {
        const broken = [...predicted];
        low.forEach((row, k) => (broken[row] = 1 + k / 10));
        mid.forEach((row, k) => (broken[row] = 3 + k / 10));
        sum += spearman(broken, actual);
        count++;
      }
    }
    expect(count).toBe(12);
    expect(spearmanRandomTies(predicted, actual)).toBeCloseTo(sum / count, 12);
    // Ties that match the outcome's zeros lift the usual Spearman above what their order is worth.
    expect(spearman(predicted, actual)).toBeGreaterThan(spearmanRandomTies(predicted, actual));
    // Without ties the two agree; a constant prediction has none.
    const untied = [5, 1, 2, 7, 3, 6, 4];
    expect(spearmanRandomTies(untied, actual)).toBeCloseTo(spearman(untied, actual), 14);
    expect(spearmanRandomTies([2, 2, 2], [0, 1, 2])).toBeNaN();
    expect(evaluatePredictions(outcomes(predicted, actual)).spearmanRandomTies).toBe(
      spearmanRandomTies(predicted, actual),
    );
  });

  it('rank with averages', () => {
    expect(averageRanks([3, 1, 3, 2, 3])).toEqual([4, 1, 4, 2, 4]);
  });

  it('count half in the AUC between a buyer and a non-buyer', () => {
    expect(rocAuc([true, false, true], [0.5, 0.5, 0.9])).toBeCloseTo(0.75, 14);
  });
});

describe('decile table', () => {
  it('groups by prediction, highest first, with mean predicted and actual', () => {
    const predicted = Array.from({ length: 20 }, (_, i) => i + 1);
    const actual = predicted.map((value) => 2 * value);
    const deciles = decileTable(actual, predicted);
    expect(deciles).toHaveLength(10);
    expect(deciles[0]).toEqual({ decile: 1, customers: 2, meanPredicted: 19.5, meanActual: 39 });
    expect(deciles[9]).toEqual({ decile: 10, customers: 2, meanPredicted: 1.5, meanActual: 3 });
  });

  it('splits uneven counts into sizes differing by one', () => {
    const predicted = Array.from({ length: 23 }, (_, i) => i);
    const sizes = decileTable(predicted, predicted).map((row) => row.customers);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(23);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBe(1);
  });
});

describe('edge cases', () => {
  it('all-zero actuals: ranking metrics are undefined, errors are not', () => {
    const metrics = evaluatePredictions(outcomes([1, 2, 3], [0, 0, 0]));
    expect(metrics.gini).toBeNaN();
    expect(metrics.top10Capture).toBeNaN();
    expect(metrics.totalRatio).toBeNaN();
    expect(metrics.spearman).toBeNaN();
    expect(metrics.auc).toBeNaN();
    expect(metrics.mae).toBeCloseTo(2, 14);
    expect(metrics.deciles[0].meanActual).toBe(0);
  });

  it('one customer', () => {
    const metrics = evaluatePredictions(outcomes([5], [8]));
    expect(metrics.gini).toBe(1);
    expect(metrics.top10Capture).toBeCloseTo(0.1, 14);
    expect(metrics.spearman).toBeNaN();
    expect(metrics.auc).toBeNaN();
    expect(metrics.mae).toBe(3);
    expect(metrics.rmse).toBe(3);
    expect(metrics.totalRatio).toBe(5 / 8);
    expect(metrics.deciles[0]).toEqual({ decile: 1, customers: 1, meanPredicted: 5, meanActual: 8 });
    expect(metrics.deciles[1].customers).toBe(0);
    expect(metrics.deciles[1].meanActual).toBeNaN();
  });

  it('a perfect ranking scores a Gini of 1; an inverted one is negative', () => {
    const actual = [1, 5, 0, 12, 3];
    expect(normalizedGini(actual, actual)).toBe(1);
    expect(
      normalizedGini(
        actual,
        actual.map((value) => -value),
      ),
    ).toBeLessThan(0);
  });

  it('rejects empty, mismatched or non-finite input', () => {
    expect(() => evaluatePredictions([])).toThrow(RangeError);
    expect(() => normalizedGini([1, 2], [1])).toThrow(RangeError);
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow(RangeError);
  });
});

describe('ResampledRankMetrics', () => {
  it('gives the Gini and Spearman of the drawn rows, ties and repeats included, without sorting them', () => {
    // Zero-heavy actuals and tied predictions, as a holdout has them.
    let state = 7;
    const random = () => ((state = (state * 16807) % 2147483647) - 1) / 2147483646;
    const n = 300;
    const actual = Array.from({ length: n }, () => (random() < 0.7 ? 0 : Math.round(random() * 200)));
    const predicted = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : Math.round(random() * 50) / 10));
    const ranked = new ResampledRankMetrics(actual, predicted);
    for (let resample = 0; resample < 20; resample++) {
      const counts = new Int32Array(n);
      const drawn: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = Math.floor(random() * n);
        counts[i]++;
        drawn.push(i);
      }
      const { gini, spearman: rho } = ranked.metrics(counts);
      const drawnActual = drawn.map((i) => actual[i]);
      const drawnPredicted = drawn.map((i) => predicted[i]);
      expect(gini).toBeCloseTo(normalizedGini(drawnActual, drawnPredicted), 10);
      expect(rho).toBeCloseTo(spearman(drawnPredicted, drawnActual), 10);
    }
    // Every customer once: the metrics of the whole set.
    const all = ranked.metrics(new Int32Array(n).fill(1));
    expect(all.gini).toBeCloseTo(normalizedGini(actual, predicted), 10);
    expect(all.spearman).toBeCloseTo(spearman(predicted, actual), 10);
  });

  it('is undefined where the drawn rows have no spend or one prediction', () => {
    const ranked = new ResampledRankMetrics([0, 0, 5], [1, 2, 3]);
    expect(ranked.metrics([2, 1, 0]).gini).toBeNaN();
    expect(ranked.metrics([2, 1, 0]).spearman).toBeNaN();
    expect(ranked.metrics([0, 0, 3]).spearman).toBeNaN();
    expect(() => ranked.metrics([1, 1])).toThrow(RangeError);
  });
});
