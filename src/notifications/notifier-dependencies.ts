/** What the notifier reports to, declared here so the module depends on no metrics or logger type. */

export type DeliveryOutcome = 'delivered' | 'failed' | 'retried' | 'dropped';

/** The metrics' `gatehouse_notifications_total` and queue depth fit this. */
export interface NotificationObserver {
  outcome(channel: string, outcome: DeliveryOutcome): void;
  queueDepth(channel: string, depth: number): void;
}

/** The part of pino's logger the notifier uses. */
export interface NotificationLog {
  warn(details: object, message: string): void;
}
