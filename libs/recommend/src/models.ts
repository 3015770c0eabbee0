import type { History, Interactions } from './interactions';

const DAY_MS = 86_400_000;

/**
 * A recommender: adds its score of every catalogue item for one customer to `scores` (the catalogue's length; higher
 * is better). `history` is undefined for a customer with no purchase (cold start).
 */
export interface Recommender {
  readonly name: string;
  score(history: History | undefined, scores: Float64Array): void;
  /**
   * `score` of many customers at once (`scores[k]` for `histories[k]`), where a model has a faster way for a batch
   * (the neural recommender: one matrix product). Callers go through `scoreMany`, which falls back to `score`.
   */
  scoreMany?(histories: readonly (History | undefined)[], scores: readonly Float64Array[]): void;
  /** An item-item model's `top` largest weights per bought item (what an artifact keeps of it; see `itemItem`). */
  rows?(top: number): ItemRows;
}

/** Adds `model`'s scores of each customer to `scores[k]`: its batch path where it has one, else one by one. */
export function scoreMany(
  model: Recommender,
  histories: readonly (History | undefined)[],
  scores: readonly Float64Array[],
): void {
  if (model.scoreMany) model.scoreMany(histories, scores);
  else histories.forEach((history, k) => model.score(history, scores[k]));
}

/** Sparse item-item weights: for each item j, the items it scores and by how much. */
export interface ItemRows {
  items: number[][];
  weights: number[][];
  halfLifeDays: number | null;
}

/**
 * A customer's score of item i = Σ over the items j they bought (weighted by recency with `halfLifeDays`) of
 * rows[j][i]: item-kNN and EASE as an artifact keeps and a scorer serves them.
 */
export function itemItem(name: string, data: Interactions, rows: ItemRows): Recommender {
  return {
    name,
    score(history, scores) {
      if (!history) return;
      const weights = historyWeights(history, data.nowMs, rows.halfLifeDays);
      for (let k = 0; k < history.items.length; k++) {
        const items = rows.items[history.items[k]];
        const row = rows.weights[history.items[k]];
        if (!items) continue;
        for (let m = 0; m < items.length; m++) scores[items[m]] += weights[k] * row[m];
      }
    },
    rows: () => rows,
  };
}

/** The `top` largest positive entries of a dense row, as (items, weights). */
function topOfRow(row: ArrayLike<number>, top: number, index: (at: number) => number): [number[], number[]] {
  const order = Array.from({ length: row.length }, (_, at) => at)
    .filter((at) => row[at] > 0)
    .sort((a, b) => row[b] - row[a])
    .slice(0, top);
  return [order.map(index), order.map((at) => Math.fround(row[at]))];
}

/**
 * How much each bought item of a history weighs: 1 (or 1 + ln(purchases) with `byCount`), halved every
 * `halfLifeDays` since its last purchase when that is set.
 */
export function historyWeights(
  history: History,
  nowMs: number,
  halfLifeDays: number | null,
  byCount = false,
): Float64Array {
  const weights = new Float64Array(history.items.length);
  for (let k = 0; k < weights.length; k++) {
    const base = byCount ? 1 + Math.log(history.counts[k]) : 1;
    weights[k] = halfLifeDays === null ? base : base * 0.5 ** ((nowMs - history.lastMs[k]) / (halfLifeDays * DAY_MS));
  }
  return weights;
}

/**
 * `primary`'s items first, in its order; then `fill`'s (instead of popularity) for the places `primary` leaves empty.
 */
export function thenFill(primary: Recommender, fill: Recommender): Recommender & { parts: Recommender[] } {
  const scoreAll: NonNullable<Recommender['scoreMany']> = (histories, scores) => {
    const first = scores.map((row) => new Float64Array(row.length));
    scoreMany(primary, histories, first);
    const second = scores.map((row) => new Float64Array(row.length));
    scoreMany(fill, histories, second);
    scores.forEach((row, k) => {
      const [own, other] = [first[k], second[k]];
      let top = 0;
      for (let i = 0; i < other.length; i++) if (other[i] > top) top = other[i];
      for (let i = 0; i < row.length; i++) {
        // Below 1 for every fill item, above it for every primary one.
        if (own[i] > 0) row[i] += 1 + own[i];
        else if (other[i] > 0) row[i] += other[i] / (top * 1.0001);
      }
    });
  };
  return {
    name: `${primary.name} then ${fill.name}`,
    parts: [primary, fill],
    score: (history, scores) => scoreAll([history], [scores]),
    scoreMany: scoreAll,
  };
}

/** The items most customers bought (in the whole window, or in its last days: `recent`). */
export function popularity(data: Interactions, recent = false): Recommender {
  const counts = recent ? data.recentBuyers : data.buyers;
  return {
    name: recent ? 'popular-recent' : 'popular',
    score(_history, scores) {
      for (let i = 0; i < scores.length; i++) scores[i] += counts[i];
    },
  };
}

