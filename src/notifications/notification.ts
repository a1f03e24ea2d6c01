/**
 * What the gateway tells people about. Each kind carries only what its event carries: identifiers,
 * names and figures, never a prompt, an answer, a tool's arguments or a credential. Producers (the
 * review queue, the guard, analytics) build these; the notifier stamps the id and time.
 */

export const notificationKinds = ['review.created', 'guard.detection', 'analytics.alert'] as const;
/** `notification.test` is sent only by the admin test route, to every channel whatever its `events`. */
export type NotificationKind = (typeof notificationKinds)[number] | 'notification.test';

/** An agent's action is waiting for a person's decision. */
export interface ReviewCreated {
  readonly kind: 'review.created';
  readonly reviewId: string;
  readonly tenantId: string;
  /** The agent that asked. */
  readonly actor: string;
  readonly action: string;
  /** The resource's attributes as the agent sent them. */
  readonly resource: Readonly<Record<string, string>>;
  /** Why the decision needs a person (the gate, policy or risk band that asked for review). */
  readonly reason: string;
  readonly traceId?: string | undefined;
  readonly actingFor?: string | undefined;
  readonly confidence?: number | undefined;
}

export const guardSeverities = ['low', 'medium', 'high', 'critical'] as const;
export type GuardSeverity = (typeof guardSeverities)[number];

/** The guard found something (a prompt injection, a leaked secret) worth a person's attention. */
export interface GuardDetection {
  readonly kind: 'guard.detection';
  readonly severity: GuardSeverity;
  /** What was detected, by name (`prompt injection`, `private key`): never the text itself. */
  readonly detected: string;
  /** Where: `input`, `output`, `tool result`, with the route or model when known. */
  readonly where: string;
  /** What the guard did: `blocked`, `flagged`, `logged`. */
  readonly action?: string | undefined;
  readonly score?: number | undefined;
  readonly requestId?: string | undefined;
  readonly keyId?: string | undefined;
  readonly agent?: string | undefined;
}

/** Behavioural analytics crossed a threshold (low reputation, an anomaly, an ineffective policy). */
export interface AnalyticsAlert {
  readonly kind: 'analytics.alert';
  /** The agent it is about; undefined for a policy's alert. */
  readonly agent?: string | undefined;
  /** The policy it is about (`policy_ineffective`). */
  readonly policy?: string | undefined;
  /** Which alert: `reputation_low`, `anomaly_high`, `policy_ineffective`. */
  readonly alert: string;
  readonly value: number;
  readonly threshold: number;
  readonly tenantId?: string | undefined;
  /** The stored alert's id (`POST /v1/analytics/alerts/{id}/acknowledge`, `…/resolve`). */
  readonly alertId?: string | undefined;
  /** One line for people, from analytics. */
  readonly title?: string | undefined;
}

/** Sent by `POST /admin/notifications/test`, to check a channel's settings end to end. */
export interface TestNotification {
  readonly kind: 'notification.test';
  /** The key id of the operator who asked (never the key). */
  readonly requestedBy: string;
}

export type NotificationEvent = ReviewCreated | GuardDetection | AnalyticsAlert | TestNotification;

/** An event as delivered: with its id (the same on every channel and try) and when it happened. */
export type Notification = NotificationEvent & {
  readonly id: string;
  /** ISO 8601, UTC. */
  readonly occurredAt: string;
};
