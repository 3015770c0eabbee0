import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ClickstreamEvent } from '@cvp/contracts';
import { DATASET_FORMATS, openDataset } from '@cvp/datasets';
import { evaluate, OUTSIDE_PEERS, type EvaluationMetrics, type EvaluationResult, type EvaluationRun } from '@cvp/model';

const PEER_LABELS: Record<string, string> = {
  'bgnbd-gg': 'BG/NBD + Gamma-Gamma',
  'pareto-nbd-gg': 'Pareto/NBD + Gamma-Gamma',
  'mbgnbd-gg': 'modified BG/NBD + Gamma-Gamma',
  'historical-average': 'historical average',
  'calibration-total': 'calibration-period total',
  'last-window': 'last-window spend',
};
const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

/** The models a table shows: the served one, the deep model alone, the outside peers (JSON has every candidate). */
function shownModels(result: EvaluationResult): string[] {
  return [...new Set([result.served, 'cvp-ziln', ...OUTSIDE_PEERS])].filter((name) => result.models[name]);
}
const label = (result: EvaluationResult, name: string) =>
  name === result.served
    ? `${name} (served)`
    : name === 'last-window'
      ? `${PEER_LABELS[name]} (${result.lastWindowDays} d)`
      : (PEER_LABELS[name] ?? name);

/** A `YYYY-MM-DD` option as that UTC midnight (a date that does not exist is refused). */
export const strictDate = (value: string) => {
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
export const wholeNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
};
export const seedNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number >= 0');
  return parsed;
};

const fixed = (value: number, digits = 3) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

const METRIC_HEADER = ['Gini', 'Spearman', 'top 10%', 'top 20%', 'MAE', 'RMSE', 'AUC', 'total ratio', 'decile MAPE'];
const metricCells = (m: EvaluationMetrics) => [
  fixed(m.gini),
  fixed(m.spearman),
  fixed(m.top10Capture),
  fixed(m.top20Capture),
  fixed(m.mae, 2),
  fixed(m.rmse, 2),
  fixed(m.auc),
  fixed(m.totalRatio),
  fixed(decileMape(m)),
];

/** Mean absolute percentage error of the mean prediction per decile (calibration by segment). */
export function decileMape(metrics: EvaluationMetrics): number {
  const rows = metrics.deciles.filter((row) => row.meanActual > 0);
  if (rows.length === 0) return Number.NaN;
  return (
    rows.reduce((sum, row) => sum + Math.abs(row.meanPredicted - row.meanActual) / row.meanActual, 0) / rows.length
  );
}

function textTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** The readable table printed without --json. */
export function formatTable(result: EvaluationResult): string {
  const rows = shownModels(result).map((name) => [label(result, name), ...metricCells(result.models[name])]);
  const selection = result.selection.candidates
    .slice(0, 6)
    .map((c) => [c.name, fixed(c.score), fixed(c.gini), fixed(c.spearman), fixed(c.top10Capture), fixed(c.auc)]);
  const t = result.training;
  const intervals = Object.entries(result.intervals).map(
    ([name, { gini, spearman }]) =>
      `  ${name}: Gini ${fixed(gini.low)}..${fixed(gini.high)}, Spearman ${fixed(spearman.low)}..${fixed(spearman.high)}`,
  );
  return [
    `${result.dataset}: ${result.customers} customers, cutoff ${result.cutoff}, holdout ${result.horizonDays} days`,
    '',
    ...textTable(['model', ...METRIC_HEADER], rows),
    '',
    `bootstrap 95% intervals:`,
    ...intervals,
    '',
    `selection (trainer's run with ${result.cutoff} as "now"; on customers as of ${result.selection.validationCutoff.slice(0, 10)}, ${result.selection.metric}):`,
    ...textTable(['candidate', 'score', 'Gini', 'Spearman', 'top 10%', 'AUC'], selection),
    '',
    `training: backend ${t.backend}, ${t.cutoffs} cutoffs, ${t.examples} examples, labels over ${t.labelDays} days, ` +
      `best epoch ${t.epochs} of ${t.epochsRun}, ${t.msPerEpoch.toFixed(0)} ms/epoch, ${(t.trainMs / 1000).toFixed(1)} s`,
    `total calibrated on ${calibrationText(t.calibration)}`,
    `P(buy) from ${purchaseText(result)}`,
    ...result.warnings.map((warning) => `warning: ${warning}`),
  ].join('\n');
}

/** The served P(buy)'s source, its AUC on the selection window and on the holdout beside the network's alone. */
function purchaseText(result: EvaluationResult): string {
  const { purchase, selection } = result;
  const onSelection = selection.purchase.candidates.find((candidate) => candidate.name === purchase.served)?.auc;
  const network = selection.purchase.candidates.find((candidate) => candidate.name === 'network')?.auc;
  return (
    `${purchase.served} (AUC ${onSelection?.toFixed(4)} on the selection window, network alone ${network?.toFixed(4)}; ` +
    `holdout ${purchase.auc[purchase.served]?.toFixed(4)}, network alone ${purchase.auc.network?.toFixed(4)})`
  );
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] ?? char);

