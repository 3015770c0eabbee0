import { seededRandom } from '@cvp/model';
import {
  CAMPAIGN_UPLIFT_FEATURES,
  campaignUpliftFeatures,
  chooseActions,
  fitGlm,
  fitUplift,
  learnedPolicyValue,
  policyGain,
  policyValue,
  perfectQiniScores,
  predictCampaignUplift,
  predictPurchaseValue,
  predictUplift,
  qiniAreaOfCounts,
  qiniAucScore,
  qiniCurve,
  qiniFromAreas,
  rankDescending,
  rankedRuns,
  selectUplift,
  fitPurchaseValue,
  trainCampaignUplift,
  upliftAtK,
  upliftAucScore,
  upliftByDecile,
  type Trial,
} from './index';

// Twenty rows with ties; expected figures from scikit-uplift 0.5.1 (qini_auc_score, uplift_auc_score,
// uplift_at_k(strategy='overall', k=0.3), qini_curve), spend with its binary check left out.
const outcome = [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0];
const spend = [12.5, 0, 30, 8, 0, 0, 44, 0, 0, 5, 0, 19, 0, 0, 7, 0, 21, 0, 0, 0];
const treatment = [1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0];
const scores = [0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.5, 0.5, 0.4, 0.3, 0.3, 0.2, 0.2, 0.1, 0.1, 0.05, 0.9, 0, 0.3, 0.6];

describe('uplift metrics (scikit-uplift 0.5.1)', () => {
  it('ranks by score descending, a tie putting the later row first', () => {
    expect(rankDescending([0.5, 0.9, 0.5, 0.1]).slice(0, 3)).toEqual([1, 2, 0]);
  });

  it('draws the Qini curve at the last row of each run of equal scores', () => {
    const curve = qiniCurve({ outcome, treatment }, scores);
    expect(curve.x).toEqual([0, 2, 4, 5, 7, 10, 11, 14, 16, 18, 19, 20]);
    const expected = [0, 2, -1, -1, 1.66666667, 1, 0.6, 1.33333333, 1.66666667, 1.25, 0.875, 1.33333333];
    curve.y.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 7));
  });

  it('gives the Qini coefficient, AUUC and uplift at 30% as scikit-uplift does, for visits and for spend', () => {
    expect(qiniAucScore({ outcome, treatment }, scores)).toBeCloseTo(0.0745145631067962, 12);
    expect(upliftAucScore({ outcome, treatment }, scores)).toBeCloseTo(0.06166619757951026, 12);
    expect(upliftAtK({ outcome, treatment }, scores, 0.3)).toBeCloseTo(0.25, 12);
    expect(qiniAucScore({ outcome: spend, treatment }, scores)).toBeCloseTo(-0.22555663688106398, 12);
    expect(upliftAucScore({ outcome: spend, treatment }, scores)).toBeCloseTo(-0.40811711578141013, 12);
    expect(upliftAtK({ outcome: spend, treatment }, scores, 0.3)).toBeCloseTo(-4.625, 12);
  });

  it('gives the Qini coefficient of a resample from its counts, as of the drawn rows', () => {
    const random = seededRandom(5);
    for (const values of [outcome, spend]) {
      const sample = { outcome: values, treatment };
      const runs = rankedRuns(scores);
      const perfectRuns = rankedRuns(perfectQiniScores(sample));
      for (let draw = 0; draw < 30; draw++) {
        const counts = new Int32Array(values.length);
        const rows: number[] = [];
        for (let k = 0; k < values.length; k++) {
          const row = Math.floor(random() * values.length);
          counts[row]++;
          rows.push(row);
        }
        const drawn = { outcome: rows.map((i) => values[i]), treatment: rows.map((i) => treatment[i]) };
        const expected = qiniAucScore(
          drawn,
          rows.map((i) => scores[i]),
        );
        const actual = qiniFromAreas(
          qiniAreaOfCounts(sample, runs, counts),
          qiniAreaOfCounts(sample, perfectRuns, counts),
        );
        if (Number.isFinite(expected)) expect(actual).toBeCloseTo(expected, 10);
        else expect(Number.isFinite(actual)).toBe(false);
      }
      // Every row once: the sample's own coefficient.
      const once = new Int32Array(values.length).fill(1);
      expect(
        qiniFromAreas(qiniAreaOfCounts(sample, runs, once), qiniAreaOfCounts(sample, perfectRuns, once)),
      ).toBeCloseTo(qiniAucScore(sample, scores), 12);
    }
  });

  it('measures the uplift in each tenth of the ranking', () => {
    const deciles = upliftByDecile({ outcome, treatment }, scores);
    expect(deciles.map((d) => d.rows)).toEqual(Array(10).fill(2));
    expect(deciles[0]).toMatchObject({ decile: 1, treatedMean: 1, controlMean: 0, uplift: 1 }); // rows 16, 0
  });
});

