import { slotsPerBucket } from '../weights-file.js';
import type { Bag, InstanceStore } from './instances.js';
import { seededRandom, shuffled } from './seeded-random.js';

/**
 * L2-regularised logistic regression by stochastic gradient descent, deterministic: a seeded
 * shuffle per epoch, a fixed number of epochs, a fixed learning-rate schedule (Bottou's
 * η₀ / (1 + η₀·λ·t)), no threads. Each feature has a shared weight and one per domain
 * (Daumé's "frustratingly easy" domain adaptation): what holds everywhere is learnt once, what
 * holds only in tool results stays there.
 *
 * A bag of windows (a long text) is positive when one of its windows is an injection: each epoch
 * a positive bag trains on its highest-scoring window under the current weights (multiple-
 * instance learning), so the e-mail around an injected sentence is not taught as an injection.
 * Every window of a negative bag is a negative; a long bag's windows share its weight (at most
 * twice the row's weight in all).
 */

export interface TrainingOptions {
  readonly bucketBits: number;
  readonly epochs: number;
  /** The weights returned are the average of the weights at the end of each epoch from this one. */
  readonly averageFrom: number;
  /**
   * Naive-Bayes feature scaling (Wang & Manning's NBSVM): each bucket's value is multiplied by the
   * log ratio of its frequency in positive and negative windows (smoothed by this count); 0 = off.
   * The ratios are folded into the weights returned, so scoring is unchanged.
   */
  readonly naiveBayesSmoothing: number;
  /** Epochs that train a positive bag on all its windows before choosing its best one. */
  readonly warmupEpochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
  /** Models trained with seeds seed, seed + 1, …, whose weights are averaged (one linear model). */
  readonly ensemble: number;
}

