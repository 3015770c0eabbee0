import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '@cvp/model';
import type { History, Interactions } from './interactions';
import type { Recommender } from './models';

const { sqrt, tanh } = Math;

/** Settings of the neural recommender (a denoising autoencoder over each customer's items). */
export interface NeuralOptions {
  /** Width of the hidden layer (the customer's embedding). */
  dims: number;
  /** Passes over the customers. */
  epochs: number;
  /** Share of a customer's items hidden from the input in training (the denoising). */
  dropout: number;
  /** The items with most buyers it scores (its output layer's width). */
  maxItems: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

export const DEFAULT_NEURAL_OPTIONS: NeuralOptions = {
  dims: 64,
  epochs: 12,
  dropout: 0.5,
  maxItems: 1500,
  learningRate: 3e-3,
  batchSize: 256,
  seed: 7,
};

/**
 * The weights of a trained neural recommender, plain arrays (what an artifact keeps and a scorer serves without
 * TensorFlow.js): `kept` the catalogue items it scores; `inputWeights` kept × dims, `hiddenBias` dims,
 * `outputWeights` kept × dims, `outputBias` kept (all row-major).
 */
export interface NeuralWeights {
  kept: number[];
  dims: number;
  inputWeights: number[];
  hiddenBias: number[];
  outputWeights: number[];
  outputBias: number[];
}

/** Below this many customers `scoreMany` multiplies in JavaScript: a tensor's set-up costs more than it saves. */
const TENSOR_BATCH_MIN = 8;

/**
 * A customer's score of each kept item from the weights: the customer's items as a 0/1 vector scaled to unit length,
 * h = tanh(x·W₁ + b₁), score = h·W₂ᵀ + b₂ (the logits of the softmax it was trained with). What training evaluates
 * and what the scorer serves are this one function. `scoreMany` computes h per customer the same way and the
 * products h·W₂ᵀ of a batch as one matrix product on the active TensorFlow.js backend (float32): the same scores to
 * ~1e-6 of the largest, the same lists but where two items tie to that precision.
 */
export function neuralRecommender(name: string, weights: NeuralWeights, catalogSize: number): Recommender {
  const { kept, dims, inputWeights, hiddenBias, outputWeights, outputBias } = weights;
  const m = kept.length;
  const slot = new Int32Array(catalogSize).fill(-1);
  kept.forEach((item, at) => (slot[item] = at));
  const w1 = Float32Array.from(inputWeights);
  const w2 = Float32Array.from(outputWeights);
  // W₂ᵀ (dims × kept), made on the first batch: the product then runs untransposed.
  let w2Transposed: Float32Array | null = null;
  const hiddenOf = (history: History | undefined): Float64Array | null => {
    if (!history) return null;
    const rows: number[] = [];
    for (const item of history.items) {
      const at = item < slot.length ? slot[item] : -1;
      if (at >= 0 && !rows.includes(at)) rows.push(at);
    }
    if (rows.length === 0) return null;
    const scale = 1 / sqrt(rows.length);
    const hidden = new Float64Array(dims);
    for (const row of rows) for (let d = 0; d < dims; d++) hidden[d] += w1[row * dims + d] * scale;
    for (let d = 0; d < dims; d++) hidden[d] = tanh(hidden[d] + hiddenBias[d]);
    return hidden;
  };
  // Softmax logits can be negative; shifted so the lowest is 0 and every kept item scores above the unkept.
  const addShifted = (logits: ArrayLike<number>, offset: number, scores: Float64Array) => {
    let lowest = Infinity;
    for (let i = 0; i < m; i++) if (logits[offset + i] < lowest) lowest = logits[offset + i];
    for (let i = 0; i < m; i++) scores[kept[i]] += logits[offset + i] - lowest + 1e-9;
  };
  const score = (history: History | undefined, scores: Float64Array) => {
    const hidden = hiddenOf(history);
    if (!hidden) return;
    const logits = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let sum = outputBias[i];
      const row = i * dims;
      for (let d = 0; d < dims; d++) sum += hidden[d] * w2[row + d];
      logits[i] = sum;
    }
    addShifted(logits, 0, scores);
  };
  return {
    name,
    score,
    scoreMany(histories, scores) {
      const hidden: Float64Array[] = [];
      const at: number[] = [];
      histories.forEach((history, k) => {
        const row = hiddenOf(history);
        if (row) {
          hidden.push(row);
          at.push(k);
        }
      });
      if (hidden.length < TENSOR_BATCH_MIN) {
        at.forEach((k) => score(histories[k], scores[k]));
        return;
      }
      if (!w2Transposed) {
        w2Transposed = new Float32Array(dims * m);
        for (let i = 0; i < m; i++) for (let d = 0; d < dims; d++) w2Transposed[d * m + i] = w2[i * dims + d];
      }
      const transposed = w2Transposed;
      const input = new Float32Array(hidden.length * dims);
      hidden.forEach((row, r) => input.set(row, r * dims));
      const product = tf.tidy(() =>
        tf
          .matMul(tf.tensor2d(input, [hidden.length, dims]), tf.tensor2d(transposed, [dims, m]))
          .add(tf.tensor1d(outputBias)),
      );
      const logits = product.dataSync();
      product.dispose();
      at.forEach((k, r) => addShifted(logits, r * m, scores[k]));
    },
  };
}

