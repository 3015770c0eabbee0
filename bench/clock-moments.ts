/**
 * Does training on clock moments help the scores sweeps give? A sweep scores every customer as of one instant of
 * the clock, silent customers included. This trains the production value model twice on the same window, with
 * event moments only (clockMomentsPerCustomer 0, the training before sweeps existed) and with clock moments too (the
 * default, 4), and scores every customer as a sweep at the window's end would: features as of that instant, target =
 * purchase spend in the following horizon (out of time: after everything either model saw). Needs no infrastructure.
 *   node -r @swc-node/register bench/clock-moments.ts [--horizon-days 90]
 * Datasets: the seeded synthetic clickstream (2,000 customers), and Online Retail I and the CDNOW sample from
 * ../shared/datasets where present.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, syntheticClickstream } from '@cvp/datasets';
import { emptyState, featureArray, featureVectorAt, foldEvent, type CustomerState } from '@cvp/features';
import { evaluatePredictions, selectBackend, trainValueModel } from '@cvp/model';

const { values: args } = parseArgs({ options: { 'horizon-days': { type: 'string', default: '90' } } });
const SHARED = resolve(__dirname, '..', '..', 'shared', 'datasets');
const DAY = 86_400_000;
const RUNS = [
  { name: 'synthetic 2,000', format: 'synthetic', data: '', end: '2026-11-01' },
  {
    name: 'Online Retail I',
    format: 'online-retail',
    data: join(SHARED, 'online_retail', 'online_retail_I.csv.gz'),
    end: '2011-12-10',
  },
  { name: 'CDNOW sample', format: 'cdnow', data: join(SHARED, 'cdnow', 'CDNOW_sample.txt'), end: '1998-07-01' },
];

async function load(format: string, data: string): Promise<ClickstreamEvent[]> {
  if (format === 'synthetic') {
    const options = {
      customers: 2000,
      seed: 42,
      start: new Date('2025-01-01T00:00:00Z'),
      end: new Date('2026-11-01T00:00:00Z'),
    };
    return [...syntheticClickstream(options)];
  }
  const events: ClickstreamEvent[] = [];
  for await (const event of openDataset(format, data).events) events.push(event);
  return events;
}

async function main(): Promise<void> {
  const horizonDays = Number(args['horizon-days']);
  await selectBackend('wasm', () => undefined);
  const lines = [
    `Sweep-style scoring at the cutoff (features as of it, target = spend in the next ${horizonDays} days), wasm, seed 42`,
    '',
    '| dataset | customers | training moments | Gini | Spearman | AUC P(buy) | total ratio | mean P(buy), silent > 180 d | their actual buy rate |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const run of RUNS) {
    if (run.format !== 'synthetic' && !existsSync(run.data)) continue;
    const events = await load(run.format, run.data);
    const endMs = Date.parse(`${run.end}T00:00:00Z`);
    const cutoff = new Date(endMs - horizonDays * DAY);
    const states = new Map<string, CustomerState>();
    const future = new Map<string, number>();
    for (const event of [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))) {
      const ms = Date.parse(event.occurredAt);
      if (ms < cutoff.getTime()) {
        let state = states.get(event.customerId);
        if (!state) states.set(event.customerId, (state = emptyState(event.customerId, event.occurredAt)));
        foldEvent(state, event);
      } else if (ms < endMs && event.type === 'purchase') {
        future.set(event.customerId, (future.get(event.customerId) ?? 0) + event.total);
      }
    }
    const customers = [...states.values()];
    const rows = customers.map((state) => featureArray(featureVectorAt(state, cutoff.getTime())));
    const silent = customers.map((state) => cutoff.getTime() - state.lastEventMs > 180 * DAY);
    const training = events.filter((event) => Date.parse(event.occurredAt) < cutoff.getTime());
    for (const clockMomentsPerCustomer of [0, 4]) {
      const trained = await trainValueModel({
        events: training,
        to: cutoff,
        horizonDays,
        seed: 42,
        clockMomentsPerCustomer,
      });
      const predictions = trained.model.predict(rows);
      trained.model.dispose();
      const outcomes = customers.map((state, i) => ({
        predictedSpend: predictions[i].expectedSpend,
        probabilityOfPurchase: predictions[i].probabilityOfPurchase,
        actualSpend: future.get(state.customerId) ?? 0,
        bought: (future.get(state.customerId) ?? 0) > 0,
      }));
      const metrics = evaluatePredictions(outcomes);
      const quiet = outcomes.filter((_, i) => silent[i]);
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
      lines.push(
        `| ${run.name} | ${customers.length} | ${clockMomentsPerCustomer === 0 ? 'events only' : 'events + clock'} | ` +
          `${metrics.gini.toFixed(3)} | ${metrics.spearman.toFixed(3)} | ${metrics.auc.toFixed(3)} | ${metrics.totalRatio.toFixed(2)} | ` +
          `${mean(quiet.map((o) => o.probabilityOfPurchase)).toFixed(3)} (${quiet.length}) | ${mean(quiet.map((o) => (o.bought ? 1 : 0))).toFixed(3)} |`,
      );
      console.error(lines.at(-1));
    }
  }
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
