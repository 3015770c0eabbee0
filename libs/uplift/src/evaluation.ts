import { seededRandom } from '@cvp/model';
import {
  bootstrapDraws,
  DEFAULT_LEARNERS,
  resampledQinis,
  selectUplift,
  spreadOfDifference,
  type SelectionOptions,
} from './selection';
import { fitUplift, learnerName, predictUplift, type LearnerSpec, type Trial } from './learners';
import { qiniAucScore, qiniCurve, upliftAtK, upliftAucScore, upliftByDecile, type DecileUplift } from './metrics';
import { chooseActions, policyGain, policyValue } from './policy';

/** A randomised trial with several actions against one control ('none'), and outcomes by name. */
export interface MultiArmTrial {
  featureNames: string[];
  features: number[][];
  arm: string[];
  outcomes: Record<string, number[]>;
}

export interface UpliftScores {
  qini: number;
  auuc: number;
  upliftAt30: number;
}

export interface TaskEvaluation {
  /** The learner chosen on the validation parts of the training rows (the one-standard-error rule). */
  selected: string;
  /** The learner with the best validation Qini (what the rule's tolerance is measured from). */
  bestOnValidation: string;
  /** Whether it ranked better than the peer on those parts (the trainer publishes only then). */
  beatsPeerOnValidation: boolean;
  validationQini: Record<string, number>;
  /** Test figures: the served model (`served`), every candidate learner, the in-product peer and random. */
  models: Record<string, UpliftScores>;
  trainRows: number;
  testRows: number;
  /**
   * How far the test rows' own noise moves the served model's Qini: its standard error and 95% interval over
   * resamples of the test rows (`testResamples`), and its lead over the peer with that lead's paired standard error.
   * A test split of ~13,000 rows reads a visit Qini to about ±0.014: two learners (or a learner and a published
   * figure) closer than that are not told apart by one split.
   */
  testInterval: {
    qini: { standardError: number; low: number; high: number };
    leadOverPeer?: { estimate: number; standardError: number };
    resamples: number;
  };
  /** Qini curves on the test rows (thinned to ≤ 200 points) and measured uplift per decile, for the report. */
  curves: Record<string, { x: number[]; y: number[] }>;
  deciles: Record<string, DecileUplift[]>;
}

export interface UpliftEvaluation {
  served: string;
  tasks: Record<string, TaskEvaluation>;
  /** Per outcome: IPW value per customer on the test rows of the learned policy and of fixed ones. */
  policy: Record<string, Record<string, number>>;
  /** Per outcome: how the per-customer policy did against the best fixed action on a part of the training rows. */
  policyChecks: Record<string, PolicyGuard>;
  seconds: number;
}

export interface PolicyGuard {
  useLearned: boolean;
  /** The fixed action (or 'none') worth most on the training rows. */
  bestFixed: string;
  /** IPW values on the training rows (cross-fitted): the per-customer policy and each fixed action. */
  values: Record<string, number>;
  /** What the per-customer policy earned over the best fixed action there, and the standard error of that gain. */
  gain: { estimate: number; standardError: number };
  rows: number;
}

export interface EvaluationOptions extends SelectionOptions {
  /** The test rows (true = test). */
  test: readonly boolean[];
  /** Assignment probability of each arm (default: its share of the rows). */
  propensity?: Record<string, number>;
  /** Served name in the output. */
  servedName?: string;
  /** Resamples of the test rows for `testInterval` (default 200). */
  testResamples?: number;
}

const SERVED = 'cvp-uplift';

function armTrial(trial: MultiArmTrial, arm: string, outcome: string, keep: (row: number) => boolean): Trial {
  const rows = trial.arm.flatMap((a, i) => ((a === arm || a === 'none') && keep(i) ? [i] : []));
  return {
    featureNames: trial.featureNames,
    features: rows.map((i) => trial.features[i]),
    treatment: rows.map((i) => (trial.arm[i] === arm ? 1 : 0)),
    outcome: rows.map((i) => trial.outcomes[outcome][i]),
  };
}

function thin(curve: { x: number[]; y: number[] }): { x: number[]; y: number[] } {
  const step = Math.max(1, Math.ceil(curve.x.length / 200));
  const keep = curve.x.flatMap((_, i) => (i % step === 0 || i === curve.x.length - 1 ? [i] : []));
  return { x: keep.map((i) => curve.x[i]), y: keep.map((i) => +curve.y[i].toFixed(4)) };
}

