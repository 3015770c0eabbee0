import { seededRandom } from '@cvp/model';
import { selectUplift, type SelectionOptions } from './selection';
import { fitGlm, predictGlm, type Glm } from './glm';
import { predictUplift, type Trial, type UpliftModel } from './learners';

/**
 * Uplift learnt from a campaign's own randomised decisions: each customer's first decision (treated or control, the
 * score it was taken on) and the revenue they brought in the attribution window after it. The inputs are score fields
 * every decision stores, so serving reads them from the score being decided on.
 */
export const CAMPAIGN_UPLIFT_FEATURES = ['expectedSpend', 'pBuyAgain', 'churnRisk'] as const;

export interface ScoreFields {
  expectedSpend: number;
  pBuyAgain: number;
  churnRisk: number;
}

export interface CampaignOutcome {
  group: 'treated' | 'control';
  score: ScoreFields;
  /** Revenue in the attribution window after the decision (0 without a purchase). */
  revenue: number;
}

/**
 * A campaign's uplift in two parts (a hurdle model): who buys in the attribution window because of the action, learnt
 * from the campaign's decisions on the 0/1 outcome "bought", and what a buyer spends in the window, a regression on
 * every buyer of the campaign (both groups) of their revenue on the spend per buyer their score implies
 * (expectedSpend / pBuyAgain). The action is assumed to change whether a customer buys, not how much: the constant
 * rate assumes the same (its incremental revenue, rate × expectedSpend, is rate × pBuyAgain extra buyers worth the
 * spend per buyer), so what the campaign's randomised decisions must show is who gets the extra purchases, and that
 * is what the gate compares, on the purchases, where a campaign of a few hundred customers can tell the rankings
 * apart (on revenue, a few large baseline orders drown the difference: `bench/uplift-gate.ts`).
 */
export interface PurchaseUpliftModel {
  kind: 'purchase-uplift';
  /** τ on the 0/1 outcome: the extra chance of a purchase in the attribution window if treated. */
  purchase: UpliftModel;
  /** What a buyer spends in the window. */
  value: PurchaseValue;
}

/**
 * A buyer's revenue in the window: a Poisson (log-link) regression on log(1 + spend per buyer), standardised with the
 * buyers' mean and scale, so revenue ∝ (1 + spend per buyer)^b: b = 1 where orders follow the score, 0 where they
 * do not.
 */
export interface PurchaseValue {
  glm: Glm;
  mean: number;
  scale: number;
}

/**
 * What `uplift_models.model` holds: a purchase-uplift model, or (rows trained before 2026-12-03) an uplift model fitted
 * on revenue directly.
 */
export type CampaignUpliftModel = PurchaseUpliftModel | UpliftModel;

/** The spend per buyer the score implies over its horizon: expected spend / P(buy again), P floored at 0.05. */
export function spendPerBuyer(score: ScoreFields): number {
  return score.expectedSpend / Math.max(score.pBuyAgain, 0.05);
}

/** The expected incremental revenue in the attribution window of treating this customer. */
export function predictCampaignUplift(model: CampaignUpliftModel, score: ScoreFields): number {
  const features = campaignUpliftFeatures(score);
  if ('kind' in model && model.kind === 'purchase-uplift') {
    return predictUplift(model.purchase, features) * predictPurchaseValue(model.value, score);
  }
  return predictUplift(model as UpliftModel, features);
}

/** What a buyer with this score spends in the window. */
export function predictPurchaseValue(value: PurchaseValue, score: ScoreFields): number {
  return predictGlm(value.glm, [(Math.log1p(spendPerBuyer(score)) - value.mean) / value.scale]);
}

/** Fits `PurchaseValue` on buyers (revenue > 0). */
export function fitPurchaseValue(buyers: readonly CampaignOutcome[]): PurchaseValue {
  const inputs = buyers.map((row) => Math.log1p(spendPerBuyer(row.score)));
  const mean = inputs.reduce((sum, x) => sum + x, 0) / inputs.length;
  const spread = Math.sqrt(inputs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / inputs.length);
  const scale = spread > 1e-9 ? spread : 1;
  const design = Float64Array.from(inputs, (x) => (x - mean) / scale);
  const revenue = buyers.map((row) => row.revenue);
  return { glm: fitGlm('poisson', design, 1, revenue), mean, scale };
}

