import { describe, expect, it } from 'vitest';
import type { ReviewItem } from '../../review/index.js';
import { syntheticReviews } from '../prediction/test-reviews.js';
import { calibrate, trainCalibrator } from './confidence-calibrator.js';

/**
 * The calibrator without I/O: it learns what measured confidences meant to reviewers, maps only
 * the range it saw, skips decisions without a confidence, and is measured on the newest reviews.
 */

const now = Date.UTC(2026, 1, 1);

/** Reviewers approve what the agent was at least 0.8 sure of, and deny the rest (10 % flipped). */
const thresholdReviews = (count: number, seed = 1): ReviewItem[] =>
  syntheticReviews({
    count,
    seed,
    noise: 0.1,
    outcome: (item) => (item.confidenceScore >= 0.8 ? 'approved' : 'denied'),
  });

describe('the confidence calibrator', () => {
  it('declines below the minimum of reviews with a measured confidence', () => {
    const missing = thresholdReviews(150).map((item, index) =>
      index < 60 ? { ...item, confidenceScore: 0 } : item,
    );
    expect(trainCalibrator(missing, { minSamples: 100, now })).toEqual({
      type: 'insufficient_samples',
      samples: 90,
    });
  });

  it('maps confidences to how often reviewers approved them, inside the range it saw only', () => {
    const trained = trainCalibrator(thresholdReviews(400), { minSamples: 100, now });
    if (trained.type !== 'trained') throw new Error('expected a calibrator');
    const { calibrator } = trained;
    expect(calibrator.version).toMatch(/^iso-[0-9a-f]{12}$/);
    expect(calibrate(calibrator, 0.72)).toBeLessThan(0.3);
    expect(calibrate(calibrator, 0.88)).toBeGreaterThan(0.7);
    expect(calibrator.range.lowest).toBeGreaterThanOrEqual(0.7);
    expect(calibrator.range.highest).toBeLessThanOrEqual(0.9);
    expect(calibrate(calibrator, 0.95)).toBeUndefined();
    expect(calibrate(calibrator, 0.3)).toBeUndefined();
    expect(calibrator.heldOutAccuracy).toBeGreaterThanOrEqual(0.8);
    // Calibrated, the confidence says more about the outcome than measured.
    expect(calibrator.brier.calibrated).toBeLessThan(calibrator.brier.measured);
  });

  it('is measured on the newest reviews, not on those it was fitted on', () => {
    const reviews = thresholdReviews(500).map((item, index): ReviewItem =>
      index < 400 ? item : { ...item, status: item.status === 'approved' ? 'denied' : 'approved' },
    );
    const trained = trainCalibrator(reviews, { minSamples: 100, now });
    if (trained.type !== 'trained') throw new Error('expected a calibrator');
    expect(trained.calibrator).toMatchObject({ trainingSamples: 400, heldOutSamples: 100 });
    expect(trained.calibrator.heldOutAccuracy).toBeLessThan(0.3);
  });

  it('is the same for the same reviews', () => {
    const reviews = thresholdReviews(200);
    const first = trainCalibrator(reviews, { minSamples: 100, now });
    const second = trainCalibrator(reviews, { minSamples: 100, now });
    expect(second).toEqual(first);
  });
});
