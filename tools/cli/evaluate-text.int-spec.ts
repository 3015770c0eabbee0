/**
 * `cvp evaluate-text --json` on the Amazon review samples of ../shared/datasets with the staged encoder, as a data
 * scientist runs it: the served head beside the lexicon and the classic peers on the fixed hold-out. Runs the built
 * CLI (`npm run build` first, as `npm test` does).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '..', '..');
const AMAZON = resolve(ROOT, '..', 'shared', 'datasets', 'reviews_amazon2018_5core_small');

describe('cvp evaluate-text', () => {
  it('serves words + sentence embedding, above the lexicon and both classic peers', () => {
    if (!existsSync(AMAZON))
      throw new Error(`Amazon reviews not found at ${AMAZON} (the shared/ folder beside the repository)`);
    const stdout = execFileSync(
      process.execPath,
      [
        join(ROOT, 'dist', 'tools', 'cli', 'main.js'),
        'evaluate-text',
        '--data',
        AMAZON,
        '--format',
        'amazon-reviews',
        '--threads',
        '2',
        '--json',
      ],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ reviews: 6084, train: 4868, test: 1216, served: 'minilm+tfidf' });
    const served = result.models['minilm+tfidf'];
    for (const peer of ['lexicon', 'tfidf-logreg', 'minilm-logreg']) {
      for (const measure of ['macroF1', 'auc', 'spearman']) {
        expect(served[measure]).toBeGreaterThan(result.models[peer][measure]);
      }
    }
    // The lexicon as the issue measured it (thresholds fitted on train).
    expect(result.models.lexicon.macroF1).toBeCloseTo(0.43, 2);
  });

  it('refuses a format it does not know, and a CSV with a bad row, with the reason', () => {
    const run = (...args: string[]) =>
      execFileSync(process.execPath, [join(ROOT, 'dist', 'tools', 'cli', 'main.js'), 'evaluate-text', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    expect(() => run('--data', AMAZON, '--format', 'yelp')).toThrow(/must be one of amazon-reviews, csv/);
    const bad = join(ROOT, 'libs', 'datasets', 'src', '__fixtures__', 'labelled-reviews-bad-rating.csv');
    expect(() => run('--data', bad, '--format', 'csv')).toThrow(/row 3: rating "0"/);
  });
});
