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
 * Writes reports/bench/uplift-gate.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '@cvp/model';
import { trainCampaignUplift, type CampaignOutcome } from '@cvp/uplift';

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

function campaign(seed: number): CampaignOutcome[] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: customers }, () => {
    const pBuyAgain = random() < 0.5 ? 0.9 + 0.1 * random() : random();
    const expectedSpend = Math.exp(4 + normal()) * pBuyAgain;
    const treated = random() < 0.5;
    const base = 1 - Math.pow(1 - Math.min(pBuyAgain, 0.999), 1 / 3);
    const lift =
      response === 'alike' ? 0.3 : response === 'persuadables' ? 5 * Math.exp(-(((pBuyAgain - 0.5) / 0.15) ** 2)) : 0;
    const buys = random() < base + (treated ? Math.min(1 - base, base * lift) : 0);
    const revenue = buys ? (expectedSpend / Math.max(pBuyAgain, 0.05)) * Math.exp(0.5 * normal()) : 0;
    return {
      group: treated ? 'treated' : 'control',
      score: { expectedSpend, pBuyAgain, churnRisk: 1 - pBuyAgain },
      revenue,
    };
  });
}

async function main(): Promise<void> {
  let published = 0;
  let formerRule = 0;
  const started = performance.now();
  for (let trial = 0; trial < trials; trial++) {
    const result = await trainCampaignUplift(campaign(1000 + trial), {
      minPerGroup: 30,
      seed: trial + 1,
      permutations,
    });
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
    msPerCampaign: Math.round((performance.now() - started) / trials),
  };
  console.log(
    `${trials} campaigns of ${customers} customers, response ${response}: published ${published} with the ` +
      `permutation test (${permutations} shuffles), ${formerRule} with the former rule (lead > 1.645 standard ` +
      `errors); ${report.msPerCampaign} ms a campaign`,
  );
  mkdirSync('reports/bench', { recursive: true });
  writeFileSync(join('reports/bench', 'uplift-gate.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
