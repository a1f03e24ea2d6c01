import type { ReviewItem } from './review-item.js';

/**
 * What the review queue tells the rest of the gateway (the audit trail, notifications): an item
 * was created, or resolved (approved, denied, or denied by expiry). Emitted once per item and
 * change, on the replica (or command) that made the change.
 */
export interface ReviewEvents {
  created(item: ReviewItem): void;
  resolved(item: ReviewItem): void;
}

/** What metrics learn of the queue (the telemetry module's metrics satisfy it). */
export interface ReviewObserver {
  reviewed(outcome: 'queued' | 'approved' | 'denied' | 'expired'): void;
}

export const discardReviewEvents: ReviewEvents = { created: () => undefined, resolved: () => undefined };
export const ignoreReviews: ReviewObserver = { reviewed: () => undefined };
