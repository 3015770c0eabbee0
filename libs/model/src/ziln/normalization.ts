// Math's functions bound once: hot loops then skip a global lookup, which is slow in vm contexts (Jest's).
const { log1p, sqrt } = Math;

/**
 * Features that are heavy-tailed and non-negative (money, counts, day spans): they go through log1p before being
 * standardised, so one big spender does not squash everyone else into a sliver near the mean. Shares, rates and
 * trends are already bounded and are only standardised.
 */
export const LOG1P_FEATURES: readonly string[] = [
  'recencyDays',
  'daysSinceLastEvent',
  'daysSinceFirstEvent',
  'tenureDays',
  'frequency',
  'monetaryTotal',
  'monetaryMean',
  'maxOrderValue',
  'interPurchaseMeanDays',
  'interPurchaseStdDays',
  'spend30d',
  'spend90d',
  'spend365d',
  'orders30d',
  'orders90d',
  'orders365d',
  'events30d',
  'distinctProducts',
  'distinctCategories',
  'basketSizeMean',
  'refundCount',
  'refundAmount',
  'eventCount',
  'sessions',
  'pageViews',
  'productViews',
  'cartAdds',
  'cartRemoves',
  'checkouts',
  'reviewCount',
];

/** Per-feature statistics computed on the training set, saved beside the model as `normalization.json`. */
export interface Normalization {
  featureNames: string[];
  /** Whether feature i is log1p-transformed (of max(0, value)) before standardising. */
  log1p: boolean[];
  mean: number[];
  /** Population standard deviation; 1 for a feature constant in the training set (it then maps to 0). */
  std: number[];
}

function transformed(row: readonly number[], log: readonly boolean[], out: number[]): number[] {
  for (let i = 0; i < row.length; i++) out[i] = log[i] ? log1p(row[i] > 0 ? row[i] : 0) : row[i];
  return out;
}

export function fitNormalization(rows: readonly (readonly number[])[], featureNames: readonly string[]): Normalization {
  if (rows.length === 0) throw new RangeError('cannot fit a normalization without rows');
  const width = featureNames.length;
  const logSet = new Set(LOG1P_FEATURES);
  const log = featureNames.map((name) => logSet.has(name));
  const sum = new Array<number>(width).fill(0);
  const sumSquares = new Array<number>(width).fill(0);
  const buffer = new Array<number>(width);
  for (const row of rows) {
    if (row.length !== width) throw new RangeError(`row has ${row.length} values, expected ${width}`);
    transformed(row, log, buffer);
    for (let i = 0; i < width; i++) {
      sum[i] += buffer[i];
      sumSquares[i] += buffer[i] * buffer[i];
    }
  }
  const mean = sum.map((total) => total / rows.length);
  const std = sumSquares.map((total, i) => {
    const variance = total / rows.length - mean[i] * mean[i];
    return variance > 1e-12 ? sqrt(variance) : 1;
  });
  return { featureNames: [...featureNames], log1p: log, mean, std };
}

/**
 * Standardised values are clipped to ±MAX_Z: a customer far outside the training range on some feature (a share
 * nearly constant in training, an extreme basket) must not make the network extrapolate. Without the clip, Online
 * Retail I gave one customer a lognormal sigma of 9 and an expected spend of 3e22 (measured with the clock-moment training of an earlier version).
 */
export const MAX_Z = 6;

/** Rows normalised (and clipped to ±MAX_Z) into one flat Float32Array, row-major (the tensor layout). */
export function normalizeRows(rows: readonly (readonly number[])[], normalization: Normalization): Float32Array {
  const { log1p: log, mean, std } = normalization;
  const width = mean.length;
  const out = new Float32Array(rows.length * width);
  const buffer = new Array<number>(width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new RangeError(`row has ${row.length} values, expected ${width}`);
    transformed(row, log, buffer);
    for (let i = 0; i < width; i++) {
      const z = (buffer[i] - mean[i]) / std[i];
      out[r * width + i] = z > MAX_Z ? MAX_Z : z < -MAX_Z ? -MAX_Z : z;
    }
  });
  return out;
}