describe('fitGlm', () => {
  const random = seededRandom(3);
  const rows = 4000;
  const design = new Float64Array(rows * 2);
  for (let k = 0; k < design.length; k++) design[k] = random() * 2 - 1;
  const eta = (i: number) => -0.5 + 1.5 * design[2 * i] - 0.8 * design[2 * i + 1];

  it('recovers logistic and Poisson coefficients from simulated data', () => {
    const clicks = Array.from({ length: rows }, (_, i) => (random() < 1 / (1 + Math.exp(-eta(i))) ? 1 : 0));
    const logistic = fitGlm('logistic', design, 2, clicks, { l2: 1e-6 });
    expect(logistic.intercept).toBeCloseTo(-0.5, 0);
    expect(logistic.coefficients[0]).toBeGreaterThan(1.2);
    expect(logistic.coefficients[0]).toBeLessThan(1.8);
    expect(logistic.coefficients[1]).toBeLessThan(-0.5);
    const amounts = Array.from({ length: rows }, (_, i) => Math.exp(eta(i)) * (0.5 + random()));
    const poisson = fitGlm('poisson', design, 2, amounts, { l2: 1e-6 });
    expect(poisson.coefficients[0]).toBeCloseTo(1.5, 1);
    expect(poisson.coefficients[1]).toBeCloseTo(-0.8, 1);
  });

  it('leaves the columns it is told to alone when it penalises the others', () => {
    const clicks = Array.from({ length: rows }, (_, i) => (random() < 1 / (1 + Math.exp(-eta(i))) ? 1 : 0));
    const shrunk = fitGlm('logistic', design, 2, clicks, { l2: 1e6 });
    const spared = fitGlm('logistic', design, 2, clicks, { l2: 1e6, unpenalized: [1] });
    const alone = fitGlm(
      'logistic',
      Float64Array.from({ length: rows }, (_, i) => design[2 * i + 1]),
      1,
      clicks,
      {
        l2: 0,
      },
    );
    expect(Math.abs(shrunk.coefficients[1])).toBeLessThan(0.01);
    expect(Math.abs(spared.coefficients[0])).toBeLessThan(0.01);
    // The spared column's coefficient is what it is with no other input (the penalised one is held at ~0).
    expect(spared.coefficients[1]).toBeCloseTo(alone.coefficients[0], 2);
    expect(spared.coefficients[1]).toBeLessThan(-0.4);
  });

  it('refuses outcomes outside the family and mismatched shapes', () => {
    expect(() => fitGlm('logistic', new Float64Array([0, 1]), 1, [0, 2])).toThrow(/not 0 or 1/);
    expect(() => fitGlm('poisson', new Float64Array([0, 1]), 1, [0, -1])).toThrow(/negative/);
    expect(() => fitGlm('gaussian', new Float64Array([0, 1, 2]), 1, [0, 1])).toThrow(RangeError);
    expect(() => fitGlm('gaussian', new Float64Array([0, NaN]), 1, [0, 1])).toThrow(/not a number/);
  });
});

/**
 * A trial where the treatment helps only customers with a high first feature (the second is noise): visit
 * probability 0.1, plus 0.2 when treated and x0 > 0.5.
 */
