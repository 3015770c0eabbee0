import * as tf from '@tensorflow/tfjs';
import { zilnLoss } from './loss';

const { exp, log, log1p, PI } = Math;
const softplus = (x: number) => log1p(exp(x));
const sigmoid = (x: number) => 1 / (1 + exp(-x));

describe('zilnLoss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('equals the hand-computed binary cross-entropy plus lognormal negative log-likelihood', () => {
    const labels = [0, 2, 10];
    const outputs = [
      [0.5, 0.1, 0.3],
      [-1, 0.2, 1.0],
      [2, 2.5, -0.5],
    ];
    const expected =
      labels
        .map((y, i) => {
          const [logit, mu, rawSigma] = outputs[i];
          const p = sigmoid(logit);
          const bce = y > 0 ? -log(p) : -log(1 - p);
          if (y === 0) return bce;
          const sigma = softplus(rawSigma);
          const nll = log(y) + log(sigma) + 0.5 * log(2 * PI) + (log(y) - mu) ** 2 / (2 * sigma * sigma);
          return bce + nll;
        })
        .reduce((sum, value) => sum + value, 0) / labels.length;
    const loss = zilnLoss(tf.tensor1d(labels), tf.tensor2d(outputs));
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    loss.dispose();
  });

  it('is the cross-entropy alone when nobody bought', () => {
    const loss = zilnLoss(
      tf.tensor1d([0, 0]),
      tf.tensor2d([
        [0, 5, 5],
        [0, -3, 1],
      ]),
    );
    expect(loss.dataSync()[0]).toBeCloseTo(log(2), 6);
  });
});
