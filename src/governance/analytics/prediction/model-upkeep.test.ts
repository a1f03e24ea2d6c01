import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReviewItem } from '../../review/index.js';
import { defaultModelSettings, maxTrainingSamples, type ModelSettings } from './model-settings.js';
import { createModelUpkeep, type ModelUpkeep } from './model-upkeep.js';
import type { PredictionModelName, TrainedFigures } from './prediction-observer.js';
import type { ReviewOutcomeQuery } from './review-outcome-store.js';
import { syntheticReviews } from './test-reviews.js';

/**
 * The trainer's rules over a store in memory: the window and the minimum decide whether there is a
 * model, trainings come at start, every interval and after enough new reviews, never overlap, and
 * a failed one keeps the models in force.
 */

const hour = 3_600_000;
const day = 24 * hour;
/** Trainings take milliseconds, or seconds on a loaded machine: waits allow for that. */
const patience = { timeout: 10_000 };

function settingsWith(overrides: Partial<ModelSettings> = {}): ModelSettings {
  return { ...defaultModelSettings, ...overrides };
}

interface Harness {
  readonly upkeep: ModelUpkeep;
  readonly queries: ReviewOutcomeQuery[];
  readonly trained: { model: PredictionModelName; figures: TrainedFigures }[];
  readonly errors: string[];
  clock: number;
  reviews: ReviewItem[];
  failing: boolean;
}

function harness(settings: ModelSettings, reviews: ReviewItem[], clock = Date.UTC(2026, 0, 10)): Harness {
  const state: Omit<Harness, 'upkeep'> = {
    queries: [],
    trained: [],
    errors: [],
    clock,
    reviews,
    failing: false,
  };
  const upkeep = createModelUpkeep({
    store: {
      reviewedSince(query) {
        state.queries.push(query);
        if (state.failing) return Promise.reject(new Error('the database is away'));
        return Promise.resolve(
          state.reviews.filter((item) => (item.resolvedAt ?? 0) >= query.since).slice(-query.limit),
        );
      },
    },
    settings,
    observer: {
      predicted: () => undefined,
      predictionModelTrained: (model, figures) => state.trained.push({ model, figures }),
      reviewAutoResolved: () => undefined,
    },
    now: () => state.clock,
    elapsed: () => performance.now(),
    yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
    onError: (_error, message) => state.errors.push(message),
  });
  return Object.assign(state, { upkeep });
}

/** 150 reviews, one a minute, the last resolved just before `end`. */
const recentReviews = (end: number, count = 150) =>
  syntheticReviews({ count, start: end - count * 60_000 - 60_000 });

afterEach(() => vi.useRealTimers());

