import type { ModelSettings } from './model-settings.js';
import type { ModelState, ModelUpkeep } from './model-upkeep.js';
import type { PredictionModelName } from './prediction-observer.js';

/** What `GET /v1/analytics/models` shows of one model on this replica. */
export interface ModelReport {
  readonly name: PredictionModelName;
  readonly state: ModelState;
  /** The review model exists; the calibrator exists and the gates use it. */
  readonly inUse: boolean;
  readonly version: string | undefined;
  /** Unix milliseconds: when the model in force was trained. */
  readonly trainedAt: number | undefined;
  /** Unix milliseconds: the last training, whatever it came to. */
  readonly lastTrainingAt: number | undefined;
  readonly trainings: number;
  readonly samples: {
    readonly inWindow: number | undefined;
    readonly training: number | undefined;
    readonly heldOut: number | undefined;
  };
  readonly heldOutAccuracy: number | undefined;
  readonly minSamples: number;
  readonly windowMs: number;
  readonly updateIntervalMs: number;
  /** REVIEW_PREDICTION_THRESHOLD or CONFIDENCE_PREDICTION_THRESHOLD. */
  readonly threshold: number;
  /** The review model only. */
  readonly autoResolve?: string;
  /** The calibrator only. */
  readonly calibration?: {
    readonly brier: { readonly measured: number; readonly calibrated: number };
    readonly range: { readonly lowest: number; readonly highest: number };
  };
}

export function modelReports(
  upkeep: Pick<ModelUpkeep, 'reviewModel' | 'calibrator' | 'calibratorInUse'>,
  settings: ModelSettings,
): readonly ModelReport[] {
  const review = upkeep.reviewModel();
  const calibration = upkeep.calibrator();
  const shared = { minSamples: settings.minSamples, updateIntervalMs: settings.updateIntervalMs };
  const calibrator = calibration.model;
  return [
    {
      name: 'review_outcome',
      state: review.state,
      inUse: review.model !== undefined,
      version: review.model?.version,
      trainedAt: review.model?.trainedAt,
      lastTrainingAt: review.lastTrainingAt,
      trainings: review.trainings,
      samples: {
        inWindow: review.samplesInWindow,
        training: review.model?.trainingSamples,
        heldOut: review.model?.heldOutSamples,
      },
      heldOutAccuracy: review.model?.heldOutAccuracy,
      ...shared,
      windowMs: settings.prediction.windowMs,
      threshold: settings.prediction.threshold,
      autoResolve: settings.prediction.autoResolve,
    },
    {
      name: 'confidence_calibration',
      state: calibration.state,
      inUse: upkeep.calibratorInUse() !== undefined,
      version: calibrator?.version,
      trainedAt: calibrator?.trainedAt,
      lastTrainingAt: calibration.lastTrainingAt,
      trainings: calibration.trainings,
      samples: {
        inWindow: calibration.samplesInWindow,
        training: calibrator?.trainingSamples,
        heldOut: calibrator?.heldOutSamples,
      },
      heldOutAccuracy: calibrator?.heldOutAccuracy,
      ...shared,
      windowMs: settings.calibration.windowMs,
      threshold: settings.calibration.threshold,
      ...(calibrator === undefined
        ? {}
        : { calibration: { brier: calibrator.brier, range: calibrator.range } }),
    },
  ];
}
