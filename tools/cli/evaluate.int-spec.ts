/**
 * `cvp evaluate --json` on the CDNOW sample, as a data scientist runs it: one JSON object on stdout with the
 * three models' holdout metrics. Runs the built CLI (`npm run build` first, as `npm test` does).
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
  it('prints the holdout metrics of ziln, bgnbd and rfm as one JSON object', () => {
    if (!existsSync(CDNOW))
      throw new Error(`CDNOW sample not found at ${CDNOW} (the shared/ folder beside the repository)`);
    const stdout = evaluate('--cutoff', '1997-10-01', '--seed', '42', '--json');
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ customers: 2357, cutoff: '1997-10-01', horizonDays: 273 });
    for (const name of ['ziln', 'bgnbd', 'rfm']) {
      for (const metric of ['gini', 'spearman', 'top10Capture', 'top20Capture', 'mae', 'rmse', 'auc', 'totalRatio']) {
        expect(Number.isFinite(result.models[name][metric])).toBe(true);
      }
    }
    // The deep model must rank customers better than the classic BG/NBD + Gamma-Gamma.
    expect(result.models.ziln.gini).toBeGreaterThan(result.models.bgnbd.gini);
    expect(result.models.ziln.spearman).toBeGreaterThan(result.models.bgnbd.spearman);
  });

  it('refuses a cutoff outside the data with a clear message', () => {
    expect(() => evaluate('--cutoff', '2030-10-01')).toThrow(/outside the data/);
  });
});
