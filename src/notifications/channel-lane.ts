import { createBoundedQueue } from './bounded-queue.js';
import type { DeliveryResult, NotificationChannel } from './channel.js';
import { attemptDelivery } from './delivery-attempt.js';
import type { Notification } from './notification.js';
import type { NotificationLog, NotificationObserver } from './notifier-dependencies.js';
import { nextStep, type RetrySettings } from './retry-policy.js';
import type { Timers } from './timers.js';

export interface LaneOptions {
  readonly channel: NotificationChannel;
  readonly queueSize: number;
  /** Deliveries in flight at once on this channel (each with its retries). */
  readonly concurrency: number;
  readonly retry: RetrySettings;
  readonly timeoutMs: number;
  readonly timers: Timers;
  readonly random: () => number;
  readonly now: () => number;
  readonly observer: NotificationObserver;
  readonly log: NotificationLog;
  /** Takes secrets out of a reason before it is logged or shown. */
  readonly redact: (text: string) => string;
}

export interface ChannelLane {
  /** Synchronous and O(1): queues the notification and returns; never throws. */
  enqueue(notification: Notification): void;
  /** One try now, past the queue and without retries (the test route). */
  tryOnce(notification: Notification): Promise<DeliveryResult>;
  /** Stops taking notifications, delivers what waits for up to `timeoutMs`, drops the rest. */
  close(timeoutMs: number): Promise<void>;
}

/** Drops are logged at most this often per channel; the metric counts every one. */
const dropLogIntervalMs = 10_000;

/**
 * One channel's queue and its deliveries. Every channel has its own, so a channel that hangs or
 * fails fills only its own queue, and the others deliver as if it were not there.
 */
export function createChannelLane(options: LaneOptions): ChannelLane {
  const { channel, observer, log, timers } = options;
  const queue = createBoundedQueue<Notification>(options.queueSize);
  const stopper = new AbortController();
  const idleWaiters: (() => void)[] = [];
  let active = 0;
  let pumpScheduled = false;
  let closed = false;
  const drops = { unlogged: 0, lastLoggedAt: Number.NEGATIVE_INFINITY };

  const count = (outcome: 'delivered' | 'failed' | 'retried' | 'dropped'): void =>
    observer.outcome(channel.name, outcome);
  const depthChanged = (): void => observer.queueDepth(channel.name, queue.length);

  /**
   * Counts `amount` drops, and logs them with any not yet logged: at once when `logging` is `now`
   * (the summary at shutdown), at most once per interval when `throttled`, not at all when `later`
   * (a delivery cut short by shutdown: the summary that follows counts it).
   */
  function dropped(reason: string, amount: number, logging: 'now' | 'throttled' | 'later'): void {
    for (let index = 0; index < amount; index += 1) count('dropped');
    drops.unlogged += amount;
    const now = options.now();
    if (drops.unlogged === 0 || logging === 'later') return;
    if (logging === 'throttled' && now - drops.lastLoggedAt < dropLogIntervalMs) return;
    log.warn(
      { channel: channel.name, dropped: drops.unlogged, queue_size: options.queueSize },
      `notifications dropped: ${reason}`,
    );
    drops.unlogged = 0;
    drops.lastLoggedAt = now;
  }

  const tryDelivery = (notification: Notification): Promise<DeliveryResult> =>
    attemptDelivery(channel, notification, {
      timeoutMs: options.timeoutMs,
      stop: stopper.signal,
      timers,
    });

  function failed(notification: Notification, attempts: number, reason: string): void {
    count('failed');
    log.warn(
      {
        channel: channel.name,
        channel_type: channel.type,
        notification_id: notification.id,
        kind: notification.kind,
        attempts,
        reason: options.redact(reason),
      },
      'notification not delivered',
    );
  }

  async function deliver(notification: Notification): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const result = await tryDelivery(notification);
      if (result.type === 'delivered') return count('delivered');
      if (stopper.signal.aborted) return dropped('shutdown', 1, 'later');
      if (result.type === 'refused') return failed(notification, attempt, result.reason);
      const step = nextStep(options.retry, attempt, result, options.random);
      if (step.type === 'give-up') return failed(notification, attempt, step.reason);
      count('retried');
      await sleep(step.delayMs);
      if (stopper.signal.aborted) return dropped('shutdown', 1, 'later');
    }
  }

  function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        timers.clearTimeout(handle);
        stopper.signal.removeEventListener('abort', wake);
        resolve();
      };
      const handle = timers.setTimeout(wake, milliseconds);
      stopper.signal.addEventListener('abort', wake, { once: true });
    });
  }

  function pump(): void {
    pumpScheduled = false;
    while (active < options.concurrency && queue.length > 0 && !stopper.signal.aborted) {
      const notification = queue.shift();
      if (notification === undefined) break;
      active += 1;
      void deliver(notification)
        // Nothing in a delivery should throw; if something does, it costs that notification only.
        .catch(() => failed(notification, 0, 'unexpected error'))
        .finally(() => {
          active -= 1;
          pump();
        });
    }
    depthChanged();
    if (active === 0 && queue.length === 0) for (const wake of idleWaiters.splice(0)) wake();
  }

  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    timers.defer(pump);
  }

  return {
    enqueue(notification) {
      if (closed) return dropped('the notifier is closed', 1, 'throttled');
      const full = queue.push(notification);
      if (full !== undefined) dropped('the queue is full, the oldest waiting were dropped', 1, 'throttled');
      depthChanged();
      schedulePump();
    },
    async tryOnce(notification) {
      const result = await tryDelivery(notification);
      if (result.type === 'delivered') {
        count('delivered');
        return result;
      }
      failed(notification, 1, result.reason);
      return { ...result, reason: options.redact(result.reason) };
    },
    async close(timeoutMs) {
      closed = true;
      const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
      schedulePump();
      let timer: unknown;
      const deadline = new Promise<'late'>((resolve) => {
        timer = timers.setTimeout(() => resolve('late'), timeoutMs);
      });
      if ((await Promise.race([idle, deadline])) === 'late') {
        stopper.abort();
        const left = queue.drain().length;
        depthChanged();
        // Tries in flight answer at once now (their race against the stop signal).
        if (active > 0) await idle;
        dropped('shutdown before they were delivered', left, 'now');
      }
      timers.clearTimeout(timer);
      await channel.close();
    },
  };
}