function heterogeneousTrial(rows: number, seed: number): Trial & { truth: number[] } {
  const random = seededRandom(seed);
  const features: number[][] = [];
  const treatment: number[] = [];
  const outcome: number[] = [];
  const truth: number[] = [];
  for (let i = 0; i < rows; i++) {
    const x = [random(), random(), random() < 0.5 ? 1 : 0];
    const t = random() < 0.5 ? 1 : 0;
    const lift = x[0] > 0.5 ? 0.2 : 0;
    features.push(x);
    treatment.push(t);
    truth.push(lift);
    outcome.push(random() < 0.1 + t * lift ? 1 : 0);
  }
  return { featureNames: ['x0', 'x1', 'flag'], features, treatment, outcome, truth };
}

describe('uplift learners', () => {
  const train = heterogeneousTrial(6000, 1);
  const test = heterogeneousTrial(3000, 2);

  it.each(['s-learner', 't-learner', 'transformed-outcome'] as const)(
    '%s finds who responds: its Qini on new customers is near the true ranking’s, far above random',
    (learner) => {
      const model = fitUplift({ learner, basis: 'smooth' }, train);
      const learned = test.features.map((row) => predictUplift(model, row));
      const oracle = qiniAucScore(test, test.truth);
      expect(qiniAucScore(test, learned)).toBeGreaterThan(0.8 * oracle);
      const random = seededRandom(9);
      expect(
        qiniAucScore(
          test,
          test.features.map(() => random()),
        ),
      ).toBeLessThan(0.5 * oracle);
      // A plain-data model: what a service loads is what was fitted.
      const reloaded = JSON.parse(JSON.stringify(model)) as typeof model;
      expect(predictUplift(reloaded, test.features[0])).toBe(learned[0]);
    },
  );

  it('shared-ratio: one odds ratio for everyone, so the uplift follows the baseline, with little noise', () => {
    // Visits likelier with x0; the e-mail multiplies everyone's odds by e^0.6: more extra visits where visits are
    // likelier anyway. The S-learner's interactions and the T-learner's two models spend their variance on nothing.
    const proportional = (rows: number, seed: number) => {
      const random = seededRandom(seed);
      const trial: Trial & { truth: number[] } = {
        featureNames: ['x0', 'x1'],
        features: [],
        treatment: [],
        outcome: [],
        truth: [],
      };
      for (let i = 0; i < rows; i++) {
        const x = [random(), random()];
        const t = random() < 0.5 ? 1 : 0;
        const logit = -3 + 3 * x[0];
        const p = (z: number) => 1 / (1 + Math.exp(-z));
        (trial.features as number[][]).push(x);
        (trial.treatment as number[]).push(t);
        trial.truth.push(p(logit + 0.6) - p(logit));
        (trial.outcome as number[]).push(random() < p(logit + 0.6 * t) ? 1 : 0);
      }
      return trial;
    };
    const fit = proportional(4000, 5);
    const held = proportional(4000, 6);
    const model = fitUplift({ learner: 'shared-ratio', basis: 'linear' }, fit);
    if (model.learner !== 'shared-ratio') throw new Error('wrong learner');
    // Coefficients: x0, x1 (standardised), then the treatment flag: its log odds ratio.
    expect(model.outcome.coefficients[2]).toBeCloseTo(0.6, 0);
    const qini = (spec: Parameters<typeof fitUplift>[0]) => {
      const fitted = fitUplift(spec, fit);
      return qiniAucScore(
        held,
        held.features.map((row) => predictUplift(fitted, row)),
      );
    };
    const oracle = qiniAucScore(held, held.truth);
    expect(qini({ learner: 'shared-ratio', basis: 'linear' })).toBeGreaterThan(0.8 * oracle);
    expect(qini({ learner: 'shared-ratio', basis: 'linear' })).toBeGreaterThan(
      qini({ learner: 't-learner', basis: 'smooth' }),
    );
  });

  it('refuses a trial without both groups, and rows of the wrong width', () => {
    expect(() =>
      fitUplift({ learner: 's-learner', basis: 'linear' }, { ...train, treatment: train.features.map(() => 1) }),
    ).toThrow(/treated and control/);
    const model = fitUplift({ learner: 't-learner', basis: 'linear' }, train);
    expect(() => predictUplift(model, [1, 2])).toThrow(/expected 3 features/);
  });

  it('selects on validation parts of the training rows, deterministically, and says whether it beat the peer', () => {
    const learners = [
      { learner: 's-learner', basis: 'linear' },
      { learner: 'transformed-outcome', basis: 'smooth' },
    ] as const;
    const first = selectUplift(train, { learners, peerFeature: 'x1', seed: 4 });
    const again = selectUplift(train, { learners, peerFeature: 'x1', seed: 4 });
    expect(again.validationQini).toEqual(first.validationQini);
    expect(Object.keys(first.validationQini)).toEqual(['s-learner(linear)', 'transformed-outcome(smooth)', 'peer(x1)']);
    expect(first.beatsPeer).toBe(true);
    expect(first.served).toBe(
      first.validationQini['s-learner(linear)'] >= first.validationQini['transformed-outcome(smooth)']
        ? 's-learner(linear)'
        : 'transformed-outcome(smooth)',
    );
    expect(() => selectUplift(train, { peerFeature: 'nope' })).toThrow(/no feature named nope/);
  });

  it('serves the simplest learner within one standard error of the best on validation (the one-standard-error rule)', () => {
    // The e-mail helps most those least likely to buy anyway: one odds ratio for everyone ranks them backwards.
    const random = seededRandom(11);
    const backwards: Trial = { featureNames: ['x'], features: [], treatment: [], outcome: [] };
    for (let i = 0; i < 6000; i++) {
      const x = random();
      const t = random() < 0.5 ? 1 : 0;
      (backwards.features as number[][]).push([x]);
      (backwards.treatment as number[]).push(t);
      (backwards.outcome as number[]).push(random() < 0.6 - 0.5 * x + t * 0.3 * x ? 1 : 0);
    }
    const far = selectUplift(backwards, {
      learners: [
        { learner: 'shared-ratio', basis: 'linear' },
        { learner: 's-learner', basis: 'smooth' },
      ],
    });
    expect(far.best).toBe('s-learner(smooth)');
    expect(far.served).toBe('s-learner(smooth)');
    const shortfall = far.validationQini['s-learner(smooth)'] - far.validationQini['shared-ratio(linear)'];
    expect(shortfall).toBeGreaterThan(far.shortfallError['shared-ratio(linear)']);
    // Two penalties of one learner rank alike: whichever is best, the first in order within its noise is served.
    const learners = [
      { learner: 's-learner', basis: 'smooth', l2: 100 },
      { learner: 's-learner', basis: 'smooth' },
    ] as const;
    const near = selectUplift(train, { learners });
    const gap = near.validationQini[near.best] - near.validationQini['s-learner(smooth, l2=100)'];
    expect(near.served).toBe(
      near.best === 's-learner(smooth, l2=100)' || gap <= near.shortfallError['s-learner(smooth, l2=100)']
        ? 's-learner(smooth, l2=100)'
        : 's-learner(smooth)',
    );
    expect(selectUplift(train, { learners, ruleResamples: 0 }).served).toBe(near.best);
  });

  it('serves by the one-standard-error rule only learners that rank better than the peer on validation', () => {
    // Revenue: buyers likelier and orders larger with x; the e-mail moves only customers with x near 0.5. A shared
    // ratio on a linear basis ranks by the baseline, i.e. by x, exactly as the peer does: it is no candidate,
    // however near the best it comes within the noise.
    const random = seededRandom(27);
    const bump: Trial = { featureNames: ['x'], features: [], treatment: [], outcome: [] };
    for (let i = 0; i < 3000; i++) {
      const x = random();
      const t = random() < 0.5 ? 1 : 0;
      const p = 0.1 + 0.3 * x + t * 0.25 * Math.exp(-(((x - 0.5) / 0.15) ** 2));
      (bump.features as number[][]).push([x]);
      (bump.treatment as number[]).push(t);
      (bump.outcome as number[]).push(random() < p ? Math.round(1000 * (1 + x) * (0.5 + random())) / 100 : 0);
    }
    const learners = [
      { learner: 'shared-ratio', basis: 'linear' },
      { learner: 's-learner', basis: 'smooth' },
    ] as const;
    const selection = selectUplift(bump, { learners, peerFeature: 'x' });
    expect(selection.validationQini['shared-ratio(linear)']).toBeCloseTo(selection.validationQini['peer(x)'], 10);
    expect(selection.validationQini['s-learner(smooth)']).toBeGreaterThan(selection.validationQini['peer(x)']);
    expect(selection.served).toBe('s-learner(smooth)');
    expect(selection.beatsPeer).toBe(true);
    expect(selection.shortfallError).toEqual({});
    // Without the peer, the rule finds the shared ratio within one standard error of the best, and serves it.
    const unanchored = selectUplift(bump, { learners });
    expect(unanchored.served).toBe('shared-ratio(linear)');
    expect(unanchored.best).toBe('s-learner(smooth)');
  });
});

