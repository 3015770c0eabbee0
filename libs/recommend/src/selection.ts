import { evaluateTopN, timeSplit, type TopNMetrics } from './evaluation';
import { interactionsOf, type Interactions, type PurchaseLine } from './interactions';
import { blend, buyAgain, coOccurrence, ease, itemKnn, popularity, thenFill, type Recommender } from './models';
import {
  DEFAULT_NEURAL_OPTIONS,
  neuralRecommender,
  trainNeural,
  type NeuralOptions,
  type NeuralWeights,
} from './neural';

const DAY_MS = 86_400_000;

/** A recommender by its settings, so the one chosen on the validation split can be fitted again on all the data. */
export type RecommenderSpec =
  | { kind: 'popular'; recent: boolean }
  | { kind: 'buy-again' }
  | { kind: 'item-knn'; neighbours: number; halfLifeDays: number | null }
  | { kind: 'ease'; lambda: number; halfLifeDays: number | null }
  | ({ kind: 'neural' } & NeuralOptions)
  | { kind: 'blend'; parts: { spec: RecommenderSpec; weight: number }[] }
  | { kind: 'then'; primary: RecommenderSpec; fill: RecommenderSpec };

export interface RecommenderOptions {
  /** Days ahead the recommendations are for (the validation window matches it where the history allows). */
  horizonDays: number;
  /** Recommend only items the customer never bought (and judge candidates so). */
  newItemsOnly: boolean;
  /** EASE's item limit: the most bought items (its inverse is cubic in them). */
  easeMaxItems?: number;
  /** EASE regularisation values tried. */
  easeLambdas?: number[];
  /** The neural recommender's settings (TensorFlow.js); null leaves it out of the candidates. */
  neural?: NeuralOptions | null;
  /** The recommender served now, for the publish verdict (`RecommenderVerdict`); null or absent: none is served. */
  served?: ServedSpec | null;
}

/** What the publish verdict needs of the served recommender. */
export interface ServedSpec {
  /** The model version whose artifact holds it. */
  version: string;
  spec: RecommenderSpec;
  /** The instant it was trained as of (ISO 8601). */
  trainedAt: string;
}

/**
 * Whether a newly trained recommender replaces the served one. Both methods are judged on the same validation split
 * with the same information (each fitted on the purchases before the split's cutoff): the served artifact itself
 * cannot be, as it learnt from part of the validation window (its own training reached past the cutoff) and would
 * win on what it memorised. The new one is published when it was trained on newer data and its method does at least
 * as well by the selection's balanced measure (then it is the same method or a better one, on fresher data).
 */
export interface RecommenderVerdict {
  publish: boolean;
  reason: string;
  /** The served recommender's method on this validation split, when one is served. */
  served: { version: string; name: string; metrics: TopNMetrics } | null;
}

export interface TrainedRecommender {
  model: Recommender;
  spec: RecommenderSpec;
  data: Interactions;
  /** The weights of each neural part of the spec, by the part's spec (JSON). */
  neuralWeights: ReadonlyMap<string, NeuralWeights>;
  /** Every candidate's figures on the validation split, best first, and the split's dates. */
  validation: { cutoff: string; days: number; customers: number; candidates: { name: string; metrics: TopNMetrics }[] };
  verdict: RecommenderVerdict;
}

/** Fits recommenders by spec on one data set; `weights` holds what each neural spec learnt (by the spec's JSON). */
export interface RecommenderBuilder {
  (spec: RecommenderSpec): Promise<Recommender>;
  readonly neuralWeights: Map<string, NeuralWeights>;
}

/**
 * Fits recommenders by spec on one data set, each spec once (a blend reuses the EASE its parts name). `co`: the data's
 * co-occurrence counts, made on first use.
 */
