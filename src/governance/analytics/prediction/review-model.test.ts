import { describe, expect, it } from 'vitest';
import type { ReviewItem } from '../../review/index.js';
import { splitHeldOut } from './held-out.js';
import { fitLogisticRegression, probabilityOf } from './logistic-regression.js';
import { featureDimensions, reviewFeatures } from './review-features.js';
import { predictReview, trainReviewModel } from './review-model.js';
import { syntheticReviews, usualOutcome } from './test-reviews.js';

/**
 * The review-outcome model without I/O: it needs `minSamples` reviews, learns an outcome that
 * depends on the agent and the action, is measured on the most recent reviews only (never on what
 * it was fitted on), and is deterministic to the bit.
 */

const now = Date.UTC(2026, 1, 1);

describe('training the review-outcome model', () => {
  it('declines below the minimum number of samples, and trains at it', () => {
    const samples = syntheticReviews({ count: 99 });
    expect(trainReviewModel(samples, { minSamples: 100, now })).toEqual({
      type: 'insufficient_samples',
      samples: 99,
    });
    const trained = trainReviewModel(syntheticReviews({ count: 100 }), { minSamples: 100, now });
    expect(trained).toMatchObject({
      type: 'trained',
      model: { trainingSamples: 80, heldOutSamples: 20, trainedAt: now },
    });
  });

  it('learns an outcome set by agent × action: held-out accuracy at least 0.8 with 10 % of outcomes flipped', () => {
    const trained = trainReviewModel(syntheticReviews({ count: 300, noise: 0.1 }), { minSamples: 100, now });
    if (trained.type !== 'trained') throw new Error('expected a model');
    expect(trained.model.heldOutAccuracy).toBeGreaterThanOrEqual(0.8);
    // Against the rule itself (no noise), on items it never saw.
    const fresh = syntheticReviews({ count: 200, seed: 99, noise: 0 });
    const right = fresh.filter((item) => predictReview(trained.model, item).outcome === item.status).length;
    expect(right / fresh.length).toBeGreaterThanOrEqual(0.95);
  });

  it('is confident on pairs it has seen agree, and not on a pair it has seen disagree', () => {
    const agreeing = syntheticReviews({ count: 300, noise: 0 });
    // mail-bot's refunds: approved and denied in turn.
    let refunds = 0;
    const split = syntheticReviews({
      count: 300,
      seed: 7,
      noise: 0,
      outcome: (item) => {
        if (item.actor !== 'mail-bot' || item.action !== 'refund_payment')
          return usualOutcome(item.actor, item.action);
        refunds += 1;
        return refunds % 2 === 0 ? 'approved' : 'denied';
      },
    });
    const agreed = trainReviewModel(agreeing, { minSamples: 100, now });
    const mixed = trainReviewModel(split, { minSamples: 100, now });
    if (agreed.type !== 'trained' || mixed.type !== 'trained') throw new Error('expected models');
    const sample = agreeing.find((item) => item.actor === 'ops-bot' && item.action === 'delete_records');
    const unsure = split.find((item) => item.actor === 'mail-bot' && item.action === 'refund_payment');
    if (sample === undefined || unsure === undefined) throw new Error('expected samples');
    expect(predictReview(agreed.model, sample)).toMatchObject({ outcome: 'approved' });
    expect(predictReview(agreed.model, sample).probability).toBeGreaterThan(0.9);
    expect(predictReview(mixed.model, unsure).probability).toBeLessThan(0.75);
  });

  it('measures on the most recent reviews, which it was not fitted on', () => {
    // The same 400 reviews, but reviewers reversed every outcome for the last fifth: a model
    // measured on its own training data would still score well.
    const samples = syntheticReviews({ count: 400, noise: 0 });
    const reversed = samples.map((item, index): ReviewItem =>
      index < 320 ? item : { ...item, status: item.status === 'approved' ? 'denied' : 'approved' },
    );
    const trained = trainReviewModel(reversed, { minSamples: 100, now });
    if (trained.type !== 'trained') throw new Error('expected a model');
    expect(trained.model).toMatchObject({ trainingSamples: 320, heldOutSamples: 80 });
    expect(trained.model.heldOutAccuracy).toBeLessThan(0.2);
  });

  it('gives the same model, version and predictions for the same reviews', () => {
    const samples = syntheticReviews({ count: 150 });
    const first = trainReviewModel(samples, { minSamples: 100, now });
    const second = trainReviewModel(samples, { minSamples: 100, now: now + 1 });
    if (first.type !== 'trained' || second.type !== 'trained') throw new Error('expected models');
    expect(second.model.version).toBe(first.model.version);
    expect(first.model.version).toMatch(/^lr-[0-9a-f]{12}$/);
    expect(Array.from(second.model.weights)).toEqual(Array.from(first.model.weights));
    const other = trainReviewModel(syntheticReviews({ count: 150, seed: 2 }), { minSamples: 100, now });
    expect(other.type === 'trained' && other.model.version).not.toBe(first.model.version);
  });

  it('predicts the probability of the outcome it names', () => {
    const trained = trainReviewModel(syntheticReviews({ count: 200, noise: 0 }), { minSamples: 100, now });
    if (trained.type !== 'trained') throw new Error('expected a model');
    for (const item of syntheticReviews({ count: 50, seed: 5 })) {
      const prediction = predictReview(trained.model, item);
      expect(prediction.probability).toBeGreaterThanOrEqual(0.5);
      expect(prediction.probability).toBeLessThanOrEqual(1);
      expect(prediction.modelVersion).toBe(trained.model.version);
    }
  });
});

