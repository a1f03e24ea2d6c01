import {
  alertKinds,
  type AgentFigures,
  type Analytics,
  type AlertKind,
} from '../governance/analytics/index.js';
import type { AgentAnalytics, AnalyticsOperations } from '../http/index.js';

const kinds: readonly string[] = alertKinds;

function agentView(figures: AgentFigures): AgentAnalytics {
  const { anomaly, baseline } = figures;
  return {
    tenantId: figures.tenantId,
    actor: figures.actor,
    lastActiveAt: figures.lastActiveAt,
    decisionsKnown: figures.history.size,
    reputation: figures.reputation,
    anomaly:
      anomaly.status === 'scored'
        ? {
            status: 'scored',
            score: anomaly.score,
            windowDecisions: anomaly.windowDecisions,
            features: anomaly.features,
            leading: anomaly.leading,
          }
        : anomaly,
    anomalyFactor: figures.anomalyFactor,
    baseline: baseline === undefined ? undefined : { computedAt: baseline.computedAt, ...baseline.summary },
  };
}

/** Governance's analytics as the routes see them (http/ imports no feature module). */
export function analyticsOperations(analytics: Analytics): AnalyticsOperations {
  const { settings } = analytics;
  return {
    thresholds: {
      reputationLow: settings.reputation.lowThreshold,
      reputationMinDecisions: settings.reputation.minDecisions,
      anomalyEnabled: settings.anomaly.enabled,
      anomalySeverity: settings.anomaly.severityThreshold,
      anomalyWindowSize: settings.anomaly.windowSize,
      baselineSampleSize: settings.anomaly.baselineSampleSize,
      baselineRefreshMs: settings.anomaly.baselineRefreshMs,
      policyOptimization: settings.policy.optimizationThreshold,
      policyMinReviews: settings.policy.minReviews,
    },
    agent(tenantId, actor) {
      const figures = analytics.agent(tenantId, actor);
      return figures === undefined ? undefined : agentView(figures);
    },
    agents: (tenantId) => analytics.agents(tenantId).map(agentView),
    async refreshBaseline(tenantId, actor) {
      const outcome = await analytics.refreshBaseline(tenantId, actor);
      if (outcome === undefined) return { type: 'unknown' };
      if (outcome.type === 'too_few') return outcome;
      const figures = analytics.agent(tenantId, actor);
      return figures === undefined ? { type: 'unknown' } : { type: 'refreshed', agent: agentView(figures) };
    },
    policies: () =>
      [...analytics.policies.values()].map((figures) => ({
        policyId: figures.policyId,
        ...figures.effectiveness,
      })),
    async listAlerts(query) {
      // An unknown kind names no alert.
      if (query.kind !== undefined && !kinds.includes(query.kind)) return [];
      return analytics.alerts.list({ ...query, kind: query.kind as AlertKind | undefined });
    },
    acknowledgeAlert: (id, by) => analytics.alerts.acknowledge(id, by, Date.now()),
    resolveAlert: (id, by, note) => analytics.alerts.resolve(id, by, note, Date.now()),
  };
}
