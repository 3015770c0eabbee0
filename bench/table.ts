/**
 * One Markdown table of the serving and stream benchmarks' last results, each figure beside its target:
 *   node -r @swc-node/register bench/table.ts
 * Reads reports/bench/serving.json (bench/serving.ts) and every reports/bench/online-pipeline-*.json
 * (bench/online-pipeline.ts, one per configuration: replicas, one Redis or a cluster); writes
 * reports/bench/summary.md and prints it. A bench that has not run leaves its rows out.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FOLDER = join(__dirname, '..', 'reports', 'bench');

interface Serving {
  at: string;
  best: Record<'scorer' | 'floor', { throughput: number; p99: number; batchP99: number; recsP99?: number }>;
}
interface Pipeline {
  command: string;
  replicas?: number;
  redis?: string;
  endToEndEventsPerSecond: number;
  freshness: { rate: number; p99Ms: number };
  lookupBatch100: { p99Ms: number };
  peakRssMb: Record<string, number>;
}

const read = <T>(file: string): T => JSON.parse(readFileSync(join(FOLDER, file), 'utf8')) as T;
const verdict = (met: boolean) => (met ? 'met' : '**not met**');
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function main(): void {
  const rows: string[][] = [];
  if (existsSync(join(FOLDER, 'serving.json'))) {
    const { best, at } = read<Serving>('serving.json');
    const ratio = best.scorer.throughput / best.floor.throughput;
    const p99 = best.scorer.p99 / best.floor.p99;
    const source = `bench/serving.ts (${at.slice(0, 16)}Z)`;
    rows.push(
      [
        'score lookups/s, scorer / floor',
        `${Math.round(best.scorer.throughput)} / ${Math.round(best.floor.throughput)} = ${round(ratio)}×`,
        '≥ 0.67×',
        verdict(ratio >= 0.67),
        source,
      ],
      [
        'p99 at 1,000 req/s, scorer / floor',
        `${best.scorer.p99} / ${best.floor.p99} ms = ${round(p99)}×`,
        '≤ 1.5×',
        verdict(p99 <= 1.5),
        source,
      ],
      [
        'batchGet of 100 at 200 req/s, p99',
        `${best.scorer.batchP99} ms (floor ${best.floor.batchP99} ms)`,
        '≤ 5 ms',
        verdict(best.scorer.batchP99 <= 5),
        source,
      ],
    );
    const recs = best.scorer.recsP99;
    if (recs !== undefined && Number.isFinite(recs)) {
      rows.push([
        'recommendations p99 at 1,000 req/s / score p99',
        `${recs} / ${best.scorer.p99} ms = ${round(recs / best.scorer.p99)}×`,
        '≤ 2×',
        verdict(recs <= 2 * best.scorer.p99),
        source,
      ]);
    }
  }
  const pipelines = readdirSync(FOLDER)
    .filter((file) => /^online-pipeline-.*\.json$/.test(file))
    .sort();
  for (const file of pipelines) {
    const run = read<Pipeline>(file);
    const setup = `${run.replicas ?? 1} features + ${run.replicas ?? 1} scorer, Redis ${run.redis ?? 'one server'}`;
    const scorerRss = Math.max(
      ...Object.entries(run.peakRssMb)
        .filter(([name]) => name.startsWith('scorer'))
        .map(([, mb]) => mb),
    );
    const source = `\`${run.command.replace('node -r @swc-node/register ', '')}\``;
    rows.push(
      [
        `stream events/s end to end (${setup})`,
        String(run.endToEndEventsPerSecond),
        '≥ 5,000',
        verdict(run.endToEndEventsPerSecond >= 5000),
        source,
      ],
      [
        `freshness p99 at ${run.freshness.rate}/s (${setup})`,
        `${run.freshness.p99Ms} ms`,
        '≤ 1,000 ms',
        verdict(run.freshness.p99Ms <= 1000),
        source,
      ],
      [`scorer peak RSS (${setup})`, `${scorerRss} MB`, '≤ 500 MB', verdict(scorerRss <= 500), source],
    );
  }
  const table = [
    '| measure | this run | target | | from |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  writeFileSync(join(FOLDER, 'summary.md'), `${table}\n`);
  console.log(table);
}

main();