describe('policies', () => {
  it('values a policy by inverse propensity on randomised rows', () => {
    const rows = { arm: ['none', 'a', 'b', 'a'], outcome: [1, 2, 3, 0], propensity: { none: 0.5, a: 0.25, b: 0.25 } };
    // Matches on rows 0 (1 / 0.5) and 1 (2 / 0.25): (2 + 8) / 4.
    expect(policyValue(rows, ['none', 'a', 'a', 'b'])).toBe(2.5);
    expect(() => policyValue({ ...rows, propensity: { none: 0.5 } }, ['none', 'a', 'b', 'a'])).toThrow(/propensity/);
  });

  it('gives the paired gain of one policy over another with its standard error', () => {
    const rows = { arm: ['none', 'a', 'b', 'a'], outcome: [1, 2, 3, 0], propensity: { none: 0.5, a: 0.25, b: 0.25 } };
    // Per row: (0 - 2), (8 - 0), (0 - 12), (0 - 0): mean -1.5.
    const gain = policyGain(rows, ['a', 'a', 'a', 'b'], ['none', 'none', 'b', 'a']);
    expect(gain.estimate).toBe(-1.5);
    const variance = ((-2 + 1.5) ** 2 + (8 + 1.5) ** 2 + (-12 + 1.5) ** 2 + 1.5 ** 2) / 3;
    expect(gain.standardError).toBeCloseTo(Math.sqrt(variance / 4), 12);
  });

  it('chooses the action with the largest positive gain, or none', () => {
    expect(chooseActions({ a: [1, -1, 0.5], b: [2, -2, 0.1] }, 3)).toEqual(['b', 'none', 'a']);
  });
});