export function recommenderBuilder(data: Interactions, easeMaxItems = 1500): RecommenderBuilder {
  let co: Float32Array | null = null;
  const coOf = () => (co ??= coOccurrence(data));
  const built = new Map<string, Recommender>();
  const neuralWeights = new Map<string, NeuralWeights>();
  const build = async (spec: RecommenderSpec): Promise<Recommender> => {
    const key = JSON.stringify(spec);
    let model = built.get(key);
    if (model) return model;
    switch (spec.kind) {
      case 'popular':
        model = popularity(data, spec.recent);
        break;
      case 'buy-again':
        model = buyAgain(data);
        break;
      case 'item-knn':
        model = itemKnn(data, coOf(), spec);
        break;
      case 'ease':
        model = ease(data, coOf(), { ...spec, maxItems: easeMaxItems });
        break;
      case 'neural': {
        const { kind: _kind, ...options } = spec;
        const weights = await trainNeural(data, options);
        neuralWeights.set(key, weights);
        model = neuralRecommender(neuralName(options), weights, data.catalog.size);
        break;
      }
      case 'blend': {
        const parts = [];
        for (const part of spec.parts) parts.push({ model: await build(part.spec), weight: part.weight });
        model = blend(parts);
        break;
      }
      case 'then':
        model = thenFill(await build(spec.primary), await build(spec.fill));
        break;
    }
    built.set(key, model);
    return model;
  };
  return Object.assign(build, { neuralWeights });
}

/** The neural recommender's name, as tables print it. */
export function neuralName(options: NeuralOptions): string {
  return `neural(dae,d=${options.dims},epochs=${options.epochs})`;
}

/**
 * Trains the recommender served as of `nowMs`: candidates (popularity, buy-again, item-kNN, EASE over a λ grid, and
 * combinations of the best: buy-again filled by EASE, EASE nudged by recent popularity...) are compared on a time
 * split inside the history (train before `nowMs − days`, judge on the `days` after; `days` = the horizon where the
 * history spans three of them, else 30), by HitRate, Recall and NDCG at 10 together (each as a share of the best
 * candidate's, averaged); the winner is fitted again on everything before `nowMs`. Never looks at or after `nowMs`.
 * Each candidate is judged after a turn of the event loop, so a service that trains keeps answering its requests.
 */
