import type { ReviewOutcome } from '../../review/index.js';

/** The two models, as metrics label them. */
export type PredictionModelName = 'review_outcome' | 'confidence_calibration';

export interface TrainedFigures {
  /** The review model exists; the calibrator exists and is good enough for the gates. */
  readonly inUse: boolean;
  /** Undefined while there is no model. */
  readonly heldOutAccuracy: number | undefined;
  readonly trainingSamples: number;
  readonly heldOutSamples: number;
}

/** What metrics learn of the models (the telemetry module's metrics satisfy it). */
export interface PredictionObserver {
  /** One prediction (`approved`/`denied`) or calibration (`calibrated`), and how long it took. */
  predicted(model: PredictionModelName, outcome: string, latencySeconds: number): void;
  /** After each training, whatever it came to. */
  predictionModelTrained(model: PredictionModelName, figures: TrainedFigures): void;
  reviewAutoResolved(outcome: ReviewOutcome): void;
}

export const ignorePredictions: PredictionObserver = {
  predicted: () => undefined,
  predictionModelTrained: () => undefined,
  reviewAutoResolved: () => undefined,
};