const round = (value: number) => +value.toFixed(4);

/**
 * Every (action, outcome) task on the training rows: learners chosen on validation parts, refitted, scored on the
 * test rows beside every candidate, the in-product peer (ranking by `peerFeature`) and a random ranking; then, per
 * outcome, the policy that gives each test customer the action with the largest estimated uplift (or none when no
 * action is estimated to help) valued by inverse propensity beside sending everyone one action and sending nothing.
 */
export function evaluateUplift(trial: MultiArmTrial, options: EvaluationOptions): UpliftEvaluation {
  const started = Date.now();
  const { test, learners = DEFAULT_LEARNERS, seed = 1, peerFeature, testResamples = 200 } = options;
  if (test.length !== trial.arm.length) throw new RangeError('test flags and rows differ in length');
  const actions = [...new Set(trial.arm)].filter((arm) => arm !== 'none').sort();
  if (!trial.arm.includes('none')) throw new RangeError('the trial has no control rows (arm "none")');
  if (actions.length === 0) throw new RangeError('the trial has no treated rows');
  const peerColumn = peerFeature === undefined ? -1 : trial.featureNames.indexOf(peerFeature);
  const testRows = trial.arm.flatMap((_, i) => (test[i] ? [i] : []));
  const tasks: Record<string, TaskEvaluation> = {};
  const policy: Record<string, Record<string, number>> = {};
  const policyChecks: Record<string, PolicyGuard> = {};
  for (const outcome of Object.keys(trial.outcomes)) {
    const gains: Record<string, number[]> = {};
    const selected: Record<string, LearnerSpec> = {};
    for (const action of actions) {
      const train = armTrial(trial, action, outcome, (i) => !test[i]);
      const held = armTrial(trial, action, outcome, (i) => test[i]);
      const selection = selectUplift(train, { ...options, learners, seed });
      const models: Record<string, UpliftScores> = {};
      const curves: TaskEvaluation['curves'] = {};
      const deciles: TaskEvaluation['deciles'] = {};
      const score = (name: string, scores: number[]) => {
        models[name] = {
          qini: round(qiniAucScore(held, scores)),
          auuc: round(upliftAucScore(held, scores)),
          upliftAt30: round(upliftAtK(held, scores, 0.3)),
        };
        curves[name] = thin(qiniCurve(held, scores));
        deciles[name] = upliftByDecile(held, scores);
      };
      const servedScores = held.features.map((row) => predictUplift(selection.model, row));
      score(SERVED, servedScores);
      const draws = bootstrapDraws([held], testResamples, seededRandom(seed + 3));
      const servedQinis = resampledQinis([held], [servedScores], draws);
      const finite = servedQinis.filter(Number.isFinite).sort((a, b) => a - b);
      const quantile = (q: number) => finite[Math.min(finite.length - 1, Math.floor(q * finite.length))] ?? NaN;
      const testInterval: TaskEvaluation['testInterval'] = {
        qini: {
          standardError: round(
            spreadOfDifference(
              servedQinis,
              servedQinis.map(() => 0),
            ),
          ),
          low: round(quantile(0.025)),
          high: round(quantile(0.975)),
        },
        resamples: testResamples,
      };
      if (peerColumn >= 0) {
        const peerScores = held.features.map((row) => row[peerColumn]);
        testInterval.leadOverPeer = {
          estimate: round(qiniAucScore(held, servedScores) - qiniAucScore(held, peerScores)),
          standardError: round(spreadOfDifference(servedQinis, resampledQinis([held], [peerScores], draws))),
        };
      }
      for (const spec of learners as LearnerSpec[]) {
        const name = learnerName(spec);
        if (name === selection.served) models[name] = models[SERVED];
        else {
          const model = fitUplift(spec, train);
          const scores = held.features.map((row) => predictUplift(model, row));
          models[name] = {
            qini: round(qiniAucScore(held, scores)),
            auuc: round(upliftAucScore(held, scores)),
            upliftAt30: round(upliftAtK(held, scores, 0.3)),
          };
        }
      }
      if (peerColumn >= 0)
        score(
          `peer(${peerFeature})`,
          held.features.map((row) => row[peerColumn]),
        );
      const random = seededRandom(seed);
      score(
        'random',
        held.features.map(() => random()),
      );
      tasks[`${action}-${outcome}`] = {
        selected: selection.served,
        bestOnValidation: selection.best,
        beatsPeerOnValidation: selection.beatsPeer,
        validationQini: Object.fromEntries(Object.entries(selection.validationQini).map(([k, v]) => [k, round(v)])),
        models,
        trainRows: train.features.length,
        testRows: held.features.length,
        testInterval,
        curves,
        deciles,
      };
      gains[action] = testRows.map((i) => predictUplift(selection.model, trial.features[i]));
      selected[action] = learners.find((spec) => learnerName(spec) === selection.served) as LearnerSpec;
    }
    const rows = {
      arm: testRows.map((i) => trial.arm[i]),
      outcome: testRows.map((i) => trial.outcomes[outcome][i]),
      propensity: options.propensity ?? shares(trial.arm),
    };
    const learned = chooseActions(gains, testRows.length);
    const guard = policyGuard(trial, outcome, actions, selected, test, seed, options.propensity);
    const values: Record<string, number> = {
      learned: round(policyValue(rows, guard.useLearned ? learned : rows.arm.map(() => guard.bestFixed))),
      perCustomer: round(policyValue(rows, learned)),
    };
    policyChecks[outcome] = guard;
    for (const action of actions) {
      values[`everyone${action[0].toUpperCase()}${action.slice(1)}`] = round(
        policyValue(
          rows,
          rows.arm.map(() => action),
        ),
      );
    }
    values.none = round(
      policyValue(
        rows,
        rows.arm.map(() => 'none'),
      ),
    );
    policy[outcome] = values;
  }
  return {
    served: options.servedName ?? SERVED,
    tasks,
    policy,
    policyChecks,
    seconds: round((Date.now() - started) / 1000),
  };
}