/** The items with most buyers (ties by catalogue order), at most `maxItems`. */
export function mostBought(data: Interactions, maxItems: number): number[] {
  return Array.from({ length: data.catalog.size }, (_, i) => i)
    .sort((a, b) => data.buyers[b] - data.buyers[a] || a - b)
    .slice(0, Math.min(data.catalog.size, maxItems));
}

/**
 * Trains the neural recommender on a window's purchases in TensorFlow.js (whichever backend is active: tfjs-node(-gpu),
 * wasm or cpu): a denoising autoencoder with a multinomial likelihood (Mult-DAE, Liang et al. 2018, "Variational
 * Autoencoders for Collaborative Filtering"): each customer's items, a seeded share of them hidden, in; a softmax over
 * the kept items out, trained to put its mass on all of the customer's items (log-likelihood of the 0/1 vector),
 * Adam. It learns which items go together from what the customer kept, like EASE, but through a `dims`-wide bottleneck
 * with a non-linearity. Yields to the event loop between batches (a service that trains keeps answering). Seeded: the
 * same data and options give the same weights on one backend.
 */
export async function trainNeural(
  data: Interactions,
  options: NeuralOptions = DEFAULT_NEURAL_OPTIONS,
): Promise<NeuralWeights> {
  const kept = mostBought(data, options.maxItems);
  const m = kept.length;
  const slot = new Int32Array(data.catalog.size).fill(-1);
  kept.forEach((item, at) => (slot[item] = at));
  const customers: Int32Array[] = [];
  for (const history of data.histories.values()) {
    const rows = history.items.map((item) => slot[item]).filter((at) => at >= 0);
    if (rows.length > 0) customers.push(Int32Array.from(rows));
  }
  const { dims } = options;
  const random = seededRandom(options.seed);
  const glorot = (fanIn: number, fanOut: number, size: number) => {
    const limit = sqrt(6 / (fanIn + fanOut));
    return Float32Array.from({ length: size }, () => (random() * 2 - 1) * limit);
  };
  const w1 = tf.variable(tf.tensor2d(glorot(m, dims, m * dims), [m, dims]));
  const b1 = tf.variable(tf.zeros([dims]));
  const w2 = tf.variable(tf.tensor2d(glorot(dims, m, m * dims), [m, dims]));
  const b2 = tf.variable(tf.zeros([m]));
  const optimizer = tf.train.adam(options.learningRate);
  const order = Int32Array.from(customers.keys());
  try {
    for (let epoch = 0; epoch < options.epochs && customers.length > 0; epoch++) {
      shuffle(order, random);
      for (let start = 0; start < order.length; start += options.batchSize) {
        const batch = order.subarray(start, Math.min(order.length, start + options.batchSize));
        const input = new Float32Array(batch.length * m);
        const target = new Float32Array(batch.length * m);
        batch.forEach((customer, row) => {
          const items = customers[customer];
          let shown = 0;
          for (const at of items) {
            target[row * m + at] = 1;
            if (random() >= options.dropout) {
              input[row * m + at] = 1;
              shown++;
            }
          }
          // Unit length, as served (a customer whose every item was hidden keeps a zero input).
          const scale = shown > 0 ? 1 / sqrt(shown) : 0;
          for (const at of items) input[row * m + at] *= scale;
        });
        tf.tidy(() => {
          const x = tf.tensor2d(input, [batch.length, m]);
          const y = tf.tensor2d(target, [batch.length, m]);
          optimizer.minimize(() => {
            const hidden = tf.tanh(tf.add(tf.matMul(x, w1), b1));
            const logits = tf.add(tf.matMul(hidden, w2, false, true), b2);
            return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), y), 1))) as tf.Scalar;
          });
        });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return {
      kept,
      dims,
      inputWeights: Array.from(await w1.data()),
      hiddenBias: Array.from(await b1.data()),
      outputWeights: Array.from(await w2.data()),
      outputBias: Array.from(await b2.data()),
    };
  } finally {
    optimizer.dispose();
    for (const variable of [w1, b1, w2, b2]) variable.dispose();
  }
}

function shuffle(order: Int32Array, random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
}
