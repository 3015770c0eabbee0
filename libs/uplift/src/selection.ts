import { seededRandom } from '@cvp/model';
import { fitUplift, learnerName, predictUplift, type LearnerSpec, type Trial, type UpliftModel } from './learners';
import { perfectQiniScores, qiniAreaOfCounts, qiniAucScore, qiniFromAreas, rankedRuns, type QiniArea } from './metrics';

/**
 * The learners a trainer tries, simplest first (the order the one-standard-error rule prefers): the shared ratio (one
 * treatment parameter), then the S-learner, T-learner and transformed outcome; within each, the linear basis before
 * the smooth and quadratic ones, the strong penalty (L2 100) before the weak one.
 */
export const DEFAULT_LEARNERS: readonly LearnerSpec[] = (
  ['shared-ratio', 's-learner', 't-learner', 'transformed-outcome'] as const
).flatMap((learner) =>
  (['linear', 'smooth', 'quadratic'] as const).flatMap((basis) =>
    [100, 1].map((l2): LearnerSpec => ({ learner, basis, ...(l2 === 1 ? {} : { l2 }) })),
  ),
);

export interface SelectionOptions {
  learners?: readonly LearnerSpec[];
  /** Validation parts: each row of the training split is validated once, by a model fitted on the others. */
  folds?: number;
  seed?: number;
  /**
   * The feature the in-product ranking orders by (the constant uplift rate times the customer's value): the learned
   * model is worth serving only when it ranks better than this on the validation parts.
   */
  peerFeature?: string;
  /**
   * Resamples of the validation rows for the standard error of the served learner's lead over the peer ranking
   * (0: none; the lead is then reported without one).
   */
  bootstrap?: number;
  /**
   * Resamples of the validation rows for the one-standard-error rule: the first learner (in `learners` order, simplest
   * first) whose validation Qini is within one bootstrap standard error of the best one's difference is served, not
   * the best itself; with a `peerFeature`, only among the learners whose validation Qini is above the peer ranking's
   * (among all when none is). With tens of candidates and a noisy Qini the best on validation is partly luck (on Hillstrom's
   * men's spend, validation and test Qini of the candidates were anti-correlated). 0: serve the best. Default 40.
   */
  ruleResamples?: number;
}

/** How far the served learner's validation Qini is above the peer ranking's, with its bootstrap standard error. */
export interface PeerLead {
  /** Mean over the validation parts of (served Qini − peer Qini): the difference of the two validation figures. */
  estimate: number;
  /** Standard deviation of that mean over resamples of each part's rows (0 without resamples). */
  standardError: number;
  resamples: number;
}

export interface Selection {
  /** The chosen learner's name and its model, refitted on every training row. */
  served: string;
  model: UpliftModel;
  /** Mean Qini coefficient over the validation parts, per learner (and the peer ranking, when named). */
  validationQini: Record<string, number>;
  /** The learner with the best validation Qini, and the standard error of each learner's shortfall from it. */
  best: string;
  shortfallError: Record<string, number>;
  /** Whether the served model beat the peer ranking on validation (true without a peer). */
  beatsPeer: boolean;
  /** The served model's lead over the peer ranking on validation (only with a peer). */
  peerLead?: PeerLead;
}

/**
 * Chooses among uplift learners by their mean Qini coefficient on validation parts of the training rows (never the
 * test rows), by the one-standard-error rule (`ruleResamples`), then fits the chosen one on all of them.
 */
