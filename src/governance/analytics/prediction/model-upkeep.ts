import type { ReviewItem } from '../../review/index.js';
import { trainCalibrator, type ConfidenceCalibrator } from '../calibration/confidence-calibrator.js';
import { maxTrainingSamples, type ModelSettings } from './model-settings.js';
import type { PredictionObserver } from './prediction-observer.js';
import { reviewModelTraining, type ReviewModel } from './review-model.js';
import { resolvedByPerson, type ReviewOutcomeStore } from './review-outcome-store.js';

/**
 * Keeps both models trained, off the request path: at start, every `updateIntervalMs`, and as soon
 * as this replica has seen `minSamples` new reviews since its last training. A training reads the
 * window's reviews once per model and fits in slices between which the event loop serves requests;
 * runs never overlap (a request for one while one runs is served by one more run after it). Each
 * replica trains on its own from the shared database; the fit is deterministic, so replicas that
 * read the same reviews hold the same model. Nothing is persisted: a restart retrains.
 */

export type ModelState = 'disabled' | 'not_trained' | 'insufficient_samples' | 'ready';

export interface ModelStatus<Model> {
  readonly state: ModelState;
  /** The model in force; undefined unless `ready`. */
  readonly model: Model | undefined;
  /** Reviews found in the window at the last training. */
  readonly samplesInWindow: number | undefined;
  /** Unix milliseconds of the last training that completed. */
  readonly lastTrainingAt: number | undefined;
  /** Trainings completed since start. */
  readonly trainings: number;
}

export interface ModelUpkeepDependencies {
  readonly store: ReviewOutcomeStore;
  readonly settings: ModelSettings;
  readonly observer: PredictionObserver;
  /** Unix milliseconds. */
  readonly now: () => number;
  /** A monotonic clock in milliseconds (slicing the fit). */
  readonly elapsed: () => number;
  /** Resolves after the event loop has served what waits (setImmediate). */
  readonly yieldToEventLoop: () => Promise<void>;
  readonly onError: (error: unknown, message: string) => void;
  /** The training this replica logs; optional. */
  readonly onTrained?: (report: {
    review: ModelStatus<ReviewModel>;
    calibration: ModelStatus<ConfidenceCalibrator>;
  }) => void;
}

export interface ModelUpkeep {
  reviewModel(): ModelStatus<ReviewModel>;
  calibrator(): ModelStatus<ConfidenceCalibrator>;
  /** The calibrator the gates use: fitted, enabled, and at least as accurate as the threshold. */
  calibratorInUse(): ConfidenceCalibrator | undefined;
  /** Trains now (after the run under way, if any); resolves when that training has completed. */
  train(): Promise<void>;
  /** A review resolved on this replica; a person's counts toward an early retraining. */
  reviewed(item: Pick<ReviewItem, 'status' | 'resolverKeyId'>): void;
  /** Starts training at once and then every `updateIntervalMs`. */
  start(): void;
  /** Stops the timer and waits for a training under way. */
  stop(): Promise<void>;
}

/** A slice of the fit runs at most this long before the event loop gets a turn. */
const sliceMs = 10;

const initial = <Model>(enabled: boolean): ModelStatus<Model> => ({
  state: enabled ? 'not_trained' : 'disabled',
  model: undefined,
  samplesInWindow: undefined,
  lastTrainingAt: undefined,
  trainings: 0,
});

export function createModelUpkeep(dependencies: ModelUpkeepDependencies): ModelUpkeep {
  const { settings, store, observer } = dependencies;
  let review = initial<ReviewModel>(settings.prediction.enabled);
  let calibration = initial<ConfidenceCalibrator>(settings.calibration.enabled);
  let reviewsSinceTraining = 0;
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;

  async function runInSlices<Result>(steps: Generator<void, Result>): Promise<Result> {
    let sliceStart = dependencies.elapsed();
    for (;;) {
      const next = steps.next();
      if (next.done === true) return next.value;
      if (dependencies.elapsed() - sliceStart >= sliceMs) {
        await dependencies.yieldToEventLoop();
        sliceStart = dependencies.elapsed();
      }
    }
  }

  const samplesSince = (windowMs: number, now: number) =>
    store.reviewedSince({ since: now - windowMs, limit: maxTrainingSamples });

  async function trainReview(now: number): Promise<void> {
    const samples = await samplesSince(settings.prediction.windowMs, now);
    const training = await runInSlices(
      reviewModelTraining(samples, { minSamples: settings.minSamples, now }),
    );
    const model = training.type === 'trained' ? training.model : undefined;
    review = {
      state: model === undefined ? 'insufficient_samples' : 'ready',
      model,
      samplesInWindow: samples.length,
      lastTrainingAt: now,
      trainings: review.trainings + 1,
    };
    observer.predictionModelTrained('review_outcome', {
      inUse: model !== undefined,
      heldOutAccuracy: model?.heldOutAccuracy,
      trainingSamples: model?.trainingSamples ?? 0,
      heldOutSamples: model?.heldOutSamples ?? 0,
    });
  }

  async function trainCalibration(now: number): Promise<void> {
    const samples = await samplesSince(settings.calibration.windowMs, now);
    const training = trainCalibrator(samples, { minSamples: settings.minSamples, now });
    const model = training.type === 'trained' ? training.calibrator : undefined;
    calibration = {
      state: model === undefined ? 'insufficient_samples' : 'ready',
      model,
      // Reviews with a measured confidence: the calibrator's samples.
      samplesInWindow:
        training.type === 'trained'
          ? training.calibrator.trainingSamples + training.calibrator.heldOutSamples
          : training.samples,
      lastTrainingAt: now,
      trainings: calibration.trainings + 1,
    };
    observer.predictionModelTrained('confidence_calibration', {
      inUse: calibratorInUse() !== undefined,
      heldOutAccuracy: model?.heldOutAccuracy,
      trainingSamples: model?.trainingSamples ?? 0,
      heldOutSamples: model?.heldOutSamples ?? 0,
    });
  }

  /** Never rejects: a failed training keeps the models in force and is reported. */
  async function runOnce(): Promise<void> {
    const now = dependencies.now();
    if (settings.prediction.enabled) {
      await trainReview(now).catch((error: unknown) =>
        dependencies.onError(error, 'training the review-outcome model failed'),
      );
    }
    if (settings.calibration.enabled) {
      await trainCalibration(now).catch((error: unknown) =>
        dependencies.onError(error, 'training the confidence calibrator failed'),
      );
    }
    dependencies.onTrained?.({ review, calibration });
  }

  function train(): Promise<void> {
    if (running === undefined) {
      reviewsSinceTraining = 0;
      running = runOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = undefined;
      return train();
    });
    return queued;
  }

  function calibratorInUse(): ConfidenceCalibrator | undefined {
    const fitted = calibration.model;
    return fitted !== undefined && fitted.heldOutAccuracy >= settings.calibration.threshold
      ? fitted
      : undefined;
  }

  return {
    reviewModel: () => review,
    calibrator: () => calibration,
    calibratorInUse,
    train,
    reviewed(item) {
      if (stopped || !resolvedByPerson(item)) return;
      reviewsSinceTraining += 1;
      if (reviewsSinceTraining >= settings.minSamples) void train();
    },
    start() {
      if (!settings.prediction.enabled && !settings.calibration.enabled) return;
      void train();
      timer = setInterval(() => void train(), settings.updateIntervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      await queued;
      await running;
    },
  };
}
