import { isResolved, itemAt, type ReviewItem } from './review-item.js';
import type { ReviewStore, ReviewWakeChannel } from './review-store.js';

export type WaitOutcome =
  | { readonly type: 'resolved'; readonly item: ReviewItem }
  /** Still pending when the wait ran out (or the caller left): the item as last read. */
  | { readonly type: 'pending'; readonly item: ReviewItem };

export interface Timers {
  setTimeout(callback: () => void, milliseconds: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WaiterDependencies {
  readonly store: Pick<ReviewStore, 'find'>;
  readonly channel: Pick<ReviewWakeChannel, 'subscribe'>;
  readonly now: () => number;
  readonly timers: Timers;
  /**
   * A re-read this often while waiting, only as a backstop for a wake message lost while the
   * channel's connection was away (or a resolution made where no channel reaches, like the
   * command line on the embedded database without Redis); wakes are what end waits.
   */
  readonly backstopMs: number;
  readonly onError: (error: unknown, message: string) => void;
}

/** Timers fire on time or late, never early, but a millisecond's rounding is not worth a miss. */
const expiryMarginMs = 5;

/**
 * Waits until `item` is resolved — approved or denied on any replica, or expired — or `timeoutMs`
 * passes, or `signal` aborts. It subscribes first and reads after, so a resolution landing
 * between the caller's read and the subscription is not missed: either the read sees it or the
 * wake does. Expiry needs no message: a timer re-reads the item when its TTL runs out.
 */
export function waitForResolution(
  dependencies: WaiterDependencies,
  item: ReviewItem,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<WaitOutcome> {
  const { store, channel, now, timers } = dependencies;
  const first = itemAt(item, now());
  if (isResolved(first)) return Promise.resolve({ type: 'resolved', item: first });
  if (timeoutMs <= 0 || signal?.aborted === true) return Promise.resolve({ type: 'pending', item: first });

  return new Promise((resolve) => {
    let current = first;
    let settled = false;
    let reading = false;
    let readAgain = false;
    const handles: unknown[] = [];

    const finish = (outcome: WaitOutcome): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      for (const handle of handles) timers.clearTimeout(handle);
      signal?.removeEventListener('abort', abandon);
      resolve(outcome);
    };
    const abandon = (): void => finish({ type: 'pending', item: current });

    const check = (): void => {
      if (settled) return;
      if (reading) {
        readAgain = true;
        return;
      }
      reading = true;
      store.find(item.id).then(
        (found) => {
          reading = false;
          if (found !== undefined) current = itemAt(found, now());
          if (isResolved(current)) finish({ type: 'resolved', item: current });
          else if (readAgain) {
            readAgain = false;
            check();
          }
        },
        (error: unknown) => {
          reading = false;
          dependencies.onError(error, 'reading a review item while waiting on it failed');
        },
      );
    };

    const unsubscribe = channel.subscribe((id) => {
      if (id === item.id) check();
    });
    signal?.addEventListener('abort', abandon, { once: true });
    handles.push(timers.setTimeout(abandon, timeoutMs));
    const untilExpiry = item.expiresAt - now() + expiryMarginMs;
    if (untilExpiry < timeoutMs) handles.push(timers.setTimeout(check, Math.max(0, untilExpiry)));
    const backstop = (): void => {
      check();
      if (!settled) handles.push(timers.setTimeout(backstop, dependencies.backstopMs));
    };
    handles.push(timers.setTimeout(backstop, dependencies.backstopMs));
    // The read after subscribing: a resolution published before the subscription is seen here.
    check();
  });
}
