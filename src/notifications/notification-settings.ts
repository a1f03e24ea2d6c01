import type { ChannelType, NotificationChannel } from './channel.js';
import { createEmailChannel } from './email-channel.js';
import type { HttpPost } from './http-post.js';
import type { NotificationKind } from './notification.js';
import type { NotifierSettings } from './notifier.js';
import { createPagerDutyChannel, pagerDutyEventsUrl } from './pagerduty-channel.js';
import type { AlertSeverity } from './presentation.js';
import { createSlackChannel } from './slack-channel.js';
import { createWebhookChannel } from './webhook-channel.js';

/**
 * The `notifications` section of the configuration as its schema outputs it (snake_case), declared
 * structurally so this module does not import `config/`. The schema has already checked that each
 * channel has what its type needs.
 */
export interface ChannelConfiguration {
  readonly name: string;
  readonly type: ChannelType;
  readonly events: readonly NotificationKind[];
  readonly url?: string | undefined;
  readonly secret?: string | undefined;
  readonly routing_key?: string | undefined;
  readonly severity?: AlertSeverity | undefined;
  readonly source?: string | undefined;
  readonly events_url?: string | undefined;
  readonly smtp?:
    | {
        readonly host: string;
        readonly port?: number | undefined;
        readonly secure: boolean;
        readonly starttls: 'required' | 'opportunistic' | 'never';
        readonly user?: string | undefined;
        readonly password?: string | undefined;
        readonly ca_path?: string | undefined;
      }
    | undefined;
  readonly from?: string | undefined;
  readonly to?: readonly string[] | undefined;
}

export interface NotificationsConfiguration {
  readonly channels: readonly ChannelConfiguration[];
  readonly queue_size: number;
  readonly retry: { readonly attempts: number; readonly initial_ms: number; readonly max_ms: number };
  readonly timeout_ms: number;
  readonly close_timeout_ms: number;
  readonly public_url?: string | undefined;
}

export function notifierSettingsFrom(config: NotificationsConfiguration): NotifierSettings {
  return {
    queueSize: config.queue_size,
    retry: {
      attempts: config.retry.attempts,
      initialMs: config.retry.initial_ms,
      maxMs: config.retry.max_ms,
    },
    timeoutMs: config.timeout_ms,
    closeTimeoutMs: config.close_timeout_ms,
  };
}

export interface ChannelNeeds {
  /** The HTTP channels' client. */
  readonly post: HttpPost;
  /** Reads a PEM file named by the configuration (`smtp.ca_path`). */
  readonly readFile: (path: string) => string;
}

function required<Value>(value: Value | undefined, channel: ChannelConfiguration, field: string): Value {
  if (value === undefined) throw new Error(`notification channel ${channel.name} has no ${field}`);
  return value;
}

/** Builds each configured channel. */
export function channelsFrom(config: NotificationsConfiguration, needs: ChannelNeeds): NotificationChannel[] {
  const publicUrl = config.public_url;
  return config.channels.map((channel): NotificationChannel => {
    const common = { name: channel.name, events: new Set<NotificationKind>(channel.events), publicUrl };
    switch (channel.type) {
      case 'slack':
        return createSlackChannel({
          ...common,
          url: required(channel.url, channel, 'url'),
          post: needs.post,
        });
      case 'webhook':
        return createWebhookChannel({
          ...common,
          url: required(channel.url, channel, 'url'),
          secret: required(channel.secret, channel, 'secret'),
          post: needs.post,
        });
      case 'pagerduty':
        return createPagerDutyChannel({
          ...common,
          routingKey: required(channel.routing_key, channel, 'routing_key'),
          severity: channel.severity,
          source: channel.source ?? 'gatehouse',
          eventsUrl: channel.events_url ?? pagerDutyEventsUrl,
          post: needs.post,
        });
      case 'email': {
        const smtp = required(channel.smtp, channel, 'smtp');
        return createEmailChannel({
          ...common,
          smtp: {
            host: smtp.host,
            port: smtp.port ?? (smtp.secure ? 465 : 587),
            secure: smtp.secure,
            starttls: smtp.starttls,
            auth:
              smtp.user === undefined || smtp.password === undefined
                ? undefined
                : { user: smtp.user, password: smtp.password },
            ca: smtp.ca_path === undefined ? undefined : needs.readFile(smtp.ca_path),
          },
          from: required(channel.from, channel, 'from'),
          to: required(channel.to, channel, 'to'),
          timeoutMs: config.timeout_ms,
        });
      }
    }
  });
}
