/**
 * Notifications: review items, guard detections and analytics alerts delivered to Slack-compatible
 * webhooks, signed generic webhooks, PagerDuty and email, off the request path, per channel queued,
 * retried with backoff and bounded (docs/notifications.md).
 */
export {
  guardSeverities,
  notificationKinds,
  type AnalyticsAlert,
  type GuardDetection,
  type GuardSeverity,
  type Notification,
  type NotificationEvent,
  type NotificationKind,
  type ReviewCreated,
  type TestNotification,
} from './notification.js';
export { channelTypes, type ChannelType, type DeliveryResult, type NotificationChannel } from './channel.js';
export {
  createNotifier,
  type ChannelTestResult,
  type Notifier,
  type NotifierOptions,
  type NotifierSettings,
  type TestOutcome,
} from './notifier.js';
export type { DeliveryOutcome, NotificationLog, NotificationObserver } from './notifier-dependencies.js';
export { createHttpPost, type HttpPost, type HttpPostRequest } from './http-post.js';
export {
  channelsFrom,
  notifierSettingsFrom,
  type ChannelConfiguration,
  type ChannelNeeds,
  type NotificationsConfiguration,
} from './notification-settings.js';
export { signWebhook, signatureHeader } from './webhook-channel.js';
export { pagerDutyEventsUrl } from './pagerduty-channel.js';
export { realTimers, type Timers } from './timers.js';
