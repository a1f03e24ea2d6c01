import { randomUUID } from 'node:crypto';
import type { ChannelType, NotificationChannel } from './channel.js';
import { createChannelLane, type ChannelLane } from './channel-lane.js';
import type { Notification, NotificationEvent } from './notification.js';
import type { NotificationLog, NotificationObserver } from './notifier-dependencies.js';
import type { RetrySettings } from './retry-policy.js';
import { realTimers, type Timers } from './timers.js';

export interface NotifierSettings {
  /** Notifications waiting per channel before the oldest is dropped. */
  readonly queueSize: number;
  readonly retry: RetrySettings;
  /** One try: connection, request and answer. */
  readonly timeoutMs: number;
  /** On close, how long waiting notifications may still be delivered. */
  readonly closeTimeoutMs: number;
}

export interface NotifierOptions {
  readonly settings: NotifierSettings;
  readonly channels: readonly NotificationChannel[];
  readonly observer: NotificationObserver;
  readonly log: NotificationLog;
  /** Takes the configured secrets out of text (a receiver's reply) before it is logged or shown. */
  readonly redact: (text: string) => string;
  readonly timers?: Timers;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly newId?: () => string;
}

export interface ChannelTestResult {
  readonly channel: string;
  readonly type: ChannelType;
  readonly outcome: 'delivered' | 'failed';
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly durationMs: number;
}

export type TestOutcome =
  | { readonly type: 'tested'; readonly results: readonly ChannelTestResult[] }
  | { readonly type: 'unknown_channel'; readonly name: string };

export interface Notifier {
  /**
   * Queues the event for every channel that takes its kind and returns at once: synchronous, O(number
   * of channels), never throws, never waits for a receiver. Delivery happens in the background.
   */
  notify(event: NotificationEvent): void;
  /** Sends a `notification.test` to every channel (or the one named) with one try each, and reports. */
  test(requestedBy: string, channelName?: string): Promise<TestOutcome>;
  /** Stops taking notifications, delivers what waits for up to `closeTimeoutMs`, drops the rest. */
  close(): Promise<void>;
}

/**
 * Deliveries in flight at once per channel. A few, so one notification waiting out its backoff does
 * not hold back the next, and not many, so a burst does not open a connection per notification to
 * a receiver that is already struggling.
 */
const concurrencyPerChannel = 4;

export function createNotifier(options: NotifierOptions): Notifier {
  const { settings, observer } = options;
  const timers = options.timers ?? realTimers;
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const lanes = new Map<string, { channel: NotificationChannel; lane: ChannelLane }>();
  for (const channel of options.channels) {
    const lane = createChannelLane({
      channel,
      queueSize: settings.queueSize,
      concurrency: concurrencyPerChannel,
      retry: settings.retry,
      timeoutMs: settings.timeoutMs,
      timers,
      random: options.random ?? Math.random,
      now,
      observer,
      log: options.log,
      redact: options.redact,
    });
    lanes.set(channel.name, { channel, lane });
    observer.queueDepth(channel.name, 0);
  }
  const stamp = (event: NotificationEvent): Notification => ({
    ...event,
    id: newId(),
    occurredAt: new Date(now()).toISOString(),
  });
  let closing: Promise<void> | undefined;

  return {
    notify(event) {
      let notification: Notification | undefined;
      for (const { channel, lane } of lanes.values()) {
        if (!channel.events.has(event.kind)) continue;
        notification ??= stamp(event);
        lane.enqueue(notification);
      }
    },
    async test(requestedBy, channelName) {
      const chosen = [...lanes.values()].filter(
        ({ channel }) => channelName === undefined || channel.name === channelName,
      );
      if (channelName !== undefined && chosen.length === 0)
        return { type: 'unknown_channel', name: channelName };
      const notification = stamp({ kind: 'notification.test', requestedBy });
      const results = await Promise.all(
        chosen.map(async ({ channel, lane }): Promise<ChannelTestResult> => {
          const started = now();
          const result = await lane.tryOnce(notification);
          return {
            channel: channel.name,
            type: channel.type,
            outcome: result.type === 'delivered' ? 'delivered' : 'failed',
            status: result.status,
            reason: result.type === 'delivered' ? undefined : result.reason,
            durationMs: Math.max(0, now() - started),
          };
        }),
      );
      return { type: 'tested', results };
    },
    close() {
      closing ??= Promise.all(
        [...lanes.values()].map(({ lane }) => lane.close(settings.closeTimeoutMs)),
      ).then(() => undefined);
      return closing;
    },
  };
}
