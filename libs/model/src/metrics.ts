/**
 * Holdout metrics for customer-value predictions, as in Wang, Liu & Miao (2019), "A Deep Probabilistic Model for
 * Customer Lifetime Value Prediction" (the ZILN paper): discrimination (normalized Gini, Spearman, top-k capture),
 * calibration (decile table, total ratio), error (MAE, RMSE) and, for P(buy), ROC AUC.
 *
 * Ties in the prediction are resolved by expectation over a random order: inside a group of customers with the
 * same prediction every customer counts with the group's mean actual value. So a result never depends on the
 * input order, and a constant prediction scores like a random one.
 * Undefined values are NaN: a Gini or capture share when the total actual spend is 0, a Spearman correlation when
 * one side is constant, an AUC without both buyers and non-buyers, a decile without customers (n < 10).
 */
export interface PredictionOutcome {
  predictedSpend: number;
  actualSpend: number;
  /** Predicted P(at least one purchase in the horizon). */
  probabilityOfPurchase: number;
  /** Whether the customer bought in the horizon. */
  bought: boolean;
}

export interface DecileRow {
  /** 1 = the tenth of customers with the highest predictions, 10 = the lowest. */
  decile: number;
  customers: number;
  meanPredicted: number;
  meanActual: number;
}

export interface EvaluationMetrics {
  gini: number;
  /** Spearman's rank correlation as usually computed (average ranks on both sides, e.g. scipy's `spearmanr`). */
  spearman: number;
  /**
   * Spearman with the prediction's ties ordered at random, in expectation (`spearmanRandomTies`), as the Gini and the
   * capture shares treat them: what the value model's selection and publish gate use.
   */
  spearmanRandomTies: number;
  top10Capture: number;
  top20Capture: number;
  mae: number;
  rmse: number;
  auc: number;
  totalRatio: number;
  deciles: DecileRow[];
}

export function evaluatePredictions(outcomes: readonly PredictionOutcome[]): EvaluationMetrics {
  if (outcomes.length === 0) throw new RangeError('no customers to evaluate');
  const predicted = outcomes.map((outcome) => outcome.predictedSpend);
  const actual = outcomes.map((outcome) => outcome.actualSpend);
  const ranking = new ValueRanking(actual, predicted);
  return {
    gini: normalizedGini(actual, predicted),
    spearman: spearman(predicted, actual),
    spearmanRandomTies: spearmanRandomTies(predicted, actual),
    top10Capture: ranking.capture(0.1),
    top20Capture: ranking.capture(0.2),
    mae: meanAbsoluteError(actual, predicted),
    rmse: rootMeanSquaredError(actual, predicted),
    auc: rocAuc(
      outcomes.map((outcome) => outcome.bought),
      outcomes.map((outcome) => outcome.probabilityOfPurchase),
    ),
    totalRatio: totalRatio(actual, predicted),
    deciles: ranking.deciles(),
  };
}

/**
 * Customers ordered by prediction, highest first, with tied predictions sharing their mean actual value; the
 * cumulative share of actual spend along that order is the gain curve.
 */
export class ValueRanking {
  /** Predictions in ranking order. */
  readonly predicted: number[];
  /** Actual values in ranking order, tie-averaged. */
  readonly actual: number[];
  /** cumulative[k] = Σ of the first k actual values (cumulative[0] = 0). */
  private readonly cumulative: number[];

  constructor(actual: readonly number[], predicted: readonly number[]) {
    checkPaired(actual, predicted);
    const order = predicted.map((_, i) => i).sort((i, j) => predicted[j] - predicted[i]);
    this.predicted = order.map((i) => predicted[i]);
    this.actual = order.map((i) => actual[i]);
    for (let start = 0; start < order.length;) {
      let end = start + 1;
      while (end < order.length && this.predicted[end] === this.predicted[start]) end++;
      if (end - start > 1) {
        let sum = 0;
        for (let k = start; k < end; k++) sum += this.actual[k];
        for (let k = start; k < end; k++) this.actual[k] = sum / (end - start);
      }
      start = end;
    }
    this.cumulative = [0];
    for (const value of this.actual) this.cumulative.push(this.cumulative[this.cumulative.length - 1] + value);
  }

  get total(): number {
    return this.cumulative[this.cumulative.length - 1];
  }

  /**
   * Raw Gini of the gain curve as the ZILN paper computes it: 2 · mean_k(C_k) - 1, with C_k the share of the
   * total actual value held by the first k customers (k = 1..n).
   */
  rawGini(): number {
    const total = this.total;
    if (total === 0) return Number.NaN;
    const n = this.actual.length;
    let sum = 0;
    for (let k = 1; k <= n; k++) sum += this.cumulative[k] / total;
    return (2 * sum) / n - 1;
  }

