/**
 * How often the demo's learning campaign would be published, replayed on the decisions a demo run stored:
 *   npm run demo && node -r @swc-node/register bench/demo-learning.ts [--campaign demo-learned-ads]
 *     [--lifts 0,2,4] [--trials 20] [--baseline score|stream] [--responders persuadables|alike]
 * Reads the campaign's constant-rate decisions from the local stack's PostgreSQL (`DATABASE_URL`; the demo leaves its
 * data there until the next run), then per lift and per response seed: the purchases `simulateResponses` adds (what
 * `cvp simulate-response` sends), each customer's first decision with the revenue of their window, and
 * `trainCampaignUplift` as the trainer runs it (`UPLIFT_MIN_GROUP` 100 as in the demo, 39 permutations). Prints how
 * many seeds published and the lead over the constant rate in standard errors.
 * `--baseline score` (default): what customers buy anyway is drawn from their scores, a fresh draw per seed, so the
 * count says how often a run with these decisions publishes. `stream`: the stored stream is the baseline as far as it
 * goes (as in the demo), the same for every seed: one run's luck, which the seeds do not vary.
 * Lift 0 is the check that the gate does not publish what the simulation did not put there.
 * Writes reports/bench/demo-learning.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { simulateResponses, type SimulatedDecision } from '@cvp/decisioning';
import { scoreFields, trainCampaignUplift, type CampaignOutcome } from '@cvp/uplift';

const { values: args } = parseArgs({
  options: {
    campaign: { type: 'string', default: 'demo-learned-ads' },
    lifts: { type: 'string', default: '0,2,4' },
    trials: { type: 'string', default: '20' },
    baseline: { type: 'string', default: 'score' },
    responders: { type: 'string', default: 'persuadables' },
  },
});
const lifts = (args.lifts ?? '').split(',').map(Number);
const trials = Number(args.trials);
const baseline = args.baseline ?? 'score';
const responders = args.responders ?? 'persuadables';
if (lifts.some((lift) => !(lift >= 0))) throw new Error(`--lifts must be numbers >= 0, got ${args.lifts}`);
if (!(trials >= 1)) throw new Error(`--trials must be >= 1, got ${args.trials}`);
if (baseline !== 'score' && baseline !== 'stream') throw new Error(`--baseline must be score or stream`);
if (responders !== 'persuadables' && responders !== 'alike')
  throw new Error(`--responders must be persuadables or alike`);

const SIMULATED = 'simulated-response';

interface Stored {
  decisions: SimulatedDecision[];
  /** Each customer's first decision: group, score, and (stream baseline) their stored, non-simulated window revenue. */
  firsts: { customerId: string; group: 'treated' | 'control'; score: Record<string, unknown>; revenue: number }[];
  windowDays: number;
  observedUntil: Date;
}

async function read(key: string): Promise<Stored> {
  const db = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp' });
  await db.connect();
  try {
    const campaigns = await db.query<{ id: string; days: number }>(
      'SELECT id, attribution_window_days AS days FROM campaigns WHERE key = $1',
      [key],
    );
    if (campaigns.rows.length === 0) throw new Error(`no campaign ${key}: run the demo first`);
    const { id, days } = campaigns.rows[0];
    const decisions = await db.query<{ customer_id: string; group: 'treated' | 'control'; score: object; t: Date }>(
      `SELECT customer_id, "group"::text AS "group", score, event_time AS t FROM decisions
       WHERE campaign_id = $1 AND policy = 'constant'`,
      [id],
    );
    if (decisions.rows.length === 0) throw new Error(`campaign ${key} has no decisions`);
    const observed = await db.query<{ last: Date }>(
      `SELECT max(occurred_at) AS last FROM training_events
       WHERE payload->'items'->0->>'productId' IS DISTINCT FROM $1`,
      [SIMULATED],
    );
    // As campaignOutcomes reads them, less the purchases a simulated response added.
    const firsts = await db.query<{
      customer_id: string;
      group: 'treated' | 'control';
      score: object;
      revenue: string;
    }>(
      `WITH firsts AS (
         SELECT DISTINCT ON (customer_id) customer_id, "group"::text AS "group", score, event_time AS start
         FROM decisions WHERE campaign_id = $1 AND policy = 'constant' ORDER BY customer_id, event_time, id)
       SELECT f.customer_id, f."group", f.score, COALESCE(sum((e.payload->>'total')::numeric), 0)::text AS revenue
       FROM firsts f LEFT JOIN training_events e
         ON e.customer_id = f.customer_id AND e.type = 'purchase' AND e.occurred_at > f.start
        AND e.occurred_at < f.start + make_interval(days => $2)
        AND e.payload->'items'->0->>'productId' IS DISTINCT FROM $3
       GROUP BY f.customer_id, f."group", f.score ORDER BY f.customer_id`,
      [id, days, SIMULATED],
    );
    return {
      decisions: decisions.rows.map((row) => ({
        customerId: row.customer_id,
        group: row.group,
        eventTime: row.t,
        score: row.score as SimulatedDecision['score'],
      })),
      firsts: firsts.rows.map((row) => ({
        customerId: row.customer_id,
        group: row.group,
        score: row.score as Record<string, unknown>,
        revenue: Number(row.revenue),
      })),
      windowDays: days,
      observedUntil: observed.rows[0].last,
    };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const key = args.campaign ?? 'demo-learned-ads';
  const stored = await read(key);
  const treated = stored.firsts.filter((row) => row.group === 'treated').length;
  console.log(
    `[demo-learning] ${key}: ${stored.firsts.length} customers (${treated} treated), ${stored.windowDays}-day window, ` +
      `baseline ${baseline}, ${responders}, ${trials} response seeds per lift`,
  );
  const rows: { lift: number; published: number; trials: number; leadZ: number[]; simulatedPurchases: number[] }[] = [];
  for (const lift of lifts) {
    const row = { lift, published: 0, trials, leadZ: [] as number[], simulatedPurchases: [] as number[] };
    for (let seed = 1; seed <= trials; seed++) {
      const events = simulateResponses(stored.decisions, {
        lift,
        responders: responders as 'persuadables' | 'alike',
        windowDays: stored.windowDays,
        seed,
        idPrefix: `replay-${seed}`,
        ...(baseline === 'stream' ? { observedUntil: stored.observedUntil } : {}),
      });
      const added = new Map<string, number>();
      for (const event of events) {
        if (event.type === 'purchase') added.set(event.customerId, (added.get(event.customerId) ?? 0) + event.total);
      }
      const outcomes: CampaignOutcome[] = stored.firsts.map((first) => ({
        group: first.group,
        score: scoreFields(first.score),
        revenue: (baseline === 'stream' ? first.revenue : 0) + (added.get(first.customerId) ?? 0),
      }));
      const result = await trainCampaignUplift(outcomes, { minPerGroup: 100, permutations: 39, seed: 42 });
      if (result.status !== 'trained') throw new Error(`seed ${seed}: ${result.reason}`);
      if (result.publish) row.published++;
      row.leadZ.push(+(result.lead.estimate / result.lead.standardError).toFixed(2));
      row.simulatedPurchases.push(events.length);
    }
    rows.push(row);
    console.log(
      `[demo-learning] lift ${lift}: published ${row.published} of ${trials}; lead over the constant rate in ` +
        `standard errors ${row.leadZ.join(' ')}`,
    );
  }
  const dir = join(process.cwd(), 'reports', 'bench');
  mkdirSync(dir, { recursive: true });
  const report = { campaign: key, customers: stored.firsts.length, treated, baseline, responders, rows };
  writeFileSync(join(dir, 'demo-learning.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
