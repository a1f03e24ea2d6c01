import type { SparseVector } from './review-features.js';

/**
 * Logistic regression fitted by full-batch gradient descent with L2 regularisation, with Adam's
 * per-weight step sizes (a hashed one-hot feature seen in 1 % of the samples gets a gradient a
 * hundred times smaller than the bias; plain gradient descent would leave it near zero after a few
 * hundred steps). A fixed number of iterations over the samples in their given order, no random
 * initialisation and no shuffling: the same samples give the same weights, bit for bit, on every
 * replica — which is what makes a model's version (a hash of its weights) comparable across them.
 */

export interface LogisticFitOptions {
  readonly dimensions: number;
  readonly iterations: number;
  readonly learningRate: number;
  /** L2 penalty on every weight but the bias (index 0). */
  readonly l2: number;
}

export const defaultLogisticFitOptions: Omit<LogisticFitOptions, 'dimensions'> = {
  iterations: 300,
  learningRate: 0.05,
  l2: 0.001,
};

const beta1 = 0.9;
const beta2 = 0.999;
const epsilon = 1e-8;

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function linearScore(weights: Float64Array, vector: SparseVector): number {
  let z = 0;
  const { indices, values } = vector;
  for (let index = 0; index < indices.length; index += 1)
    z += (weights[indices[index] ?? 0] ?? 0) * (values[index] ?? 0);
  return z;
}

/** P(label = 1 | vector). */
export function probabilityOf(weights: Float64Array, vector: SparseVector): number {
  return sigmoid(linearScore(weights, vector));
}

/** `labels[i]` is 1 or 0 for `samples[i]`; returns the weights (index 0 is the bias). */
export function fitLogisticRegression(
  samples: readonly SparseVector[],
  labels: readonly (0 | 1)[],
  options: LogisticFitOptions,
): Float64Array {
  return runToEnd(logisticRegressionSteps(samples, labels, options));
}

/** Runs a stepwise computation to its end, in one go. */
export function runToEnd<Result>(steps: Generator<void, Result>): Result {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/**
 * The fit, one iteration per step: the trainer runs it in slices between which the event loop
 * serves requests (20 000 reviews take a few hundred milliseconds), with the same result.
 */
export function* logisticRegressionSteps(
  samples: readonly SparseVector[],
  labels: readonly (0 | 1)[],
  options: LogisticFitOptions,
): Generator<void, Float64Array> {
  const { dimensions, iterations, learningRate, l2 } = options;
  const weights = new Float64Array(dimensions);
  if (samples.length === 0) return weights;
  const gradient = new Float64Array(dimensions);
  const firstMoment = new Float64Array(dimensions);
  const secondMoment = new Float64Array(dimensions);
  const scale = 1 / samples.length;
  for (let step = 1; step <= iterations; step += 1) {
    gradient.fill(0);
    for (let sample = 0; sample < samples.length; sample += 1) {
      const vector = samples[sample];
      if (vector === undefined) continue;
      const error = probabilityOf(weights, vector) - (labels[sample] ?? 0);
      const { indices, values } = vector;
      for (let index = 0; index < indices.length; index += 1) {
        const feature = indices[index] ?? 0;
        gradient[feature] = (gradient[feature] ?? 0) + error * (values[index] ?? 0) * scale;
      }
    }
    const correction1 = 1 - beta1 ** step;
    const correction2 = 1 - beta2 ** step;
    for (let feature = 0; feature < dimensions; feature += 1) {
      const weight = weights[feature] ?? 0;
      const g = (gradient[feature] ?? 0) + (feature === 0 ? 0 : l2 * weight);
      // Untouched weights with no penalty to apply stay exactly where they are.
      if (g === 0 && (firstMoment[feature] ?? 0) === 0) continue;
      const m = beta1 * (firstMoment[feature] ?? 0) + (1 - beta1) * g;
      const v = beta2 * (secondMoment[feature] ?? 0) + (1 - beta2) * g * g;
      firstMoment[feature] = m;
      secondMoment[feature] = v;
      weights[feature] = weight - (learningRate * (m / correction1)) / (Math.sqrt(v / correction2) + epsilon);
    }
    yield;
  }
  return weights;
}
