import { Command, Option } from 'commander';
import { basename, dirname, join } from 'node:path';
import { hillstromTestRows, readHillstrom, UPLIFT_TRIAL_FORMATS } from '@cvp/datasets';
import { evaluateUplift, type UpliftEvaluation } from '@cvp/uplift';
import { seedNumber, writeReport } from './evaluate';

interface EvaluateUpliftOptions {
  data: string;
  format: (typeof UPLIFT_TRIAL_FORMATS)[number];
  seed: number;
  json?: boolean;
  report?: string;
}

const stderr = (line: string) => process.stderr.write(`${line}\n`);
const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** What `--json` prints: the figures, without the curves drawn in the report. */
export function upliftSummary(result: UpliftEvaluation): object {
  return {
    ...result,
    tasks: Object.fromEntries(
      Object.entries(result.tasks).map(([task, { curves: _curves, deciles: _deciles, ...rest }]) => [task, rest]),
    ),
  };
}

function formatTable(result: UpliftEvaluation): string {
  const lines = [
    '| task | served (selected learner) | Qini ± test-row standard error | AUUC | uplift@30% | peer Qini | random Qini |',
  ];
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [task, t] of Object.entries(result.tasks)) {
    const served = t.models[result.served];
    const peer = Object.entries(t.models).find(([name]) => name.startsWith('peer('))?.[1];
    lines.push(
      `| ${task} | ${t.selected} | ${served.qini} ± ${t.testInterval.qini.standardError} | ${served.auuc} | ${served.upliftAt30} | ${peer?.qini ?? '-'} | ${t.models.random.qini} |`,
    );
  }
  lines.push('', 'policy value per customer (inverse-propensity estimate on the test rows):');
  for (const [outcome, values] of Object.entries(result.policy)) {
    const check = result.policyChecks[outcome];
    lines.push(
      `  ${outcome}: ${Object.entries(values)
        .map(([name, value]) => `${name} ${value}`)
        .join(
          ', ',
        )}  (per customer ${check.useLearned ? 'used' : `not used: not surely better than ${check.bestFixed} for everyone (gain ${check.gain.estimate} ± ${check.gain.standardError})`} on ${check.rows} training rows, cross-fitted)`,
    );
  }
  lines.push('', `${result.seconds} s`);
  return lines.join('\n');
}

