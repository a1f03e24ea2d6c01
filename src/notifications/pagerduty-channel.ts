import type { NotificationChannel } from './channel.js';
import { eventJson } from './event-json.js';
import type { HttpPost } from './http-post.js';
import type { Notification, NotificationKind } from './notification.js';
import { clip, present, type AlertSeverity } from './presentation.js';

export const pagerDutyEventsUrl = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyChannelOptions {
  readonly name: string;
  readonly events: ReadonlySet<NotificationKind>;
  /** The integration's routing key: a secret, sent in the body (Events API v2 has no auth header). */
  readonly routingKey: string;
  /** Every event's severity; undefined: by kind (a guard detection's own severity). */
  readonly severity: AlertSeverity | undefined;
  readonly source: string;
  readonly eventsUrl: string;
  readonly publicUrl: string | undefined;
  readonly post: HttpPost;
}

/**
 * A trigger event of the Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
 * `dedup_key` makes repeats one incident: every notification of one review item, or of one agent's
 * alert of one kind, lands on the same incident until it is resolved.
 */
export function pagerDutyEvent(notification: Notification, options: PagerDutyChannelOptions): object {
  const presentation = present(notification, options.publicUrl);
  const event = eventJson(notification, presentation.link);
  return {
    routing_key: options.routingKey,
    event_action: 'trigger',
    dedup_key: presentation.dedupKey,
    payload: {
      // PagerDuty truncates a summary at 1024 characters; clipping here keeps the end readable.
      summary: clip(presentation.title, 1024),
      source: options.source,
      severity: options.severity ?? presentation.severity,
      timestamp: notification.occurredAt,
      component: 'gatehouse',
      class: notification.kind,
      custom_details: { notification_id: event.id, ...event.data },
    },
    client: 'Gatehouse',
    ...(presentation.link === undefined
      ? {}
      : { client_url: presentation.link, links: [{ href: presentation.link, text: 'Open in Gatehouse' }] }),
  };
}

export function createPagerDutyChannel(options: PagerDutyChannelOptions): NotificationChannel {
  return {
    name: options.name,
    type: 'pagerduty',
    events: options.events,
    deliver: (notification, signal) =>
      options.post(
        { url: options.eventsUrl, headers: {}, body: JSON.stringify(pagerDutyEvent(notification, options)) },
        signal,
      ),
    close: () => Promise.resolve(),
  };
}
