/**
 * Uplift metrics exactly as scikit-uplift 0.5.1 defines them (`qini_auc_score`, `uplift_auc_score`,
 * `uplift_at_k(strategy='overall')`), so figures compare with published ones. Rows are ranked by score descending with
 * ties broken by later position first (a stable ascending sort, then reversed); points of a curve sit at the last row
 * of each run of equal scores. Binary outcomes are what the metrics are defined for; a continuous outcome (spend) is
 * read by the same formulas, as scikit-uplift computes them when its binary check is left out.
 */

export interface UpliftSample {
  /** Outcome per row (0/1, or an amount). */
  outcome: ArrayLike<number>;
  /** 1 treated, 0 control, per row. */
  treatment: ArrayLike<number>;
}

export interface Curve {
  /** Rows targeted (0 first). */
  x: number[];
  /** The curve's value after those rows. */
  y: number[];
}

/** Row indices by score descending; equal scores: later row first. */
export function rankDescending(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[a] - scores[b] || a - b);
  return order.reverse();
}

function curve(
  sample: UpliftSample,
  scores: ArrayLike<number>,
  value: (treatedOutcome: number, treated: number, controlOutcome: number, control: number, rows: number) => number,
): Curve {
  const { outcome, treatment } = sample;
  const n = scores.length;
  if (outcome.length !== n || treatment.length !== n)
    throw new RangeError('outcome, treatment and scores differ in length');
  const order = rankDescending(scores);
  const x: number[] = [];
  const y: number[] = [];
  let treated = 0;
  let treatedOutcome = 0;
  let controlOutcome = 0;
  for (let at = 0; at < n; at++) {
    const row = order[at];
    if (treatment[row] === 1) {
      treated++;
      treatedOutcome += outcome[row];
    } else controlOutcome += outcome[row];
    if (at === n - 1 || scores[order[at + 1]] !== scores[row]) {
      const rows = at + 1;
      x.push(rows);
      y.push(value(treatedOutcome, treated, controlOutcome, rows - treated, rows));
    }
  }
  if (x.length === 0 || x[0] !== 0 || y[0] !== 0) {
    x.unshift(0);
    y.unshift(0);
  }
  return { x, y };
}

/** Qini curve: treated outcome minus control outcome scaled to the treated count, after each threshold. */
export function qiniCurve(sample: UpliftSample, scores: ArrayLike<number>): Curve {
  return curve(sample, scores, (yt, nt, yc, nc) => yt - (nc === 0 ? 0 : (yc * nt) / nc));
}

/** Uplift curve: difference in mean outcome, treated minus control, times the rows targeted. */
export function upliftCurve(sample: UpliftSample, scores: ArrayLike<number>): Curve {
  return curve(sample, scores, (yt, nt, yc, nc, rows) => ((nt === 0 ? 0 : yt / nt) - (nc === 0 ? 0 : yc / nc)) * rows);
}

/** Trapezoidal area under a curve whose x ascends. */
export function area({ x, y }: Curve): number {
  let sum = 0;
  for (let i = 1; i < x.length; i++) sum += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return sum;
}

function normalisedArea(actual: Curve, perfect: Curve): number {
  const last = perfect.x.length - 1;
  const baseline = area({ x: [0, perfect.x[last]], y: [0, perfect.y[last]] });
  return (area(actual) - baseline) / (area(perfect) - baseline);
}

/** The scores of the ideal ranking for the Qini curve (negative effects included): `y·t − y·(1 − t)`. */
export function perfectQiniScores(sample: UpliftSample): number[] {
  const { outcome, treatment } = sample;
  return Array.from(outcome, (y, i) => (treatment[i] === 1 ? y : -y));
}

/** The Qini curve of the ideal ranking (`perfectQiniScores`). */
export function perfectQiniCurve(sample: UpliftSample): Curve {
  return qiniCurve(sample, perfectQiniScores(sample));
}

/** Rows by score descending, and where each run of equal scores ends (the position in `order` after its last row). */
export interface RankedRuns {
  order: Int32Array;
  ends: Int32Array;
}

export function rankedRuns(scores: ArrayLike<number>): RankedRuns {
  const order = Int32Array.from(rankDescending(scores));
  const ends: number[] = [];
  for (let at = 0; at < order.length; at++) {
    if (at === order.length - 1 || scores[order[at + 1]] !== scores[order[at]]) ends.push(at + 1);
  }
  return { order, ends: Int32Array.from(ends) };
}

/** The area under a Qini curve, the rows it spans and its last value. */
export interface QiniArea {
  area: number;
  rows: number;
  last: number;
}

/**
 * The area under the Qini curve of a resample of `sample` given as how many times it drew each row (`counts`),
 * ranked by `runs` (the scores' `rankedRuns`, made once for every resample): one pass, no sort. A drawn row's copies
 * share its score, so they fall in its run, and a curve's points sit at the ends of runs: the area is the one
 * `qiniCurve` gives on the drawn rows, up to the order of floating-point sums.
 */
