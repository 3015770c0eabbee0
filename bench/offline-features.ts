/**
 * Offline benchmark: load a dataset and build the feature vector of every customer (the training path),
 * printing events/s and peak memory. Needs no infrastructure.
 *   node -r @swc-node/register bench/offline-features.ts --format online-retail --data ../shared/datasets/online_retail/online_retail_I.csv.gz
 * With no arguments it runs the shared datasets named in DEFAULT_RUNS (when ../shared/datasets exists).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset } from '@cvp/datasets';
import { buildFeatureVectors } from '@cvp/features';

const SHARED = resolve(__dirname, '..', '..', 'shared', 'datasets');
const DEFAULT_RUNS = [
  { format: 'online-retail', data: join(SHARED, 'online_retail', 'online_retail_I.csv.gz') },
  { format: 'online-retail', data: join(SHARED, 'online_retail', 'online_retail_II_2009_2010.csv.gz') },
  { format: 'rees46', data: join(SHARED, 'clickstream_rees46_sample', 'rees46_2019-Oct_head.csv') },
  { format: 'cdnow', data: join(SHARED, 'cdnow', 'CDNOW_master.txt') },
];

const peakRssMb = () =>
  Math.round(Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024);

async function run(format: string, data: string) {
  const dataset = openDataset(format, data);
  let events = 0;
  async function* counted(): AsyncGenerator<ClickstreamEvent> {
    for await (const event of dataset.events) {
      events++;
      yield event;
    }
  }
  const started = process.hrtime.bigint();
  const vectors = await buildFeatureVectors(counted(), new Date('2100-01-01T00:00:00Z'));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    format,
    file: data.split('/').pop(),
    rowsRead: dataset.report.rowsRead,
    events,
    customers: vectors.size,
    skipped: Object.values(dataset.report.skipped).reduce((sum, count) => sum + count, 0),
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(events / seconds),
    rowsPerSecond: Math.round(dataset.report.rowsRead / seconds),
    peakRssMb: peakRssMb(),
  };
}

/** Each dataset runs in a process of its own, so its peak memory is its own. */
function runInChild(format: string, data: string) {
  const out = execFileSync(
    process.execPath,
    ['-r', '@swc-node/register', __filename, '--format', format, '--data', data, '--json'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Awaited<ReturnType<typeof run>>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { format: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (values.json && values.format && values.data) {
    console.log(JSON.stringify(await run(values.format, values.data)));
    return;
  }
  const runs = values.format && values.data ? [{ format: values.format, data: values.data }] : DEFAULT_RUNS;
  const missing = runs.filter((r) => !existsSync(r.data));
  if (missing.length > 0) throw new Error(`dataset not found: ${missing.map((r) => r.data).join(', ')}`);
  const results = runs.map(({ format, data }) => runInChild(format, data));
  console.log(
    `node ${process.version}, ${cpus().length} cores; command: node -r @swc-node/register bench/offline-features.ts${values.format ? ` --format ${values.format} --data ${values.data}` : ''}`,
  );
  console.log(
    '| format | file | rows read | events | customers | rows skipped | seconds | events/s | rows/s | peak RSS MB |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.format} | ${r.file} | ${r.rowsRead} | ${r.events} | ${r.customers} | ${r.skipped} | ${r.seconds} | ${r.eventsPerSecond} | ${r.rowsPerSecond} | ${r.peakRssMb} |`,
    );
  }
  mkdirSync('reports/bench', { recursive: true });
  writeFileSync('reports/bench/offline-features.json', JSON.stringify(results, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
