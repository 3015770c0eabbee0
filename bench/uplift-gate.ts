/**
 * How often the campaign uplift gate publishes, pure computation (no infrastructure):
 *   node -r @swc-node/register bench/uplift-gate.ts [--customers 250] [--trials 100]
 *     [--response none|alike|persuadables] [--permutations 39]
 * Simulates `trials` campaigns of `customers` randomised customers (half treated), each with a seed of its own: half of
 * them near-certain buyers (P(buy again) 0.9-1), half anywhere in 0-1, expected spend lognormal × P(buy again); a
 * customer buys in a 30-day window with the probability their 90-day score implies, a treated one also with the extra
 * chance the response gives (none: treatment does nothing; alike: +30% for everyone; persuadables: up to 5× near
 * P(buy again) 0.5, nothing at 0 or 1), for their spend per buyer with lognormal noise. On each, `trainCampaignUplift`
 * (every default learner, 3 folds, the permutation test) and, beside it on the same selection, the former rule (a
 * lead above 1.645 of its own bootstrap standard errors). Prints how many each published and the time per campaign.
 * With `none` and `alike`, every publish is a false one (the constant rate's ranking by expected spend is right).
 * Beside it, the ceiling: ranking by each customer's true purchase uplift (the simulation knows it), on all the
 * campaign's customers with no selection and no folds, and how often its Qini lead on the purchases over the constant
 * rate's ranking (by P(buy again), as the gate compares them) is above 1.645 of its paired-bootstrap standard errors
 * (100 resamples): no learner shows more than the truth does.
 * Writes reports/bench/uplift-gate.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '@cvp/model';
import { qiniAucScore, trainCampaignUplift, type CampaignOutcome } from '@cvp/uplift';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '250' },
    trials: { type: 'string', default: '100' },
    response: { type: 'string', default: 'none' },
    permutations: { type: 'string', default: '39' },
  },
});
const customers = Number(args.customers);
const trials = Number(args.trials);
const permutations = Number(args.permutations);
const response = args.response ?? 'none';
if (!['none', 'alike', 'persuadables'].includes(response)) {
  throw new Error(`--response must be none, alike or persuadables, got ${response}`);
}

/** A simulated customer: what the campaign saw, and their true uplift in the chance of a purchase. */
type Simulated = CampaignOutcome & { trueUplift: number };

function campaign(seed: number): Simulated[] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: customers }, () => {
    const pBuyAgain = random() < 0.5 ? 0.9 + 0.1 * random() : random();
    const expectedSpend = Math.exp(4 + normal()) * pBuyAgain;
    const treated = random() < 0.5;
    const base = 1 - Math.pow(1 - Math.min(pBuyAgain, 0.999), 1 / 3);
    const lift =
      response === 'alike' ? 0.3 : response === 'persuadables' ? 5 * Math.exp(-(((pBuyAgain - 0.5) / 0.15) ** 2)) : 0;
    const extra = Math.min(1 - base, base * lift);
    const buys = random() < base + (treated ? extra : 0);
    const perBuyer = expectedSpend / Math.max(pBuyAgain, 0.05);
    const revenue = buys ? perBuyer * Math.exp(0.5 * normal()) : 0;
    return {
      group: treated ? 'treated' : 'control',
      score: { expectedSpend, pBuyAgain, churnRisk: 1 - pBuyAgain },
      revenue,
      trueUplift: extra,
    };
  });
}

/**
 * Whether ranking by the true purchase uplift leads the constant rate (ranking by P(buy again)) by more than 1.645
 * paired bootstrap standard errors of the difference of their Qinis on the purchases, on all the rows.
 */
function truthLeads(rows: readonly Simulated[], seed: number): boolean {
  const qiniLead = (sample: readonly Simulated[]) => {
    const trial = {
      outcome: sample.map((row) => +(row.revenue > 0)),
      treatment: sample.map((row) => +(row.group === 'treated')),
    };
    return (
      qiniAucScore(
        trial,
        sample.map((row) => row.trueUplift),
      ) -
      qiniAucScore(
        trial,
        sample.map((row) => row.score.pBuyAgain),
      )
    );
  };
  const random = seededRandom(seed);
  const leads = Array.from({ length: 100 }, () =>
    qiniLead(Array.from(rows, () => rows[Math.floor(random() * rows.length)])),
  ).filter(Number.isFinite);
  const mean = leads.reduce((sum, lead) => sum + lead, 0) / leads.length;
  const spread = Math.sqrt(leads.reduce((sum, lead) => sum + (lead - mean) ** 2, 0) / (leads.length - 1));
  return qiniLead(rows) > 1.645 * spread;
}

async function main(): Promise<void> {
  let published = 0;
  let formerRule = 0;
  let truth = 0;
  let trainingMs = 0;
  for (let trial = 0; trial < trials; trial++) {
    const rows = campaign(1000 + trial);
    if (response !== 'none' && truthLeads(rows, trial + 1)) truth++;
    const started = performance.now();
    const result = await trainCampaignUplift(rows, {
      minPerGroup: 30,
      seed: trial + 1,
      permutations,
    });
    trainingMs += performance.now() - started;
    if (result.status !== 'trained') continue;
    if (result.publish) published++;
    const { estimate, standardError } = result.lead;
    if (estimate > 1.645 * standardError && result.validationQini[result.learner] > 0) formerRule++;
  }
  const report = {
    customers,
    trials,
    response,
    permutations,
    published: { permutationTest: published, formerRule },
    trueUpliftLeadsBeyond1645StandardErrors: response === 'none' ? null : truth,
    msPerCampaign: Math.round(trainingMs / trials),
  };
  console.log(
    `${trials} campaigns of ${customers} customers, response ${response}: published ${published} with the ` +
      `permutation test (${permutations} shuffles), ${formerRule} with the former rule (lead > 1.645 standard ` +
      `errors)${
        response === 'none'
          ? ''
          : `; ranking by the true uplift led the constant rate by more than 1.645 standard errors in ${truth} (the ceiling)`
      }; ${report.msPerCampaign} ms a campaign`,
  );
  mkdirSync('reports/bench', { recursive: true });
  writeFileSync(join('reports/bench', 'uplift-gate.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
