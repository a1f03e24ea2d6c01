import { createHmac } from 'node:crypto';
import type { NotificationChannel } from './channel.js';
import { eventJson } from './event-json.js';
import type { HttpPost } from './http-post.js';
import type { NotificationKind } from './notification.js';
import { present } from './presentation.js';

export interface WebhookChannelOptions {
  readonly name: string;
  readonly events: ReadonlySet<NotificationKind>;
  readonly url: string;
  /** The HMAC-SHA256 key both sides hold. */
  readonly secret: string;
  readonly publicUrl: string | undefined;
  readonly post: HttpPost;
  /** Seconds since the epoch, for the signature's timestamp. */
  readonly now?: () => number;
}

export const signatureHeader = 'x-gatehouse-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs its webhooks: the
 * timestamp is inside the signed text, so a receiver that refuses old timestamps (docs: five
 * minutes) cannot be fed a captured request again later, and the body cannot be changed without
 * the key. Each try is signed anew, so a retried delivery carries a fresh timestamp.
 */
export function signWebhook(body: string, secret: string, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}

/**
 * A generic webhook: the notification as JSON (`eventJson`), signed. `x-gatehouse-delivery` is the
 * notification's id, the same on every try and every channel, so a receiver can drop repeats.
 */
export function createWebhookChannel(options: WebhookChannelOptions): NotificationChannel {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    name: options.name,
    type: 'webhook',
    events: options.events,
    deliver(notification, signal) {
      const body = JSON.stringify(eventJson(notification, present(notification, options.publicUrl).link));
      return options.post(
        {
          url: options.url,
          headers: {
            [signatureHeader]: signWebhook(body, options.secret, now()),
            'x-gatehouse-event': notification.kind,
            'x-gatehouse-delivery': notification.id,
          },
          body,
        },
        signal,
      );
    },
    close: () => Promise.resolve(),
  };
}
