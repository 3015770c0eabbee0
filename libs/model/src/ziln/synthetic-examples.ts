import { sampleNormal, seededRandom } from '../math/random';

const { exp } = Math;

/** Test data for the ZILN specs: Two informative features (purchase propensity, spend level) and one of noise. */
export function syntheticExamples(count: number, seed: number) {
  const random = seededRandom(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  const expected: number[] = [];
  for (let i = 0; i < count; i++) {
    const propensity = sampleNormal(random);
    const level = sampleNormal(random);
    const p = 1 / (1 + exp(-2 * propensity));
    const mu = 2 + 0.8 * level;
    rows.push([propensity, level, sampleNormal(random)]);
    labels.push(random() < p ? exp(mu + 0.5 * sampleNormal(random)) : 0);
    expected.push(p * exp(mu + 0.125));
  }
  return { rows, labels, expected };
}