describe('trainCampaignUplift', () => {
  const row = (group: 'treated' | 'control', revenue: number) => ({
    group,
    score: { expectedSpend: 100, pBuyAgain: 0.5, churnRisk: 0.5 },
    revenue,
  });

  it('waits for enough customers in both groups, and says how many it has', async () => {
    const result = await trainCampaignUplift([row('treated', 10), row('control', 0)], { minPerGroup: 2 });
    expect(result).toMatchObject({ status: 'too_few', treated: 1, control: 1 });
    expect(result.reason).toMatch(/1 treated and 1 control .* 2 of each are needed/);
  });

  /**
   * A campaign's customers: organic revenue follows the score (buyers likely to buy again buy for about their
   * expected spend), and treatment adds `lift` × 100 for those near pBuyAgain 0.5 (persuadables) only.
   */
  function campaign(
    customers: number,
    lift: number,
    seed: number,
    responders: 'persuadables' | 'alike' = 'persuadables',
  ) {
    const random = seededRandom(seed);
    return Array.from({ length: customers }, (_, i) => {
      const pBuyAgain = random();
      const expectedSpend = 20 + 300 * pBuyAgain * random();
      const group: 'treated' | 'control' = i % 2 === 0 ? 'treated' : 'control';
      const persuadable = responders === 'persuadables' && Math.abs(pBuyAgain - 0.5) < 0.15;
      const organic = pBuyAgain * 0.6 * (responders === 'alike' && group === 'treated' ? 1 + lift : 1);
      const buys = random() < organic + (group === 'treated' && persuadable ? lift * 0.3 : 0);
      return {
        group,
        score: { expectedSpend, pBuyAgain, churnRisk: 1 - pBuyAgain },
        revenue: buys ? expectedSpend * (0.5 + random()) + (group === 'treated' && persuadable ? lift * 100 : 0) : 0,
      };
    });
  }

  it('publishes a model only when its lead over the constant rate is more than the selection gives by chance', async () => {
    const learners = [
      { learner: 's-learner', basis: 'smooth' },
      { learner: 't-learner', basis: 'smooth' },
      { learner: 'transformed-outcome', basis: 'smooth' },
    ] as const;
    // No one responds: whichever learner comes first on the validation parts leads by chance only. (Seed 3 publishes:
    // one of seeds 1-10 does, as a 5% test should; bench/uplift-gate.ts counts the rate over 100 campaigns.)
    for (const seed of [1, 2, 4, 5, 6, 7]) {
      const result = await trainCampaignUplift(campaign(500, 0, seed), {
        learners,
        seed,
        permutations: 19,
        bootstrap: 50,
      });
      if (result.status !== 'trained') throw new Error('expected a trained model');
      expect(result.publish).toBe(false);
      expect(result.lead.estimate).toBeCloseTo(
        result.validationQini[result.learner] - result.validationQini['peer(pBuyAgain)'],
        12,
      );
      expect(result.lead.standardError).toBeGreaterThan(0);
      expect(result.reason).toMatch(/lead -?\d\.\d{4} ± \d\.\d{4}/);
      // A lead above 0 is put to the permutation test; the p-value counts the real selection among the 20.
      if (result.lead.estimate > 0) expect(result.lead.pValue).toBeGreaterThan(0.05);
      else expect(result.lead.pValue).toBe(1);
    }
    // Persuadables (twice as many customers, twice the lift): a lead no shuffle of the groups comes near.
    for (const seed of [1, 2, 3]) {
      const result = await trainCampaignUplift(campaign(1000, 2, seed), {
        learners,
        seed,
        permutations: 19,
        bootstrap: 50,
      });
      if (result.status !== 'trained') throw new Error('expected a trained model');
      expect(result.publish).toBe(true);
      // None of the 19 shuffles led as much: p = 1/20.
      expect(result.lead.pValue).toBe(0.05);
      expect(result.reason).toMatch(/p = 0\.050 that the best learner leads this much .* \(at most 0\.05\)/);
    }
  }, 120_000);

  it('publishes nothing where the action raises the chance of buying alike for everyone: the constant rate is right', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const result = await trainCampaignUplift(campaign(1000, 0.5, seed, 'alike'), {
        learners: [
          { learner: 's-learner', basis: 'smooth' },
          { learner: 't-learner', basis: 'smooth' },
        ],
        seed,
        permutations: 19,
        bootstrap: 50,
      });
      if (result.status !== 'trained') throw new Error('expected a trained model');
      expect(result.publish).toBe(false);
    }
  }, 120_000);

  it('learns who buys because of the action and values their purchase at the spend per buyer the score implies', async () => {
    const rows = campaign(1000, 2, 1);
    const result = await trainCampaignUplift(rows, {
      learners: [{ learner: 's-learner', basis: 'smooth' }],
      permutations: 19,
      bootstrap: 0,
    });
    if (result.status !== 'trained') throw new Error('expected a trained model');
    const buyers = rows.filter((row) => row.revenue > 0);
    expect(result.buyers).toBe(buyers.length);
    const score = { expectedSpend: 120, pBuyAgain: 0.5, churnRisk: 0.5 };
    const extraPurchase = predictUplift(result.model.purchase, campaignUpliftFeatures(score));
    expect(extraPurchase).toBeGreaterThan(0.2);
    const value = predictPurchaseValue(result.model.value, score);
    expect(predictCampaignUplift(result.model, score)).toBeCloseTo(extraPurchase * value, 9);
    // What a buyer spends: where orders follow the score's spend per buyer, in proportion to it; where they do not
    // (every order 100), 100 whatever the score says.
    const buyer = (pBuyAgain: number, expectedSpend: number, revenue: number) => ({
      group: 'control' as const,
      score: { expectedSpend, pBuyAgain, churnRisk: 1 - pBuyAgain },
      revenue,
    });
    const random = seededRandom(5);
    const scores = Array.from({ length: 400 }, () => [0.1 + 0.9 * random(), 20 + 400 * random()]);
    const following = fitPurchaseValue(scores.map(([p, spend]) => buyer(p, spend, 0.4 * (spend / p))));
    const flat = fitPurchaseValue(scores.map(([p, spend]) => buyer(p, spend, 100)));
    for (const [p, spend] of [
      [0.3, 60],
      [0.8, 300],
    ]) {
      expect(predictPurchaseValue(following, buyer(p, spend, 0).score) / (0.4 * (spend / p))).toBeCloseTo(1, 1);
      expect(predictPurchaseValue(flat, buyer(p, spend, 0).score)).toBeCloseTo(100, 6);
    }
    // A registry row from before purchase models (an uplift model fitted on revenue) is read as it was written.
    const revenueModel = fitUplift(
      { learner: 't-learner', basis: 'linear' },
      {
        featureNames: [...CAMPAIGN_UPLIFT_FEATURES],
        features: rows.map((row) => campaignUpliftFeatures(row.score)),
        treatment: rows.map((row) => +(row.group === 'treated')),
        outcome: rows.map((row) => row.revenue),
      },
    );
    expect(predictCampaignUplift(revenueModel, score)).toBe(predictUplift(revenueModel, campaignUpliftFeatures(score)));
  });

  it('waits for buyers: with no purchases there is nothing to rank', async () => {
    const rows = [...Array(20)].map((_, i) => row(i % 2 === 0 ? 'treated' : 'control', i < 4 ? 10 : 0));
    const result = await trainCampaignUplift(rows, { minPerGroup: 5 });
    expect(result).toMatchObject({ status: 'too_few', treated: 10, control: 10 });
    expect(result.reason).toMatch(/4 of the 20 customers bought .* 10 buyers are needed/);
  });

  it('refuses a score without the fields it learns from, and a negative revenue', async () => {
    expect(() => campaignUpliftFeatures({ expectedSpend: 1, pBuyAgain: NaN, churnRisk: 0 })).toThrow(/pBuyAgain/);
    const rows = [row('treated', 10), row('control', -1)];
    await expect(trainCampaignUplift(rows, { minPerGroup: 1 })).rejects.toThrow(/revenue -1/);
  });
});

