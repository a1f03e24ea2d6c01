import type { ReviewWakeChannel } from './review-store.js';

/**
 * The wake channel of a single replica (the embedded database, or Postgres or Redis absent): a
 * resolution made in this process wakes its waiters at once. Nothing crosses processes.
 */
export function createInProcessWakeChannel(): ReviewWakeChannel {
  const listeners = createListenerSet();
  return {
    publish(id) {
      listeners.deliver(id);
      return Promise.resolve();
    },
    subscribe: listeners.subscribe,
  };
}

/**
 * Fans one channel subscription out to many listeners: a replica holds one connection-level
 * subscription however many waiters it has. `deliver` is what the connection calls per message.
 */
export function createListenerSet(): {
  readonly deliver: (id: string) => void;
  readonly subscribe: (listener: (id: string) => void) => () => void;
} {
  const listeners = new Set<(id: string) => void>();
  return {
    deliver(id) {
      for (const listener of [...listeners]) listener(id);
    },
    subscribe(listener) {
      const subscription = (id: string): void => listener(id);
      listeners.add(subscription);
      return () => listeners.delete(subscription);
    },
  };
}

/**
 * Becomes open once (a channel's first subscription acknowledged); `wait` resolves true when it
 * is open, false when `timeoutMs` passes first. Start-up waits on it so that the first waiters
 * are not subscribed to a channel that hears nothing yet.
 */
export function createReadyLatch(): { open(): void; wait(timeoutMs: number): Promise<boolean> } {
  let opened = false;
  const waiting = new Set<() => void>();
  return {
    open() {
      opened = true;
      for (const resolve of [...waiting]) resolve();
    },
    wait(timeoutMs) {
      if (opened) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiting.delete(done);
          resolve(false);
        }, timeoutMs);
        waiting.add(done);
      });
    },
  };
}
