import { describe, expect, it } from 'vitest';
import { createInProcessWakeChannel, createListenerSet } from './in-process-channel.js';
import type { ReviewItem } from './review-item.js';
import { waitForResolution, type WaiterDependencies } from './review-waiter.js';

/**
 * The waiter alone, over a store it can be raced against: it never misses a resolution that lands
 * between the caller's read and its subscription, nor one that lands while its own read is under
 * way; expiry, a departed caller and a lost wake are all answered.
 */

const pending: ReviewItem = {
  id: 'rev_1',
  tenantId: 'acme',
  actor: 'bot',
  action: 'wire',
  resource: {},
  confidenceScore: 0.8,
  reason: 'review',
  actingFor: undefined,
  traceId: 'trace-1',
  riskScore: 0.1,
  policyDigest: 'd',
  inputHash: 'h',
  argsHash: undefined,
  policyIds: [],
  enqueuedAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  status: 'pending',
  resolvedAt: undefined,
  resolvedBy: undefined,
  resolutionNote: undefined,
  resolverKeyId: undefined,
};
const approved: ReviewItem = { ...pending, status: 'approved', resolvedBy: 'ada', resolvedAt: Date.now() };

function dependencies(
  find: (id: string) => Promise<ReviewItem | undefined>,
  overrides: Partial<WaiterDependencies> = {},
): WaiterDependencies {
  return {
    store: { find },
    channel: createInProcessWakeChannel(),
    now: Date.now,
    timers: {
      setTimeout: (callback, milliseconds) => setTimeout(callback, milliseconds),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
    backstopMs: 60_000,
    onError: (error) => {
      throw error;
    },
    ...overrides,
  };
}

describe('waiting on a review', () => {
  it('sees a resolution that landed after the caller read the item and before the wait subscribed', async () => {
    // The caller holds the item as pending; the store already says approved and the wake is gone.
    const outcome = await waitForResolution(
      dependencies(() => Promise.resolve(approved)),
      pending,
      5_000,
      undefined,
    );
    expect(outcome).toEqual({ type: 'resolved', item: approved });
  });

  it('sees a resolution whose wake arrives while its own read is still under way', async () => {
    const channel = createListenerSet();
    let current: ReviewItem = pending;
    let releaseFirstRead: (() => void) | undefined;
    let reads = 0;
    const find = (): Promise<ReviewItem> => {
      reads += 1;
      const answer = current;
      if (reads > 1) return Promise.resolve(current);
      // The first read returns what it read (pending), but only after the resolution has happened.
      return new Promise((resolve) => (releaseFirstRead = () => resolve(answer)));
    };
    const waiting = waitForResolution(
      dependencies(find, { channel: { subscribe: channel.subscribe } }),
      pending,
      5_000,
      undefined,
    );
    current = approved;
    channel.deliver('rev_1');
    releaseFirstRead?.();
    expect(await waiting).toEqual({ type: 'resolved', item: approved });
    expect(reads).toBe(2);
  });

  it('answers the expiry as a denial when the TTL runs out during the wait', async () => {
    const expiring = { ...pending, expiresAt: Date.now() + 50 };
    const started = Date.now();
    const outcome = await waitForResolution(
      dependencies(() => Promise.resolve(expiring)),
      expiring,
      5_000,
      undefined,
    );
    expect(outcome).toMatchObject({ type: 'resolved', item: { status: 'denied', resolvedBy: 'expired' } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('ignores wakes for other items, answers pending at its timeout and unsubscribes', async () => {
    const channel = createListenerSet();
    let subscriptions = 0;
    const outcome = waitForResolution(
      dependencies(() => Promise.resolve(pending), {
        channel: {
          subscribe(listener) {
            subscriptions += 1;
            const unsubscribe = channel.subscribe(listener);
            return () => {
              subscriptions -= 1;
              return unsubscribe();
            };
          },
        },
      }),
      pending,
      50,
      undefined,
    );
    channel.deliver('rev_2');
    expect(await outcome).toEqual({ type: 'pending', item: pending });
    expect(subscriptions).toBe(0);
  });

  it('stops at once when the caller leaves', async () => {
    const departed = new AbortController();
    const waiting = waitForResolution(
      dependencies(() => Promise.resolve(pending)),
      pending,
      60_000,
      departed.signal,
    );
    departed.abort();
    expect(await waiting).toEqual({ type: 'pending', item: pending });
  });

  it('finds a resolution whose wake was lost by its backstop read', async () => {
    let current: ReviewItem = pending;
    const waiting = waitForResolution(
      dependencies(() => Promise.resolve(current), { backstopMs: 30 }),
      pending,
      5_000,
      undefined,
    );
    current = approved;
    expect(await waiting).toEqual({ type: 'resolved', item: approved });
  });
});
