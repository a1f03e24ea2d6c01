import type { ReviewEvents, ReviewObserver } from './review-events.js';
import { isResolved, itemAt, type ReviewItem, type ReviewOutcome } from './review-item.js';
import type { PendingFilter, ReviewStore, ReviewWakeChannel } from './review-store.js';
import { waitForResolution, type Timers, type WaitOutcome } from './review-waiter.js';

/**
 * The human-review queue: items live in the database (never in process memory), so every replica
 * and the command line see the same queue; resolutions wake waiters on every replica through the
 * wake channel. Resolution is exactly once (a conditional write), and a pending item past its TTL
 * is denied as expired, for readers at once and in the database by the sweeper.
 */

export interface ReviewQueueDependencies {
  readonly store: ReviewStore;
  readonly channel: ReviewWakeChannel;
  readonly events: ReviewEvents;
  readonly observer: ReviewObserver;
  /** How long an item stays pending before it is denied as expired. */
  readonly ttlMs: number;
  /** Unix milliseconds. */
  readonly now: () => number;
  readonly newId: () => string;
  readonly timers?: Timers;
  /** See `WaiterDependencies.backstopMs`; default 5 s. */
  readonly backstopMs?: number;
  readonly onError: (error: unknown, message: string) => void;
}

/** What the decision that asks for a review knows about it. */
export type ReviewDetails = Omit<
  ReviewItem,
  | 'id'
  | 'enqueuedAt'
  | 'expiresAt'
  | 'status'
  | 'resolvedAt'
  | 'resolvedBy'
  | 'resolutionNote'
  | 'resolverKeyId'
>;

export interface ResolveRequest {
  readonly status: ReviewOutcome;
  readonly resolvedBy: string;
  readonly note: string | undefined;
  /** The key that resolves (`master`, `key_…`, `cli`). */
  readonly resolverKeyId: string;
}

export type ResolveOutcome =
  | { readonly type: 'resolved'; readonly item: ReviewItem }
  /** Resolved before (by someone else, or by expiry): the outcome that stands. */
  | { readonly type: 'already_resolved'; readonly item: ReviewItem }
  | { readonly type: 'not_found' };

export interface ReviewQueue {
  /** Stores a new pending item; resolves once it is in the database. */
  enqueue(details: ReviewDetails): Promise<ReviewItem>;
  /** By review id or by the decision's trace id, as it stands now (expiry applied). */
  find(idOrTraceId: string): Promise<ReviewItem | undefined>;
  listPending(filter: PendingFilter): Promise<readonly ReviewItem[]>;
  countPending(): Promise<number>;
  resolve(idOrTraceId: string, request: ResolveRequest): Promise<ResolveOutcome>;
  /** Waits on an item found before (see `waitForResolution`). */
  wait(item: ReviewItem, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome>;
  /** Writes down the expiry of overdue items, telling waiters and events; returns how many. */
  sweep(): Promise<number>;
}

const nodeTimers: Timers = {
  setTimeout: (callback, milliseconds) => setTimeout(callback, milliseconds),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createReviewQueue(dependencies: ReviewQueueDependencies): ReviewQueue {
  const { store, channel, events, observer, now } = dependencies;
  const waiter = {
    store,
    channel,
    now,
    timers: dependencies.timers ?? nodeTimers,
    backstopMs: dependencies.backstopMs ?? 5_000,
    onError: dependencies.onError,
  };

  /** A lost wake costs a waiter at most a backstop period; it never fails the resolution. */
  async function announce(item: ReviewItem): Promise<void> {
    try {
      await channel.publish(item.id);
    } catch (error) {
      dependencies.onError(error, 'announcing a review resolution failed');
    }
    events.resolved(item);
  }

  async function find(idOrTraceId: string): Promise<ReviewItem | undefined> {
    const found = await store.find(idOrTraceId);
    return found === undefined ? undefined : itemAt(found, now());
  }

  return {
    async enqueue(details) {
      const enqueuedAt = now();
      const item: ReviewItem = {
        ...details,
        id: dependencies.newId(),
        enqueuedAt,
        expiresAt: enqueuedAt + dependencies.ttlMs,
        status: 'pending',
        resolvedAt: undefined,
        resolvedBy: undefined,
        resolutionNote: undefined,
        resolverKeyId: undefined,
      };
      await store.insert(item);
      observer.reviewed('queued');
      events.created(item);
      return item;
    },
    find,
    listPending: (filter) => store.listPending(filter, now()),
    countPending: () => store.countPending(now()),
    async resolve(idOrTraceId, request) {
      const found = await find(idOrTraceId);
      if (found === undefined) return { type: 'not_found' };
      if (isResolved(found)) return { type: 'already_resolved', item: found };
      const resolution = {
        status: request.status,
        resolvedBy: request.resolvedBy,
        resolutionNote: request.note,
        resolverKeyId: request.resolverKeyId,
        resolvedAt: now(),
      };
      const stored = await store.resolve(found.id, resolution, resolution.resolvedAt);
      if (stored.type === 'not_pending') {
        // Another reviewer (or the TTL) got there between the read and the write.
        const standing = await find(found.id);
        return { type: 'already_resolved', item: standing ?? found };
      }
      observer.reviewed(stored.item.status === 'approved' ? 'approved' : 'denied');
      await announce(stored.item);
      return { type: 'resolved', item: stored.item };
    },
    wait: (item, timeoutMs, signal) => waitForResolution(waiter, item, timeoutMs, signal),
    async sweep() {
      const expired = await store.expire(now());
      for (const item of expired) {
        observer.reviewed('expired');
        await announce(item);
      }
      return expired.length;
    },
  };
}
