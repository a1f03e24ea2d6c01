import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import type { Config, SecretScrubber } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import { registerNotificationRoutes } from '../http/index.js';
import type { KeyService } from '../keys/index.js';
import {
  channelsFrom,
  createHttpPost,
  createNotifier,
  notifierSettingsFrom,
  type Notifier,
} from '../notifications/index.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

export interface NotificationsNeeds {
  readonly config: Config;
  readonly keys: KeyService;
  /** The test route's errors are written in the OpenAI dialect, like the admin API's. */
  readonly codec: DialectCodec;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Takes the process's secrets out of receivers' replies before they are logged or shown. */
  readonly secrets: SecretScrubber;
}

export interface NotificationsParts {
  /**
   * `notify(event)` queues a review item, guard detection or analytics alert for every channel
   * that takes its kind, and returns at once.
   */
  readonly notifier: Notifier;
}

const outcomes = ['delivered', 'failed', 'retried', 'dropped'] as const;

/**
 * Notification channels and their delivery (docs/notifications.md), and `POST
 * /admin/notifications/test`. Assembled before governance, so the areas that emit notifications
 * are closed first; closing delivers what still waits, for up to `notifications.close_timeout_ms`.
 */
export function assembleNotifications(needs: NotificationsNeeds): Contribution<NotificationsParts> {
  const { config, metrics, logger } = needs;
  const settings = config.notifications;
  // Its own connection pools: receivers are few and unrelated to the model providers.
  const dispatcher = new Agent({
    connect: { timeout: settings.timeout_ms },
    headersTimeout: settings.timeout_ms,
    bodyTimeout: settings.timeout_ms,
    connections: 8,
  });
  const channels = channelsFrom(settings, {
    post: createHttpPost(dispatcher),
    readFile: (path) => readFileSync(path, 'utf8'),
  });
  for (const channel of channels)
    for (const outcome of outcomes) metrics.notificationOutcome(channel.name, outcome, 0);
  const notifier = createNotifier({
    settings: notifierSettingsFrom(settings),
    channels,
    observer: {
      outcome: (channel, outcome) => metrics.notificationOutcome(channel, outcome),
      queueDepth: (channel, depth) => metrics.notificationQueueDepth(channel, depth),
    },
    log: logger,
    redact: needs.secrets.redact,
  });
  if (channels.length > 0) {
    logger.info(
      {
        channels: channels.map((channel) => ({
          name: channel.name,
          type: channel.type,
          events: [...channel.events],
        })),
      },
      'notification channels',
    );
  }
  return {
    parts: { notifier },
    close: async () => {
      await notifier.close();
      // Tries given up on at the close deadline may still hold sockets: closed, not waited for.
      await dispatcher.destroy();
    },
    routes: [
      (app) =>
        registerNotificationRoutes(app, {
          notifications: notifier,
          keys: needs.keys,
          codec: needs.codec,
          audit: logger,
        }),
    ],
  };
}
