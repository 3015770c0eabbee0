/**
 * The trainer's work, without the service around it: load a dataset, run the production training
 * (`trainValueModel`: rolling cutoffs, hybrid inputs, selection, ZILN, tier thresholds) and print time and validation
 * quality per backend. Each backend runs in a process of its own. Needs no infrastructure.
 *   node -r @swc-node/register bench/train-value-model.ts                       # shared datasets + synthetic
 *   node -r @swc-node/register bench/train-value-model.ts --format online-retail \
 *     --data ../shared/datasets/online_retail/online_retail_I.csv.gz --to 2011-12-10 --backends wasm,cpu
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset, syntheticClickstream } from '@cvp/datasets';
import { selectBackend, trainValueModel, type BackendPreference } from '@cvp/model';

const SHARED = resolve(__dirname, '..', '..', 'shared', 'datasets');
const DEFAULT_RUNS = [
  { format: 'synthetic', data: '2000', to: '2026-11-01' },
  { format: 'online-retail', data: join(SHARED, 'online_retail', 'online_retail_I.csv.gz'), to: '2011-12-10' },
  { format: 'cdnow', data: join(SHARED, 'cdnow', 'CDNOW_master.txt'), to: '1998-07-01' },
];

const peakRssMb = () =>
  Math.round(Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024);

async function loadEvents(format: string, data: string): Promise<ClickstreamEvent[]> {
  if (format === 'synthetic') {
    const customers = Number(data);
    return [
      ...syntheticClickstream({
        customers,
        seed: 42,
        start: new Date('2025-01-01T00:00:00Z'),
        end: new Date('2026-11-01T00:00:00Z'),
      }),
    ];
  }
  const events: ClickstreamEvent[] = [];
  for await (const event of openDataset(format, data).events) events.push(event);
  return events;
}

async function run(format: string, data: string, to: string, backend: BackendPreference, horizonDays: number) {
  const events = await loadEvents(format, data);
  const chosen = await selectBackend(backend, () => undefined);
  const started = performance.now();
  const trained = await trainValueModel({ events, to: new Date(`${to}T00:00:00Z`), horizonDays, seed: 42 });
  const seconds = (performance.now() - started) / 1000;
  trained.model.dispose();
  return {
    dataset: format === 'synthetic' ? `synthetic ${data} customers` : data.split('/').pop(),
    events: events.length,
    customers: trained.customers.scored,
    examples: trained.examples.final,
    backend: chosen,
    epochs: `${trained.training.bestEpoch}/${trained.training.epochsRun}`,
    msPerEpoch: Math.round(trained.training.msPerEpoch),
    seconds: Math.round(seconds * 10) / 10,
    gini: trained.metrics.gini.toFixed(3),
    spearman: trained.metrics.spearman.toFixed(3),
    auc: trained.metrics.auc.toFixed(3),
    totalRatio: trained.metrics.totalRatio.toFixed(2),
    peakRssMb: peakRssMb(),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      format: { type: 'string' },
      data: { type: 'string' },
      to: { type: 'string' },
      backend: { type: 'string' },
      backends: { type: 'string', default: 'wasm,cpu' },
      'horizon-days': { type: 'string', default: '90' },
      json: { type: 'boolean', default: false },
    },
  });
  const horizonDays = Number(values['horizon-days']);
  if (values.json && values.format && values.data && values.to && values.backend) {
    const result = await run(values.format, values.data, values.to, values.backend as BackendPreference, horizonDays);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const runs =
    values.format && values.data && values.to
      ? [{ format: values.format, data: values.data, to: values.to }]
      : DEFAULT_RUNS.filter((item) => item.format === 'synthetic' || existsSync(item.data));
  const rows = [];
  for (const item of runs) {
    for (const backend of (values.backends ?? '').split(',').filter(Boolean)) {
      const out = execFileSync(
        process.execPath,
        [
          '-r',
          '@swc-node/register',
          __filename,
          ...['--format', item.format, '--data', item.data, '--to', item.to, '--backend', backend],
          ...['--horizon-days', String(horizonDays), '--json'],
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
      );
      rows.push(JSON.parse(out.trim().split('\n').pop() ?? '{}'));
    }
  }
  const columns = Object.keys(rows[0] ?? {});
  console.log(`| ${columns.join(' | ')} |`);
  console.log(`| ${columns.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${columns.map((column) => row[column]).join(' | ')} |`);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