export async function trainRecommender(
  lines: readonly PurchaseLine[],
  nowMs: number,
  options: RecommenderOptions,
): Promise<TrainedRecommender> {
  const firstMs = lines.reduce((first, line) => (line.atMs < nowMs ? Math.min(first, line.atMs) : first), nowMs);
  const spanDays = (nowMs - firstMs) / DAY_MS;
  const days = spanDays >= 3 * options.horizonDays ? options.horizonDays : Math.min(30, Math.floor(spanDays / 3));
  const cutoffMs = nowMs - days * DAY_MS;
  const split = timeSplit(
    lines.filter((line) => line.atMs < nowMs),
    cutoffMs,
    days,
    options.newItemsOnly,
  );
  const maxItems = options.easeMaxItems ?? 1500;
  const build = recommenderBuilder(split.data, maxItems);
  if (days < 1 || split.relevant.size === 0) {
    // Too little history to compare anything on: the customer's own items, then what sells now.
    const fallback: RecommenderSpec = options.newItemsOnly
      ? { kind: 'popular', recent: true }
      : { kind: 'then', primary: { kind: 'buy-again' }, fill: { kind: 'popular', recent: true } };
    const data = interactionsOf(lines, nowMs);
    const served = options.served ?? null;
    return {
      model: await recommenderBuilder(data, maxItems)(fallback),
      spec: fallback,
      data,
      neuralWeights: new Map(),
      validation: { cutoff: new Date(cutoffMs).toISOString(), days, customers: 0, candidates: [] },
      verdict: served
        ? { publish: false, reason: 'too little history to judge a recommender on: the served one stays', served: null }
        : { publish: true, reason: 'no recommender is published yet', served: null },
    };
  }
  const tried: { spec: RecommenderSpec; name: string; metrics: TopNMetrics }[] = [];
  // Each candidate after a turn of the event loop: a service training this keeps answering its requests.
  const judge = async (spec: RecommenderSpec) => {
    await new Promise((resolve) => setImmediate(resolve));
    const model = await build(spec);
    const metrics = evaluateTopN(model, split);
    tried.push({ spec, name: model.name, metrics });
    return metrics;
  };
  const best = (kind: RecommenderSpec['kind']) =>
    tried.filter((entry) => entry.spec.kind === kind).sort((a, b) => b.metrics.ndcg - a.metrics.ndcg)[0].spec;

  const recent: RecommenderSpec = { kind: 'popular', recent: true };
  await judge({ kind: 'popular', recent: false });
  await judge(recent);
  if (!options.newItemsOnly) await judge({ kind: 'buy-again' });
  await judge({ kind: 'item-knn', neighbours: 100, halfLifeDays: null });
  for (const lambda of options.easeLambdas ?? [200, 500, 2000])
    await judge({ kind: 'ease', lambda, halfLifeDays: null });
  const easeBest = best('ease');
  // The TensorFlow.js model, alone and beside EASE (they learn what goes together differently).
  const neuralOptions = options.neural === undefined ? DEFAULT_NEURAL_OPTIONS : options.neural;
  const neural: RecommenderSpec | null = neuralOptions && { kind: 'neural', ...neuralOptions };
  if (neural) {
    await judge(neural);
    await judge({
      kind: 'blend',
      parts: [
        { spec: easeBest, weight: 1 },
        { spec: neural, weight: 0.3 },
      ],
    });
  }
  if (options.newItemsOnly) {
    // What the customer's history says, nudged towards what sells now.
    for (const weight of [0.05, 0.15])
      await judge({
        kind: 'blend',
        parts: [
          { spec: easeBest, weight: 1 },
          { spec: recent, weight },
        ],
      });
    await judge({
      kind: 'blend',
      parts: [
        { spec: easeBest, weight: 1 },
        { spec: best('item-knn'), weight: 0.1 },
      ],
    });
  } else {
    // Their own items first (in buy-again's order) and the places left to EASE or to what sells now; or mixed.
    const again: RecommenderSpec = { kind: 'buy-again' };
    await judge({ kind: 'then', primary: again, fill: easeBest });
    if (neural) await judge({ kind: 'then', primary: again, fill: neural });
    await judge({ kind: 'then', primary: again, fill: recent });
    for (const weight of [0.1, 0.3])
      await judge({
        kind: 'blend',
        parts: [
          { spec: again, weight: 1 },
          { spec: easeBest, weight },
        ],
      });
  }
  // Balanced over the three measures: each as a share of the best any candidate reached, averaged (a model that buys
  // NDCG with a lower hit rate does not win by NDCG alone); NDCG breaks ties.
  const top = (metric: 'hitRate' | 'recall' | 'ndcg') =>
    Math.max(1e-12, ...tried.map((entry) => entry.metrics[metric]));
  const tops = { hitRate: top('hitRate'), recall: top('recall'), ndcg: top('ndcg') };
  const balanced = (metrics: TopNMetrics) =>
    (metrics.hitRate / tops.hitRate + metrics.recall / tops.recall + metrics.ndcg / tops.ndcg) / 3;
  tried.sort((a, b) => balanced(b.metrics) - balanced(a.metrics) || b.metrics.ndcg - a.metrics.ndcg);
  const winner = tried[0].spec;
  const verdict = await publishVerdict(options.served ?? null, tried[0], nowMs, async (spec) => {
    const known = tried.find((entry) => JSON.stringify(entry.spec) === JSON.stringify(spec));
    return known ? known.metrics : evaluateTopN(await build(spec), split);
  });
  const data = interactionsOf(lines, nowMs);
  const refit = recommenderBuilder(data, maxItems);
  const model = await refit(winner);
  return {
    model,
    spec: winner,
    data,
    neuralWeights: refit.neuralWeights,
    validation: {
      cutoff: new Date(cutoffMs).toISOString(),
      days,
      customers: split.relevant.size,
      candidates: tried.map(({ name, metrics }) => ({ name, metrics })),
    },
    verdict,
  };

  async function publishVerdict(
    served: ServedSpec | null,
    best: { name: string; metrics: TopNMetrics },
    trainedAtMs: number,
    judgeSpec: (spec: RecommenderSpec) => Promise<TopNMetrics>,
  ): Promise<RecommenderVerdict> {
    if (!served) return { publish: true, reason: 'no recommender is published yet', served: null };
    if (!(trainedAtMs > Date.parse(served.trainedAt))) {
      return {
        publish: false,
        reason: `trained on no newer purchases than ${served.version}'s recommender (as of ${served.trainedAt}): it stays`,
        served: null,
      };
    }
    const metrics = await judgeSpec(served.spec);
    const name = (await build(served.spec)).name;
    const mine = balanced(best.metrics);
    const theirs = balanced(metrics);
    const figures = `${best.name} ${mine.toFixed(4)}, ${served.version}'s ${name} ${theirs.toFixed(4)}`;
    return mine >= theirs
      ? {
          publish: true,
          reason: `newer purchases, and on validation ${figures}`,
          served: { version: served.version, name, metrics },
        }
      : {
          publish: false,
          reason: `on validation ${figures}: the served one stays`,
          served: { version: served.version, name, metrics },
        };
  }
}
