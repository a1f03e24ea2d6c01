/**
 * Human review: the queue of agent actions a decision sent to a person (GOVERNANCE.md, "Review
 * request record"). It declares the store and the wake channel it needs; `stores/` implements them
 * and `http/agent/queue-routes.ts` serves the routes.
 */
export {
  expiredResolver,
  expiryResolution,
  isResolved,
  itemAt,
  newReviewId,
  type ReviewItem,
  type ReviewOutcome,
  type ReviewStatus,
  type Resolution,
} from './review-item.js';
export type { PendingFilter, ReviewStore, ReviewWakeChannel, StoredResolution } from './review-store.js';
export {
  discardReviewEvents,
  ignoreReviews,
  type ReviewEvents,
  type ReviewObserver,
} from './review-events.js';
export {
  createReviewQueue,
  type ResolveOutcome,
  type ResolveRequest,
  type ReviewDetails,
  type ReviewQueue,
  type ReviewQueueDependencies,
} from './review-queue.js';
export {
  waitForResolution,
  type Timers,
  type WaitOutcome,
  type WaiterDependencies,
} from './review-waiter.js';
export { createInProcessWakeChannel, createListenerSet, createReadyLatch } from './in-process-channel.js';
export { startReviewSweeper } from './review-sweeper.js';
export { reviewDetailsOf } from './review-details.js';
