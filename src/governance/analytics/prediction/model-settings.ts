/**
 * The settings of the review-outcome model and the confidence calibrator, as the configuration's
 * `governance.analytics` section gives them (durations already in milliseconds), declared
 * structurally so this module does not import `config/`.
 */

/** Which predicted outcomes may resolve a review without a person: none (the default), one, or both. */
export type AutoResolveMode = 'off' | 'approve' | 'deny' | 'both';

export interface ModelsConfigSection {
  readonly models: { readonly min_samples: number; readonly update_interval: number };
  readonly prediction: {
    readonly enabled: boolean;
    readonly window: number;
    readonly threshold: number;
    readonly auto_resolve: AutoResolveMode;
  };
  readonly calibration: { readonly enabled: boolean; readonly window: number; readonly threshold: number };
}

export interface ModelSettings {
  /** MIN_SAMPLES_FOR_MODEL: reviews a model needs in its window before it is trained and used. */
  readonly minSamples: number;
  /** MODEL_UPDATE_INTERVAL: both models are retrained this often (and sooner on new reviews). */
  readonly updateIntervalMs: number;
  readonly prediction: {
    readonly enabled: boolean;
    /** REVIEW_MODEL_WINDOW: reviews resolved this long ago at most are its samples. */
    readonly windowMs: number;
    /** REVIEW_PREDICTION_THRESHOLD: a prediction resolves a review only when its probability exceeds this. */
    readonly threshold: number;
    readonly autoResolve: AutoResolveMode;
  };
  readonly calibration: {
    readonly enabled: boolean;
    /** CONFIDENCE_MODEL_WINDOW. */
    readonly windowMs: number;
    /**
     * CONFIDENCE_PREDICTION_THRESHOLD: the gates use the calibrator only while its accuracy on the
     * held-out reviews is at least this.
     */
    readonly threshold: number;
  };
}

/** At most this many reviews (the most recent) train a model: a bounded cost, whatever the window. */
export const maxTrainingSamples = 20_000;

export function modelSettingsFrom(section: ModelsConfigSection): ModelSettings {
  return {
    minSamples: section.models.min_samples,
    updateIntervalMs: section.models.update_interval,
    prediction: {
      enabled: section.prediction.enabled,
      windowMs: section.prediction.window,
      threshold: section.prediction.threshold,
      autoResolve: section.prediction.auto_resolve,
    },
    calibration: {
      enabled: section.calibration.enabled,
      windowMs: section.calibration.window,
      threshold: section.calibration.threshold,
    },
  };
}

const hour = 3_600_000;
const day = 24 * hour;

/** The defaults (Lelu's documented values), for tests and tools that build settings without a file. */
export const defaultModelSettings: ModelSettings = {
  minSamples: 100,
  updateIntervalMs: 6 * hour,
  prediction: { enabled: true, windowMs: 14 * day, threshold: 0.6, autoResolve: 'off' },
  calibration: { enabled: true, windowMs: 30 * day, threshold: 0.7 },
};
