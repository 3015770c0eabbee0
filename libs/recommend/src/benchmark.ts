import { selectBackend, type BackendPreference } from '@cvp/model';
import { evaluateTopN, timeSplit, type TopNMetrics } from './evaluation';
import type { PurchaseLine } from './interactions';
import { DEFAULT_NEURAL_OPTIONS } from './neural';
import { recommenderBuilder, trainRecommender, type RecommenderSpec, type TrainedRecommender } from './selection';

/** Figures of `cvp evaluate-recs` for one model, named as the CLI prints them. */
export interface RecsMetrics {
  hitRate10: number;
  recall10: number;
  ndcg10: number;
  coverage10: number;
}

export interface RecsEvaluation {
  customers: number;
  served: string;
  models: Record<string, RecsMetrics>;
  cutoff: string;
  horizonDays: number;
  newItemsOnly: boolean;
  /** Seconds to train the served recommender (selection included). */
  trainSeconds: number;
  /** The TensorFlow.js backend the neural recommender trained on. */
  backend: string;
  validation: TrainedRecommender['validation'];
}

const rounded = (metrics: TopNMetrics): RecsMetrics => ({
  hitRate10: round(metrics.hitRate),
  recall10: round(metrics.recall),
  ndcg10: round(metrics.ndcg),
  coverage10: round(metrics.coverage),
});
const round = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * The served recommender (trained as the trainer would, with the cutoff as its now) and the in-product peers on the
 * protocol of `timeSplit`: popularity, buy-again (not with new items only: it has nothing to offer there), item-kNN,
 * EASE with λ tuned on the same validation split the served model was chosen on, and the neural recommender.
 */
export async function evaluateRecommenders(
  lines: readonly PurchaseLine[],
  cutoffMs: number,
  horizonDays: number,
  newItemsOnly: boolean,
  options: { backend?: BackendPreference } = {},
): Promise<RecsEvaluation> {
  const backend = await selectBackend(options.backend);
  const started = Date.now();
  const trained = await trainRecommender(lines, cutoffMs, { horizonDays, newItemsOnly });
  const trainSeconds = (Date.now() - started) / 1000;
  const split = timeSplit(lines, cutoffMs, horizonDays, newItemsOnly);
  const build = recommenderBuilder(split.data);
  const easeLambda = bestEaseLambda(trained);
  const peers: RecommenderSpec[] = [
    { kind: 'popular', recent: false },
    ...(newItemsOnly ? [] : [{ kind: 'buy-again' } as const]),
    { kind: 'item-knn', neighbours: 100, halfLifeDays: null },
    { kind: 'ease', lambda: easeLambda, halfLifeDays: null },
    // The TensorFlow.js model on its own, whether or not the selection took it.
    { kind: 'neural', ...DEFAULT_NEURAL_OPTIONS },
  ];
  const models: Record<string, RecsMetrics> = {};
  const served = `cvp-${trained.model.name}`;
  models[served] = rounded(evaluateTopN(trained.model, split));
  for (const spec of peers) {
    const model = await build(spec);
    models[model.name] = rounded(evaluateTopN(model, split));
  }
  return {
    customers: split.relevant.size,
    served,
    models,
    cutoff: new Date(cutoffMs).toISOString().slice(0, 10),
    horizonDays,
    newItemsOnly,
    trainSeconds: Math.round(trainSeconds * 10) / 10,
    backend,
    validation: trained.validation,
  };
}

/** λ of the plain EASE (no recency weighting) that did best on the validation split. */
function bestEaseLambda(trained: TrainedRecommender): number {
  const plain = trained.validation.candidates.find((candidate) => /^ease\(λ=[\d.]+\)$/.test(candidate.name));
  return plain ? Number(/λ=([\d.]+)/.exec(plain.name)![1]) : 500;
}
