import { describe, expect, it } from 'vitest';
import { compileLexicon } from '../features.js';
import { createMarginFunction } from '../injection-detector.js';
import { encodeWeightsFile, slotsPerBucket, type DetectorModel } from '../weights-file.js';
import { conceptLexicon } from './concept-lexicon.js';
import { featurise, type TrainingRow } from './instances.js';
import { instanceMargin, trainLogistic, type TrainingOptions } from './logistic-regression.js';
import { quantiseWeights } from './quantise.js';
import { readDeepset } from './datasets.js';

const features = { shortestGram: 3, longestGram: 5, wordWeight: 1, conceptWeight: 4, conceptReach: 4 };
const window = { size: 120, stride: 60 };
const options: TrainingOptions = {
  bucketBits: 14,
  epochs: 3,
  warmupEpochs: 1,
  averageFrom: 1,
  naiveBayesSmoothing: 1,
  learningRate: 0.5,
  l2: 1e-6,
  seed: 7,
  ensemble: 2,
};

function subset(): TrainingRow[] {
  return readDeepset('train')
    .slice(0, 120)
    .map((row, index) => ({
      ...row,
      domains: ['direct'],
      group: String(index),
      weight: 1,
      origin: 'deepset',
    }));
}

function trainedModel(seed: number): { model: DetectorModel; margins: number[] } {
  const rows = subset();
  const featurised = featurise(rows, {
    bucketBits: options.bucketBits,
    features,
    lexicon: compileLexicon(conceptLexicon),
    window,
  });
  const trained = trainLogistic(featurised.bags, featurised.store, { ...options, seed });
  const quantised = quantiseWeights(trained);
  const model: DetectorModel = {
    header: {
      description: 'determinism test',
      sources: [],
      bucketBits: options.bucketBits,
      features,
      lexicon: conceptLexicon,
      window,
      sourceDomains: { input: 'direct', args: 'direct', tool_result: 'indirect', output: 'indirect' },
      weightScale: quantised.scale,
      bias: Array.from(trained.bias),
      calibration: { direct: { threshold: 0, slope: 1 }, indirect: { threshold: 0, slope: 1 } },
      training: {},
    },
    weights: quantised.weights,
  };
  // The training side's margin of each window, with the quantised weights the scorer uses.
  const dequantised = {
    weights: Float64Array.from(quantised.weights, (level) => level * quantised.scale),
    bias: trained.bias,
  };
  const margins = featurised.bags.map((bag) =>
    Math.max(
      ...bag.instances.map((instance) =>
        instanceMargin(dequantised, featurised.store, instance, bag.domainSlot),
      ),
    ),
  );
  return { model, margins };
}

describe('training', () => {
  it('is deterministic: the same data and seed give the same bytes, another seed other bytes', () => {
    const first = encodeWeightsFile(trainedModel(7).model);
    const second = encodeWeightsFile(trainedModel(7).model);
    const reseeded = encodeWeightsFile(trainedModel(8).model);
    expect(Buffer.compare(first, second)).toBe(0);
    expect(Buffer.compare(first, reseeded)).not.toBe(0);
  });

  it('learns margins the scorer reproduces exactly from the shipped form of the weights', () => {
    const { model, margins } = trainedModel(7);
    const marginOf = createMarginFunction(model);
    const rows = subset();
    rows.forEach((row, index) => {
      expect(marginOf(row.text, 'direct').margin).toBeCloseTo(margins[index] ?? Number.NaN, 4);
    });
    expect(model.weights.length).toBe(2 ** options.bucketBits * slotsPerBucket);
  });
});
