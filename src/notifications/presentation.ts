import type { GuardSeverity, Notification } from './notification.js';

export type AlertSeverity = 'critical' | 'error' | 'warning' | 'info';

/** A notification as people read it; each channel lays it out its way. */
export interface Presentation {
  /** A short headline: a Slack header, an email subject, a PagerDuty summary. */
  readonly title: string;
  /** Label and value, in reading order. */
  readonly fields: readonly (readonly [string, string])[];
  /** Where to act, when the gateway's public address is configured. */
  readonly link: string | undefined;
  readonly severity: AlertSeverity;
  /** The same for every notification about the same thing (one review, one agent's alert). */
  readonly dedupKey: string;
}

/** Values come from agents' requests: each is bounded, so no field can flood a channel. */
const longestValue = 300;

export function clip(text: string, longest = longestValue): string {
  return text.length <= longest ? text : `${text.slice(0, longest - 1)}…`;
}

const guardSeverity: Readonly<Record<GuardSeverity, AlertSeverity>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

function optional(label: string, value: string | number | undefined): [string, string][] {
  return value === undefined ? [] : [[label, clip(String(value))]];
}

export function present(notification: Notification, publicUrl: string | undefined): Presentation {
  switch (notification.kind) {
    case 'review.created': {
      const path = `/v1/queue/${encodeURIComponent(notification.reviewId)}`;
      const resource = Object.entries(notification.resource)
        .map(([name, value]) => `${name}=${value}`)
        .join(', ');
      return {
        title: clip(`Review needed: ${notification.actor} wants ${notification.action}`, 200),
        fields: [
          ['Tenant', clip(notification.tenantId)],
          ['Agent', clip(notification.actor)],
          ['Action', clip(notification.action)],
          ['Resource', clip(resource === '' ? '(none)' : resource)],
          ['Reason', clip(notification.reason)],
          ...optional('Acting for', notification.actingFor),
          ...optional('Confidence', notification.confidence),
          ['Review', clip(`${notification.reviewId} (GET ${path}, POST ${path}/approve or /deny)`)],
          ...optional('Trace', notification.traceId),
        ],
        link: publicUrl === undefined ? undefined : `${publicUrl.replace(/\/+$/, '')}${path}`,
        severity: 'warning',
        dedupKey: `gatehouse-review-${notification.reviewId}`,
      };
    }
    case 'guard.detection':
      return {
        title: clip(
          `Guard: ${notification.detected} (${notification.severity}) in ${notification.where}`,
          200,
        ),
        fields: [
          ['Severity', notification.severity],
          ['Detected', clip(notification.detected)],
          ['Where', clip(notification.where)],
          ...optional('Action taken', notification.action),
          ...optional('Score', notification.score),
          ...optional('Agent', notification.agent),
          ...optional('Key id', notification.keyId),
          ...optional('Request id', notification.requestId),
        ],
        link: undefined,
        severity: guardSeverity[notification.severity],
        dedupKey: `gatehouse-guard-${notification.id}`,
      };
    case 'analytics.alert': {
      const subject =
        notification.agent === undefined
          ? `policy ${notification.policy ?? '?'}`
          : `agent ${notification.agent}`;
      const path =
        notification.alertId === undefined
          ? undefined
          : `/v1/analytics/alerts/${encodeURIComponent(notification.alertId)}`;
      return {
        title: clip(notification.title ?? `Alert: ${notification.alert} for ${subject}`, 200),
        fields: [
          ...optional('Agent', notification.agent),
          ...optional('Policy', notification.policy),
          ['Alert', clip(notification.alert)],
          ['Value', String(notification.value)],
          ['Threshold', String(notification.threshold)],
          ...optional('Tenant', notification.tenantId),
          ...optional(
            'Alert id',
            notification.alertId === undefined
              ? undefined
              : `${notification.alertId} (POST ${path ?? ''}/acknowledge or /resolve)`,
          ),
        ],
        link:
          publicUrl === undefined || path === undefined
            ? undefined
            : `${publicUrl.replace(/\/+$/, '')}/v1/analytics/alerts`,
        severity: 'warning',
        // One incident per agent (or policy) and alert while it lasts, not one per evaluation.
        dedupKey: `gatehouse-analytics-${notification.agent ?? `policy-${notification.policy ?? ''}`}-${notification.alert}`,
      };
    }
    case 'notification.test':
      return {
        title: 'Gatehouse test notification',
        fields: [
          ['Requested by', clip(notification.requestedBy)],
          ['Note', 'Sent by POST /admin/notifications/test; nothing needs doing.'],
        ],
        link: undefined,
        severity: 'info',
        dedupKey: `gatehouse-test-${notification.id}`,
      };
  }
}