export interface CampaignUpliftOptions extends Pick<SelectionOptions, 'learners' | 'seed' | 'folds' | 'bootstrap'> {
  /** Fewest customers in each group before a model is learnt (default 200). */
  minPerGroup?: number;
  /**
   * The largest chance that a lead as many standard errors above 0 arises when treatment moves nobody, for the model to be
   * published (default 0.05). The served learner is the best of many on the same validation parts, so its lead's own
   * standard error is not the test: on simulated campaigns where treatment did nothing, a lead above 1.645 of them
   * published 14 models in 100. The chance is a permutation test of the whole selection (`permutations`).
   */
  significance?: number;
  /**
   * Times the treatment labels are shuffled (the groups' sizes kept) and every learner selected again, for the
   * permutation test (default 39: p-values in steps of 1/40; each costs about one selection with its bootstrap).
   */
  permutations?: number;
}

export type CampaignUplift =
  | { status: 'too_few'; treated: number; control: number; reason: string }
  | {
      status: 'trained';
      treated: number;
      control: number;
      /** Customers with a purchase in their window, both groups (the value of a purchase is fitted on them). */
      buyers: number;
      learner: string;
      model: PurchaseUpliftModel;
      /** Validation Qini on the purchases ("bought in the window", 0/1), per learner and for the constant rate. */
      validationQini: Record<string, number>;
      /**
       * The served learner's validation Qini minus the constant rate's (ranking by P(buy again): the extra purchases
       * a constant rate implies follow the chance of a purchase), that difference's standard error, and the
       * permutation p-value: the share of selections on shuffled treatment labels whose best learner's lead, over
       * its own standard error, was at least as large as the real best learner's, counting the real one (1 when the
       * served lead is not above 0: not tested).
       */
      lead: { estimate: number; standardError: number; pValue: number };
      /**
       * Publish only a model that ranked better than the constant rate by more than the best of the learners does by
       * chance (p-value at most `significance`), and better than chance alone (Qini above 0).
       */
      publish: boolean;
      reason: string;
    };

/**
 * The constant rate's ranking of extra purchases: rate × expectedSpend of revenue is rate × pBuyAgain purchases worth
 * the spend per buyer, so it ranks who buys because of the action by P(buy again).
 */
const PEER_FEATURE = 'pBuyAgain';

/** Fewest buyers (both groups) before a purchase model is learnt: without them there is nothing to rank on. */
const MIN_BUYERS = 10;

/** The fields of a stored score snapshot (JSON) the models read. */
export function scoreFields(snapshot: Record<string, unknown>): ScoreFields {
  return {
    expectedSpend: Number(snapshot.expectedSpend),
    pBuyAgain: Number(snapshot.pBuyAgain),
    churnRisk: Number(snapshot.churnRisk),
  };
}

export function campaignUpliftFeatures(score: ScoreFields): number[] {
  return CAMPAIGN_UPLIFT_FEATURES.map((name) => {
    const value = score[name];
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new RangeError(`score field ${name} is not a number`);
    return value;
  });
}

/**
 * Learns a campaign's uplift and decides whether to publish it. Asynchronous only to let the process breathe: the
 * permutation test runs one selection per turn of the event loop, so a service training it keeps answering (a
 * campaign of 1,000 customers takes ~3 s of selections with 9 shuffles on this project's 2-core machine, ~0.3 s each).
 */