export interface FloatModel {
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

export function instanceMargin(
  model: FloatModel,
  store: InstanceStore,
  instance: number,
  slot: number,
): number {
  const { weights, bias } = model;
  let margin = (bias[0] ?? 0) + (bias[slot] ?? 0);
  const end = store.offsets[instance + 1] ?? 0;
  for (let entry = store.offsets[instance] ?? 0; entry < end; entry += 1) {
    const row = (store.buckets[entry] ?? 0) * slotsPerBucket;
    margin += (store.values[entry] ?? 0) * ((weights[row] ?? 0) + (weights[row + slot] ?? 0));
  }
  return margin;
}

/** Per bucket, log(P(bucket | positive window) / P(bucket | negative window)), smoothed. */
export function naiveBayesScale(
  bags: readonly Bag[],
  store: InstanceStore,
  options: TrainingOptions,
): Float64Array {
  const buckets = 2 ** options.bucketBits;
  const positive = new Float64Array(buckets);
  const negative = new Float64Array(buckets);
  const seen = new Set<number>();
  for (const bag of bags) {
    const counts = bag.label === 1 ? positive : negative;
    for (const instance of bag.instances) {
      const end = store.offsets[instance + 1] ?? 0;
      for (let entry = store.offsets[instance] ?? 0; entry < end; entry += 1) {
        const bucket = store.buckets[entry] ?? 0;
        counts[bucket] = (counts[bucket] ?? 0) + 1;
        seen.add(bucket);
      }
    }
  }
  const alpha = options.naiveBayesSmoothing;
  let positiveTotal = 0;
  let negativeTotal = 0;
  for (let bucket = 0; bucket < buckets; bucket += 1) {
    positiveTotal += (positive[bucket] ?? 0) + alpha;
    negativeTotal += (negative[bucket] ?? 0) + alpha;
  }
  const scale = new Float64Array(buckets);
  for (const bucket of seen) {
    scale[bucket] = Math.abs(
      Math.log(((positive[bucket] ?? 0) + alpha) / positiveTotal) -
        Math.log(((negative[bucket] ?? 0) + alpha) / negativeTotal),
    );
  }
  return scale;
}

/** The average of `ensemble` models trained in different orders: less variance, still linear. */
export function trainLogistic(
  bags: readonly Bag[],
  store: InstanceStore,
  options: TrainingOptions,
): FloatModel {
  const count = Math.max(1, options.ensemble);
  let sum: FloatModel | undefined;
  for (let member = 0; member < count; member += 1) {
    const model = trainOne(bags, store, { ...options, seed: options.seed + member });
    if (sum === undefined) {
      sum = model;
      continue;
    }
    for (let index = 0; index < model.weights.length; index += 1) {
      sum.weights[index] = (sum.weights[index] ?? 0) + (model.weights[index] ?? 0);
    }
    for (let index = 0; index < model.bias.length; index += 1)
      sum.bias[index] = (sum.bias[index] ?? 0) + (model.bias[index] ?? 0);
  }
  if (sum === undefined) throw new Error('no model trained');
  for (let index = 0; index < sum.weights.length; index += 1)
    sum.weights[index] = (sum.weights[index] ?? 0) / count;
  for (let index = 0; index < sum.bias.length; index += 1) sum.bias[index] = (sum.bias[index] ?? 0) / count;
  return sum;
}

function trainOne(bags: readonly Bag[], store: InstanceStore, options: TrainingOptions): FloatModel {
  const bucketCount = 2 ** options.bucketBits;
  const featureScale =
    options.naiveBayesSmoothing > 0
      ? naiveBayesScale(bags, store, options)
      : new Float64Array(bucketCount).fill(1);
  const weights = new Float64Array(bucketCount * slotsPerBucket);
  const average = new Float64Array(weights.length);
  const averageBias = new Float64Array(slotsPerBucket);
  let averaged = 0;
  const bias = new Float64Array(slotsPerBucket);
  const random = seededRandom(options.seed);
  // The weights are `scale × weights`; shrinking `scale` applies L2 to every weight in O(1).
  let scale = 1;
  let step = 0;
  const currentMargin = (instance: number, slot: number): number => {
    let margin = (bias[0] ?? 0) + (bias[slot] ?? 0);
    let dot = 0;
    const end = store.offsets[instance + 1] ?? 0;
    for (let entry = store.offsets[instance] ?? 0; entry < end; entry += 1) {
      const bucket = store.buckets[entry] ?? 0;
      const row = bucket * slotsPerBucket;
      dot +=
        (store.values[entry] ?? 0) *
        (featureScale[bucket] ?? 0) *
        ((weights[row] ?? 0) + (weights[row + slot] ?? 0));
    }
    margin += scale * dot;
    return margin;
  };
  const update = (instance: number, slot: number, label: number, weight: number): void => {
    const rate = options.learningRate / (1 + options.learningRate * options.l2 * step);
    step += 1;
    const probability = 1 / (1 + Math.exp(-currentMargin(instance, slot)));
    const gradient = (probability - label) * weight;
    scale *= 1 - rate * options.l2;
    const change = (rate * gradient) / scale;
    const end = store.offsets[instance + 1] ?? 0;
    for (let entry = store.offsets[instance] ?? 0; entry < end; entry += 1) {
      const bucket = store.buckets[entry] ?? 0;
      const row = bucket * slotsPerBucket;
      const value = (store.values[entry] ?? 0) * (featureScale[bucket] ?? 0);
      weights[row] = (weights[row] ?? 0) - change * value;
      weights[row + slot] = (weights[row + slot] ?? 0) - change * value;
    }
    bias[0] = (bias[0] ?? 0) - rate * gradient;
    bias[slot] = (bias[slot] ?? 0) - rate * gradient;
    if (scale < 1e-6) {
      for (let index = 0; index < weights.length; index += 1) weights[index] = (weights[index] ?? 0) * scale;
      scale = 1;
    }
  };
  const bagIndices = bags.map((_, index) => index);
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    for (const bagIndex of shuffled(bagIndices, random)) {
      const bag = bags[bagIndex];
      if (bag === undefined) continue;
      const { instances, domainSlot: slot, label } = bag;
      if (label === 1 && instances.length > 1 && epoch >= options.warmupEpochs) {
        let best = instances[0] ?? 0;
        let bestMargin = Number.NEGATIVE_INFINITY;
        for (const instance of instances) {
          const margin = currentMargin(instance, slot);
          if (margin > bestMargin) {
            bestMargin = margin;
            best = instance;
          }
        }
        update(best, slot, 1, bag.weight);
      } else {
        const share = bag.weight * Math.min(1, 2 / instances.length);
        for (const instance of instances) update(instance, slot, label, share);
      }
    }
    if (epoch >= options.averageFrom) {
      for (let index = 0; index < weights.length; index += 1) {
        average[index] = (average[index] ?? 0) + (weights[index] ?? 0) * scale;
      }
      for (let index = 0; index < bias.length; index += 1)
        averageBias[index] = (averageBias[index] ?? 0) + (bias[index] ?? 0);
      averaged += 1;
    }
  }
  // The features' scales are folded into the weights: the scorer multiplies by weights only.
  const result = { weights: new Float64Array(weights.length), bias: new Float64Array(slotsPerBucket) };
  for (let index = 0; index < weights.length; index += 1) {
    const raw = averaged > 0 ? (average[index] ?? 0) / averaged : (weights[index] ?? 0) * scale;
    result.weights[index] = raw * (featureScale[Math.floor(index / slotsPerBucket)] ?? 0);
  }
  for (let index = 0; index < bias.length; index += 1) {
    result.bias[index] = averaged > 0 ? (averageBias[index] ?? 0) / averaged : (bias[index] ?? 0);
  }
  return result;
}