/**
 * The customer's own purchases again: items bought more often first, then the more recently bought; with
 * `halfLifeDays`, an item's count halves every so many days since its last purchase. Nothing for a customer without
 * purchases (the list is filled by popularity, see `recommend`).
 */
export function buyAgain(data: Interactions, halfLifeDays: number | null = null): Recommender {
  return {
    name: halfLifeDays === null ? 'buy-again' : `buy-again(half-life=${halfLifeDays}d)`,
    score(history, scores) {
      if (!history) return;
      for (let k = 0; k < history.items.length; k++) {
        const ageDays = (data.nowMs - history.lastMs[k]) / DAY_MS;
        // Recency breaks ties between counts: it adds less than 1.
        const recency = 1 / (2 + ageDays);
        const count = halfLifeDays === null ? history.counts[k] : history.counts[k] * 0.5 ** (ageDays / halfLifeDays);
        scores[history.items[k]] += count + recency;
      }
    },
  };
}

/**
 * The co-occurrence of items in customers' histories (distinct buyers of both), dense, n × n: the shared input of
 * item-kNN and EASE.
 */
export function coOccurrence(data: Interactions): Float32Array {
  const n = data.catalog.size;
  const counts = new Float32Array(n * n);
  for (const history of data.histories.values()) {
    const items = history.items;
    for (let a = 0; a < items.length; a++) {
      const row = items[a] * n;
      for (let b = 0; b < items.length; b++) counts[row + items[b]] += 1;
    }
  }
  return counts;
}

/**
 * Item-to-item kNN (Sarwar et al. 2001; Deshpande & Karypis 2004): cosine similarity of items over their buyers, each
 * item keeping its `neighbours` most similar; a customer's score of an item is the summed similarity to the items they
 * bought (weighted by recency when `halfLifeDays` is set).
 */
export function itemKnn(
  data: Interactions,
  co: Float32Array,
  options: { neighbours: number; halfLifeDays: number | null },
): Recommender {
  const n = data.catalog.size;
  const neighbours: { items: Int32Array; sims: Float64Array }[] = [];
  const sims = new Float64Array(n);
  const order = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const both = co[j * n + i];
      if (i === j || both === 0) continue;
      sims[i] = both / Math.sqrt(data.buyers[i] * data.buyers[j]);
      order[count++] = i;
    }
    const kept = Array.from(order.subarray(0, count))
      .sort((a, b) => sims[b] - sims[a])
      .slice(0, options.neighbours);
    neighbours.push({ items: Int32Array.from(kept), sims: Float64Array.from(kept, (i) => sims[i]) });
  }
  return {
    name: `item-knn(k=${options.neighbours}${options.halfLifeDays === null ? '' : `,half-life=${options.halfLifeDays}d`})`,
    score(history, scores) {
      if (!history) return;
      const weights = historyWeights(history, data.nowMs, options.halfLifeDays);
      for (let k = 0; k < history.items.length; k++) {
        const { items, sims: row } = neighbours[history.items[k]];
        for (let m = 0; m < items.length; m++) scores[items[m]] += weights[k] * row[m];
      }
    },
    rows: (top) => ({
      items: neighbours.map(({ items }) => Array.from(items.subarray(0, top))),
      weights: neighbours.map(({ sims: row }) => Array.from(row.subarray(0, top), (value) => Math.fround(value))),
      halfLifeDays: options.halfLifeDays,
    }),
  };
}

/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): item-item weights B = I − P·diag(1/diag(P)) with
 * P = (XᵀX + λI)⁻¹, diagonal zero, in closed form, over the `maxItems` items with most buyers (the inverse is cubic in
 * them). A customer's score of an item is their (recency-weighted) history times B.
 */
