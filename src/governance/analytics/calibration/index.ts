/**
 * The confidence calibrator (docs/governance.md, "Prediction and calibration"): isotonic regression
 * of reviewers' outcomes on measured confidence, which the gates use once it is fitted and accurate
 * enough on the most recent reviews held out. Trained by the prediction module's trainer.
 */
export { fitIsotonic, isotonicValue, type IsotonicFit } from './isotonic-regression.js';
export {
  calibrate,
  isCalibrationSample,
  trainCalibrator,
  type CalibrationTraining,
  type ConfidenceCalibrator,
} from './confidence-calibrator.js';
export { gateCalibration } from './gate-calibration.js';
