import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../math/random';
import { MIN_SIGMA, zilnLoss } from './loss';
import { fitNormalization, normalizeRows, type Normalization } from './normalization';

// Math's functions bound once: hot loops then skip a global lookup, which is slow in vm contexts (Jest's).
const { exp, log, log1p, max, sqrt, abs, floor } = Math;

export interface ZilnConfig {
  /** Hidden layer widths (ReLU). */
  hiddenUnits: number[];
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  /** Stop after this many epochs without a better validation loss; the best epoch's weights are kept. */
  patience: number;
  /** Share of the training customers held out (seeded) to pick the number of epochs. */
  validationFraction: number;
  seed: number;
}

export const DEFAULT_ZILN_CONFIG: ZilnConfig = {
  hiddenUnits: [64, 64],
  learningRate: 1e-3,
  batchSize: 256,
  maxEpochs: 200,
  patience: 10,
  validationFraction: 0.2,
  seed: 42,
};

export interface ZilnPrediction {
  /** P(spend > 0 in the horizon) = sigmoid(logit). */
  probabilityOfPurchase: number;
  mu: number;
  sigma: number;
  /** p · exp(mu + sigma² / 2), the mean of the zero-inflated lognormal. */
  expectedSpend: number;
  /** 10th and 90th percentiles of the mixture (0 while the percentile falls in the point mass at 0). */
  lower: number;
  upper: number;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
}

export interface ZilnTrainingInfo {
  backend: string;
  /** Epoch (1-based) whose weights were kept: the lowest validation loss. */
  bestEpoch: number;
  epochsRun: number;
  msPerEpoch: number;
  trainMs: number;
  trainCustomers: number;
  validationCustomers: number;
  history: EpochRecord[];
}

/**
 * A trained ZILN network with the normalization of its inputs. An ensemble is one network whose output holds the
 * three outputs of each member side by side ([n, 3 × members]); its prediction is the members' mean.
 */
/** Rows per forward pass in `predict`. */
const PREDICT_BATCH = 8192;

export class ZilnModel {
  readonly members: number;
  /** `denseStacks`' tensors, built on first use (undefined: not yet; null: not a Dense/ReLU ensemble). */
  private stacks?: DenseStacks | null;

  constructor(
    readonly network: tf.LayersModel,
    readonly normalization: Normalization,
  ) {
    const shape = network.outputs[0].shape;
    const width = shape[shape.length - 1] ?? 3;
    if (width % 3 !== 0) throw new RangeError(`a ZILN network has 3 outputs per member, this one ${width}`);
    this.members = width / 3;
  }

  /** Raw feature rows (`featureArray` order) → predictions. */
  predict(rows: readonly (readonly number[])[]): ZilnPrediction[] {
    if (rows.length === 0) return [];
    const width = this.normalization.mean.length;
    const outputs = tf.tidy(() => {
      const input = tf.tensor2d(normalizeRows(rows, this.normalization), [rows.length, width]);
      // Large batches: tfjs slices the input per batch (default 32), a copy out of wasm memory each; 20,000 rows were
      // 625 slices and a third of `cvp evaluate`'s time on a 24k-customer log.
      return this.network.predict(input, { batchSize: PREDICT_BATCH }) as tf.Tensor2D;
    });
    const values = outputs.dataSync();
    outputs.dispose();
    const k = this.members;
    const predictions: ZilnPrediction[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const at = 3 * k * i;
      if (k === 1) {
        predictions[i] = zilnPrediction(values[at], values[at + 1], values[at + 2]);
        continue;
      }
      const mean = { probabilityOfPurchase: 0, mu: 0, sigma: 0, expectedSpend: 0, lower: 0, upper: 0 };
      for (let m = 0; m < k; m++) {
        const member = zilnPrediction(values[at + 3 * m], values[at + 3 * m + 1], values[at + 3 * m + 2]);
        mean.probabilityOfPurchase += member.probabilityOfPurchase / k;
        mean.mu += member.mu / k;
        mean.sigma += member.sigma / k;
        mean.expectedSpend += member.expectedSpend / k;
        mean.lower += member.lower / k;
        mean.upper += member.upper / k;
      }
      predictions[i] = mean;
    }
    return predictions;
  }

  /**
   * The members' Dense layers stacked for batched products (`integratedGradients`), or null when the network is not
   * a Dense/ReLU ensemble as `createZilnNetwork` and `trainZilnEnsemble` build them. Taken from the weights on first
   * use: a trained model's weights do not change.
   */
  denseStacks(): DenseStacks | null {
    if (this.stacks === undefined) this.stacks = stackDenseMembers(this.network);
    return this.stacks;
  }

  dispose(): void {
    this.network.dispose();
    if (this.stacks) tf.dispose(this.stacks as unknown as tf.TensorContainer);
    this.stacks = null;
  }
}

