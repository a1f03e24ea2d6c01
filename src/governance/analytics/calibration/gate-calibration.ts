import type { ConfidenceCalibration } from '../../decisions/calibration.js';
import type { PredictionObserver } from '../prediction/prediction-observer.js';
import { calibrate, type ConfidenceCalibrator } from './confidence-calibrator.js';

/**
 * The calibrator as the gates see it: synchronous, in memory, a binary search and a line. Each
 * decision whose confidence it maps is counted, with the time it took.
 */
export function gateCalibration(dependencies: {
  readonly calibratorInUse: () => ConfidenceCalibrator | undefined;
  readonly observer: PredictionObserver;
  /** A monotonic clock in milliseconds. */
  readonly elapsed: () => number;
}): ConfidenceCalibration {
  const { observer, elapsed } = dependencies;
  return {
    calibrate(confidence) {
      const calibrator = dependencies.calibratorInUse();
      if (calibrator === undefined) return undefined;
      const started = elapsed();
      const calibrated = calibrate(calibrator, confidence);
      if (calibrated !== undefined)
        observer.predicted('confidence_calibration', 'calibrated', (elapsed() - started) / 1000);
      return calibrated;
    },
  };
}
