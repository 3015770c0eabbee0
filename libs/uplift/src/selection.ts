import { seededRandom } from '@cvp/model';
import { fitUplift, learnerName, predictUplift, type LearnerSpec, type Trial, type UpliftModel } from './learners';
import { qiniAucScore } from './metrics';

/** The learners a trainer tries, in order of preference on a tie. */
export const DEFAULT_LEARNERS: readonly LearnerSpec[] = (
  ['s-learner', 't-learner', 'transformed-outcome'] as const
).flatMap((learner) =>
  (['linear', 'smooth', 'quadratic'] as const).flatMap((basis) =>
    [1, 100].map((l2): LearnerSpec => ({ learner, basis, ...(l2 === 1 ? {} : { l2 }) })),
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
}

export interface Selection {
  /** The chosen learner's name and its model, refitted on every training row. */
  served: string;
  model: UpliftModel;
  /** Mean Qini coefficient over the validation parts, per learner (and the peer ranking, when named). */
  validationQini: Record<string, number>;
  /** Whether the served model beat the peer ranking on validation (true without a peer). */
  beatsPeer: boolean;
}

/**
 * Chooses among uplift learners by their mean Qini coefficient on validation parts of the training rows (never the
 * test rows), then fits the winner on all of them.
 */
export function selectUplift(trial: Trial, options: SelectionOptions = {}): Selection {
  const { learners = DEFAULT_LEARNERS, folds = 3, seed = 1, peerFeature } = options;
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
  for (const spec of learners) {
    let sum = 0;
    for (const { fit, validate } of parts) {
      const model = fitUplift(spec, fit);
      sum +=
        qiniAucScore(
          validate,
          validate.features.map((row) => predictUplift(model, row)),
        ) / folds;
    }
    validationQini[learnerName(spec)] = sum;
  }
  const best = learners.reduce((a, b) => (validationQini[learnerName(b)] > validationQini[learnerName(a)] ? b : a));
  const served = learnerName(best);
  let beatsPeer = true;
  if (peerColumn >= 0) {
    const peer = `peer(${peerFeature})`;
    validationQini[peer] = parts.reduce(
      (sum, { validate }) =>
        sum +
        qiniAucScore(
          validate,
          validate.features.map((row) => row[peerColumn]),
        ) /
          folds,
      0,
    );
    beatsPeer = validationQini[served] > validationQini[peer];
  }
  return { served, model: fitUplift(best, trial), validationQini, beatsPeer };
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