function shares(arms: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const arm of arms) counts[arm] = (counts[arm] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).map(([arm, count]) => [arm, count / arms.length]));
}

/**
 * Whether choosing an action per customer beats giving everyone the best single action (or nothing), cross-fitted on
 * the training rows: in each of three folds the selected learners are fitted on the other two and choose for the
 * fold's rows, so every training row is valued (inverse propensity) by models that never saw it. Differences between
 * customers are acted on only when they earned more with 95% confidence (one-sided).
 */
function policyGuard(
  trial: MultiArmTrial,
  outcome: string,
  actions: string[],
  selected: Record<string, LearnerSpec>,
  test: readonly boolean[],
  seed: number,
  propensity: Record<string, number> | undefined,
): PolicyGuard {
  const folds = 3;
  const random = seededRandom(seed + 1);
  const fold = trial.arm.map(() => Math.floor(random() * folds));
  const rows = trial.arm.flatMap((_, i) => (!test[i] ? [i] : []));
  const gains: Record<string, number[]> = Object.fromEntries(actions.map((action) => [action, rows.map(() => 0)]));
  for (let k = 0; k < folds; k++) {
    for (const action of actions) {
      const model = fitUplift(
        selected[action],
        armTrial(trial, action, outcome, (i) => !test[i] && fold[i] !== k),
      );
      rows.forEach((i, j) => {
        if (fold[i] === k) gains[action][j] = predictUplift(model, trial.features[i]);
      });
    }
  }
  const randomised = {
    arm: rows.map((i) => trial.arm[i]),
    outcome: rows.map((i) => trial.outcomes[outcome][i]),
    propensity: propensity ?? shares(trial.arm),
  };
  const perCustomer = chooseActions(gains, rows.length);
  const values: Record<string, number> = { perCustomer: round(policyValue(randomised, perCustomer)) };
  let bestFixed = 'none';
  for (const action of ['none', ...actions]) {
    values[action] = round(
      policyValue(
        randomised,
        randomised.arm.map(() => action),
      ),
    );
    if (values[action] > values[bestFixed]) bestFixed = action;
  }
  const gain = policyGain(
    randomised,
    perCustomer,
    randomised.arm.map(() => bestFixed),
  );
  return {
    useLearned: gain.estimate - 1.645 * gain.standardError > 0,
    bestFixed,
    values,
    gain: { estimate: round(gain.estimate), standardError: round(gain.standardError) },
    rows: rows.length,
  };
}
