import { performance } from 'node:perf_hooks';
import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import { gateCalibration } from '../governance/analytics/calibration/index.js';
import {
  createModelUpkeep,
  createReviewAdvisor,
  modelReports,
  modelSettingsFrom,
  type ModelStatus,
  type ReviewAdvisor,
} from '../governance/analytics/prediction/index.js';
import type { ConfidenceCalibration } from '../governance/index.js';
import { registerPredictionRoutes } from '../http/index.js';
import type { KeyService } from '../keys/index.js';
import type { SqlStores } from '../stores/sql/index.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

export interface PredictionNeeds {
  readonly config: Config;
  readonly stores: SqlStores;
  readonly keys: KeyService;
  readonly codec: DialectCodec;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface PredictionParts {
  /** For the review queue: predictions on pending items, automatic resolution, resolutions to learn from. */
  readonly advisor: ReviewAdvisor;
  /** For the gates: the confidence calibrator, once it qualifies. */
  readonly calibration: ConfidenceCalibration;
}

const summary = (status: ModelStatus<{ version: string; heldOutAccuracy: number }>) => ({
  state: status.state,
  version: status.model?.version,
  heldOutAccuracy: status.model?.heldOutAccuracy,
  samplesInWindow: status.samplesInWindow,
});

/**
 * The review-outcome model and the confidence calibrator (docs/governance.md, "Prediction and
 * calibration"): trained from the database at start, every update interval and after enough new
 * reviews, off the request path; the queue and the gates read them in memory. Assembled before the
 * review queue and governance, which take its parts; closed after them.
 */
export function assemblePrediction(needs: PredictionNeeds): Contribution<PredictionParts> {
  const { logger, metrics } = needs;
  const settings = modelSettingsFrom(needs.config.governance.analytics);
  const elapsed = () => performance.now();
  const upkeep = createModelUpkeep({
    store: needs.stores.reviewOutcomes,
    settings,
    observer: metrics,
    now: Date.now,
    elapsed,
    yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
    onError: (error, message) => logger.warn({ err: error }, message),
    onTrained: ({ review, calibration }) =>
      logger.info(
        { models: { review: summary(review), calibration: summary(calibration) } },
        'prediction models trained',
      ),
  });
  upkeep.start();
  const advisor = createReviewAdvisor({
    upkeep,
    settings: settings.prediction,
    observer: metrics,
    elapsed,
    onError: (error, message) => logger.warn({ err: error }, message),
  });
  return {
    parts: {
      advisor,
      calibration: gateCalibration({
        calibratorInUse: () => upkeep.calibratorInUse(),
        observer: metrics,
        elapsed,
      }),
    },
    close: () => upkeep.stop(),
    routes: [
      (app) =>
        registerPredictionRoutes(app, {
          models: () => modelReports(upkeep, settings),
          keys: needs.keys,
          codec: needs.codec,
        }),
    ],
  };
}
