/**
 * Review-outcome prediction (docs/governance.md, "Prediction and calibration"): a logistic
 * regression over hashed features of a review item, trained on what people decided, measured on
 * the most recent reviews held out, shown on queue items and, when configured, resolving them.
 */
export { splitHeldOut, heldOutFraction, type HeldOutSplit } from './held-out.js';
export { modelVersion } from './model-version.js';
export {
  predictReview,
  trainReviewModel,
  type ReviewModel,
  type ReviewPrediction,
  type ReviewTraining,
} from './review-model.js';