describe('the held-out split', () => {
  it('holds out the most recent fifth, at least one, never everything', () => {
    expect(splitHeldOut([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({
      training: [1, 2, 3, 4, 5, 6, 7, 8],
      heldOut: [9, 10],
    });
    expect(splitHeldOut([1, 2])).toEqual({ training: [1], heldOut: [2] });
    expect(splitHeldOut([1])).toEqual({ training: [1], heldOut: [] });
  });
});

describe('logistic regression', () => {
  const x = (features: number[]) => ({ indices: features.map((_, index) => index), values: features });

  it('separates what is separable and keeps weights bounded by the L2 penalty', () => {
    const samples = [x([1, 1, 0]), x([1, 0, 1]), x([1, 1, 0]), x([1, 0, 1])];
    const labels = [1, 0, 1, 0] as const;
    const loose = fitLogisticRegression(samples, labels, {
      dimensions: 3,
      iterations: 300,
      learningRate: 0.05,
      l2: 0,
    });
    const tight = fitLogisticRegression(samples, labels, {
      dimensions: 3,
      iterations: 300,
      learningRate: 0.05,
      l2: 1,
    });
    expect(probabilityOf(loose, x([1, 1, 0]))).toBeGreaterThan(0.95);
    expect(probabilityOf(loose, x([1, 0, 1]))).toBeLessThan(0.05);
    expect(Math.abs(tight[1] ?? 0)).toBeLessThan(Math.abs(loose[1] ?? 0) / 2);
    expect(probabilityOf(tight, x([1, 1, 0]))).toBeGreaterThan(0.5);
  });

  it('hashes every feature into a bounded dimension', () => {
    const [item] = syntheticReviews({ count: 1 });
    if (item === undefined) throw new Error('expected an item');
    const vector = reviewFeatures({
      ...item,
      resource: Object.fromEntries(
        Array.from({ length: 100 }, (_, index) => [`key-${index}`, 'x'.repeat(10_000)]),
      ),
    });
    expect(Math.max(...vector.indices)).toBeLessThan(featureDimensions);
    // Six numeric features, nine categorical ones and 16 resource entries of two features each.
    expect(vector.indices.length).toBe(6 + 9 + 32);
  });
});
