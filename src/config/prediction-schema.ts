import { z } from 'zod';
import { durationBetween as durationSetting } from './duration.js';

/**
 * `governance.analytics.models`, `.prediction` and `.calibration`: the review-outcome model and the
 * confidence calibrator (docs/governance.md, "Prediction and calibration"). Lelu documents
 * MIN_SAMPLES_FOR_MODEL, MODEL_UPDATE_INTERVAL, CONFIDENCE_MODEL_WINDOW, REVIEW_MODEL_WINDOW,
 * CONFIDENCE_PREDICTION_THRESHOLD and REVIEW_PREDICTION_THRESHOLD and wires in no model; here
 * each is read, and tested.
 */

const day = 86_400_000;

/** A duration setting of this section, in milliseconds. */
function durationBetween(lowest: number, highest: number, shown: string) {
  return durationSetting(lowest, highest, shown, '6h, 14d, 90m or 1d12h');
}

/** A year of reviews at most: older ones say little about today's agents. */
const windowSchema = (fallback: string) =>
  durationBetween(1_000, 365 * day, '1s and 365d').prefault(fallback);

export const modelsSchema = z
  .strictObject({
    /** MIN_SAMPLES_FOR_MODEL: reviews in its window before a model is trained and used. */
    min_samples: z.number().int().min(10).max(1_000_000).default(100),
    /**
     * MODEL_UPDATE_INTERVAL: how often both models are retrained. At most 7 days (a longer timer
     * would overflow Node's), at least a second.
     */
    update_interval: durationBetween(1_000, 7 * day, '1s and 7d').prefault('6h'),
  })
  .prefault({});

export const predictionSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** REVIEW_MODEL_WINDOW. */
    window: windowSchema('14d'),
    /** REVIEW_PREDICTION_THRESHOLD: below 0.5 every prediction would pass it. */
    threshold: z.number().min(0.5).max(1).default(0.6),
    auto_resolve: z.enum(['off', 'approve', 'deny', 'both']).default('off'),
  })
  .prefault({});

export const calibrationSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** CONFIDENCE_MODEL_WINDOW. */
    window: windowSchema('30d'),
    /** CONFIDENCE_PREDICTION_THRESHOLD: the least held-out accuracy at which the gates use it. */
    threshold: z.number().min(0).max(1).default(0.7),
  })
  .prefault({});
