import type { Notification } from './notification.js';

/**
 * A notification as JSON (the generic webhook's body, PagerDuty's `custom_details`): snake_case
 * like the rest of the gateway's API, `type` the kind, `data` the event's own fields. Absent
 * optional fields are left out. docs/notifications.md shows each kind.
 */
export interface EventJson {
  readonly id: string;
  readonly type: Notification['kind'];
  readonly occurred_at: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export function eventJson(notification: Notification, link: string | undefined): EventJson {
  return {
    id: notification.id,
    type: notification.kind,
    occurred_at: notification.occurredAt,
    data: dataOf(notification, link),
  };
}

function dataOf(notification: Notification, link: string | undefined): Record<string, unknown> {
  switch (notification.kind) {
    case 'review.created':
      return {
        review_id: notification.reviewId,
        tenant_id: notification.tenantId,
        actor: notification.actor,
        action: notification.action,
        resource: notification.resource,
        reason: notification.reason,
        trace_id: notification.traceId,
        acting_for: notification.actingFor,
        confidence: notification.confidence,
        link,
      };
    case 'guard.detection':
      return {
        severity: notification.severity,
        detected: notification.detected,
        where: notification.where,
        action: notification.action,
        score: notification.score,
        request_id: notification.requestId,
        key_id: notification.keyId,
        agent: notification.agent,
      };
    case 'analytics.alert':
      return {
        agent: notification.agent,
        policy: notification.policy,
        alert: notification.alert,
        value: notification.value,
        threshold: notification.threshold,
        tenant_id: notification.tenantId,
        alert_id: notification.alertId,
        title: notification.title,
      };
    case 'notification.test':
      return { requested_by: notification.requestedBy };
  }
}
