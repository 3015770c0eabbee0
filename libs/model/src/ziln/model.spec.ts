import * as tf from '@tensorflow/tfjs';
import { spearman } from '../metrics';
import { selectBackend } from './backend';
import { baselineExpectedSpend, integratedGradients, integratedGradientsByTape, pathQuadrature } from './explain';
import { inverseNormalCdf, mixtureQuantile, trainZiln, trainZilnEnsemble, zilnPrediction } from './model';

import { syntheticExamples } from './synthetic-examples';

// CPU-bound training: generous under a loaded machine; speed is measured in bench/, not here.
jest.setTimeout(60_000);

const { exp } = Math;

const SMALL = { hiddenUnits: [16], batchSize: 64, maxEpochs: 25, patience: 25, learningRate: 0.01 };

describe('ZILN model', () => {
  beforeAll(async () => {
    expect(await selectBackend('cpu', () => undefined)).toBe('cpu');
  });

  it('learns: the loss falls and predictions follow the true expected spend', async () => {
    const { rows, labels } = syntheticExamples(600, 1);
    const { model, info } = await trainZiln(rows, labels, ['propensity', 'level', 'noise'], { ...SMALL, seed: 7 });
    expect(info.history[info.history.length - 1].trainLoss).toBeLessThan(info.history[0].trainLoss - 0.3);
    expect(info.trainCustomers).toBe(480);
    expect(info.validationCustomers).toBe(120);
    const test = syntheticExamples(300, 2);
    const predictions = model.predict(test.rows);
    expect(
      spearman(
        predictions.map((prediction) => prediction.expectedSpend),
        test.expected,
      ),
    ).toBeGreaterThan(0.8);
    for (const prediction of predictions) {
      expect(prediction.lower).toBeLessThanOrEqual(prediction.upper);
      expect(prediction.probabilityOfPurchase).toBeGreaterThan(0);
      expect(prediction.probabilityOfPurchase).toBeLessThan(1);
    }
    model.dispose();
  });

  it('is deterministic: the same seed gives the same predictions on cpu', async () => {
    const { rows, labels } = syntheticExamples(200, 3);
    const names = ['propensity', 'level', 'noise'];
    const options = { ...SMALL, maxEpochs: 4, seed: 11 };
    const first = await trainZiln(rows, labels, names, options);
    const second = await trainZiln(rows, labels, names, options);
    const other = await trainZiln(rows, labels, names, { ...options, seed: 12 });
    expect(second.model.predict(rows)).toEqual(first.model.predict(rows));
    expect(other.model.predict(rows)).not.toEqual(first.model.predict(rows));
    expect(second.info.history).toEqual(first.info.history);
    [first, second, other].forEach((run) => run.model.dispose());
    expect(tf.getBackend()).toBe('cpu');
  });

  it('turns raw outputs into P(buy), the mixture mean and its 10th-90th percentiles', () => {
    const prediction = zilnPrediction(0, 1, Math.log(Math.E - 1)); // p = 0.5, sigma = 1
    expect(prediction.probabilityOfPurchase).toBeCloseTo(0.5, 12);
    expect(prediction.sigma).toBeCloseTo(1, 12);
    expect(prediction.expectedSpend).toBeCloseTo(0.5 * exp(1.5), 10);
    expect(prediction.lower).toBe(0); // the 10th percentile falls in the 50% mass at 0
    expect(prediction.upper).toBeCloseTo(exp(1 + inverseNormalCdf(0.8)), 10);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormalCdf(0.01)).toBeCloseTo(-2.326348, 5);
    expect(mixtureQuantile(0.5, 1, 0, 1)).toBeCloseTo(1, 8);
  });
});

