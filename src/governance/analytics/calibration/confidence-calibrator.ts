import type { ReviewItem } from '../../review/index.js';
import { splitHeldOut } from '../prediction/held-out.js';
import { modelVersion } from '../prediction/model-version.js';
import { fitIsotonic, isotonicValue, type IsotonicFit } from './isotonic-regression.js';

/**
 * The confidence calibrator: what a measured confidence has meant so far, as the share of reviewed
 * decisions at that confidence that a person approved. Fitted by isotonic regression (a higher
 * confidence never means less), on reviewed decisions that carried a measured confidence, oldest
 * first; measured on the most recent ones held out. It maps only confidences inside the range it
 * was fitted on: reviews come mostly from the band between the review and allow gates, and what a
 * 0.99 means cannot be learnt from them, so outside that range the measured confidence stands.
 */

export interface ConfidenceCalibrator {
  /** `iso-` and 12 hex digits of its points' hash. */
  readonly version: string;
  readonly fit: IsotonicFit;
  /** Unix milliseconds. */
  readonly trainedAt: number;
  readonly trainingSamples: number;
  readonly heldOutSamples: number;
  /**
   * On the held-out reviews, the share whose outcome the confidence the gates would use (calibrated
   * inside the fitted range, measured outside it) predicts: approved when ≥ 0.5.
   */
  readonly heldOutAccuracy: number;
  /** Mean squared error on the held-out reviews of the measured and of the calibrated confidence. */
  readonly brier: { readonly measured: number; readonly calibrated: number };
  /** The range of measured confidences it maps. */
  readonly range: { readonly lowest: number; readonly highest: number };
}

export type CalibrationTraining =
  | { readonly type: 'trained'; readonly calibrator: ConfidenceCalibrator }
  | { readonly type: 'insufficient_samples'; readonly samples: number };

/**
 * A review sample counts when its decision had a measured confidence: `confidence_used` is 0 for a
 * request without one (and a measured 0 never reaches review: it is below every read-only gate).
 */
export function isCalibrationSample(item: Pick<ReviewItem, 'confidenceScore'>): boolean {
  return item.confidenceScore > 0 && item.confidenceScore <= 1;
}

/** The calibrated confidence, or undefined outside the fitted range. */
export function calibrate(calibrator: ConfidenceCalibrator, confidence: number): number | undefined {
  return isotonicValue(calibrator.fit, confidence);
}

/** `samples`: resolved items, oldest resolution first; those without a measured confidence are skipped. */
export function trainCalibrator(
  samples: readonly ReviewItem[],
  options: { readonly minSamples: number; readonly now: number },
): CalibrationTraining {
  const usable = samples.filter(isCalibrationSample);
  if (usable.length < Math.max(2, options.minSamples))
    return { type: 'insufficient_samples', samples: usable.length };
  const { training, heldOut } = splitHeldOut(usable);
  const fit = fitIsotonic(
    training.map((item) => ({ x: item.confidenceScore, y: item.status === 'approved' ? 1 : 0 })),
  );
  const parameters = new Float64Array(fit.x.length * 2);
  parameters.set(fit.x, 0);
  parameters.set(fit.y, fit.x.length);
  let correct = 0;
  let measuredError = 0;
  let calibratedError = 0;
  for (const item of heldOut) {
    const outcome = item.status === 'approved' ? 1 : 0;
    const used = isotonicValue(fit, item.confidenceScore) ?? item.confidenceScore;
    if ((used >= 0.5 ? 1 : 0) === outcome) correct += 1;
    measuredError += (item.confidenceScore - outcome) ** 2;
    calibratedError += (used - outcome) ** 2;
  }
  return {
    type: 'trained',
    calibrator: {
      version: modelVersion('iso', parameters),
      fit,
      trainedAt: options.now,
      trainingSamples: training.length,
      heldOutSamples: heldOut.length,
      heldOutAccuracy: correct / heldOut.length,
      brier: { measured: measuredError / heldOut.length, calibrated: calibratedError / heldOut.length },
      range: { lowest: fit.x[0] ?? 0, highest: fit.x.at(-1) ?? 0 },
    },
  };
}