/** One hidden or output Dense layer of every member, member by member (kernels also transposed). */
export interface DenseLayerStack {
  kernels: tf.Tensor2D[];
  kernelsT: tf.Tensor2D[];
  biases: tf.Tensor1D[];
}

/**
 * An ensemble's Dense layers, ready for `integratedGradients`' products: the first layer's kernels joined along the
 * units ([in, members × units], and transposed: every member reads the same input) with its biases as [members, 1,
 * 1, units]; each later layer (ReLU hidden layers, the linear output) member by member. (Joining those block-
 * diagonally, one product a layer, tripled their arithmetic and was slower from ~100 rows on.)
 */
export interface DenseStacks {
  members: number;
  first: { kernel: tf.Tensor2D; kernelT: tf.Tensor2D; bias: tf.Tensor4D };
  hidden: DenseLayerStack[];
  output: DenseLayerStack;
}

function stackDenseMembers(network: tf.LayersModel): DenseStacks | null {
  const isDense = (layer: tf.layers.Layer) => layer.getClassName() === 'Dense';
  const layers = network.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  let members: tf.layers.Layer[][];
  if (layers.every(isDense)) members = [layers];
  else {
    const last = layers[layers.length - 1];
    const nested = layers.slice(0, -1);
    if (last?.getClassName() !== 'Concatenate' || !nested.every((layer) => layer instanceof tf.LayersModel))
      return null;
    members = nested.map((model) =>
      (model as tf.LayersModel).layers.filter((layer) => layer.getClassName() !== 'InputLayer'),
    );
  }
  const depth = members[0].length;
  const fits = members.every(
    (member) =>
      member.length === depth &&
      depth >= 2 &&
      member.every((layer, i) => {
        const config = layer.getConfig();
        const activation = i === depth - 1 ? 'linear' : 'relu';
        return isDense(layer) && config.activation === activation && config.useBias !== false;
      }) &&
      member.every((layer, i) => layer.getWeights()[0].shape.join() === members[0][i].getWeights()[0].shape.join()),
  );
  if (!fits) return null;
  const count = members.length;
  // tidy keeps the tensors of the object it returns (it walks nested objects and arrays).
  return tf.tidy(() => {
    const weightsOf = (i: number) => members.map((member) => member[i].getWeights() as [tf.Tensor2D, tf.Tensor1D]);
    const layer = (i: number): DenseLayerStack => {
      const weights = weightsOf(i);
      return {
        kernels: weights.map(([kernel]) => kernel.clone()),
        kernelsT: weights.map(([kernel]) => kernel.transpose()),
        biases: weights.map(([, bias]) => bias.clone()),
      };
    };
    const first = weightsOf(0);
    const units = first[0][0].shape[1];
    const kernel = tf.concat(
      first.map(([kernel]) => kernel),
      1,
    ) as tf.Tensor2D;
    return {
      members: count,
      first: {
        kernel,
        kernelT: kernel.transpose(),
        bias: tf.concat(first.map(([, bias]) => bias)).reshape([count, 1, 1, units]) as tf.Tensor4D,
      },
      hidden: Array.from({ length: depth - 2 }, (_, i) => layer(i + 1)),
      output: layer(depth - 1),
    } satisfies DenseStacks as unknown as tf.TensorContainer;
  }) as unknown as DenseStacks;
}

const softplus = (x: number) => (x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)));

/** From the three raw outputs to the prediction; the interval is the 10th-90th percentile of the mixture. */
export function zilnPrediction(logit: number, mu: number, rawSigma: number): ZilnPrediction {
  const p = 1 / (1 + exp(-logit));
  const sigma = max(softplus(rawSigma), MIN_SIGMA);
  return {
    probabilityOfPurchase: p,
    mu,
    sigma,
    expectedSpend: p * exp(mu + (sigma * sigma) / 2),
    lower: mixtureQuantile(0.1, p, mu, sigma),
    upper: mixtureQuantile(0.9, p, mu, sigma),
  };
}

/** Quantile q of (1 − p)·δ0 + p·LogNormal(mu, sigma): 0 while q ≤ 1 − p, else the lognormal's (q − 1 + p)/p. */
export function mixtureQuantile(q: number, p: number, mu: number, sigma: number): number {
  if (q <= 1 - p) return 0;
  return exp(mu + sigma * inverseNormalCdf((q - 1 + p) / p));
}

/** Φ⁻¹ by Acklam's rational approximation (relative error < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = sqrt(-2 * log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * The network: input → Dense(ReLU) × hidden layers → Dense(3) = logit, mu, raw sigma. Kernels are Glorot-uniform
 * with seeds derived from `seed`, biases 0 except the output's, which start at the training set's logit of the
 * purchase rate and mean log spend of the buyers (faster, steadier start; still deterministic).
 */