describe('pathQuadrature', () => {
  it('gives Gauss-Legendre points and weights on [0, 1], exact for polynomials of degree 2n - 1', () => {
    const { points, weights } = pathQuadrature(3);
    expect([...points].sort()).toEqual(
      [0.5 - Math.sqrt(0.15), 0.5, 0.5 + Math.sqrt(0.15)].map((x) => expect.closeTo(x, 12)),
    );
    expect(weights[points.indexOf(points.find((x) => Math.abs(x - 0.5) < 1e-12)!)]).toBeCloseTo(4 / 9, 12);
    for (const n of [1, 2, 4, 6, 8, 16]) {
      const rule = pathQuadrature(n);
      expect(rule.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const degree = 2 * n - 1;
      const integral = rule.points.reduce((sum, x, k) => sum + rule.weights[k] * x ** degree, 0);
      expect(integral).toBeCloseTo(1 / (degree + 1), 10);
    }
  });

  it('gives the midpoints of equal parts with equal weights on request, and refuses a count of no points', () => {
    expect(pathQuadrature(4, 'midpoint')).toEqual({
      points: [0.125, 0.375, 0.625, 0.875],
      weights: [0.25, 0.25, 0.25, 0.25],
    });
    expect(() => pathQuadrature(0)).toThrow(/steps/);
    expect(() => pathQuadrature(2.5)).toThrow(/steps/);
  });
});

describe('integratedGradients', () => {
  it('attributes each prediction to its features, adding up to its distance from the population baseline', async () => {
    await selectBackend('cpu', () => undefined);
    const { rows, labels } = syntheticExamples(300, 11);
    const { model } = await trainZiln(rows, labels, ['propensity', 'level', 'noise'], {
      hiddenUnits: [8],
      maxEpochs: 20,
      seed: 11,
    });
    const sample = rows.slice(0, 20);
    const attributions = integratedGradients(model, sample, 32);
    const baseline = baselineExpectedSpend(model);
    const predictions = model.predict(sample);
    attributions.forEach((row, i) => {
      const total = row.reduce((sum, value) => sum + value, 0);
      expect(total).toBeCloseTo(predictions[i].expectedSpend - baseline, 0);
    });
    // The noise feature matters least on average.
    const meanAbs = (j: number) => attributions.reduce((sum, row) => sum + Math.abs(row[j]), 0) / attributions.length;
    expect(meanAbs(2)).toBeLessThan(Math.max(meanAbs(0), meanAbs(1)));
    expect(integratedGradients(model, [])).toEqual([]);
    expect(() => integratedGradients(model, sample, 0)).toThrow(/steps/);
    // Both rules approach the same integral; with few points Gauss-Legendre is the nearer (ReLU paths are piecewise smooth).
    const reference = integratedGradients(model, sample, 256, 'midpoint');
    const error = (rows: number[][]) =>
      rows.reduce((sum, row, i) => sum + row.reduce((s2, value, j) => s2 + Math.abs(value - reference[i][j]), 0), 0);
    expect(error(integratedGradients(model, sample, 32))).toBeLessThan(error(integratedGradients(model, sample, 2)));
    model.dispose();
  });
});

describe('integratedGradients by hand against the tape', () => {
  const maxError = (a: number[][], b: number[][]) =>
    a.reduce((worst, row, i) => row.reduce((w, value, j) => Math.max(w, Math.abs(value - b[i][j])), worst), 0);

  it("gives the tape's attributions for an ensemble and for one network, and falls back where layers differ", async () => {
    await selectBackend('cpu', () => undefined);
    const { rows, labels } = syntheticExamples(200, 7);
    const names = ['propensity', 'level', 'noise'];
    const sample = rows.slice(0, 25);
    const { model: ensemble } = await trainZilnEnsemble(rows, labels, names, 3, {
      hiddenUnits: [8, 6],
      maxEpochs: 5,
      seed: 7,
    });
    const { model: single } = await trainZiln(rows, labels, names, { hiddenUnits: [5], maxEpochs: 5, seed: 7 });
    const { model: linear } = await trainZiln(rows, labels, names, { hiddenUnits: [], maxEpochs: 5, seed: 7 });
    expect(ensemble.denseStacks()?.members).toBe(3);
    expect(ensemble.denseStacks()?.hidden).toHaveLength(1);
    expect(single.denseStacks()?.members).toBe(1);
    // No hidden layer: not the shape the hand-made gradient assumes, the tape answers.
    expect(linear.denseStacks()).toBeNull();
    for (const model of [ensemble, single, linear]) {
      const reference = integratedGradientsByTape(model, sample, 6);
      const scale = Math.max(...reference.flat().map(Math.abs));
      expect(maxError(integratedGradients(model, sample, 6), reference)).toBeLessThan(1e-5 * Math.max(1, scale));
      expect(
        maxError(
          integratedGradients(model, sample.slice(0, 1), 3, 'midpoint'),
          integratedGradientsByTape(model, sample.slice(0, 1), 3, 'midpoint'),
        ),
      ).toBeLessThan(1e-5 * Math.max(1, scale));
    }
    [ensemble, single, linear].forEach((model) => model.dispose());
    // Each call leaves nothing behind; the stacks kept by the first go with the model.
    const { model: again } = await trainZiln(rows, labels, names, { hiddenUnits: [4], maxEpochs: 2, seed: 8 });
    const beforeCalls = tf.memory().numTensors;
    integratedGradients(again, sample);
    const stacked = tf.memory().numTensors - beforeCalls;
    expect(stacked).toBeGreaterThan(0);
    integratedGradients(again, sample);
    expect(tf.memory().numTensors).toBe(beforeCalls + stacked);
    const { model: plain } = await trainZiln(rows, labels, names, { hiddenUnits: [4], maxEpochs: 2, seed: 8 });
    const beforePlain = tf.memory().numTensors;
    plain.dispose();
    const plainFreed = beforePlain - tf.memory().numTensors;
    const beforeAgain = tf.memory().numTensors;
    again.dispose();
    expect(beforeAgain - tf.memory().numTensors).toBe(plainFreed + stacked);
  });
});

describe('trainZilnEnsemble', () => {
  it('joins members trained on one split into one network whose prediction is their mean, reasons included', async () => {
    await selectBackend('cpu', () => undefined);
    const { rows, labels } = syntheticExamples(200, 5);
    const options = { hiddenUnits: [8], maxEpochs: 8, seed: 5 };
    const names = ['propensity', 'level', 'noise'];
    const { model } = await trainZilnEnsemble(rows, labels, names, 2, options);
    expect(model.members).toBe(2);
    const sample = rows.slice(0, 10);
    const solo = await Promise.all(
      [5, 5 + 7919].map((seed) => trainZiln(rows, labels, names, { ...options, seed, splitSeed: 5 })),
    );
    const [a, b] = solo.map((member) => member.model.predict(sample));
    model.predict(sample).forEach((prediction, i) => {
      expect(prediction.expectedSpend).toBeCloseTo((a[i].expectedSpend + b[i].expectedSpend) / 2, 4);
      expect(prediction.probabilityOfPurchase).toBeCloseTo(
        (a[i].probabilityOfPurchase + b[i].probabilityOfPurchase) / 2,
        6,
      );
    });
    const baseline = baselineExpectedSpend(model);
    integratedGradients(model, sample, 32).forEach((row, i) => {
      const total = row.reduce((sum, value) => sum + value, 0);
      expect(total).toBeCloseTo(model.predict(sample)[i].expectedSpend - baseline, 0);
    });
    solo.forEach((member) => member.model.dispose());
    model.dispose();
  });
});
