import type { ReviewItem, ReviewOutcome } from '../../review/index.js';
import { splitHeldOut } from './held-out.js';
import {
  defaultLogisticFitOptions,
  logisticRegressionSteps,
  probabilityOf,
  runToEnd,
  type LogisticFitOptions,
} from './logistic-regression.js';
import { modelVersion } from './model-version.js';
import { featureDimensions, reviewFeatures, type FeatureSource } from './review-features.js';

/**
 * The review-outcome model: P(a person approves | the review item), trained on items people
 * resolved (oldest first), measured on the most recent of them held out from training. The model
 * in use is the one measured: its reported accuracy is its own, on reviews it never saw.
 */

export interface ReviewModel {
  /** `lr-` and 12 hex digits of its weights' hash. */
  readonly version: string;
  readonly weights: Float64Array;
  /** Unix milliseconds. */
  readonly trainedAt: number;
  readonly trainingSamples: number;
  readonly heldOutSamples: number;
  /** Share of the held-out reviews whose outcome it predicted. */
  readonly heldOutAccuracy: number;
}

export interface ReviewPrediction {
  readonly outcome: ReviewOutcome;
  /** The probability of `outcome` (≥ 0.5). */
  readonly probability: number;
  readonly modelVersion: string;
}

export type ReviewTraining =
  | { readonly type: 'trained'; readonly model: ReviewModel }
  | { readonly type: 'insufficient_samples'; readonly samples: number };

export interface ReviewTrainingOptions {
  readonly minSamples: number;
  readonly now: number;
  readonly fit?: Partial<Omit<LogisticFitOptions, 'dimensions'>>;
}

const labelOf = (item: Pick<ReviewItem, 'status'>): 0 | 1 => (item.status === 'approved' ? 1 : 0);

/** `samples`: resolved items, oldest resolution first. */
export function trainReviewModel(
  samples: readonly ReviewItem[],
  options: ReviewTrainingOptions,
): ReviewTraining {
  return runToEnd(reviewModelTraining(samples, options));
}

/** The training one fitting iteration per step (see `logisticRegressionSteps`). */
export function* reviewModelTraining(
  samples: readonly ReviewItem[],
  options: ReviewTrainingOptions,
): Generator<void, ReviewTraining> {
  if (samples.length < Math.max(2, options.minSamples))
    return { type: 'insufficient_samples', samples: samples.length };
  const { training, heldOut } = splitHeldOut(samples);
  const weights = yield* logisticRegressionSteps(training.map(reviewFeatures), training.map(labelOf), {
    dimensions: featureDimensions,
    ...defaultLogisticFitOptions,
    ...options.fit,
  });
  const version = modelVersion('lr', weights);
  let correct = 0;
  for (const item of heldOut) {
    const predicted = predictWith(weights, version, item);
    if (predicted.outcome === item.status) correct += 1;
  }
  return {
    type: 'trained',
    model: {
      version,
      weights,
      trainedAt: options.now,
      trainingSamples: training.length,
      heldOutSamples: heldOut.length,
      heldOutAccuracy: correct / heldOut.length,
    },
  };
}

function predictWith(weights: Float64Array, version: string, item: FeatureSource): ReviewPrediction {
  const approval = probabilityOf(weights, reviewFeatures(item));
  return approval >= 0.5
    ? { outcome: 'approved', probability: approval, modelVersion: version }
    : { outcome: 'denied', probability: 1 - approval, modelVersion: version };
}

/** Synchronous and allocation-light: a few dozen multiplications and one hash per feature. */
export function predictReview(model: ReviewModel, item: FeatureSource): ReviewPrediction {
  return predictWith(model.weights, model.version, item);
}
