import { describe, expect, it } from 'vitest';
import type { ResolveOutcome, ResolveRequest, ReviewItem } from '../../review/index.js';
import { automaticResolution } from './auto-resolution.js';
import { defaultModelSettings, type AutoResolveMode } from './model-settings.js';
import type { ModelStatus } from './model-upkeep.js';
import { createReviewAdvisor } from './review-advisor.js';
import { trainReviewModel, type ReviewModel, type ReviewPrediction } from './review-model.js';
import { syntheticReviews, usualOutcome } from './test-reviews.js';

/**
 * Automatic resolution: never unless configured for the predicted outcome, only strictly above the
 * threshold, through the queue's resolution, and named as such; predictions shown on pending items.
 */

const model = { heldOutAccuracy: 0.9, heldOutSamples: 60 };
const prediction = (outcome: 'approved' | 'denied', probability: number): ReviewPrediction => ({
  outcome,
  probability,
  modelVersion: 'lr-0123456789ab',
});

describe('whether a prediction resolves its review', () => {
  const resolves = (
    mode: AutoResolveMode,
    outcome: 'approved' | 'denied',
    probability: number,
    threshold = 0.6,
  ) =>
    automaticResolution(prediction(outcome, probability), model, { autoResolve: mode, threshold }) !==
    undefined;

  it('never when auto_resolve is off, however sure the model is', () => {
    expect(resolves('off', 'approved', 0.999)).toBe(false);
    expect(resolves('off', 'denied', 0.999)).toBe(false);
  });

  it('only for the outcomes auto_resolve names', () => {
    expect([resolves('approve', 'approved', 0.9), resolves('approve', 'denied', 0.9)]).toEqual([true, false]);
    expect([resolves('deny', 'approved', 0.9), resolves('deny', 'denied', 0.9)]).toEqual([false, true]);
    expect([resolves('both', 'approved', 0.9), resolves('both', 'denied', 0.9)]).toEqual([true, true]);
  });

  it('only when the probability exceeds the threshold (REVIEW_PREDICTION_THRESHOLD), not when it equals it', () => {
    expect(resolves('both', 'approved', 0.6)).toBe(false);
    expect(resolves('both', 'approved', 0.6001)).toBe(true);
    expect(resolves('both', 'approved', 0.9, 0.95)).toBe(false);
    expect(resolves('both', 'approved', 0.96, 0.95)).toBe(true);
  });

  it('names itself and gives its reasons', () => {
    expect(
      automaticResolution(prediction('denied', 0.91234), model, { autoResolve: 'both', threshold: 0.8 }),
    ).toEqual({
      status: 'denied',
      resolvedBy: 'gatehouse:prediction',
      resolverKeyId: 'prediction',
      note:
        'resolved automatically: the review-outcome model lr-0123456789ab predicted denied with probability ' +
        '0.912, above the threshold 0.8 (held-out accuracy 0.900 on 60 reviews)',
    });
  });
});

describe('the review advisor', () => {
  const trained = trainReviewModel(syntheticReviews({ count: 200, noise: 0 }), { minSamples: 100, now: 0 });
  if (trained.type !== 'trained') throw new Error('expected a model');
  const ready: ModelStatus<ReviewModel> = {
    state: 'ready',
    model: trained.model,
    samplesInWindow: 200,
    lastTrainingAt: 0,
    trainings: 1,
  };
  const [resolved] = syntheticReviews({ count: 1, seed: 3, noise: 0 });
  if (resolved === undefined) throw new Error('expected an item');
  const pending: ReviewItem = {
    ...resolved,
    status: 'pending',
    resolvedAt: undefined,
    resolvedBy: undefined,
    resolverKeyId: undefined,
  };

  function advisor(status: ModelStatus<ReviewModel>, autoResolve: AutoResolveMode, threshold = 0.6) {
    const record = { predicted: [] as string[], autoResolved: [] as string[], errors: [] as string[] };
    const created = createReviewAdvisor({
      upkeep: { reviewModel: () => status, reviewed: () => undefined },
      settings: { ...defaultModelSettings.prediction, autoResolve, threshold },
      observer: {
        predicted: (name, outcome) => record.predicted.push(`${name}:${outcome}`),
        predictionModelTrained: () => undefined,
        reviewAutoResolved: (outcome) => record.autoResolved.push(outcome),
      },
      elapsed: () => performance.now(),
      onError: (_error, message) => record.errors.push(message),
    });
    return { advisor: created, record };
  }

  const resolver = (answer: (request: ResolveRequest) => Promise<ResolveOutcome>) => {
    const requests: ResolveRequest[] = [];
    return {
      requests,
      resolve: (_id: string, request: ResolveRequest) => {
        requests.push(request);
        return answer(request);
      },
    };
  };
  const succeeds = (request: ResolveRequest): Promise<ResolveOutcome> =>
    Promise.resolve({ type: 'resolved', item: { ...pending, status: request.status } });

  it('shows the prediction on pending items only, and none without a model', () => {
    const { advisor: ready$ } = advisor(ready, 'off');
    expect(ready$.predictionFor(pending)).toMatchObject({
      outcome: usualOutcome(pending.actor, pending.action),
      modelVersion: trained.model.version,
    });
    expect(ready$.predictionFor(resolved)).toBeUndefined();
    const { advisor: none } = advisor({ ...ready, state: 'not_trained', model: undefined }, 'both');
    expect(none.predictionFor(pending)).toBeUndefined();
  });

  it('counts each queued item’s prediction and resolves none when auto_resolve is off', async () => {
    const { advisor: off, record } = advisor(ready, 'off');
    const calls = resolver(succeeds);
    expect(await off.queued(pending, calls.resolve)).toBe(false);
    expect(calls.requests).toEqual([]);
    expect(record.predicted).toHaveLength(1);
    expect(record.predicted[0]).toMatch(/^review_outcome:(approved|denied)$/);
  });

  it('resolves a confident prediction through the queue and counts it', async () => {
    const { advisor: both, record } = advisor(ready, 'both', 0.6);
    const calls = resolver(succeeds);
    const expected = both.predictionFor(pending);
    expect(expected?.probability).toBeGreaterThan(0.6);
    expect(await both.queued(pending, calls.resolve)).toBe(true);
    expect(calls.requests[0]).toMatchObject({
      status: expected?.outcome,
      resolvedBy: 'gatehouse:prediction',
    });
    expect(record.autoResolved).toEqual([expected?.outcome]);
  });

  it('leaves the item pending when the resolution loses a race or fails', async () => {
    const { advisor: both, record } = advisor(ready, 'both', 0.5);
    const raced = resolver(() => Promise.resolve({ type: 'already_resolved', item: resolved }));
    expect(await both.queued(pending, raced.resolve)).toBe(false);
    const failing = resolver(() => Promise.reject(new Error('the database is away')));
    expect(await both.queued(pending, failing.resolve)).toBe(false);
    expect(record.errors).toEqual(['resolving a review automatically failed; it stays pending']);
    expect(record.autoResolved).toEqual([]);
  });
});
