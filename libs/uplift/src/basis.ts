/**
 * The inputs of an uplift model: each customer's raw features turned into standardised columns. Heavy-tailed
 * amounts (non-negative, max above ten times the median) are read as log(1 + x); `smooth` adds the squares and
 * products of the non-binary features and the logs of the positive ones, `quadratic` also their products with every binary one. Fitted on training rows; serialisable, so a service
 * applies exactly what the trainer fitted.
 */

export type BasisKind = 'linear' | 'smooth' | 'quadratic';

export interface Basis {
  kind: BasisKind;
  /** The raw features, in order. */
  names: string[];
  /** Raw features read as log(1 + x). */
  logged: number[];
  /** Products of raw features (after the log) added as columns: [i, i] is a square. */
  products: [number, number][];
  /**
   * Positive features also given as log(max(x, floor)) columns (non-linear bases), so a log-link model can learn
   * powers and ratios of them (spend per purchase = spend / purchases); floor: half the smallest training value.
   */
  logs: { column: number; floor: number }[];
  /** Per output column: its mean and scale on the training rows. */
  means: number[];
  scales: number[];
}

export function fitBasis(kind: BasisKind, names: string[], rows: ArrayLike<number>[]): Basis {
  if (rows.length === 0) throw new RangeError('no rows to fit the basis on');
  const width = names.length;
  for (const [i, row] of rows.entries()) {
    if (row.length !== width) throw new RangeError(`row ${i} has ${row.length} features, not ${width}`);
  }
  const binary: boolean[] = [];
  const logged: number[] = [];
  for (let j = 0; j < width; j++) {
    const column = rows.map((row) => row[j]);
    binary.push(column.every((value) => value === 0 || value === 1));
    const sorted = [...column].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    if (!binary[j] && sorted[0] >= 0 && median > 0 && sorted[sorted.length - 1] > 10 * median) logged.push(j);
  }
  const products: [number, number][] = [];
  const logs: { column: number; floor: number }[] = [];
  if (kind !== 'linear') {
    for (let j = 0; j < width; j++) {
      const smallest = rows.reduce((min, row) => Math.min(min, row[j]), Infinity);
      if (!binary[j] && !logged.includes(j) && smallest > 0) logs.push({ column: j, floor: smallest / 2 });
    }
  }
  if (kind !== 'linear') {
    for (let a = 0; a < width; a++) {
      if (binary[a]) continue;
      for (let b = 0; b < width; b++) if (binary[b] ? kind === 'quadratic' : b >= a) products.push([a, b]);
    }
  }
  const basis: Basis = { kind, names, logged, products, logs, means: [], scales: [] };
  const expanded = rows.map((row) => expand(basis, row));
  const columns = expanded[0].length;
  for (let c = 0; c < columns; c++) {
    let mean = 0;
    for (const row of expanded) mean += row[c] / expanded.length;
    let variance = 0;
    for (const row of expanded) variance += (row[c] - mean) ** 2 / expanded.length;
    basis.means.push(mean);
    basis.scales.push(variance > 0 ? Math.sqrt(variance) : 1);
  }
  return basis;
}

function expand(basis: Basis, row: ArrayLike<number>): Float64Array {
  const raw = Float64Array.from(row);
  for (const j of basis.logged) raw[j] = Math.log1p(Math.max(0, raw[j]));
  const out = new Float64Array(raw.length + basis.products.length + basis.logs.length);
  out.set(raw);
  basis.products.forEach(([a, b], k) => (out[raw.length + k] = raw[a] * raw[b]));
  const at = raw.length + basis.products.length;
  basis.logs.forEach(({ column, floor }, k) => (out[at + k] = Math.log(Math.max(raw[column], floor))));
  return out;
}

/** The basis's columns for one row of raw features. */
export function applyBasis(basis: Basis, row: ArrayLike<number>): Float64Array {
  if (row.length !== basis.names.length) {
    throw new RangeError(`expected ${basis.names.length} features (${basis.names.join(', ')}), got ${row.length}`);
  }
  const out = expand(basis, row);
  for (let c = 0; c < out.length; c++) out[c] = (out[c] - basis.means[c]) / basis.scales[c];
  return out;
}

export function basisWidth(basis: Basis): number {
  return basis.means.length;
}
