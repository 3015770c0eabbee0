import { selectUplift, type SelectionOptions } from './selection';
import { predictUplift, type UpliftModel } from './learners';

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

export interface CampaignUpliftOptions extends Pick<SelectionOptions, 'learners' | 'seed' | 'folds' | 'bootstrap'> {
  /** Fewest customers in each group before a model is learnt (default 200). */
  minPerGroup?: number;
  /**
   * How many standard errors the served learner's validation Qini must be above the constant rate's before it is
   * published (default 1.645: one-sided 95%). The learner is the best of many on the same validation parts, so a lead
   * within the noise is what the best of many random rankings would show.
   */
  margin?: number;
}

export type CampaignUplift =
  | { status: 'too_few'; treated: number; control: number; reason: string }
  | {
      status: 'trained';
      treated: number;
      control: number;
      learner: string;
      model: UpliftModel;
      validationQini: Record<string, number>;
      /** The served learner's validation Qini minus the constant rate's, and that difference's standard error. */
      lead: { estimate: number; standardError: number };
      /**
       * Publish only a model that ranked better than the constant rate (by expected spend) by more than `margin`
       * standard errors, and better than chance.
       */
      publish: boolean;
      reason: string;
    };

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

export function trainCampaignUplift(
  outcomes: readonly CampaignOutcome[],
  options: CampaignUpliftOptions = {},
): CampaignUplift {
  const { minPerGroup = 200, margin = 1.645, bootstrap = 200, ...selection } = options;
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
  const chosen = selectUplift(
    {
      featureNames: [...CAMPAIGN_UPLIFT_FEATURES],
      features: outcomes.map((row) => campaignUpliftFeatures(row.score)),
      treatment: outcomes.map((row) => (row.group === 'treated' ? 1 : 0)),
      outcome: outcomes.map((row) => {
        if (!(row.revenue >= 0)) throw new RangeError(`revenue ${row.revenue} is not an amount >= 0`);
        return row.revenue;
      }),
    },
    { ...selection, bootstrap, peerFeature: 'expectedSpend' },
  );
  const qini = chosen.validationQini[chosen.served];
  const peer = chosen.validationQini['peer(expectedSpend)'];
  const { estimate, standardError } = chosen.peerLead ?? { estimate: qini - peer, standardError: 0 };
  const needed = margin * standardError;
  const clears = estimate > needed;
  const publish = clears && qini > 0;
  const figures = `validation Qini ${qini.toFixed(4)}, the constant rate's ${peer.toFixed(4)}: lead ${estimate.toFixed(4)} ± ${standardError.toFixed(4)}`;
  return {
    status: 'trained',
    treated,
    control,
    learner: chosen.served,
    model: chosen.model,
    validationQini: chosen.validationQini,
    lead: { estimate, standardError },
    publish,
    reason: publish
      ? `${figures} (above ${margin} standard errors)`
      : qini <= 0
        ? `${figures}; not above 0 (chance)`
        : `${figures}; not above ${margin} standard errors (${needed.toFixed(4)}), within what chance gives the best of the learners`,
  };
}

export interface LearnedPolicyValue {
  /** Randomised customers valued (first decision per customer, both groups). */
  customers: number;
  /** Of them, the share the model would treat (incremental revenue above the action's cost). */
  treatShare: number;
  /**
   * Revenue per customer net of action costs, inverse-propensity estimates from the randomised groups: the model's
   * choice, random targeting of the same share, treating everyone, treating no one.
   */
  learned: number;
  random: number;
  treatAll: number;
  treatNone: number;
}

/**
 * What the learned policy (treat where τ(x) > cost) would have earned on a campaign's randomised decisions against
 * random targeting of as many customers: IPW with the campaign's control share as the assignment probability.
 */
export function learnedPolicyValue(
  outcomes: readonly CampaignOutcome[],
  model: UpliftModel,
  terms: { costPerAction: number; controlShare: number },
): LearnedPolicyValue | null {
  const treated = outcomes.filter((row) => row.group === 'treated');
  const control = outcomes.filter((row) => row.group === 'control');
  if (treated.length === 0 || control.length === 0) return null;
  const { costPerAction: cost, controlShare } = terms;
  const mean = (rows: readonly CampaignOutcome[]) => rows.reduce((sum, row) => sum + row.revenue, 0) / rows.length;
  let value = 0;
  let treat = 0;
  for (const row of outcomes) {
    const treats = predictUplift(model, campaignUpliftFeatures(row.score)) > cost;
    if (treats) treat++;
    if (treats && row.group === 'treated') value += (row.revenue - cost) / (1 - controlShare);
    if (!treats && row.group === 'control') value += row.revenue / controlShare;
  }
  const share = treat / outcomes.length;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    customers: outcomes.length,
    treatShare: Math.round(share * 1000) / 1000,
    learned: round(value / outcomes.length),
    random: round(share * (mean(treated) - cost) + (1 - share) * mean(control)),
    treatAll: round(mean(treated) - cost),
    treatNone: round(mean(control)),
  };
}
