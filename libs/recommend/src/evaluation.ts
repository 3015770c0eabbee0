import { interactionsOf, itemsBoughtIn, type Interactions, type PurchaseLine } from './interactions';
import { recommend, type Recommender } from './models';

const DAY_MS = 86_400_000;

export interface TopNMetrics {
  /** Share of test customers with at least one relevant item in their top N. */
  hitRate: number;
  /** Mean over test customers of hits / min(N, relevant items). */
  recall: number;
  /** Mean NDCG@N with binary relevance. */
  ndcg: number;
  /** Distinct items recommended / items in the training catalogue. */
  coverage: number;
}

/** A time split: train on purchases before `cutoffMs`, test on what the same customers bought in the horizon. */
export interface TimeSplit {
  data: Interactions;
  /** Test customers (bought before the cutoff and in the horizon) and their relevant items (catalogue indices). */
  relevant: Map<string, Set<number>>;
  /** Relevant items only those the customer never bought before the cutoff; recommenders must not list bought ones. */
  newItemsOnly: boolean;
}

/**
 * The protocol of `cvp evaluate-recs`: training = purchases before the cutoff; test customers = those with a purchase
 * before it and one in [cutoff, cutoff + horizon); relevant = the distinct items they bought in that window (with
 * `newItemsOnly`, only items they had never bought before, and customers left with none are not test customers). An
 * item absent from training can never be recommended, yet counts as relevant.
 */
export function timeSplit(
  lines: readonly PurchaseLine[],
  cutoffMs: number,
  horizonDays: number,
  newItemsOnly: boolean,
): TimeSplit {
  const data = interactionsOf(lines, cutoffMs);
  const relevant = new Map<string, Set<number>>();
  for (const [customerId, items] of itemsBoughtIn(lines, cutoffMs, cutoffMs + horizonDays * DAY_MS)) {
    const history = data.histories.get(customerId);
    if (!history) continue;
    const owned = new Set(history.items);
    const wanted = new Set<number>();
    let unknown = 0;
    for (const itemId of items) {
      const at = data.catalog.indexOf(itemId);
      if (at === undefined) unknown++;
      else if (!newItemsOnly || !owned.has(at)) wanted.add(at);
    }
    // Items never seen in training are relevant too (and can never be hit): negative indices stand for them.
    for (let k = 0; k < unknown; k++) wanted.add(-1 - k);
    if (wanted.size > 0) relevant.set(customerId, wanted);
  }
  return { data, relevant, newItemsOnly };
}

/** HitRate, Recall, NDCG and coverage at `n` of a recommender on a split. */
export function evaluateTopN(model: Recommender, split: TimeSplit, n = 10): TopNMetrics {
  const { data, relevant, newItemsOnly } = split;
  let hits = 0;
  let recall = 0;
  let ndcg = 0;
  const shown = new Set<number>();
  const discount = Array.from({ length: n }, (_, rank) => 1 / Math.log2(rank + 2));
  for (const [customerId, wanted] of relevant) {
    const history = data.histories.get(customerId);
    const exclude = newItemsOnly && history ? new Set(history.items) : undefined;
    const top = recommend(model, data, history, n, exclude);
    let found = 0;
    let dcg = 0;
    top.forEach((item, rank) => {
      shown.add(item);
      if (wanted.has(item)) {
        found++;
        dcg += discount[rank];
      }
    });
    const ideal = discount.slice(0, Math.min(n, wanted.size)).reduce((sum, value) => sum + value, 0);
    if (found > 0) hits++;
    recall += found / Math.min(n, wanted.size);
    ndcg += dcg / ideal;
  }
  const customers = Math.max(1, relevant.size);
  return {
    hitRate: hits / customers,
    recall: recall / customers,
    ndcg: ndcg / customers,
    coverage: shown.size / Math.max(1, data.catalog.size),
  };
}
