import type { ClickstreamEvent, Recommendation } from '@cvp/contracts';
import { Catalog, purchaseLinesOf, type History, type Interactions } from './interactions';
import { historyOfItems } from './item-history';
import {
  blend,
  buyAgain,
  itemItem,
  popularity,
  recommendMany,
  thenFill,
  type ItemRows,
  type Recommender,
} from './models';
import { neuralRecommender, type NeuralWeights } from './neural';
import {
  neuralName,
  trainRecommender,
  type RecommenderSpec,
  type RecommenderVerdict,
  type TrainedRecommender,
} from './selection';

export const RECOMMENDER_ARTIFACT_FORMAT = 'cvp-recommender@1';
/** The file of a model version's artifact that holds its recommender. */
export const RECOMMENDER_FILE = 'recommender.json';
/** Weights an artifact keeps per item of an item-item model (EASE, item-kNN). */
export const ARTIFACT_ROW_WIDTH = 100;

/** What a trainer stores of a trained recommender and a scorer serves from (JSON). */
export interface RecommenderArtifact {
  format: typeof RECOMMENDER_ARTIFACT_FORMAT;
  /** The instant it was trained as of (ISO 8601). */
  trainedAt: string;
  spec: RecommenderSpec;
  name: string;
  items: string[];
  buyers: number[];
  recentBuyers: number[];
  /** The item-item rows of each EASE / item-kNN part of the spec, by the part's spec (JSON). */
  rows: Record<string, ItemRows>;
  /** The weights of each neural part of the spec, by the part's spec (JSON); absent in artifacts without one. */
  neural?: Record<string, NeuralWeights>;
  validation: TrainedRecommender['validation'];
}

/** The artifact of a trained recommender (item-item parts cut to their ARTIFACT_ROW_WIDTH strongest weights). */
export function recommenderArtifact(trained: TrainedRecommender): RecommenderArtifact {
  const rows: Record<string, ItemRows> = {};
  const collect = (spec: RecommenderSpec, model: Recommender) => {
    if (spec.kind === 'ease' || spec.kind === 'item-knn') {
      if (!model.rows) throw new Error(`${model.name} keeps no item rows`);
      rows[JSON.stringify(spec)] = model.rows(ARTIFACT_ROW_WIDTH);
    }
  };
  walk(trained.spec, trained.model, collect);
  const neural: Record<string, NeuralWeights> = {};
  walk(trained.spec, trained.model, (spec) => {
    if (spec.kind !== 'neural') return;
    const key = JSON.stringify(spec);
    const weights = trained.neuralWeights.get(key);
    if (!weights) throw new Error(`the neural part ${key} has no weights`);
    neural[key] = weights;
  });
  return {
    format: RECOMMENDER_ARTIFACT_FORMAT,
    trainedAt: new Date(trained.data.nowMs).toISOString(),
    spec: trained.spec,
    name: trained.model.name,
    items: trained.data.catalog.ids,
    buyers: Array.from(trained.data.buyers),
    recentBuyers: Array.from(trained.data.recentBuyers),
    rows,
    ...(Object.keys(neural).length > 0 ? { neural } : {}),
    validation: trained.validation,
  };
}

/** Pairs each part of a spec with the model built for it (blends and fills keep their parts in order). */
function walk(spec: RecommenderSpec, model: Recommender, visit: (spec: RecommenderSpec, model: Recommender) => void) {
  visit(spec, model);
  const parts = (model as { parts?: Recommender[] }).parts;
  if (spec.kind === 'blend' && parts) spec.parts.forEach((part, i) => walk(part.spec, parts[i], visit));
  if (spec.kind === 'then' && parts) {
    walk(spec.primary, parts[0], visit);
    walk(spec.fill, parts[1], visit);
  }
}

/** A recommender served from an artifact: the catalogue, the model, and top-N lists for a customer's items. */
export class ServedRecommender {
  readonly catalog = new Catalog();
  readonly model: Recommender;
  private readonly data: Interactions;

  constructor(
    readonly artifact: RecommenderArtifact,
    /** The model version it was trained and published with. */
    readonly version: string,
  ) {
    if (artifact.format !== RECOMMENDER_ARTIFACT_FORMAT) {
      throw new Error(`recommender artifact format ${artifact.format} is not ${RECOMMENDER_ARTIFACT_FORMAT}`);
    }
    for (const id of artifact.items) this.catalog.add(id);
    this.data = {
      catalog: this.catalog,
      histories: new Map(),
      buyers: Float64Array.from(artifact.buyers),
      recentBuyers: Float64Array.from(artifact.recentBuyers),
      nowMs: Date.parse(artifact.trainedAt),
    };
    this.model = this.build(artifact.spec);
  }

  /**
   * The `n` best items for a customer: `history` their purchases, `seen` the items they viewed or carted lately
   * (they weigh as purchases with no count: first among the fill, and in what goes with them); never `exclude`d ones.
   */
  recommend(history: History | undefined, seen: number[], n: number, exclude?: ReadonlySet<number>): string[] {
    return this.recommendMany([{ history, seen, n, exclude }])[0];
  }

