import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import {
  analyticsSettingsFrom,
  createAnalytics,
  newAlertId,
  type AlertRecord,
  type Analytics,
  type ResolvedReview,
} from '../governance/analytics/index.js';
import type { AgentSignals, DecisionEvent } from '../governance/index.js';
import { registerAnalyticsRoutes } from '../http/index.js';
import type { KeyService } from '../keys/index.js';
import type { NotificationEvent } from '../notifications/index.js';
import type { SqlStores } from '../stores/sql/index.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import { analyticsOperations } from './analytics-operations.js';
import type { Contribution } from './assembly.js';

export interface AnalyticsNeeds {
  readonly config: Config;
  readonly stores: SqlStores;
  readonly keys: KeyService;
  readonly codec: DialectCodec;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The notification channels: every new alert is announced (`analytics.alert`). */
  readonly notify: (event: NotificationEvent) => void;
  /** The writer part of this process's audit event ids; undefined with the audit log off. */
  readonly auditWriterId: string | undefined;
}

export interface AnalyticsParts {
  /** Reliability and anomaly factor for the authorizer's risk score. */
  readonly signals: AgentSignals;
  /** The decision events' hook: a decision made on this replica. */
  readonly decided: (event: DecisionEvent) => void;
  /** The review events' hook: a review resolved on this replica. */
  readonly reviewResolved: (review: ResolvedReview) => void;
}

function notificationOf(alert: AlertRecord): NotificationEvent {
  const { subject } = alert;
  return {
    kind: 'analytics.alert',
    ...(subject.type === 'agent'
      ? { agent: subject.agent, tenantId: subject.tenantId }
      : { policy: subject.policyId }),
    alert: alert.kind,
    value: Math.round(alert.value * 1_000) / 1_000,
    threshold: alert.threshold,
    alertId: alert.id,
    title: alert.title,
  };
}

/** Analytics' figures for the gauges, read when scraped. */
function metricFigures(analytics: Analytics) {
  const anomalyOn = analytics.settings.anomaly.enabled;
  return {
    agents: analytics.agents().map((figures) => ({
      agent: figures.actor,
      reputation: figures.reputation.score,
      anomaly: anomalyOn ? figures.anomaly.score : undefined,
    })),
    policies: [...analytics.policies.values()].flatMap((figures) =>
      figures.effectiveness.effectiveness === undefined
        ? []
        : [{ policy: figures.policyId, effectiveness: figures.effectiveness.effectiveness }],
    ),
  };
}

/**
 * Behavioural analytics (docs/governance.md, "Analytics"; decision 0014): figures in memory for
 * the authorizer, kept from this replica's decisions and reviews as they happen and from the
 * database (the audit log, the review queue) in the background; alerts stored and sent to the
 * notification channels; its routes and gauges. Assembled before the review queue and the
 * authorizer, which report to it, so it closes after them.
 */
export async function assembleAnalytics(needs: AnalyticsNeeds): Promise<Contribution<AnalyticsParts>> {
  const { config, stores, logger } = needs;
  const analytics = createAnalytics({
    settings: analyticsSettingsFrom(config.governance.analytics),
    store: stores.analytics,
    alerts: stores.alerts,
    auditWriter: needs.auditWriterId,
    notify(alert) {
      logger.warn(
        { alert: { id: alert.id, kind: alert.kind, subject: alert.subject, value: alert.value } },
        alert.title,
      );
      needs.notify(notificationOf(alert));
    },
    now: Date.now,
    newId: () => newAlertId(randomUUID),
    onError: (error, message) => logger.warn({ err: error }, message),
  });
  await analytics.start();
  needs.metrics.readAnalyticsFrom(() => metricFigures(analytics));
  return {
    parts: {
      signals: analytics.signals,
      decided: (event) => analytics.decided(event),
      reviewResolved: (review) => analytics.reviewResolved(review),
    },
    close: () => analytics.close(),
    routes: [
      (app) =>
        registerAnalyticsRoutes(app, {
          analytics: analyticsOperations(analytics),
          keys: needs.keys,
          codec: needs.codec,
        }),
    ],
  };
}
