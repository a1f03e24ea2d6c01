import type { ResolveOutcome, ResolveRequest, ReviewItem } from '../../review/index.js';
import { automaticResolution } from './auto-resolution.js';
import type { ModelSettings } from './model-settings.js';
import type { ModelUpkeep } from './model-upkeep.js';
import type { PredictionObserver } from './prediction-observer.js';
import { predictReview, type ReviewPrediction } from './review-model.js';

/**
 * What the review queue asks of the model: a prediction to show on a pending item, and, right after
 * an item is queued, whether to resolve it automatically — through the queue's own resolution, so
 * the audit record, the wake-up of waiters and the metrics are those of a person's resolution.
 */
export interface ReviewAdvisor {
  /** The current model's prediction for a pending item; undefined without a model or once resolved. */
  predictionFor(item: Omit<ReviewItem, 'policyIds'>): ReviewPrediction | undefined;
  /**
   * Predicts a newly queued item (counted in metrics) and resolves it when configured to and
   * confident enough; resolves true when it did. Never rejects: a failure leaves the item pending.
   */
  queued(
    item: ReviewItem,
    resolve: (id: string, request: ResolveRequest) => Promise<ResolveOutcome>,
  ): Promise<boolean>;
  /** Every resolution on this replica. */
  resolved(item: ReviewItem): void;
}

export const noReviewAdvice: ReviewAdvisor = {
  predictionFor: () => undefined,
  queued: () => Promise.resolve(false),
  resolved: () => undefined,
};

export interface ReviewAdvisorDependencies {
  readonly upkeep: Pick<ModelUpkeep, 'reviewModel' | 'reviewed'>;
  readonly settings: ModelSettings['prediction'];
  readonly observer: PredictionObserver;
  /** A monotonic clock in milliseconds (prediction latency). */
  readonly elapsed: () => number;
  readonly onError: (error: unknown, message: string) => void;
}

export function createReviewAdvisor(dependencies: ReviewAdvisorDependencies): ReviewAdvisor {
  const { upkeep, settings, observer } = dependencies;
  return {
    predictionFor(item) {
      const { model } = upkeep.reviewModel();
      return model === undefined || item.status !== 'pending' ? undefined : predictReview(model, item);
    },
    async queued(item, resolve) {
      const { model } = upkeep.reviewModel();
      if (model === undefined) return false;
      const started = dependencies.elapsed();
      const prediction = predictReview(model, item);
      observer.predicted('review_outcome', prediction.outcome, (dependencies.elapsed() - started) / 1000);
      const request = automaticResolution(prediction, model, settings);
      if (request === undefined) return false;
      try {
        const outcome = await resolve(item.id, request);
        if (outcome.type !== 'resolved') return false;
        observer.reviewAutoResolved(outcome.item.status === 'approved' ? 'approved' : 'denied');
        return true;
      } catch (error) {
        dependencies.onError(error, 'resolving a review automatically failed; it stays pending');
        return false;
      }
    },
    resolved: (item) => upkeep.reviewed(item),
  };
}
