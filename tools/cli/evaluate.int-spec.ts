/**
 * `cvp evaluate --json` on the CDNOW sample, as a data scientist runs it: one JSON object on stdout with the
 * holdout metrics of the served model, every candidate of the trainer and the outside peers. Runs the built CLI (`npm run build` first, as `npm test` does).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '..', '..');
const CDNOW = resolve(ROOT, '..', 'shared', 'datasets', 'cdnow', 'CDNOW_sample.txt');

/** Runs the built CLI's evaluate command on the CDNOW sample and returns its stdout (throws on a non-zero exit). */
const evaluate = (...args: string[]) =>
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'dist', 'tools', 'cli', 'main.js'),
      'evaluate',
      '--data',
      CDNOW,
      '--format',
      'cdnow',
      '--horizon-days',
      '273',
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );

describe('cvp evaluate', () => {
  it('prints every model, the naive peers included, and names the served one, as one JSON object', () => {
    if (!existsSync(CDNOW))
      throw new Error(`CDNOW sample not found at ${CDNOW} (the shared/ folder beside the repository)`);
    const stdout = evaluate('--cutoff', '1997-10-01', '--seed', '42', '--json');
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ customers: 2357, cutoff: '1997-10-01', horizonDays: 273 });
    const names = [result.served, 'cvp-ziln', 'bgnbd-gg', 'historical-average', 'calibration-total', 'last-window'];
    for (const name of names) {
      for (const metric of ['gini', 'spearman', 'top10Capture', 'top20Capture', 'mae', 'rmse', 'auc', 'totalRatio']) {
        expect([name, metric, Number.isFinite(result.models[name][metric])]).toEqual([name, metric, true]);
      }
    }
    // What is served must rank customers better than the classic BG/NBD + Gamma-Gamma on both metrics.
    expect(result.models[result.served].gini).toBeGreaterThan(result.models['bgnbd-gg'].gini);
    expect(result.models[result.served].spearman).toBeGreaterThan(result.models['bgnbd-gg'].spearman);
  });

  it('refuses a cutoff outside the data with a clear message', () => {
    expect(() => evaluate('--cutoff', '2030-10-01')).toThrow(/outside the data/);
  });
});