export async function trainCampaignUplift(
  outcomes: readonly CampaignOutcome[],
  options: CampaignUpliftOptions = {},
): Promise<CampaignUplift> {
  const { minPerGroup = 200, significance = 0.05, permutations = 39, bootstrap = 200, ...selection } = options;
  if (!Number.isInteger(permutations) || permutations < 1) {
    throw new RangeError(`permutations must be a whole number >= 1, got ${permutations}`);
  }
  const treated = outcomes.filter((row) => row.group === 'treated').length;
  const control = outcomes.length - treated;
  if (treated < minPerGroup || control < minPerGroup) {
    return {
      status: 'too_few',
      treated,
      control,
      reason: `${treated} treated and ${control} control customers with a closed attribution window; ${minPerGroup} of each are needed`,
    };
  }
  const trial: Trial = {
    featureNames: [...CAMPAIGN_UPLIFT_FEATURES],
    features: outcomes.map((row) => campaignUpliftFeatures(row.score)),
    treatment: outcomes.map((row) => (row.group === 'treated' ? 1 : 0)),
    outcome: outcomes.map((row) => {
      if (!(row.revenue >= 0)) throw new RangeError(`revenue ${row.revenue} is not an amount >= 0`);
      return row.revenue > 0 ? 1 : 0;
    }),
  };
  const buyers = outcomes.filter((row) => row.revenue > 0);
  if (buyers.length < MIN_BUYERS) {
    return {
      status: 'too_few',
      treated,
      control,
      reason: `${buyers.length} of the ${outcomes.length} customers bought in their attribution window; ${MIN_BUYERS} buyers are needed`,
    };
  }
  const chosen = selectUplift(trial, { ...selection, bootstrap, peerFeature: PEER_FEATURE });
  const qini = chosen.validationQini[chosen.served];
  const peer = chosen.validationQini[`peer(${PEER_FEATURE})`];
  const { estimate, standardError } = chosen.peerLead ?? { estimate: qini - peer, standardError: 0 };
  // The test's statistic is the best learner's studentized lead, in the real selection as on every shuffle (the
  // one-standard-error rule may serve a simpler learner; the question the test answers is whether any learner leads
  // the constant rate by more than chance gives the best of them).
  const best =
    chosen.best === chosen.served
      ? chosen.peerLead
      : selectUplift(trial, { ...selection, bootstrap, peerFeature: PEER_FEATURE, ruleResamples: 0 }).peerLead;
  const studentized = studentizedLead(best);
  const pValue =
    estimate > 0 && qini > 0 ? await permutationPValue(trial, studentized, permutations, bootstrap, selection) : 1;
  const publish = estimate > 0 && qini > 0 && pValue <= significance;
  const figures =
    `validation Qini ${qini.toFixed(4)}, the constant rate's ${peer.toFixed(4)}: lead ${estimate.toFixed(4)} ± ` +
    `${standardError.toFixed(4)}`;
  const chance = `p = ${pValue.toFixed(3)} that the best learner leads this much when treatment moves nobody`;
  return {
    status: 'trained',
    treated,
    control,
    buyers: buyers.length,
    learner: chosen.served,
    model: { kind: 'purchase-uplift', purchase: chosen.model, value: fitPurchaseValue(buyers) },
    validationQini: chosen.validationQini,
    lead: { estimate, standardError, pValue },
    publish,
    reason: publish
      ? `${figures}, ${chance} (at most ${significance})`
      : estimate <= 0 || qini <= 0
        ? `${figures}; ${qini <= 0 ? 'its Qini is not above 0' : 'no lead'} (chance)`
        : `${figures}, ${chance}: above ${significance}, within what chance gives the best of the learners`,
  };
}

/** A lead over its standard error (+∞ for a lead above 0 with no spread, −∞ without a lead to read). */
function studentizedLead(lead: { estimate: number; standardError: number } | undefined): number {
  if (!lead) return Number.NEGATIVE_INFINITY;
  if (lead.standardError > 0) return lead.estimate / lead.standardError;
  return lead.estimate > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/**
 * The permutation test of a selection's lead over the constant rate: the treatment labels shuffled `permutations`
 * times (seeded; the groups' sizes kept), every learner selected again on the same folds, and the share of those
 * selections whose best learner's studentized lead (lead / its paired-bootstrap standard error) reached `observed`,
 * the real selection counted as one of them ((1 + reached) / (1 + permutations)). Shuffling breaks every effect of
 * the treatment and keeps everything else (the outcomes, the features, the folds, the choice among learners), so this
 * is how often the selection alone gives such a lead. Studentized, because the lead's spread differs between the two
 * worlds: a learner fitted to shuffled labels ranks unlike the constant rate, so the difference of their Qinis varies
 * far more than where a real response makes the rankings agree; on the raw lead the test kept its size but published
 * 1 of 30 truly better models where this publishes 5 (`bench/uplift-gate.ts`, libs/uplift/README.md "The gate").
 */
async function permutationPValue(
  trial: Trial,
  observed: number,
  permutations: number,
  bootstrap: number,
  selection: Pick<SelectionOptions, 'learners' | 'seed' | 'folds'>,
): Promise<number> {
  const random = seededRandom((selection.seed ?? 1) + 7919);
  const treatment = Array.from(trial.treatment);
  let reached = 0;
  for (let k = 0; k < permutations; k++) {
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = treatment.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [treatment[i], treatment[j]] = [treatment[j], treatment[i]];
    }
    const shuffled = selectUplift(
      { ...trial, treatment },
      { ...selection, peerFeature: PEER_FEATURE, bootstrap, ruleResamples: 0 },
    );
    if (studentizedLead(shuffled.peerLead) >= observed) reached++;
  }
  return (1 + reached) / (1 + permutations);
}

