/**
 * What the confidence calibrator tells the gates (analytics/calibration fits it from reviewers'
 * outcomes). Synchronous and in memory: a decision never waits on it.
 */
export interface ConfidenceCalibration {
  /**
   * The calibrated value of a measured confidence, which the gates then compare instead; undefined
   * when no calibrator is in use or the confidence lies outside the range it was fitted on.
   */
  calibrate(confidence: number): number | undefined;
}

/** No calibrator: the gates see the measured confidence. */
export const noCalibration: ConfidenceCalibration = Object.freeze({ calibrate: () => undefined });
