import type { SparseVector } from './tfidf';

/**
 * Multinomial logistic regression over sparse inputs, fitted by L-BFGS to the same objective as scikit-learn's
 * LogisticRegression(C): Σᵢ wᵢ · −log p(yᵢ | xᵢ) + ‖W‖² / (2C), intercepts not penalised, example weights wᵢ
 * "balanced" (n / (classes · n of yᵢ's class)) so rare classes (neutral, two stars) count as much as the common ones.
 * Deterministic: no random initialisation, no sampling.
 */
export interface SoftmaxModel {
  classes: number;
  features: number;
  /** Row-major, classes × features. */
  weights: Float64Array;
  bias: Float64Array;
}

export interface SoftmaxOptions {
  /** Inverse regularisation strength (scikit-learn's C). */
  c: number;
  maxIterations?: number;
  /** Stops when the objective improves by less than this share of itself. */
  tolerance?: number;
  /** Per-example weights; default balanced by class. */
  exampleWeights?: readonly number[];
}

export function balancedWeights(labels: readonly number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]++;
  return labels.map((label) => labels.length / (classes * counts[label]));
}

export function softmaxProbabilities(model: SoftmaxModel, x: SparseVector): number[] {
  const { classes, features, weights, bias } = model;
  const logits = Array.from(bias);
  for (let k = 0; k < classes; k++) {
    const row = k * features;
    let sum = logits[k];
    for (let j = 0; j < x.indices.length; j++) sum += weights[row + x.indices[j]] * x.values[j];
    logits[k] = sum;
  }
  const top = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export async function fitSoftmax(
  examples: readonly SparseVector[],
  labels: readonly number[],
  classes: number,
  features: number,
  options: SoftmaxOptions,
): Promise<SoftmaxModel> {
  if (examples.length !== labels.length) throw new RangeError('examples and labels differ in length');
  if (examples.length === 0) throw new RangeError('no examples to fit');
  for (const label of labels) {
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new RangeError(`label ${label} out of range`);
  }
  const weightsOf = options.exampleWeights ?? balancedWeights(labels, classes);
  const size = classes * features + classes;
  const penalty = 1 / options.c;

  // Parameters: weights (classes × features) then the biases.
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    const logits = new Float64Array(classes);
    for (let i = 0; i < examples.length; i++) {
      const x = examples[i];
      for (let k = 0; k < classes; k++) {
        const row = k * features;
        let sum = theta[classes * features + k];
        for (let j = 0; j < x.indices.length; j++) sum += theta[row + x.indices[j]] * x.values[j];
        logits[k] = sum;
      }
      let top = -Infinity;
      for (let k = 0; k < classes; k++) top = Math.max(top, logits[k]);
      let total = 0;
      for (let k = 0; k < classes; k++) total += Math.exp(logits[k] - top);
      const logTotal = Math.log(total) + top;
      const weight = weightsOf[i];
      loss += weight * (logTotal - logits[labels[i]]);
      for (let k = 0; k < classes; k++) {
        const residual = weight * (Math.exp(logits[k] - logTotal) - (k === labels[i] ? 1 : 0));
        const row = k * features;
        for (let j = 0; j < x.indices.length; j++) gradient[row + x.indices[j]] += residual * x.values[j];
        gradient[classes * features + k] += residual;
      }
    }
    for (let p = 0; p < classes * features; p++) {
      loss += (penalty / 2) * theta[p] * theta[p];
      gradient[p] += penalty * theta[p];
    }
    return loss;
  };

  const theta = await lbfgs(objective, new Float64Array(size), options.maxIterations ?? 500, options.tolerance ?? 1e-8);
  return {
    classes,
    features,
    weights: theta.slice(0, classes * features),
    bias: theta.slice(classes * features),
  };
}

const dot = (a: Float64Array, b: Float64Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};

/**
 * Limited-memory BFGS (Nocedal & Wright, alg. 7.4/7.5) with a backtracking line search on the Armijo condition. It
 * yields to the event loop between iterations: a service that trains (the trainer) keeps answering its probes and
 * its Kafka heartbeats while a fit of thousands of reviews runs for seconds.
 */
async function lbfgs(
  objective: (theta: Float64Array, gradient: Float64Array) => number,
  start: Float64Array,
  maxIterations: number,
  tolerance: number,
  memory = 10,
): Promise<Float64Array> {
  let theta = start;
  let gradient = new Float64Array(theta.length);
  let loss = objective(theta, gradient);
  const steps: Float64Array[] = [];
  const changes: Float64Array[] = [];
  const rhos: number[] = [];
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    await new Promise((resolve) => setImmediate(resolve));
    // Two-loop recursion: direction = -H·gradient.
    const direction = Float64Array.from(gradient, (g) => -g);
    const alphas: number[] = [];
    for (let m = steps.length - 1; m >= 0; m--) {
      const alpha = rhos[m] * dot(steps[m], direction);
      alphas[m] = alpha;
      for (let i = 0; i < direction.length; i++) direction[i] -= alpha * changes[m][i];
    }
    if (steps.length > 0) {
      const last = steps.length - 1;
      const gamma = dot(steps[last], changes[last]) / dot(changes[last], changes[last]);
      for (let i = 0; i < direction.length; i++) direction[i] *= gamma;
    } else {
      const norm = Math.sqrt(dot(gradient, gradient));
      if (norm === 0) return theta;
      for (let i = 0; i < direction.length; i++) direction[i] /= norm;
    }
    for (let m = 0; m < steps.length; m++) {
      const beta = rhos[m] * dot(changes[m], direction);
      for (let i = 0; i < direction.length; i++) direction[i] += steps[m][i] * (alphas[m] - beta);
    }
    let slope = dot(gradient, direction);
    if (slope >= 0) {
      // Not a descent direction (curvature lost): restart from steepest descent.
      steps.length = changes.length = rhos.length = 0;
      for (let i = 0; i < direction.length; i++) direction[i] = -gradient[i];
      slope = dot(gradient, direction);
    }
    let stepSize = 1;
    const candidate = new Float64Array(theta.length);
    const candidateGradient = new Float64Array(theta.length);
    let candidateLoss = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < theta.length; i++) candidate[i] = theta[i] + stepSize * direction[i];
      candidateLoss = objective(candidate, candidateGradient);
      if (candidateLoss <= loss + 1e-4 * stepSize * slope) break;
      stepSize /= 2;
    }
    if (!(candidateLoss < loss)) return theta;
    const step = new Float64Array(theta.length);
    const change = new Float64Array(theta.length);
    for (let i = 0; i < theta.length; i++) {
      step[i] = candidate[i] - theta[i];
      change[i] = candidateGradient[i] - gradient[i];
    }
    const curvature = dot(step, change);
    if (curvature > 1e-10) {
      steps.push(step);
      changes.push(change);
      rhos.push(1 / curvature);
      if (steps.length > memory) {
        steps.shift();
        changes.shift();
        rhos.shift();
      }
    }
    const improvement = loss - candidateLoss;
    theta = Float64Array.from(candidate);
    gradient = Float64Array.from(candidateGradient);
    loss = candidateLoss;
    if (improvement < tolerance * Math.max(1, Math.abs(loss))) break;
  }
  return theta;
}
