import type { KeyLogger } from './key-authenticator.js';
import type { KeyStore, StoredKey } from './types.js';

export type SetIntervalFunction = (callback: () => void, milliseconds: number) => unknown;
export type ClearIntervalFunction = (handle: unknown) => void;

export interface KeyRefreshDependencies {
  readonly store: Pick<KeyStore, 'changedSince'>;
  readonly apply: (key: StoredKey) => void;
  readonly intervalMs: number;
  /**
   * How far behind the newest change seen each query starts. Writers on other machines stamp
   * `updatedAt` with their own clocks, and a transaction may commit after a later-stamped one; a
   * change stamped up to this much earlier than the newest one seen is still found.
   */
  readonly overlapMs: number;
  readonly now: () => number;
  readonly setInterval: SetIntervalFunction;
  readonly clearInterval: ClearIntervalFunction;
  readonly logger: KeyLogger | undefined;
}

export interface KeyRefresh {
  start(): void;
  /** Stops the timer and waits for a refresh in flight, so the store can be closed after it. */
  stop(): Promise<void>;
  /** One refresh now (also what the timer runs); never rejects. */
  refresh(): Promise<void>;
}

/**
 * Keeps every replica's cache in step with the database: revocations and updates made anywhere
 * reach this replica's cache within one interval. Changes are found by `updatedAt`, so no message
 * bus is needed; a failed query is retried on the next tick from the same cursor, so nothing is lost.
 */
export function createKeyRefresh(dependencies: KeyRefreshDependencies): KeyRefresh {
  const { store, apply, intervalMs, overlapMs, now, logger } = dependencies;
  let newestSeen = now();
  let cursor = newestSeen - overlapMs;
  let timer: unknown;
  let running: Promise<void> | undefined;
  let failing = false;

  async function refreshOnce(): Promise<void> {
    try {
      const changed = await store.changedSince(cursor);
      for (const key of changed) {
        apply(key);
        if (key.updatedAt > newestSeen) newestSeen = key.updatedAt;
      }
      cursor = Math.max(cursor, newestSeen - overlapMs);
      if (failing) logger?.info({}, 'key refresh recovered');
      failing = false;
    } catch (error) {
      // Logged once per outage, not on every tick.
      if (!failing)
        logger?.warn({ err: error }, 'key refresh failed; cached keys are served until it recovers');
      failing = true;
    }
  }

  function refresh(): Promise<void> {
    // A slow query is not overlapped by the next tick's: the ticks wait for it.
    running ??= refreshOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    start() {
      if (timer !== undefined) return;
      timer = dependencies.setInterval(() => void refresh(), intervalMs);
      // A refresh timer must not keep a process alive that has nothing else to do.
      if (
        typeof timer === 'object' &&
        timer !== null &&
        'unref' in timer &&
        typeof timer.unref === 'function'
      ) {
        (timer as { unref(): void }).unref();
      }
    },
    async stop() {
      if (timer !== undefined) dependencies.clearInterval(timer);
      timer = undefined;
      await running;
    },
    refresh,
  };
}