export function selectUplift(trial: Trial, options: SelectionOptions = {}): Selection {
  const { learners = DEFAULT_LEARNERS, folds = 3, seed = 1, peerFeature, bootstrap = 0, ruleResamples = 40 } = options;
  if (learners.length === 0) throw new RangeError('no learners to choose from');
  const random = seededRandom(seed);
  const fold = Array.from(trial.features, () => Math.floor(random() * folds));
  const validationQini: Record<string, number> = {};
  const peerColumn = peerFeature === undefined ? -1 : trial.featureNames.indexOf(peerFeature);
  if (peerFeature !== undefined && peerColumn < 0) throw new RangeError(`no feature named ${peerFeature}`);
  const parts = Array.from({ length: folds }, (_, k) => ({
    fit: subset(trial, (i) => fold[i] !== k),
    validate: subset(trial, (i) => fold[i] === k),
  }));
  // Each learner's scores on each validation part, by a model fitted on the other parts.
  const scores = new Map<string, number[][]>();
  for (const spec of learners) {
    let sum = 0;
    const perPart = parts.map(({ fit, validate }) => {
      const model = fitUplift(spec, fit);
      const predicted = validate.features.map((row) => predictUplift(model, row));
      sum += qiniAucScore(validate, predicted) / folds;
      return predicted;
    });
    scores.set(learnerName(spec), perPart);
    validationQini[learnerName(spec)] = sum;
  }
  const bestSpec = learners.reduce((a, b) => (validationQini[learnerName(b)] > validationQini[learnerName(a)] ? b : a));
  const best = learnerName(bestSpec);
  const validationParts = parts.map(({ validate }) => validate);
  const peer = peerColumn >= 0 ? `peer(${peerFeature})` : null;
  const peerScores = parts.map(({ validate }) => validate.features.map((row) => row[peerColumn]));
  if (peer) {
    validationQini[peer] = parts.reduce(
      (sum, { validate }, k) => sum + qiniAucScore(validate, peerScores[k]) / folds,
      0,
    );
  }
  const beats = (name: string) => peer !== null && validationQini[name] > validationQini[peer];
  const abovePeer = learners.some((spec) => beats(learnerName(spec))) ? beats : null;
  const shortfallError: Record<string, number> = {};
  let chosen = bestSpec;
  if (ruleResamples > 0) {
    // The same draws for every learner (paired), so the best's resampled Qinis are computed once.
    const draws = bootstrapDraws(validationParts, ruleResamples, seededRandom(seed + 2));
    const bestQinis = resampledQinis(validationParts, scores.get(best) ?? [], draws);
    for (const spec of learners) {
      const name = learnerName(spec);
      if (name === best) break;
      // A learner that ranks no better than the in-product ranking on validation is no candidate to replace it,
      // however near the best it is within the noise: the simplest learners (a shared ratio on a linear basis) rank
      // much as the constant rate does, and serving them would hide what the others learnt. (When none beats the
      // peer, the rule runs over all of them: the model will not be published anyway.)
      if (abovePeer && !abovePeer(name)) continue;
      shortfallError[name] = spreadOfDifference(
        bestQinis,
        resampledQinis(validationParts, scores.get(name) ?? [], draws),
      );
      if (validationQini[best] - validationQini[name] <= shortfallError[name]) {
        chosen = spec;
        break;
      }
    }
  }
  const served = learnerName(chosen);
  let beatsPeer = true;
  if (peer) {
    beatsPeer = validationQini[served] > validationQini[peer];
    const lead: PeerLead = {
      estimate: validationQini[served] - validationQini[peer],
      standardError: 0,
      resamples: bootstrap,
    };
    if (bootstrap > 0) {
      const draws = bootstrapDraws(validationParts, bootstrap, seededRandom(seed + 1));
      lead.standardError = spreadOfDifference(
        resampledQinis(validationParts, scores.get(served) ?? [], draws),
        resampledQinis(validationParts, peerScores, draws),
      );
    }
    return { served, model: fitUplift(chosen, trial), validationQini, best, shortfallError, beatsPeer, peerLead: lead };
  }
  return { served, model: fitUplift(chosen, trial), validationQini, best, shortfallError, beatsPeer };
}

/**
 * Paired bootstrap of a mean-over-parts Qini difference: each part's rows are drawn with replacement, the same draws
 * for both rankings (`bootstrapDraws`, then `resampledQinis` per ranking), and the spread of the resampled differences
 * (`spreadOfDifference`) is the standard error. A draw is kept as how many times it took each row, with the perfect
 * ranking's Qini area on it (the same for every ranking); a ranking is sorted once per part, not once per draw
 * (`qiniAreaOfCounts`).
 */
export interface Draws {
  /** Per draw, per part: times each row was drawn. */
  counts: Int32Array[][];
  /** Per draw, per part: the perfect ranking's Qini area on the drawn rows. */
  perfect: QiniArea[][];
}

export function bootstrapDraws(parts: readonly Trial[], resamples: number, random: () => number): Draws {
  const counts = Array.from({ length: resamples }, () =>
    parts.map((part) => {
      const n = part.outcome.length;
      const drawn = new Int32Array(n);
      for (let k = 0; k < n; k++) drawn[Math.floor(random() * n)]++;
      return drawn;
    }),
  );
  const perfectRuns = parts.map((part) => rankedRuns(perfectQiniScores(part)));
  const perfect = counts.map((draw) => draw.map((drawn, k) => qiniAreaOfCounts(parts[k], perfectRuns[k], drawn)));
  return { counts, perfect };
}

/** Per draw, the mean over parts of a ranking's Qini on the drawn rows (not finite when a draw lacks a group). */
export function resampledQinis(parts: readonly Trial[], scores: readonly number[][], draws: Draws): number[] {
  const runs = parts.map((_, k) => rankedRuns(scores[k]));
  return draws.counts.map((draw, d) =>
    parts.reduce(
      (sum, part, k) =>
        sum + qiniFromAreas(qiniAreaOfCounts(part, runs[k], draw[k]), draws.perfect[d][k]) / parts.length,
      0,
    ),
  );
}

/** The standard deviation of a − b over the draws where both are defined; infinite with fewer than two. */
export function spreadOfDifference(a: readonly number[], b: readonly number[]): number {
  // A draw without a treated or a control row has no Qini; it is left out.
  const differences = a.map((x, i) => x - b[i]).filter(Number.isFinite);
  if (differences.length < 2) return Number.POSITIVE_INFINITY;
  const mean = differences.reduce((sum, x) => sum + x, 0) / differences.length;
  const variance = differences.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (differences.length - 1);
  return Math.sqrt(variance);
}

export function subset(trial: Trial, keep: (row: number) => boolean): Trial {
  const rows = Array.from(trial.features, (_, i) => i).filter(keep);
  return {
    featureNames: trial.featureNames,
    features: rows.map((i) => trial.features[i]),
    treatment: rows.map((i) => trial.treatment[i]),
    outcome: rows.map((i) => trial.outcome[i]),
  };
}