/** An SVG frame with a title that fits (wrapped to the width), axis labels and a legend. */
function frame(title: string, width: number, height: number, body: string, axes: { x: string; y: string }): string {
  const pad = 48;
  const words = title.split(' ');
  const lines: string[] = [''];
  for (const word of words) {
    if ((lines[lines.length - 1] + ' ' + word).length > width / 7) lines.push(word);
    else lines[lines.length - 1] = `${lines[lines.length - 1]} ${word}`.trim();
  }
  const top = 16 * lines.length + 12;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 2 * pad}" height="${height + pad + top + 24}">
${lines.map((line, i) => `<text x="${pad}" y="${16 + 16 * i}" font-size="13">${escapeHtml(line)}</text>`).join('\n')}
<g transform="translate(${pad},${top})">
<rect x="0" y="0" width="${width}" height="${height}" fill="none" stroke="#999"/>
${body}
<text x="${width / 2}" y="${height + 32}" font-size="12" text-anchor="middle">${escapeHtml(axes.x)}</text>
<text x="-36" y="${height / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 -36 ${height / 2})">${escapeHtml(axes.y)}</text>
</g></svg>`;
}

function legend(entries: { name: string; color: string }[], x: number): string {
  return entries
    .map(
      (entry, i) =>
        `<text x="${x}" y="${16 + i * 15}" fill="${entry.color}" font-size="11">${escapeHtml(entry.name)}</text>`,
    )
    .join('\n');
}

function gainChart(run: EvaluationRun): string {
  const size = 320;
  const names = shownModels(run.result);
  const x = (share: number) => share * size;
  const y = (share: number) => size - share * size;
  const lines = names.map((name, i) => {
    const points = run.gainCurves[name].map((value, k) => `${x(k / 20).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2" points="${points}"/>`;
  });
  const body = `<line x1="0" y1="${size}" x2="${size}" y2="0" stroke="#bbb" stroke-dasharray="4"/>
${lines.join('\n')}
${legend(
  names.map((name, i) => ({ name: label(run.result, name), color: PALETTE[i % PALETTE.length] })),
  size * 0.45,
)}`;
  return frame('Gain: share of holdout spend captured by the top customers', size, size, body, {
    x: 'share of customers, by prediction',
    y: 'share of holdout spend',
  });
}

/** Calibration plot: mean predicted vs mean actual spend per decile of prediction (on the diagonal when calibrated). */
function calibrationChart(run: EvaluationRun): string {
  const size = 320;
  const names = [run.result.served, 'bgnbd-gg'].filter((name) => run.result.models[name]);
  const points = names.flatMap((name) => run.result.models[name].deciles.map((row) => ({ name, row })));
  const top = Math.max(
    1e-9,
    ...points.flatMap(({ row }) => [row.meanActual, row.meanPredicted]).filter(Number.isFinite),
  );
  const scale = (value: number) => Math.sqrt(Math.max(0, value) / top) * size;
  const dots = points.map(({ name, row }) => {
    const color = PALETTE[names.indexOf(name) % PALETTE.length];
    return `<circle cx="${scale(row.meanPredicted).toFixed(1)}" cy="${(size - scale(row.meanActual)).toFixed(1)}" r="4" fill="${color}"><title>${escapeHtml(name)} decile ${row.decile}: predicted ${fixed(row.meanPredicted, 2)}, actual ${fixed(row.meanActual, 2)}</title></circle>`;
  });
  const body = `<line x1="0" y1="${size}" x2="${size}" y2="0" stroke="#bbb" stroke-dasharray="4"/>
${dots.join('\n')}
${legend(
  names.map((name, i) => ({ name: label(run.result, name), color: PALETTE[i % PALETTE.length] })),
  10,
)}`;
  return frame(`Calibration by decile (square-root axes, max ${fixed(top, 2)})`, size, size, body, {
    x: 'mean predicted spend',
    y: 'mean actual spend',
  });
}

/** Weekly tracking: actual repeat purchases per holdout week against the served model's and BG/NBD's expectation. */
function trackingChart(run: EvaluationRun): string {
  const width = 480;
  const height = 220;
  const top = Math.max(1e-9, ...run.weekly.flatMap((week) => [week.actual, week.served, week.bgnbd]));
  const x = (week: number) => ((week - 0.5) / run.weekly.length) * width;
  const y = (value: number) => height - (value / top) * height;
  const series = [
    { key: 'actual' as const, name: 'actual', color: '#333' },
    { key: 'served' as const, name: `${run.result.served} (served)`, color: PALETTE[0] },
    { key: 'bgnbd' as const, name: 'BG/NBD', color: PALETTE[1] },
  ];
  const lines = series.map(
    (s) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${run.weekly.map((w) => `${x(w.week).toFixed(1)},${y(w[s.key]).toFixed(1)}`).join(' ')}"/>`,
  );
  return frame(
    'Weekly tracking: purchases per holdout week, actual vs expected',
    width,
    height,
    `${lines.join('\n')}\n${legend(series, width - 170)}`,
    { x: `holdout week (1..${run.weekly.length})`, y: 'purchases' },
  );
}

