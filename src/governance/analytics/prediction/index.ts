/**
 * Review-outcome prediction (docs/governance.md, "Prediction and calibration"): a logistic
 * regression over hashed features of a review item, trained on what people decided, measured on
 * the most recent reviews held out, shown on queue items and, when configured, resolving them. The
 * trainer here keeps the confidence calibrator (../calibration) trained by the same rules.
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
export {
  defaultModelSettings,
  defaultModelsSection,
  maxTrainingSamples,
  modelSettingsFrom,
  type AutoResolveMode,
  type ModelSettings,
  type ModelsConfigSection,
} from './model-settings.js';
export {
  automaticResolvedBy,
  automaticResolverKeyId,
  resolvedByPerson,
  type ReviewOutcomeQuery,
  type ReviewOutcomeStore,
} from './review-outcome-store.js';
export {
  ignorePredictions,
  type PredictionModelName,
  type PredictionObserver,
  type TrainedFigures,
} from './prediction-observer.js';
export { automaticResolution } from './auto-resolution.js';
export {
  createModelUpkeep,
  type ModelState,
  type ModelStatus,
  type ModelUpkeep,
  type ModelUpkeepDependencies,
} from './model-upkeep.js';
export {
  createReviewAdvisor,
  noReviewAdvice,
  type ReviewAdvisor,
  type ReviewAdvisorDependencies,
} from './review-advisor.js';
export { modelReports, type ModelReport } from './model-report.js';