  /**
   * Share of the total actual value held by the top `fraction` of customers. The count fraction × n need not be
   * whole: the gain curve is linear between customers (with n = 25, the top 10% is 2.5 customers: the third
   * counts half).
   */
  capture(fraction: number): number {
    if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be within [0, 1], got ${fraction}`);
    const total = this.total;
    if (total === 0) return Number.NaN;
    const position = fraction * this.actual.length;
    const whole = Math.floor(position);
    const partial = position - whole;
    const value = this.cumulative[whole] + (partial > 0 ? partial * this.actual[whole] : 0);
    return value / total;
  }

  /**
   * Ten groups in ranking order, group g (0-based) holding positions [ceil(g n / 10), ceil((g + 1) n / 10)), so
   * sizes differ by at most one (and with fewer than 10 customers the top groups fill first); mean prediction and
   * mean (tie-averaged) actual value of each.
   */
  deciles(): DecileRow[] {
    const n = this.actual.length;
    const rows: DecileRow[] = [];
    for (let g = 0; g < 10; g++) {
      const start = Math.ceil((g * n) / 10);
      const end = Math.ceil(((g + 1) * n) / 10);
      const size = end - start;
      let predictedSum = 0;
      for (let k = start; k < end; k++) predictedSum += this.predicted[k];
      rows.push({
        decile: g + 1,
        customers: size,
        meanPredicted: size > 0 ? predictedSum / size : Number.NaN,
        meanActual: size > 0 ? (this.cumulative[end] - this.cumulative[start]) / size : Number.NaN,
      });
    }
    return rows;
  }
}

/**
 * Normalized Gini: the raw Gini of the actual values ordered by prediction over the raw Gini of the actual values
 * ordered by themselves (the best possible order). 1 = perfect ranking, about 0 = random, negative = inverted.
 */
export function normalizedGini(actual: readonly number[], predicted: readonly number[]): number {
  const byPrediction = new ValueRanking(actual, predicted).rawGini();
  const best = new ValueRanking(actual, actual).rawGini();
  return best === 0 ? Number.NaN : byPrediction / best;
}

/** Share of the total actual value held by the top `fraction` of customers by prediction. */
export function topCapture(actual: readonly number[], predicted: readonly number[], fraction: number): number {
  return new ValueRanking(actual, predicted).capture(fraction);
}

export function decileTable(actual: readonly number[], predicted: readonly number[]): DecileRow[] {
  return new ValueRanking(actual, predicted).deciles();
}

/**
 * Normalized Gini and Spearman of resamples of one set of customers, each resample given as how many times it drew
 * each customer (a bootstrap): the customers are sorted once, by prediction and by actual value, and a resample is
 * read in one pass over each order with its counts, instead of three sorts of the drawn rows per metric. Equal, up
 * to the order of floating-point sums, to `normalizedGini` and `spearman` of the drawn rows.
 */
export class ResampledRankMetrics {
  private readonly byPrediction: Int32Array;
  private readonly byActual: Int32Array;

  constructor(
    private readonly actual: readonly number[],
    private readonly predicted: readonly number[],
  ) {
    checkPaired(actual, predicted);
    const ascending = (values: readonly number[]) =>
      Int32Array.from(values.keys()).sort((i, j) => values[i] - values[j]);
    this.byPrediction = ascending(predicted);
    this.byActual = ascending(actual);
  }

  /** `counts[i]`: times customer i was drawn. NaN where the drawn rows leave a metric undefined. */
  metrics(counts: ArrayLike<number>): { gini: number; spearman: number } {
    if (counts.length !== this.actual.length) throw new RangeError('counts and customers differ in length');
    const rankOfPrediction = new Float64Array(counts.length);
    const rankOfActual = new Float64Array(counts.length);
    const byPrediction = this.sweep(this.byPrediction, this.predicted, counts, rankOfPrediction);
    const byActual = this.sweep(this.byActual, this.actual, counts, rankOfActual);
    const gini =
      byActual.rawGini === 0 || Number.isNaN(byActual.rawGini) ? Number.NaN : byPrediction.rawGini / byActual.rawGini;
    let n = 0;
    let meanX = 0;
    let meanY = 0;
    for (let i = 0; i < counts.length; i++) {
      n += counts[i];
      meanX += counts[i] * rankOfPrediction[i];
      meanY += counts[i] * rankOfActual[i];
    }
    meanX /= n;
    meanY /= n;
    let covariance = 0;
    let varianceX = 0;
    let varianceY = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i];
      if (c === 0) continue;
      const dx = rankOfPrediction[i] - meanX;
      const dy = rankOfActual[i] - meanY;
      covariance += c * dx * dy;
      varianceX += c * dx * dx;
      varianceY += c * dy * dy;
    }
    const spearman = varianceX > 0 && varianceY > 0 ? covariance / Math.sqrt(varianceX * varianceY) : Number.NaN;
    return { gini, spearman };
  }

  /**
   * One pass over `order` (ascending `key`) with the counts: each drawn customer's average rank (ascending, ties
   * sharing the mean of their positions), and the raw Gini of the actual values ranked by `key` descending with tied
   * keys sharing their mean actual value (`ValueRanking.rawGini`).
   */
  private sweep(
    order: Int32Array,
    key: readonly number[],
    counts: ArrayLike<number>,
    ranks: Float64Array,
  ): { rawGini: number } {
    // Groups of equal keys, ascending: their positions and actual totals.
    const groups: { start: number; size: number; total: number }[] = [];
    let position = 0;
    for (let at = 0; at < order.length;) {
      let end = at;
      let size = 0;
      let total = 0;
      while (end < order.length && key[order[end]] === key[order[at]]) {
        const i = order[end];
        size += counts[i];
        total += counts[i] * this.actual[i];
        end++;
      }
      if (size > 0) {
        const rank = position + (size + 1) / 2;
        for (let k = at; k < end; k++) ranks[order[k]] = rank;
        groups.push({ start: position, size, total });
        position += size;
      }
      at = end;
    }
    // The gain curve walks the groups from the highest key: each of a group's positions holds its mean actual value.
    const n = position;
    let grand = 0;
    for (const group of groups) grand += group.total;
    if (grand === 0) return { rawGini: Number.NaN };
    let cumulative = 0;
    let sum = 0;
    for (let g = groups.length - 1; g >= 0; g--) {
      const { size, total } = groups[g];
      const value = total / size;
      sum += size * cumulative + (value * size * (size + 1)) / 2;
      cumulative += total;
    }
    return { rawGini: (2 * sum) / grand / n - 1 };
  }
}

/** Ranks 1..n, ascending, ties getting the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  checkFinite(values);
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/** Spearman's rank correlation: Pearson's correlation of the average ranks; NaN when either side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  checkPaired(x, y);
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Spearman's correlation of a prediction with an outcome, the prediction's ties ordered at random, in expectation:
 * any order of a tied group is a permutation of its ranks, so the prediction's rank variance is that of 1..n whatever
 * the ties, and the covariance's expectation is that of the group's average rank. Where the outcome ties many
 * customers (no purchase in the horizon), the usual Spearman rewards a prediction for tying the same customers
 * (ranking nobody among them) above any prediction that orders them; this one does not: a tie earns what a random
 * order of it would. Equal to `spearman` for a prediction without ties; NaN when either side is constant.
 */
export function spearmanRandomTies(predicted: readonly number[], actual: readonly number[]): number {
  checkPaired(predicted, actual);
  const n = predicted.length;
  const x = averageRanks(predicted);
  const y = averageRanks(actual);
  const mean = (n + 1) / 2;
  let covariance = 0;
  let varianceY = 0;
  for (let i = 0; i < n; i++) {
    covariance += (x[i] - mean) * (y[i] - mean);
    varianceY += (y[i] - mean) ** 2;
  }
  const varianceX = (n * (n * n - 1)) / 12;
  const constant = x.every((rank) => rank === x[0]);
  return !constant && varianceY > 0 ? covariance / Math.sqrt(varianceX * varianceY) : Number.NaN;
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  checkPaired(x, y);
  const n = x.length;
  const meanX = x.reduce((sum, value) => sum + value, 0) / n;
  const meanY = y.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < n; i++) {
    covariance += (x[i] - meanX) * (y[i] - meanY);
    varianceX += (x[i] - meanX) ** 2;
    varianceY += (y[i] - meanY) ** 2;
  }
  return varianceX > 0 && varianceY > 0 ? covariance / Math.sqrt(varianceX * varianceY) : Number.NaN;
}

/**
 * ROC AUC by the Mann-Whitney statistic: (Σ ranks of the positives - n₊(n₊+1)/2) / (n₊ n₋) with average ranks, so
 * a tie between a positive and a negative counts one half. NaN without both classes.
 */
export function rocAuc(labels: readonly boolean[], scores: readonly number[]): number {
  if (labels.length !== scores.length) throw new RangeError('labels and scores differ in length');
  const ranks = averageRanks(scores);
  let positives = 0;
  let positiveRankSum = 0;
  labels.forEach((label, i) => {
    if (label) {
      positives++;
      positiveRankSum += ranks[i];
    }
  });
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function meanAbsoluteError(actual: readonly number[], predicted: readonly number[]): number {
  checkPaired(actual, predicted);
  return actual.reduce((sum, value, i) => sum + Math.abs(predicted[i] - value), 0) / actual.length;
}

export function rootMeanSquaredError(actual: readonly number[], predicted: readonly number[]): number {
  checkPaired(actual, predicted);
  return Math.sqrt(actual.reduce((sum, value, i) => sum + (predicted[i] - value) ** 2, 0) / actual.length);
}

/** Σ predicted / Σ actual: above 1 over-forecasts the total. NaN when the actual total is 0. */
export function totalRatio(actual: readonly number[], predicted: readonly number[]): number {
  checkPaired(actual, predicted);
  const actualTotal = actual.reduce((sum, value) => sum + value, 0);
  const predictedTotal = predicted.reduce((sum, value) => sum + value, 0);
  return actualTotal === 0 ? Number.NaN : predictedTotal / actualTotal;
}

function checkPaired(actual: readonly number[], predicted: readonly number[]): void {
  if (actual.length !== predicted.length) throw new RangeError('actual and predicted differ in length');
  if (actual.length === 0) throw new RangeError('no values');
  checkFinite(actual);
  checkFinite(predicted);
}

function checkFinite(values: readonly number[]): void {
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) throw new RangeError(`value #${i} is ${value}, not a finite number`);
  });
}
