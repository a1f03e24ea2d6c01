import type { Notification, NotificationKind } from './notification.js';

export const channelTypes = ['slack', 'webhook', 'pagerduty', 'email'] as const;
export type ChannelType = (typeof channelTypes)[number];

/**
 * What one try of one delivery came to. `retryable`: worth another try (a 5xx, a 429, a network
 * error, a timeout); `refused`: the receiver said no on the merits (a 4xx, an SMTP 5xx) and would
 * say it again. Reasons are short and never hold a secret: a status, an error code, a server's reply.
 */
export type DeliveryResult =
  | { readonly type: 'delivered'; readonly status?: number | undefined }
  | {
      readonly type: 'retryable';
      readonly reason: string;
      readonly status?: number | undefined;
      /** The receiver's Retry-After, in milliseconds from now. */
      readonly retryAfterMs?: number | undefined;
    }
  | { readonly type: 'refused'; readonly reason: string; readonly status?: number | undefined };

/** One configured destination. Each type lives in its own file and renders notifications its way. */
export interface NotificationChannel {
  readonly name: string;
  readonly type: ChannelType;
  /** The kinds it is sent; `notification.test` comes only from the test route. */
  readonly events: ReadonlySet<NotificationKind>;
  /**
   * One try. Settles soon after `signal` aborts (the try's timeout, or shutdown); the caller also
   * stops waiting then, so a channel whose client ignores the signal cannot hold anything up.
   */
  deliver(notification: Notification, signal: AbortSignal): Promise<DeliveryResult>;
  /** Releases connections. */
  close(): Promise<void>;
}
