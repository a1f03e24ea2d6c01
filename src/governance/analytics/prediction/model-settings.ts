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

/** An empty `governance.analytics` section as the schema fills it in: Lelu's documented values. */
export const defaultModelsSection: ModelsConfigSection = {
  models: { min_samples: 100, update_interval: 6 * hour },
  prediction: { enabled: true, window: 14 * day, threshold: 0.6, auto_resolve: 'off' },
  calibration: { enabled: true, window: 30 * day, threshold: 0.7 },
};

export const defaultModelSettings: ModelSettings = modelSettingsFrom(defaultModelsSection);
