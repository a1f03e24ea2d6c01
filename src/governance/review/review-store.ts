import type { ReviewItem, Resolution } from './review-item.js';

/** What the review queue needs from a database (implemented in stores/sql, on SQLite and Postgres). */

export interface PendingFilter {
  readonly tenantId?: string | undefined;
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  /** Only items after this position (oldest first: by enqueue time, then id). */
  readonly after?: { readonly enqueuedAt: number; readonly id: string } | undefined;
  readonly limit: number;
}

export type StoredResolution =
  | { readonly type: 'resolved'; readonly item: ReviewItem }
  /** No pending, unexpired item with that id: unknown, resolved already, or expired. */
  | { readonly type: 'not_pending' };

export interface ReviewStore {
  insert(item: ReviewItem): Promise<void>;
  /** By review id, or by the trace id of the decision that created it. */
  find(idOrTraceId: string): Promise<ReviewItem | undefined>;
  /** Pending items not expired at `now`, oldest first. */
  listPending(filter: PendingFilter, now: number): Promise<readonly ReviewItem[]>;
  /** Pending items not expired at `now`. */
  countPending(now: number): Promise<number>;
  /**
   * Resolves the item if, and only if, it is still pending and unexpired at `now`, in one
   * conditional write: of two resolutions racing (on two replicas), exactly one succeeds.
   */
  resolve(id: string, resolution: Resolution, now: number): Promise<StoredResolution>;
  /** Writes down the expiry of every pending item whose TTL ran out by `now`; returns them, expired. */
  expire(now: number): Promise<readonly ReviewItem[]>;
}

/**
 * How the replicas tell each other that an item was resolved (Redis pub/sub, Postgres
 * LISTEN/NOTIFY, or in process). The message is only the item's id: a receiver reads the item from
 * the store, so the channel is never trusted with an outcome.
 */
export interface ReviewWakeChannel {
  publish(id: string): Promise<void>;
  /** Hears every id published from now on, on any replica; returns the unsubscribe. */
  subscribe(listener: (id: string) => void): () => void;
}