export function createZilnNetwork(
  inputSize: number,
  config: ZilnConfig,
  outputBias: [number, number, number],
): tf.LayersModel {
  const network = tf.sequential();
  config.hiddenUnits.forEach((units, index) => {
    network.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        inputShape: index === 0 ? [inputSize] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed + index }),
        biasInitializer: 'zeros',
      }),
    );
  });
  network.add(
    tf.layers.dense({
      units: 3,
      inputShape: config.hiddenUnits.length === 0 ? [inputSize] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed + config.hiddenUnits.length }),
      biasInitializer: tf.initializers.constant({ value: 0 }),
    }),
  );
  const outputLayer = network.layers[network.layers.length - 1];
  // getWeights() returns the variables themselves: only the new bias is created (assign shares its data).
  const [kernel] = outputLayer.getWeights();
  outputLayer.setWeights([kernel, tf.tensor1d(outputBias)]);
  return network;
}

/** Fisher-Yates with the lib's seeded generator. */
function shuffled(indices: number[], random: () => number): number[] {
  const out = indices.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = floor(random() * (i + 1));
    const swap = out[i];
    out[i] = out[j];
    out[j] = swap;
  }
  return out;
}

/**
 * Splits row indices into training and validation, seeded. With `groups` (a key per row, e.g. the customer of each
 * example) whole groups go to one side, so a customer seen at several cutoffs never validates their own training.
 */
export function validationSplit(
  count: number,
  fraction: number,
  seed: number,
  groups?: readonly string[],
): { train: number[]; validation: number[] } {
  if (groups) {
    if (groups.length !== count) throw new RangeError('groups must name the group of every row');
    const keys = [...new Set(groups)].sort();
    const split = validationSplit(keys.length, fraction, seed);
    const held = new Set(split.validation.map((i) => keys[i]));
    const train: number[] = [];
    const validation: number[] = [];
    groups.forEach((group, i) => (held.has(group) ? validation : train).push(i));
    return { train, validation };
  }
  const order = shuffled(
    Array.from({ length: count }, (_, i) => i),
    seededRandom(seed ^ 0x5bd1e995),
  );
  const validationCount = count >= 5 ? Math.round(count * fraction) : 0;
  return {
    validation: order.slice(0, validationCount).sort((x, y) => x - y),
    train: order.slice(validationCount).sort((x, y) => x - y),
  };
}

function initialOutputBias(labels: readonly number[]): [number, number, number] {
  let buyers = 0;
  let logSum = 0;
  let logSquares = 0;
  for (const label of labels) {
    if (label > 0) {
      buyers++;
      logSum += log(label);
      logSquares += log(label) * log(label);
    }
  }
  const rate = (buyers + 0.5) / (labels.length + 1);
  const meanLog = buyers > 0 ? logSum / buyers : 0;
  const stdLog = buyers > 1 ? sqrt(max(logSquares / buyers - meanLog * meanLog, 1e-4)) : 1;
  // softplus⁻¹(s) = log(exp(s) − 1).
  return [log(rate / (1 - rate)), meanLog, log(abs(exp(stdLog) - 1) + 1e-6)];
}

/**
 * Trains a ZILN network on raw feature rows and spend labels: normalization fitted on the training part, Adam,
 * seeded shuffles, early stopping on the validation part (the weights of the best epoch are kept).
 */