describe('keeping the models trained', () => {
  it('trains both once there are min_samples reviews in their windows, reading each window once', async () => {
    const now = Date.UTC(2026, 0, 10);
    const test = harness(settingsWith(), recentReviews(now), now);
    await test.upkeep.train();
    expect(test.upkeep.reviewModel()).toMatchObject({ state: 'ready', samplesInWindow: 150, trainings: 1 });
    expect(test.upkeep.calibrator()).toMatchObject({ state: 'ready', samplesInWindow: 150, trainings: 1 });
    expect(test.queries).toEqual([
      { since: now - 14 * day, limit: maxTrainingSamples },
      { since: now - 30 * day, limit: maxTrainingSamples },
    ]);
    expect(test.trained.map((entry) => entry.model)).toEqual(['review_outcome', 'confidence_calibration']);
    expect(test.trained[0]?.figures).toMatchObject({ inUse: true, trainingSamples: 120, heldOutSamples: 30 });
  });

  it('has no model below min_samples (MIN_SAMPLES_FOR_MODEL), and one at a lower minimum', async () => {
    const now = Date.UTC(2026, 0, 10);
    const few = harness(settingsWith(), recentReviews(now, 60), now);
    await few.upkeep.train();
    expect(few.upkeep.reviewModel()).toMatchObject({ state: 'insufficient_samples', model: undefined });
    expect(few.upkeep.calibratorInUse()).toBeUndefined();
    expect(few.trained[0]?.figures).toEqual({
      inUse: false,
      heldOutAccuracy: undefined,
      trainingSamples: 0,
      heldOutSamples: 0,
    });
    const lower = harness(settingsWith({ minSamples: 50 }), recentReviews(now, 60), now);
    await lower.upkeep.train();
    expect(lower.upkeep.reviewModel().state).toBe('ready');
  });

  it('counts only the reviews in each window (REVIEW_MODEL_WINDOW, CONFIDENCE_MODEL_WINDOW)', async () => {
    const now = Date.UTC(2026, 0, 10);
    // Resolved 20 days ago: outside the review model's 14 days, inside the calibrator's 30.
    const old = recentReviews(now - 20 * day);
    const test = harness(settingsWith(), old, now);
    await test.upkeep.train();
    expect(test.upkeep.reviewModel()).toMatchObject({ state: 'insufficient_samples', samplesInWindow: 0 });
    expect(test.upkeep.calibrator().state).toBe('ready');
    const narrow = harness(
      settingsWith({ calibration: { ...defaultModelSettings.calibration, windowMs: 7 * day } }),
      old,
      now,
    );
    await narrow.upkeep.train();
    expect(narrow.upkeep.calibrator().state).toBe('insufficient_samples');
  });

  it('drops a model once its reviews age out of the window', async () => {
    const now = Date.UTC(2026, 0, 10);
    const test = harness(settingsWith(), recentReviews(now), now);
    await test.upkeep.train();
    expect(test.upkeep.reviewModel().state).toBe('ready');
    test.clock = now + 15 * day;
    await test.upkeep.train();
    expect(test.upkeep.reviewModel()).toMatchObject({ state: 'insufficient_samples', model: undefined });
  });

  it('puts the calibrator in use only when its held-out accuracy reaches the threshold (CONFIDENCE_PREDICTION_THRESHOLD)', async () => {
    const now = Date.UTC(2026, 0, 10);
    const reviews = syntheticReviews({
      count: 300,
      start: now - 301 * 60_000,
      noise: 0.1,
      outcome: (item) => (item.confidenceScore >= 0.8 ? 'approved' : 'denied'),
    });
    const lenient = harness(settingsWith(), reviews, now);
    await lenient.upkeep.train();
    const accuracy = lenient.upkeep.calibrator().model?.heldOutAccuracy ?? 0;
    expect(accuracy).toBeGreaterThan(0.7);
    expect(accuracy).toBeLessThan(1);
    expect(lenient.upkeep.calibratorInUse()).toBeDefined();
    const strict = harness(
      settingsWith({ calibration: { ...defaultModelSettings.calibration, threshold: 1 } }),
      reviews,
      now,
    );
    await strict.upkeep.train();
    expect(strict.upkeep.calibrator().state).toBe('ready');
    expect(strict.upkeep.calibratorInUse()).toBeUndefined();
    expect(strict.trained.find((entry) => entry.model === 'confidence_calibration')?.figures.inUse).toBe(
      false,
    );
  });

  it('leaves a disabled model alone', async () => {
    const now = Date.UTC(2026, 0, 10);
    const test = harness(
      settingsWith({ prediction: { ...defaultModelSettings.prediction, enabled: false } }),
      recentReviews(now),
      now,
    );
    await test.upkeep.train();
    expect(test.upkeep.reviewModel()).toMatchObject({ state: 'disabled', trainings: 0 });
    expect(test.queries).toHaveLength(1);
  });

  it('retrains every update interval (MODEL_UPDATE_INTERVAL), starting at once', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const now = Date.UTC(2026, 0, 10);
    const sixHours = harness(settingsWith(), recentReviews(now), now);
    const oneHour = harness(settingsWith({ updateIntervalMs: hour }), recentReviews(now), now);
    for (const test of [sixHours, oneHour]) test.upkeep.start();
    await vi.waitFor(() => expect(sixHours.upkeep.reviewModel().trainings).toBe(1), patience);
    // Hour by hour, each training finished before the next is due.
    for (let hours = 1; hours <= 6; hours += 1) {
      await vi.advanceTimersByTimeAsync(hour);
      await vi.waitFor(() => expect(oneHour.upkeep.reviewModel().trainings).toBe(1 + hours), patience);
      await vi.waitFor(
        () => expect(sixHours.upkeep.reviewModel().trainings).toBe(hours < 6 ? 1 : 2),
        patience,
      );
    }
    for (const test of [sixHours, oneHour]) await test.upkeep.stop();
    await vi.advanceTimersByTimeAsync(12 * hour);
    expect(sixHours.upkeep.reviewModel().trainings).toBe(2);
  });

  it('retrains early once min_samples new reviews by people arrive; expiries and automatic resolutions do not count', async () => {
    const now = Date.UTC(2026, 0, 10);
    const test = harness(settingsWith({ minSamples: 10 }), recentReviews(now), now);
    await test.upkeep.train();
    const person = { status: 'approved', resolverKeyId: 'key_reviewer' } as const;
    for (let count = 0; count < 20; count += 1) {
      test.upkeep.reviewed({ status: 'denied', resolverKeyId: undefined });
      test.upkeep.reviewed({ status: 'approved', resolverKeyId: 'prediction' });
    }
    for (let count = 0; count < 9; count += 1) test.upkeep.reviewed(person);
    await test.upkeep.train().then(() => undefined);
    expect(test.upkeep.reviewModel().trainings).toBe(2);
    for (let count = 0; count < 10; count += 1) test.upkeep.reviewed(person);
    await vi.waitFor(() => expect(test.upkeep.reviewModel().trainings).toBe(3), patience);
  });

  it('never runs two trainings at once: requests during one make one more run after it', async () => {
    const now = Date.UTC(2026, 0, 10);
    const test = harness(settingsWith(), recentReviews(now), now);
    const first = test.upkeep.train();
    const later = [test.upkeep.train(), test.upkeep.train(), test.upkeep.train()];
    await Promise.all([first, ...later]);
    expect(test.upkeep.reviewModel().trainings).toBe(2);
    expect(test.queries).toHaveLength(4);
  });

  it('keeps the models in force when a training fails, and says so', async () => {
    const now = Date.UTC(2026, 0, 10);
    const test = harness(settingsWith(), recentReviews(now), now);
    await test.upkeep.train();
    const { model } = test.upkeep.reviewModel();
    test.failing = true;
    await test.upkeep.train();
    expect(test.upkeep.reviewModel().model).toBe(model);
    expect(test.errors).toEqual([
      'training the review-outcome model failed',
      'training the confidence calibrator failed',
    ]);
  });
});
