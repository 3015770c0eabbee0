import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { DATASET_FORMATS, openDataset } from '@cvp/datasets';
import { evaluate, type EvaluationMetrics, type EvaluationResult, type EvaluationRun } from '@cvp/model';

const MODEL_LABELS: Record<keyof EvaluationResult['models'], string> = {
  ziln: 'ZILN (deep)',
  bgnbd: 'BG/NBD + Gamma-Gamma',
  rfm: 'historical average',
};
const COLORS: Record<keyof EvaluationResult['models'], string> = { ziln: '#d62728', bgnbd: '#1f77b4', rfm: '#2ca02c' };
const MODELS = Object.keys(MODEL_LABELS) as (keyof EvaluationResult['models'])[];

const strictDate = (value: string) => {
  const parsed = new Date(`${value}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== value
  ) {
    throw new InvalidArgumentError(`"${value}" is not a date YYYY-MM-DD`);
  }
  return parsed;
};
const wholeNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
};
const seedNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number >= 0');
  return parsed;
};

const fixed = (value: number, digits = 3) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The readable table printed without --json. */
export function formatTable(result: EvaluationResult): string {
  const header = ['model', 'Gini', 'Spearman', 'top 10%', 'top 20%', 'MAE', 'RMSE', 'AUC', 'total ratio'];
  const rows = MODELS.map((key) => {
    const m: EvaluationMetrics = result.models[key];
    return [
      MODEL_LABELS[key],
      fixed(m.gini),
      fixed(m.spearman),
      fixed(m.top10Capture),
      fixed(m.top20Capture),
      fixed(m.mae, 2),
      fixed(m.rmse, 2),
      fixed(m.auc),
      fixed(m.totalRatio),
    ];
  });
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const t = result.training;
  return [
    `${result.dataset}: ${result.customers} customers, cutoff ${result.cutoff}, holdout ${result.horizonDays} days`,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    `ZILN: backend ${t.backend}, best epoch ${t.epochs} of ${t.epochsRun}, ${t.msPerEpoch.toFixed(0)} ms/epoch, ` +
      `trained in ${(t.trainMs / 1000).toFixed(1)} s on ${t.trainCustomers} customers (+${t.validationCustomers} validation), ` +
      `features at ${t.innerCutoff}, labels over ${t.trainHorizonDays} days, predictions x${t.horizonScale.toFixed(3)}`,
    ...result.warnings.map((warning) => `warning: ${warning}`),
  ].join('\n');
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] ?? char);

function gainChart(run: EvaluationRun): string {
  const size = 320;
  const pad = 40;
  const x = (share: number) => pad + share * size;
  const y = (share: number) => pad + size - share * size;
  const lines = MODELS.map((key) => {
    const points = run.gainCurves[key].map((value, k) => `${x(k / 20).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${COLORS[key]}" stroke-width="2" points="${points}"/>`;
  });
  const legend = MODELS.map(
    (key, i) =>
      `<text x="${pad + 10}" y="${pad + 16 + i * 16}" fill="${COLORS[key]}" font-size="12">${escapeHtml(MODEL_LABELS[key])}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size + 2 * pad}" height="${size + 2 * pad}">
<rect x="${pad}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#999"/>
<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#bbb" stroke-dasharray="4"/>
${lines.join('\n')}
${legend.join('\n')}
<text x="${pad + size / 2}" y="${size + pad + 28}" font-size="12" text-anchor="middle">share of customers, by prediction</text>
<text x="12" y="${pad + size / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 12 ${pad + size / 2})">share of holdout spend</text>
</svg>`;
}

function decileChart(key: keyof EvaluationResult['models'], metrics: EvaluationMetrics): string {
  const width = 360;
  const height = 200;
  const pad = 30;
  const top = Math.max(
    ...metrics.deciles.flatMap((row) => [row.meanActual, row.meanPredicted]).filter(Number.isFinite),
    1e-9,
  );
  const slot = width / 10;
  const bars = metrics.deciles.flatMap((row, i) => {
    const h = (value: number) => (Number.isFinite(value) ? (value / top) * height : 0);
    const x0 = pad + i * slot + 4;
    return [
      `<rect x="${x0}" y="${pad + height - h(row.meanPredicted)}" width="${slot / 2 - 4}" height="${h(row.meanPredicted)}" fill="${COLORS[key]}"><title>decile ${row.decile} predicted ${fixed(row.meanPredicted, 2)}</title></rect>`,
      `<rect x="${x0 + slot / 2 - 4}" y="${pad + height - h(row.meanActual)}" width="${slot / 2 - 4}" height="${h(row.meanActual)}" fill="#555"><title>decile ${row.decile} actual ${fixed(row.meanActual, 2)}</title></rect>`,
      `<text x="${x0 + slot / 2 - 4}" y="${pad + height + 14}" font-size="10" text-anchor="middle">${row.decile}</text>`,
    ];
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 2 * pad}" height="${height + 2 * pad + 10}">
<text x="${pad}" y="18" font-size="12">${escapeHtml(MODEL_LABELS[key])}: mean predicted (colour) vs actual (grey) by decile, max ${fixed(top, 2)}</text>
${bars.join('\n')}
</svg>`;
}

export function htmlReport(run: EvaluationRun): string {
  const { result } = run;
  const metricRows = MODELS.map((key) => {
    const m = result.models[key];
    const cells = [m.gini, m.spearman, m.top10Capture, m.top20Capture, m.mae, m.rmse, m.auc, m.totalRatio];
    return `<tr><th>${escapeHtml(MODEL_LABELS[key])}</th>${cells.map((value) => `<td>${fixed(value)}</td>`).join('')}</tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CVP evaluation: ${escapeHtml(result.dataset)}</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;text-align:right}table{border-collapse:collapse}tr:nth-child(even){background:#f4f4f4}</style>
</head><body>
<h1>Holdout evaluation: ${escapeHtml(result.dataset)}</h1>
<p>${result.customers} customers with a purchase before ${result.cutoff}; target: spend in the next ${result.horizonDays} days.</p>
<table><tr><th>model</th><th>Gini</th><th>Spearman</th><th>top 10%</th><th>top 20%</th><th>MAE</th><th>RMSE</th><th>AUC</th><th>total ratio</th></tr>
${metricRows.join('\n')}</table>
<h2>Gain chart</h2>
${gainChart(run)}
<h2>Deciles</h2>
${MODELS.map((key) => decileChart(key, result.models[key])).join('\n')}
<h2>Training</h2>
<pre>${escapeHtml(JSON.stringify(result.training, null, 2))}</pre>
${result.warnings.map((warning) => `<p><strong>warning:</strong> ${escapeHtml(warning)}</p>`).join('\n')}
</body></html>
`;
}

interface EvaluateCliOptions {
  data: string;
  format: string;
  columns?: string;
  timeZone?: string;
  cutoff: Date;
  horizonDays: number;
  seed: number;
  json?: boolean;
  backend?: 'cpu' | 'wasm' | 'tensorflow';
  report?: string;
}

const stderr = (line: string) => process.stderr.write(`${line}\n`);

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('holdout evaluation of the ZILN model against BG/NBD + Gamma-Gamma and the historical average')
    .requiredOption('--data <path>', 'dataset file (a folder for olist)')
    .requiredOption('--format <name>', `one of ${DATASET_FORMATS.join(', ')}`)
    .option('--columns <mapping>', 'csv format: customer=...,time=...,amount=...')
    .option('--time-zone <zone>', "IANA zone of timestamps without an offset (default: the dataset's)")
    .requiredOption('--cutoff <date>', 'end of the calibration period, YYYY-MM-DD (UTC)', strictDate)
    .requiredOption('--horizon-days <n>', 'holdout length in days', wholeNumber)
    .option('--seed <n>', 'random seed', seedNumber, 42)
    .option('--json', 'print one JSON object on stdout (logs on stderr)')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['cpu', 'wasm', 'tensorflow']))
    .option('--report <file>', 'HTML report path (default: beside the data)')
    .action(async (options: EvaluateCliOptions) => {
      const dataset = openDataset(options.format, options.data, {
        columns: options.columns,
        timeZone: options.timeZone,
      });
      const events: ClickstreamEvent[] = [];
      for await (const event of dataset.events) events.push(event);
      stderr(
        `[evaluate] read ${events.length} events from ${options.data} (${JSON.stringify(dataset.report.skipped)} skipped)`,
      );
      if (events.length === 0) throw new Error(`no events in ${options.data}`);
      const run = await evaluate({
        events,
        cutoff: options.cutoff,
        horizonDays: options.horizonDays,
        seed: options.seed,
        dataset: basename(options.data) || options.format,
        backend: options.backend,
        log: stderr,
      });
      run.model.dispose();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(run.result)}\n`);
        return;
      }
      console.log(formatTable(run.result));
      const reportPath =
        options.report ??
        join(
          dirname(options.data),
          `${basename(options.data).replace(/\..*$/, '')}-evaluation-${run.result.cutoff}.html`,
        );
      writeFileSync(reportPath, htmlReport(run));
      console.log(`\nreport: ${reportPath}`);
    });
}