/** A Qini chart: cumulative incremental outcome against customers targeted, the diagonal being random targeting. */
function qiniChart(task: string, curves: Record<string, { x: number[]; y: number[] }>, served: string): string {
  const width = 560;
  const height = 340;
  const margin = { left: 70, right: 190, top: 36, bottom: 46 };
  const names = [served, ...Object.keys(curves).filter((name) => name !== served)];
  const xs = names.flatMap((name) => curves[name].x);
  const ys = names.flatMap((name) => curves[name].y);
  const xMax = Math.max(...xs, 1);
  const yMin = Math.min(0, ...ys);
  const yMax = Math.max(...ys, 1e-9);
  const x = (value: number) => margin.left + ((width - margin.left - margin.right) * value) / xMax;
  const y = (value: number) =>
    height - margin.bottom - ((height - margin.top - margin.bottom) * (value - yMin)) / (yMax - yMin);
  const lines = names.map((name, k) => {
    const { x: cx, y: cy } = curves[name];
    const points = cx.map((value, i) => `${x(value).toFixed(1)},${y(cy[i]).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="${name === served ? 2.5 : 1.5}" points="${points}"/>`;
  });
  const legend = names
    .map(
      (name, k) =>
        `<rect x="${width - margin.right + 12}" y="${margin.top + k * 18}" width="12" height="3" fill="${PALETTE[k % PALETTE.length]}"/>` +
        `<text x="${width - margin.right + 30}" y="${margin.top + k * 18 + 5}" font-size="11">${escape(name)}</text>`,
    )
    .join('');
  return `<svg width="${width}" height="${height}" role="img" aria-label="Qini curves, ${escape(task)}">
<text x="${margin.left}" y="20" font-size="13" font-weight="bold">Qini curves: ${escape(task)}</text>
<line x1="${x(0)}" y1="${y(0)}" x2="${x(xMax)}" y2="${y(0)}" stroke="#999"/>
<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${height - margin.bottom}" stroke="#999"/>
${lines.join('\n')}${legend}
<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" font-size="11" text-anchor="middle">test customers targeted, best first (of ${xMax})</text>
<text x="14" y="${(margin.top + height - margin.bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${(margin.top + height - margin.bottom) / 2})">incremental outcome</text>
<text x="${margin.left - 6}" y="${y(yMax) + 4}" font-size="10" text-anchor="end">${yMax.toFixed(1)}</text>
<text x="${margin.left - 6}" y="${y(0) + 4}" font-size="10" text-anchor="end">0</text>
</svg>`;
}

function decileTable(result: UpliftEvaluation, task: string): string {
  const deciles = result.tasks[task].deciles[result.served];
  const top = Math.max(...deciles.map((d) => Math.abs(d.uplift)), 1e-9);
  const rows = deciles
    .map(
      (d) =>
        `<tr><td>${d.decile}</td><td>${d.rows}</td><td>${d.treatedMean.toFixed(4)}</td><td>${d.controlMean.toFixed(4)}</td>` +
        `<td>${d.uplift.toFixed(4)}</td><td><svg width="160" height="10"><rect x="${d.uplift < 0 ? 80 - (80 * -d.uplift) / top : 80}" width="${(80 * Math.abs(d.uplift)) / top}" height="10" fill="${d.uplift < 0 ? '#d62728' : '#2ca02c'}"/></svg></td></tr>`,
    )
    .join('\n');
  return `<table><tr><th>decile (by served score)</th><th>rows</th><th>treated mean</th><th>control mean</th><th>uplift</th><th></th></tr>\n${rows}</table>`;
}

export function upliftHtmlReport(result: UpliftEvaluation, data: string): string {
  const sections = Object.entries(result.tasks).map(([task, t]) => {
    const rows = Object.entries(t.models)
      .map(
        ([name, m]) =>
          `<tr><td>${escape(name)}${name === result.served ? ` <b>(served: ${escape(t.selected)})</b>` : ''}</td><td>${m.qini}</td><td>${m.auuc}</td><td>${m.upliftAt30}</td><td>${t.validationQini[name] ?? (name === result.served ? t.validationQini[t.selected] : '')}</td></tr>`,
      )
      .join('\n');
    return `<h2>${escape(task)}</h2>
<p>${t.trainRows} training rows, ${t.testRows} test rows. Selected on the validation parts: <b>${escape(t.selected)}</b>
${t.selected === t.bestOnValidation ? '' : `(the simplest within one standard error of the best there, ${escape(t.bestOnValidation)}) `}(${t.beatsPeerOnValidation ? 'it beat' : 'it did not beat'} the in-product peer there).</p>
<table><tr><th>model</th><th>Qini</th><th>AUUC</th><th>uplift@30%</th><th>validation Qini</th></tr>
${rows}</table>
${qiniChart(task, t.curves, result.served)}
<h3>Measured uplift by decile of the served score</h3>
${decileTable(result, task)}`;
  });
  const policyRows = Object.entries(result.policy)
    .map(
      ([outcome, values]) =>
        `<tr><td>${escape(outcome)}</td>${Object.values(values)
          .map((value) => `<td>${value}</td>`)
          .join(
            '',
          )}<td>${result.policyChecks[outcome].useLearned ? 'yes' : `no (${escape(result.policyChecks[outcome].bestFixed)} for everyone)`}</td></tr>`,
    )
    .join('\n');
  const policyHeader = Object.keys(Object.values(result.policy)[0] ?? {});
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CVP uplift: ${escape(basename(data))}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}svg{display:block;margin:1em 0}</style></head>
<body><h1>Uplift models on ${escape(basename(data))}</h1>
<p>Learners chosen per task by their Qini on validation parts of the training rows, never on the test rows.
The peer is today's constant-rate ranking (the same uplift rate for everyone, times the customer's value); random targeting is the diagonal.</p>
<h2>Policies</h2>
<p>Value per customer, inverse-propensity estimate on the test rows. <i>learned</i>: the per-customer choice where it earned more
than the best fixed action on the training rows (cross-fitted in three folds) with 95% confidence, else that fixed action; <i>perCustomer</i>: the per-customer choice regardless.</p>
<table><tr><th>outcome</th>${policyHeader.map((name) => `<th>${escape(name)}</th>`).join('')}<th>per customer used</th></tr>
${policyRows}</table>
${sections.join('\n')}
<p>${result.seconds} s.</p></body></html>
`;
}

export function registerEvaluateUplift(program: Command): void {
  program
    .command('evaluate-uplift')
    .description(
      'uplift models on a randomised marketing trial: the served learner beside the in-product peer and random',
    )
    .requiredOption('--data <path>', 'the trial file')
    .addOption(new Option('--format <name>', 'trial format').choices([...UPLIFT_TRIAL_FORMATS]).makeOptionMandatory())
    .option('--seed <n>', 'random seed (validation parts, random line)', seedNumber, 1)
    .option('--json', 'print one JSON object on stdout (logs on stderr)')
    .option('--report <file>', 'HTML report path (default: beside the data)')
    .action(async (options: EvaluateUpliftOptions) => {
      const trial = await readHillstrom(options.data);
      const test = hillstromTestRows(trial);
      stderr(
        `[evaluate-uplift] read ${trial.arm.length} rows from ${options.data}: ${test.filter(Boolean).length} test, ${test.filter((t) => !t).length} train`,
      );
      // The Hillstrom protocol: each arm was assigned with probability 1/3.
      const propensity = { none: 1 / 3, mens: 1 / 3, womens: 1 / 3 };
      const result = evaluateUplift(trial, { test, peerFeature: 'history', propensity, seed: options.seed });
      const reportPath =
        options.report ?? join(dirname(options.data), `${basename(options.data).replace(/\..*$/, '')}-uplift.html`);
      const written = writeReport(reportPath, upliftHtmlReport(result, options.data), options.report === undefined);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(upliftSummary(result))}\n`);
        stderr(`[evaluate-uplift] report: ${written}`);
        return;
      }
      console.log(formatTable(result));
      console.log(`\nreport: ${written}`);
    });
}