export function qiniAreaOfCounts(sample: UpliftSample, runs: RankedRuns, counts: ArrayLike<number>): QiniArea {
  const { outcome, treatment } = sample;
  if (counts.length !== outcome.length) throw new RangeError('counts and rows differ in length');
  let rows = 0;
  let treated = 0;
  let treatedOutcome = 0;
  let controlOutcome = 0;
  let lastValue = 0;
  let area = 0;
  let start = 0;
  for (const end of runs.ends) {
    const before = rows;
    for (let at = start; at < end; at++) {
      const row = runs.order[at];
      const c = counts[row];
      if (c === 0) continue;
      rows += c;
      if (treatment[row] === 1) {
        treated += c;
        treatedOutcome += c * outcome[row];
      } else controlOutcome += c * outcome[row];
    }
    start = end;
    if (rows === before) continue;
    const control = rows - treated;
    const value = treatedOutcome - (control === 0 ? 0 : (controlOutcome * treated) / control);
    area += ((rows - before) * (value + lastValue)) / 2;
    lastValue = value;
  }
  return { area, rows, last: lastValue };
}

/** The Qini coefficient from the areas of a ranking's curve and of the perfect ranking's, on the same rows. */
export function qiniFromAreas(actual: QiniArea, perfect: QiniArea): number {
  const baseline = (perfect.rows * perfect.last) / 2;
  return (actual.area - baseline) / (perfect.area - baseline);
}

/** The uplift curve of the ideal ranking (scikit-uplift's construction). */
export function perfectUpliftCurve(sample: UpliftSample): Curve {
  const { outcome, treatment } = sample;
  let controlResponders = 0;
  let treatedNonResponders = 0;
  for (let i = 0; i < outcome.length; i++) {
    if (outcome[i] === 1 && treatment[i] === 0) controlResponders++;
    if (outcome[i] === 0 && treatment[i] === 1) treatedNonResponders++;
  }
  const summand = controlResponders > treatedNonResponders ? outcome : treatment;
  const ideal = Array.from(outcome, (y, i) => 2 * (y === treatment[i] ? 1 : 0) + summand[i]);
  return upliftCurve(sample, ideal);
}

/** Qini coefficient: area between the Qini curve and the diagonal, over the perfect ranking's. */
export function qiniAucScore(sample: UpliftSample, scores: ArrayLike<number>): number {
  return normalisedArea(qiniCurve(sample, scores), perfectQiniCurve(sample));
}

/** AUUC: area between the uplift curve and the diagonal, over the perfect ranking's. */
export function upliftAucScore(sample: UpliftSample, scores: ArrayLike<number>): number {
  return normalisedArea(upliftCurve(sample, scores), perfectUpliftCurve(sample));
}

/** Mean outcome treated minus control among the top ⌊n·k⌋ rows by score (both groups together). */
export function upliftAtK(sample: UpliftSample, scores: ArrayLike<number>, k = 0.3): number {
  if (!(k > 0 && k < 1)) throw new RangeError(`k ${k} is not in (0, 1)`);
  const top = groupSums(sample, rankDescending(scores).slice(0, Math.floor(scores.length * k)));
  // An empty group's mean is NaN, as numpy's is.
  return top.treatedOutcome / top.treated - top.controlOutcome / top.control;
}

/** Rows and outcome sums per group among some rows. */
function groupSums(sample: UpliftSample, rows: readonly number[]) {
  const sums = { treated: 0, control: 0, treatedOutcome: 0, controlOutcome: 0 };
  for (const row of rows) {
    if (sample.treatment[row] === 1) {
      sums.treated++;
      sums.treatedOutcome += sample.outcome[row];
    } else {
      sums.control++;
      sums.controlOutcome += sample.outcome[row];
    }
  }
  return sums;
}

export interface DecileUplift {
  /** 1 = the tenth with the highest scores. */
  decile: number;
  rows: number;
  treatedMean: number;
  controlMean: number;
  uplift: number;
}

/** Measured uplift (treated mean minus control mean) in each tenth of the rows by score, highest first. */
export function upliftByDecile(sample: UpliftSample, scores: ArrayLike<number>): DecileUplift[] {
  const order = rankDescending(scores);
  const deciles: DecileUplift[] = [];
  for (let d = 0; d < 10; d++) {
    const slice = order.slice(Math.floor((order.length * d) / 10), Math.floor((order.length * (d + 1)) / 10));
    const sums = groupSums(sample, slice);
    const treatedMean = sums.treated ? sums.treatedOutcome / sums.treated : 0;
    const controlMean = sums.control ? sums.controlOutcome / sums.control : 0;
    deciles.push({ decile: d + 1, rows: slice.length, treatedMean, controlMean, uplift: treatedMean - controlMean });
  }
  return deciles;
}