export function ease(
  data: Interactions,
  co: Float32Array,
  options: { lambda: number; maxItems: number; halfLifeDays: number | null; byCount?: boolean },
): Recommender {
  const n = data.catalog.size;
  const kept = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => data.buyers[b] - data.buyers[a] || a - b)
    .slice(0, Math.min(n, options.maxItems));
  const m = kept.length;
  const slot = new Int32Array(n).fill(-1);
  kept.forEach((item, at) => (slot[item] = at));
  const gram = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) gram[a * m + b] = co[kept[a] * n + kept[b]];
    gram[a * m + a] += options.lambda;
  }
  invertSymmetricPositiveDefinite(gram, m);
  // B[j][i] = −P[j][i] / P[i][i], B[i][i] = 0; kept as rows per bought item j.
  const weights = new Float32Array(m * m);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) weights[j * m + i] = i === j ? 0 : -gram[j * m + i] / gram[i * m + i];
  }
  return {
    name: `ease(λ=${options.lambda}${options.halfLifeDays === null ? '' : `,half-life=${options.halfLifeDays}d`}${options.byCount ? ',by-count' : ''})`,
    score(history, scores) {
      if (!history) return;
      const w = historyWeights(history, data.nowMs, options.halfLifeDays, options.byCount);
      const summed = new Float64Array(m);
      for (let k = 0; k < history.items.length; k++) {
        const j = slot[history.items[k]];
        if (j < 0) continue;
        const row = j * m;
        for (let i = 0; i < m; i++) summed[i] += w[k] * weights[row + i];
      }
      for (let i = 0; i < m; i++) scores[kept[i]] += summed[i];
    },
    rows: (top) => {
      const items: number[][] = Array.from({ length: n }, () => []);
      const rowWeights: number[][] = Array.from({ length: n }, () => []);
      for (let j = 0; j < m; j++) {
        [items[kept[j]], rowWeights[kept[j]]] = topOfRow(weights.subarray(j * m, (j + 1) * m), top, (at) => kept[at]);
      }
      return { items, weights: rowWeights, halfLifeDays: options.halfLifeDays };
    },
  };
}

/**
 * A weighted sum of recommenders' scores, each first scaled to [0, 1] for the customer (its highest score is 1), so
 * that weights compare across models whose scales differ.
 */
export function blend(parts: { model: Recommender; weight: number }[]): Recommender & { parts: Recommender[] } {
  const scoreAll: NonNullable<Recommender['scoreMany']> = (histories, scores) => {
    const own = scores.map((row) => new Float64Array(row.length));
    for (const { model, weight } of parts) {
      for (const row of own) row.fill(0);
      scoreMany(model, histories, own);
      scores.forEach((row, k) => {
        const part = own[k];
        let top = 0;
        for (let i = 0; i < part.length; i++) if (part[i] > top) top = part[i];
        if (top <= 0) return;
        const scale = weight / top;
        for (let i = 0; i < part.length; i++) if (part[i] > 0) row[i] += part[i] * scale;
      });
    }
  };
  return {
    name: parts.map(({ model, weight }) => `${weight}×${model.name}`).join(' + '),
    parts: parts.map(({ model }) => model),
    score: (history, scores) => scoreAll([history], [scores]),
    scoreMany: scoreAll,
  };
}

/**
 * The `n` best items for a customer: the model's scores, ties (and a list the model leaves short) broken by the
 * items' buyers, never an excluded item (say, what the customer bought already).
 */
export function recommend(
  model: Recommender,
  data: Interactions,
  history: History | undefined,
  n: number,
  exclude?: ReadonlySet<number>,
): number[] {
  return recommendMany(model, data, [{ history, n, exclude }])[0];
}

/** `recommend` for many customers, scored as one batch (`scoreMany`). */
export function recommendMany(
  model: Recommender,
  data: Interactions,
  queries: readonly { history: History | undefined; n: number; exclude?: ReadonlySet<number> }[],
): number[][] {
  const scores = queries.map(() => new Float64Array(data.catalog.size));
  scoreMany(
    model,
    queries.map((query) => query.history),
    scores,
  );
  return queries.map(({ n, exclude }, k) => bestItems(scores[k], data.buyers, n, exclude));
}

/** The `n` highest of `scores`, ties broken by `buyers`, none of `exclude`. */
function bestItems(
  scores: Float64Array,
  buyers: ArrayLike<number>,
  n: number,
  exclude?: ReadonlySet<number>,
): number[] {
  const better = (a: number, b: number) => scores[a] > scores[b] || (scores[a] === scores[b] && buyers[a] > buyers[b]);
  // A small sorted list of the best so far (n is 10-100: insertion beats a heap).
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (exclude?.has(i)) continue;
    if (best.length === n && !better(i, best[n - 1])) continue;
    let at = Math.min(best.length, n - 1);
    if (best.length < n) best.push(i);
    while (at > 0 && better(i, best[at - 1])) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = i;
  }
  return best;
}

/**
 * Inverts a symmetric positive-definite matrix in place (row-major, n × n) by Gauss-Jordan elimination without
 * pivoting (stable for such matrices); each step's inner loop runs along rows.
 */
export function invertSymmetricPositiveDefinite(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const rowK = k * n;
    const pivot = a[rowK + k];
    if (!(pivot > 0)) throw new Error(`matrix not positive definite at ${k} (pivot ${pivot})`);
    const inverse = 1 / pivot;
    for (let j = 0; j < n; j++) a[rowK + j] *= inverse;
    a[rowK + k] = inverse;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const rowI = i * n;
      const factor = a[rowI + k];
      if (factor === 0) continue;
      for (let j = 0; j < n; j++) a[rowI + j] -= factor * a[rowK + j];
      a[rowI + k] = -factor * inverse;
    }
  }
}
