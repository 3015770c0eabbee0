import * as tf from '@tensorflow/tfjs';
import { MIN_SIGMA } from './loss';
import type { ZilnModel } from './model';
import { normalizeRows } from './normalization';

/**
 * E[spend] = sigmoid(logit) · exp(mu + sigma² / 2) of the network's [n, 3 × members] outputs, averaged over the
 * members, as a tensor [n].
 */
function expectedSpendTensor(outputs: tf.Tensor2D): tf.Tensor1D {
  const members = outputs.shape[1] / 3;
  const perMember = outputs.reshape([-1, members, 3]);
  const [logit, mu, rawSigma] = tf.split(perMember, 3, 2).map((part) => part.reshape([-1, members]));
  const sigma = tf.maximum(tf.softplus(rawSigma), MIN_SIGMA);
  return tf
    .sigmoid(logit)
    .mul(tf.exp(mu.add(sigma.square().mul(0.5))))
    .mean(1) as tf.Tensor1D;
}

/**
 * Integrated gradients (Sundararajan, Taly & Yan 2017) of the expected spend, against the population baseline:
 * the all-zeros normalised input, i.e. the training population's mean features. Attribution of feature i =
 * (x_i − baseline_i) · mean over the path of ∂E[spend]/∂x_i, by the midpoint rule with `steps` points, so the
 * attributions of a customer add up to (about) E[spend](x) − E[spend](baseline), in currency. One gradient call for
 * the whole batch: `steps` × rows inputs.
 */
export function integratedGradients(model: ZilnModel, rows: readonly (readonly number[])[], steps = 8): number[][] {
  if (rows.length === 0) return [];
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`steps must be a positive whole number, got ${steps}`);
  const width = model.normalization.mean.length;
  const attributions = tf.tidy(() => {
    const x = tf.tensor2d(normalizeRows(rows, model.normalization), [rows.length, width]);
    const path = tf.concat(Array.from({ length: steps }, (_, k) => x.mul((k + 0.5) / steps)));
    const gradients = tf.grad((input: tf.Tensor) =>
      expectedSpendTensor(model.network.apply(input) as tf.Tensor2D).sum(),
    )(path);
    return gradients.reshape([steps, rows.length, width]).mean(0).mul(x) as tf.Tensor2D;
  });
  const values = attributions.arraySync();
  attributions.dispose();
  return values;
}

/** E[spend] of the population baseline (the mean training customer), the point the attributions start from. */
export function baselineExpectedSpend(model: ZilnModel): number {
  const value = tf.tidy(() =>
    expectedSpendTensor(model.network.apply(tf.zeros([1, model.normalization.mean.length])) as tf.Tensor2D).dataSync(),
  );
  return value[0];
}