export interface LearnedPolicyValue {
  /** Randomised customers valued (first decision per customer, both groups). */
  customers: number;
  /** Of them, the share the model would treat (incremental revenue above the action's cost). */
  treatShare: number;
  /**
   * Revenue per customer net of action costs, estimated from the randomised groups: the model's choice and random
   * targeting of the same share (inverse propensity, per customer), treating everyone and treating no one (the
   * groups' means).
   */
  learned: number;
  random: number;
  treatAll: number;
  treatNone: number;
  /**
   * `learned` − `random` with the standard error of that paired difference (per customer, the two policies' inverse-
   * propensity terms differ only in how often they treat): whether the learned targeting earned more than chance
   * would, or only seemed to. In-sample for the customers the model learnt from (the report says how many).
   */
  gainOverRandom: { estimate: number; standardError: number };
}

/**
 * What the learned policy (treat where τ(x) > cost) would have earned on a campaign's randomised decisions against
 * random targeting of as many customers: IPW with the campaign's control share as the assignment probability.
 */
export function learnedPolicyValue(
  outcomes: readonly CampaignOutcome[],
  model: CampaignUpliftModel,
  terms: { costPerAction: number; controlShare: number },
): LearnedPolicyValue | null {
  const treated = outcomes.filter((row) => row.group === 'treated');
  const control = outcomes.filter((row) => row.group === 'control');
  if (treated.length === 0 || control.length === 0) return null;
  const { costPerAction: cost, controlShare } = terms;
  const mean = (rows: readonly CampaignOutcome[]) => rows.reduce((sum, row) => sum + row.revenue, 0) / rows.length;
  const treats = outcomes.map((row) => predictCampaignUplift(model, row.score) > cost);
  const share = treats.filter(Boolean).length / outcomes.length;
  // Per customer, each policy's inverse-propensity term: what the row earns if the policy gives it what it got, over
  // the chance of getting that; random targeting gives the treatment with probability `share`.
  const learnedTerms = outcomes.map((row, i) =>
    row.group === 'treated'
      ? treats[i]
        ? (row.revenue - cost) / (1 - controlShare)
        : 0
      : treats[i]
        ? 0
        : row.revenue / controlShare,
  );
  const randomTerms = outcomes.map((row) =>
    row.group === 'treated'
      ? (share * (row.revenue - cost)) / (1 - controlShare)
      : ((1 - share) * row.revenue) / controlShare,
  );
  const average = (values: readonly number[]) => values.reduce((sum, x) => sum + x, 0) / values.length;
  const differences = learnedTerms.map((term, i) => term - randomTerms[i]);
  const gain = average(differences);
  const variance =
    differences.length > 1 ? differences.reduce((sum, x) => sum + (x - gain) ** 2, 0) / (differences.length - 1) : 0;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    customers: outcomes.length,
    treatShare: Math.round(share * 1000) / 1000,
    learned: round(average(learnedTerms)),
    random: round(average(randomTerms)),
    treatAll: round(mean(treated) - cost),
    treatNone: round(mean(control)),
    gainOverRandom: { estimate: round(gain), standardError: round(Math.sqrt(variance / differences.length)) },
  };
}
