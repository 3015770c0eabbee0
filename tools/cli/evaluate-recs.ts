import { Command, Option } from 'commander';
import { createReadStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { ClickstreamEvent } from '@cvp/contracts';
import { DATASET_FORMATS, openDataset } from '@cvp/datasets';
import { strictDate, wholeNumber, writeReport } from './evaluate';
import { evaluateRecommenders, purchaseLinesOf, type PurchaseLine, type RecsEvaluation } from '@cvp/recommend';

interface EvaluateRecsOptions {
  data: string;
  format: string;
  columns?: string;
  timeZone?: string;
  cutoff: Date;
  horizonDays: number;
  newItemsOnly?: boolean;
  json?: boolean;
  report?: string;
  backend?: 'cpu' | 'wasm' | 'tensorflow';
}

const stderr = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Purchase lines of a CSV with one row per purchased item: `customer=`, `time=`, `item=` (or `product=`) columns,
 * times as ISO 8601 or epoch seconds/milliseconds, an optional `quantity=` (rows with quantity <= 0 are not
 * purchases). For logs without money (baskets), which the event formats cannot read.
 */
export async function csvPurchaseLines(path: string, mapping: string): Promise<PurchaseLine[]> {
  const columns = Object.fromEntries(
    mapping.split(',').map((pair) => {
      const [key, column] = pair.split('=').map((part) => part?.trim());
      if (!key || !column) throw new Error(`bad column mapping "${pair}": write key=Column`);
      return [key === 'product' ? 'item' : key, column];
    }),
  );
  const missing = ['customer', 'time', 'item'].filter((key) => !columns[key]);
  if (missing.length > 0) throw new Error(`--columns needs ${missing.join(', ')} (e.g. customer=C,time=T,item=I)`);
  const input = createReadStream(path);
  const records = (path.endsWith('.gz') ? input.pipe(createGunzip()) : input).pipe(
    parse({ columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }),
  );
  const lines: PurchaseLine[] = [];
  let row = 1;
  for await (const record of records as AsyncIterable<Record<string, string>>) {
    row++;
    if (row === 2) {
      for (const key of ['customer', 'time', 'item', 'quantity']) {
        if (columns[key] && !(columns[key] in record))
          throw new Error(`column "${columns[key]}" (${key}=) is not in ${path}`);
      }
    }
    const customerId = record[columns.customer]?.trim();
    const itemId = record[columns.item]?.trim();
    if (!customerId || !itemId) continue;
    if (columns.quantity && !(Number(record[columns.quantity]) > 0)) continue;
    const raw = record[columns.time]?.trim() ?? '';
    const numeric = Number(raw);
    const atMs = raw !== '' && Number.isFinite(numeric) ? (numeric < 1e11 ? numeric * 1000 : numeric) : Date.parse(raw);
    if (!Number.isFinite(atMs)) throw new Error(`row ${row} of ${path}: time "${raw}" is not a date`);
    lines.push({ customerId, itemId, atMs });
  }
  return lines;
}

async function readLines(options: EvaluateRecsOptions): Promise<PurchaseLine[]> {
  const mapping = options.columns ?? '';
  if (options.format === 'csv' && !/(^|,)\s*(amount|price)\s*=/.test(mapping)) {
    return csvPurchaseLines(options.data, mapping);
  }
  const dataset = openDataset(options.format, options.data, {
    columns: options.columns?.replace(/(^|,)\s*item\s*=/, '$1product='),
    timeZone: options.timeZone,
  });
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  return purchaseLinesOf(events);
}

function formatTable(result: RecsEvaluation): string {
  const rows = Object.entries(result.models).map(
    ([name, m]) =>
      `| ${name === result.served ? `${name} (served)` : name} | ${m.hitRate10} | ${m.recall10} | ${m.ndcg10} | ${m.coverage10} |`,
  );
  return [
    `${result.customers} test customers, cutoff ${result.cutoff}, ${result.horizonDays} days` +
      (result.newItemsOnly ? ', new items only' : ''),
    '',
    '| model | HitRate@10 | Recall@10 | NDCG@10 | coverage@10 |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `trained in ${result.trainSeconds} s (TensorFlow.js backend ${result.backend}); chosen on ${result.validation.days} days before the cutoff ` +
      `(${result.validation.customers} customers)`,
  ].join('\n');
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function htmlReport(result: RecsEvaluation, data: string): string {
  const metrics = ['hitRate10', 'recall10', 'ndcg10', 'coverage10'] as const;
  const best = Object.fromEntries(
    metrics.map((metric) => [metric, Math.max(...Object.values(result.models).map((m) => m[metric]))]),
  );
  const bar = (value: number, top: number) =>
    `<svg width="120" height="10"><rect width="${top > 0 ? (120 * value) / top : 0}" height="10" fill="#1f77b4"/></svg>`;
  const rows = Object.entries(result.models)
    .map(
      ([name, m]) =>
        `<tr><td>${escape(name)}${name === result.served ? ' <b>(served)</b>' : ''}</td>` +
        metrics.map((metric) => `<td>${m[metric].toFixed(4)} ${bar(m[metric], best[metric])}</td>`).join('') +
        '</tr>',
    )
    .join('\n');
  const candidates = result.validation.candidates
    .map(
      (c) =>
        `<tr><td>${escape(c.name)}</td><td>${c.metrics.hitRate.toFixed(4)}</td><td>${c.metrics.recall.toFixed(4)}</td>` +
        `<td>${c.metrics.ndcg.toFixed(4)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>CVP recommendations: ${escape(basename(data))}</title>
<style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head>
<body><h1>Recommendations on ${escape(basename(data))}</h1>
<p>Cutoff ${result.cutoff}, ${result.horizonDays} days${result.newItemsOnly ? ', new items only' : ''}: ${result.customers} test customers.
Trained in ${result.trainSeconds} s.</p>
<table><tr><th>model</th><th>HitRate@10</th><th>Recall@10</th><th>NDCG@10</th><th>coverage@10</th></tr>
${rows}</table>
<h2>Selection (validation: ${result.validation.days} days before the cutoff, from ${escape(result.validation.cutoff.slice(0, 10))}, ${result.validation.customers} customers)</h2>
<table><tr><th>candidate</th><th>HitRate@10</th><th>Recall@10</th><th>NDCG@10</th></tr>
${candidates}</table></body></html>
`;
}

export function registerEvaluateRecs(program: Command): void {
  program
    .command('evaluate-recs')
    .description(
      'top-10 recommendations on a time split: the served recommender beside popularity, buy-again, item-kNN, EASE',
    )
    .requiredOption('--data <path>', 'dataset file (a folder for olist)')
    .requiredOption('--format <name>', `one of ${DATASET_FORMATS.join(', ')}`)
    .option('--columns <mapping>', 'csv format: customer=...,time=...,item=... (a purchase-line log)')
    .option('--time-zone <zone>', "IANA zone of timestamps without an offset (default: the dataset's)")
    .requiredOption('--cutoff <date>', 'train before it, test after it, YYYY-MM-DD (UTC)', strictDate)
    .requiredOption('--horizon-days <n>', 'test window length in days', wholeNumber)
    .option('--new-items-only', 'relevant: items never bought before the cutoff; bought items are never recommended')
    .option('--json', 'print one JSON object on stdout (logs on stderr)')
    .option('--report <file>', 'HTML report path (default: beside the data)')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['cpu', 'wasm', 'tensorflow']))
    .action(async (options: EvaluateRecsOptions) => {
      const lines = await readLines(options);
      stderr(`[evaluate-recs] read ${lines.length} purchase lines from ${options.data}`);
      if (lines.length === 0) throw new Error(`no purchases in ${options.data}`);
      const result = await evaluateRecommenders(
        lines,
        options.cutoff.getTime(),
        options.horizonDays,
        !!options.newItemsOnly,
        { backend: options.backend },
      );
      if (result.customers === 0)
        throw new Error('no test customers: nobody bought both before the cutoff and after it');
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      console.log(formatTable(result));
      const reportPath =
        options.report ??
        join(
          dirname(options.data),
          `${basename(options.data).replace(/\..*$/, '')}-recs-${result.cutoff}${result.newItemsOnly ? '-new' : ''}.html`,
        );
      console.log(
        `\nreport: ${writeReport(reportPath, htmlReport(result, options.data), options.report === undefined)}`,
      );
    });
}
