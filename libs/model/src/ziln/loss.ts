import * as tf from '@tensorflow/tfjs';

/** Lower bound of sigma, as in the reference implementation (sqrt of Keras' epsilon). */
export const MIN_SIGMA = Math.sqrt(1e-7);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Zero-inflated lognormal loss (Wang, Liu & Miao 2019), averaged over the batch:
 * binary cross-entropy of logit(P(y > 0)) against 1[y > 0], plus, for y > 0, the lognormal negative log-likelihood
 * −log f(y; mu, sigma) = log y + log sigma + ½ log 2π + (log y − mu)² / (2 sigma²), 0 for y = 0.
 *
 * `outputs` is [n, 3]: logit, mu, raw sigma (sigma = softplus(raw), at least MIN_SIGMA); `labels` is [n] spend ≥ 0.
 */
export function zilnLoss(labels: tf.Tensor1D, outputs: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const positive = tf.cast(tf.greater(labels, 0), 'float32');
    const [logit, mu, rawSigma] = tf.split(outputs, 3, 1).map((part) => part.reshape([-1]));
    // Stable BCE with logits: max(z, 0) − z·y + log(1 + exp(−|z|)).
    const classification = tf
      .relu(logit)
      .sub(logit.mul(positive))
      .add(tf.log1p(tf.exp(tf.neg(tf.abs(logit)))));
    const sigma = tf.maximum(tf.softplus(rawSigma), MIN_SIGMA);
    const safeLabels = tf.where(tf.greater(labels, 0), labels, tf.onesLike(labels));
    const logLabels = tf.log(safeLabels);
    const standardized = logLabels.sub(mu).div(sigma);
    const negativeLogLikelihood = logLabels.add(tf.log(sigma)).add(HALF_LOG_2PI).add(standardized.square().mul(0.5));
    return classification.add(negativeLogLikelihood.mul(positive)).mean() as tf.Scalar;
  });
}