export async function trainZiln(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  featureNames: readonly string[],
  options: Partial<ZilnConfig> & {
    onEpoch?: (record: EpochRecord) => void;
    groups?: readonly string[];
    /** Seed of the validation split (default: `seed`); ensemble members share it, so their normalization too. */
    splitSeed?: number;
  } = {},
): Promise<{ model: ZilnModel; info: ZilnTrainingInfo }> {
  const config: ZilnConfig = { ...DEFAULT_ZILN_CONFIG, ...options };
  if (rows.length !== labels.length) throw new RangeError('rows and labels differ in length');
  if (rows.length === 0) throw new RangeError('no training rows');
  const started = performance.now();
  const split = validationSplit(
    rows.length,
    config.validationFraction,
    options.splitSeed ?? config.seed,
    options.groups,
  );
  const trainRows = split.train.map((i) => rows[i]);
  const trainLabels = split.train.map((i) => labels[i]);
  const normalization = fitNormalization(trainRows, featureNames);
  const width = featureNames.length;
  const network = createZilnNetwork(width, config, initialOutputBias(trainLabels));
  const trainX = tf.tensor2d(normalizeRows(trainRows, normalization), [trainRows.length, width]);
  const trainY = tf.tensor1d(trainLabels, 'float32');
  const validationRows = split.validation.map((i) => rows[i]);
  const validationX =
    validationRows.length > 0
      ? tf.tensor2d(normalizeRows(validationRows, normalization), [validationRows.length, width])
      : null;
  const validationY =
    validationRows.length > 0
      ? tf.tensor1d(
          split.validation.map((i) => labels[i]),
          'float32',
        )
      : null;
  const optimizer = tf.train.adam(config.learningRate);
  const random = seededRandom(config.seed);
  const history: EpochRecord[] = [];
  let best = { epoch: 0, loss: Infinity, weights: [] as tf.Tensor[] };
  const indices = Array.from({ length: trainRows.length }, (_, i) => i);
  const epochsStarted = performance.now();
  try {
    for (let epoch = 1; epoch <= config.maxEpochs; epoch++) {
      const order = shuffled(indices, random);
      let lossSum = 0;
      for (let start = 0; start < order.length; start += config.batchSize) {
        const batch = order.slice(start, start + config.batchSize);
        const loss = tf.tidy(() => {
          const batchIndices = tf.tensor1d(batch, 'int32');
          const x = tf.gather(trainX, batchIndices);
          const y = tf.gather(trainY, batchIndices);
          return optimizer.minimize(
            () => zilnLoss(y as tf.Tensor1D, network.apply(x) as tf.Tensor2D),
            true,
          ) as tf.Scalar;
        });
        lossSum += loss.dataSync()[0] * batch.length;
        loss.dispose();
      }
      const trainLoss = lossSum / order.length;
      const validationLoss =
        validationX && validationY
          ? tf.tidy(() => zilnLoss(validationY, network.apply(validationX) as tf.Tensor2D).dataSync()[0])
          : trainLoss;
      const record = { epoch, trainLoss, validationLoss };
      history.push(record);
      options.onEpoch?.(record);
      if (validationLoss < best.loss) {
        best.weights.forEach((weight) => weight.dispose());
        best = { epoch, loss: validationLoss, weights: network.getWeights().map((weight) => weight.clone()) };
      } else if (epoch - best.epoch >= config.patience) {
        break;
      }
      // Let the event loop breathe between epochs (logs, signals).
      await new Promise((resolve) => setImmediate(resolve));
    }
    const epochsMs = performance.now() - epochsStarted;
    if (best.weights.length > 0) network.setWeights(best.weights);
    return {
      model: new ZilnModel(network, normalization),
      info: {
        backend: tf.getBackend(),
        bestEpoch: best.epoch,
        epochsRun: history.length,
        msPerEpoch: epochsMs / history.length,
        trainMs: performance.now() - started,
        trainCustomers: trainRows.length,
        validationCustomers: validationRows.length,
        history,
      },
    };
  } finally {
    best.weights.forEach((weight) => weight.dispose());
    optimizer.dispose();
    tf.dispose([trainX, trainY]);
    if (validationX) validationX.dispose();
    if (validationY) validationY.dispose();
  }
}

/**
 * A seed ensemble: `members` networks trained on the same split (so the same normalization) from different seeds,
 * joined into one network whose output holds each member's three outputs ([n, 3 × members]); `ZilnModel` averages
 * them. Averaging members steadies the rankings between seeds (the spread is in libs/model/README.md).
 */
export async function trainZilnEnsemble(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  featureNames: readonly string[],
  members: number,
  options: Parameters<typeof trainZiln>[3] = {},
): Promise<{ model: ZilnModel; info: ZilnTrainingInfo }> {
  if (!Number.isInteger(members) || members < 1) throw new RangeError(`members must be >= 1, got ${members}`);
  const seed = options.seed ?? DEFAULT_ZILN_CONFIG.seed;
  const trained: { model: ZilnModel; info: ZilnTrainingInfo }[] = [];
  try {
    for (let m = 0; m < members; m++) {
      trained.push(await trainZiln(rows, labels, featureNames, { ...options, seed: seed + 7919 * m, splitSeed: seed }));
    }
  } catch (error) {
    trained.forEach((member) => member.model.dispose());
    throw error;
  }
  const first = trained[0];
  if (members === 1) return first;
  const input = tf.input({ shape: [featureNames.length] });
  const outputs = trained.map((member) => member.model.network.apply(input) as tf.SymbolicTensor);
  const network = tf.model({ inputs: input, outputs: tf.layers.concatenate().apply(outputs) as tf.SymbolicTensor });
  const mean = (pick: (info: ZilnTrainingInfo) => number) =>
    trained.reduce((sum, member) => sum + pick(member.info), 0) / members;
  return {
    model: new ZilnModel(network, first.model.normalization),
    info: {
      ...first.info,
      bestEpoch: Math.round(mean((info) => info.bestEpoch)),
      epochsRun: trained.reduce((sum, member) => sum + member.info.epochsRun, 0),
      msPerEpoch: mean((info) => info.msPerEpoch),
      trainMs: trained.reduce((sum, member) => sum + member.info.trainMs, 0),
    },
  };
}