  /** `recommend` for many customers, scored as one batch. */
  recommendMany(
    queries: readonly { history: History | undefined; seen: number[]; n: number; exclude?: ReadonlySet<number> }[],
  ): string[][] {
    return recommendMany(
      this.model,
      this.data,
      queries.map(({ history, seen, n, exclude }) => ({
        history:
          seen.length === 0
            ? history
            : {
                items: [...(history?.items ?? []), ...seen],
                counts: [...(history?.counts ?? []), ...seen.map(() => 0)],
                lastMs: [...(history?.lastMs ?? []), ...seen.map(() => this.data.nowMs)],
              },
        n,
        exclude,
      })),
    ).map((items) => items.map((item) => this.catalog.ids[item]));
  }

  private build(spec: RecommenderSpec): Recommender {
    switch (spec.kind) {
      case 'popular':
        return popularity(this.data, spec.recent);
      case 'buy-again':
        return buyAgain(this.data);
      case 'item-knn':
      case 'ease': {
        const rows = this.artifact.rows[JSON.stringify(spec)];
        if (!rows) throw new Error(`recommender artifact lacks the rows of ${JSON.stringify(spec)}`);
        return itemItem(spec.kind, this.data, rows);
      }
      case 'neural': {
        const weights = this.artifact.neural?.[JSON.stringify(spec)];
        if (!weights) throw new Error(`recommender artifact lacks the weights of ${JSON.stringify(spec)}`);
        const { kind: _kind, ...options } = spec;
        return neuralRecommender(neuralName(options), weights, this.catalog.size);
      }
      case 'blend':
        return blend(spec.parts.map((part) => ({ model: this.build(part.spec), weight: part.weight })));
      case 'then':
        return thenFill(this.build(spec.primary), this.build(spec.fill));
    }
  }
}

/** Why an item is on a customer's list. */
export type RecommendationReason = Recommendation['reason'];

export interface RecommendationQuery {
  n: number;
  /** Leave out what the customer bought. */
  excludePurchased: boolean;
  /** Now (epoch ms): items viewed or carted in the `seenDays` before it count as seen. */
  nowMs: number;
  seenDays?: number;
}

/** A customer's list from their stored items (`customerItemsKey` hash), each item with why it is there. */
export function recommendationsFor(
  served: ServedRecommender,
  itemsHash: Record<string, string>,
  query: RecommendationQuery,
): Recommendation[] {
  return recommendationsForMany(served, [{ itemsHash, query }])[0];
}

/** `recommendationsFor` of many customers, scored as one batch (a scorer's batch of scores, a batch request). */
export function recommendationsForMany(
  served: ServedRecommender,
  customers: readonly { itemsHash: Record<string, string>; query: RecommendationQuery }[],
): Recommendation[][] {
  const read = customers.map(({ itemsHash, query }) => {
    const seenSinceMs = query.nowMs - (query.seenDays ?? 30) * 86_400_000;
    const { history, seen } = historyOfItems(itemsHash, served.catalog, seenSinceMs);
    return { history, seen, bought: new Set(history?.items ?? []), viewed: new Set(seen), query };
  });
  const lists = served.recommendMany(
    read.map(({ history, seen, bought, query }) => ({
      history,
      seen,
      n: query.n,
      exclude: query.excludePurchased ? bought : undefined,
    })),
  );
  return lists.map((list, k) => {
    const { bought, viewed } = read[k];
    return list.map((productId) => {
      const item = served.catalog.indexOf(productId)!;
      const reason: RecommendationReason = bought.has(item)
        ? 'bought-before'
        : viewed.has(item)
          ? 'viewed-lately'
          : bought.size + viewed.size > 0
            ? 'goes-with-their-items'
            : 'popular-now';
      return { productId, reason };
    });
  });
}

/**
 * The recommender a training run stores with its model version: trained on the purchases of `events` before `to`
 * (`trainRecommender`, all items), as an artifact, with the verdict on publishing it in place of `served` (the artifact
 * of the recommender served now, if any). Null when the purchases name fewer than 2 products.
 */
export async function trainRecommenderArtifact(
  events: readonly ClickstreamEvent[],
  to: Date,
  horizonDays: number,
  served: { version: string; artifact: RecommenderArtifact } | null = null,
): Promise<{ artifact: RecommenderArtifact; products: number; verdict: RecommenderVerdict } | null> {
  const lines = purchaseLinesOf(events);
  const products = new Set(lines.map((line) => line.itemId)).size;
  if (products < 2) return null;
  const trained = await trainRecommender(lines, to.getTime(), {
    horizonDays,
    newItemsOnly: false,
    served: served && { version: served.version, spec: served.artifact.spec, trainedAt: served.artifact.trainedAt },
  });
  return { artifact: recommenderArtifact(trained), products, verdict: trained.verdict };
}