function htmlTable(header: string[], rows: string[][]): string {
  return `<table><tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>
${rows
  .map(
    (row) =>
      `<tr><th>${escapeHtml(row[0])}</th>${row
        .slice(1)
        .map((cell) => `<td>${escapeHtml(cell)}</td>`)
        .join('')}</tr>`,
  )
  .join('\n')}</table>`;
}

export function htmlReport(run: EvaluationRun): string {
  const { result } = run;
  const t = result.training;
  const metricRows = Object.keys(result.models).map((name) => [
    label(result, name),
    ...metricCells(result.models[name]),
  ]);
  const intervalRows = Object.entries(result.intervals).map(([name, { gini, spearman }]) => [
    label(result, name),
    `${fixed(gini.low)} .. ${fixed(gini.high)}`,
    `${fixed(spearman.low)} .. ${fixed(spearman.high)}`,
  ]);
  const selectionRows = result.selection.candidates.map((c) => [
    c.name,
    fixed(c.score),
    fixed(c.gini),
    fixed(c.spearman),
    fixed(c.top10Capture),
    fixed(c.auc),
    fixed(c.totalRatio),
  ]);
  const trainingRows: string[][] = [
    ['backend', t.backend],
    ['rolling cutoffs', String(t.cutoffs)],
    ['examples', String(t.examples)],
    ['label window (days)', String(t.labelDays)],
    ['best epoch / epochs run', `${t.epochs} / ${t.epochsRun}`],
    ['ms per epoch', t.msPerEpoch.toFixed(0)],
    ['training time (s)', (t.trainMs / 1000).toFixed(1)],
    ['feature schema', t.featureSchemaVersion],
    ['total calibrated on', calibrationText(t.calibration)],
    ['P(buy) from', purchaseText(result)],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CVP evaluation: ${escapeHtml(result.dataset)}</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;text-align:right}table{border-collapse:collapse}tr:nth-child(even){background:#f4f4f4}svg{margin:1em 1em 0 0}</style>
</head><body>
<h1>Holdout evaluation: ${escapeHtml(result.dataset)}</h1>
<p>${result.customers} customers with a purchase before ${result.cutoff}; target: spend in the next ${result.horizonDays} days.
Served: <strong>${escapeHtml(result.served)}</strong> (what the trainer publishes from the data before the cutoff).</p>
${htmlTable(['model', ...METRIC_HEADER], metricRows)}
<h2>Bootstrap 95% intervals</h2>
${htmlTable(['model', 'Gini', 'Spearman'], intervalRows)}
<h2>Charts</h2>
${gainChart(run)}
${calibrationChart(run)}
${trackingChart(run)}
<h2>Selection (inside the training window, never on the holdout)</h2>
<p>On customers as of ${escapeHtml(result.selection.validationCutoff.slice(0, 10))}: ${escapeHtml(result.selection.metric)}.</p>
${htmlTable(['candidate', 'score', 'Gini', 'Spearman', 'top 10%', 'AUC', 'total ratio'], selectionRows)}
<h2>Training</h2>
${htmlTable(['', 'value'], trainingRows)}
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

/**
 * Writes the report; when the default place (beside the data) cannot be written (a read-only dataset folder), writes
 * it to the working directory instead. A path given with --report fails loudly.
 */
/** Writes a report; where the data's folder is read-only (and no path was asked for), to the working directory. */
export function writeReport(path: string, html: string, fallback: boolean): string {
  try {
    writeFileSync(path, html);
    return path;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!fallback || (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM')) throw error;
    const local = join(process.cwd(), basename(path));
    writeFileSync(local, html);
    stderr(`[evaluate] ${dirname(path)} is not writable (${code}): report written to the working directory`);
    return local;
  }
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      'holdout evaluation of what the trainer would serve (its own run, the cutoff as its now) against simple peers',
    )
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
      run.trained.model.dispose();
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
      console.log(`\nreport: ${writeReport(reportPath, htmlReport(run), options.report === undefined)}`);
    });
}

/** Where the served total was calibrated, in words. */
function calibrationText(calibration: EvaluationResult['training']['calibration']): string {
  const where = calibration.seasonal ? ' (the same season a year before the horizon)' : ' (the last cutoff)';
  return (
    `the label window from ${calibration.cutoff.slice(0, 10)}${where}, ${calibration.customers} customers: ` +
    `scale ${calibration.selectionScale.toFixed(3)} (selection network) -> ${calibration.scale.toFixed(3)} (served)`
  );
}