describe('learnedPolicyValue', () => {
  it('values treating where τ exceeds the cost against random targeting of as many, by inverse propensity', () => {
    // A model of two groups of customers: τ 30 where pBuyAgain is high, about 0 where low.
    const features: number[][] = [];
    const treatment: number[] = [];
    const outcome: number[] = [];
    for (let i = 0; i < 400; i++) {
      const p = i % 4 < 2 ? 0.9 : 0.1;
      features.push([100, p, 1 - p]);
      treatment.push(i % 2);
      outcome.push(p === 0.9 && i % 2 === 1 ? 40 : 10);
    }
    const model = fitUplift(
      { learner: 't-learner', basis: 'linear' },
      { featureNames: ['expectedSpend', 'pBuyAgain', 'churnRisk'], features, treatment, outcome },
    );
    const row = (group: 'treated' | 'control', pBuyAgain: number, revenue: number) => ({
      group,
      score: { expectedSpend: 100, pBuyAgain, churnRisk: 1 - pBuyAgain },
      revenue,
    });
    const rows = [row('treated', 0.9, 40), row('control', 0.9, 10), row('treated', 0.1, 10), row('control', 0.1, 10)];
    const value = learnedPolicyValue(rows, model, { costPerAction: 5, controlShare: 0.5 });
    // Treats the two high rows: (40 - 5) / 0.5 from the treated one, 10 / 0.5 from the low control one; over 4: 22.5.
    expect(value).toEqual({
      customers: 4,
      treatShare: 0.5,
      learned: 22.5,
      random: 0.5 * (25 - 5) + 0.5 * 10,
      treatAll: 20,
      treatNone: 10,
      // Per customer, learned minus random: 35, −10, −5, 10 (mean 7.5, the difference of the two values above).
      gainOverRandom: { estimate: 7.5, standardError: 10.1 },
    });
    expect(learnedPolicyValue([rows[0]], model, { costPerAction: 5, controlShare: 0.5 })).toBeNull();
  });
});
