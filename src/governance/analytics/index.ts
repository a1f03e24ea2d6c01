/**
 * Behavioural analytics of agents (ARCHITECTURE.md, "Agent governance"): reputation from reviewer
 * outcomes, anomaly against each agent's own baseline, policy effectiveness, and alerts. It
 * declares the stores it needs (analytics-store.ts, alerts.ts); `stores/sql` implements them and
 * `http/agent/analytics-routes.ts` serves the routes.
 */
export { createAnalytics, type Analytics, type AnalyticsDependencies } from './analytics.js';
export type { AgentFigures } from './agent-figures.js';
export {
  analyticsSettingsFrom,
  defaultAnalyticsSection,
  type AnalyticsConfigSection,
  type AnalyticsSettings,
} from './analytics-settings.js';
export type {
  AgentOutcomeCount,
  AgentRef,
  AnalyticsStore,
  HistoryDecision,
  HistoryPage,
  PolicyOutcomeCount,
  StoredBaseline,
} from './analytics-store.js';
export {
  alertKinds,
  alertStatuses,
  newAlertId,
  type AlertChange,
  type AlertFilter,
  type AlertKind,
  type AlertRecord,
  type AlertStatus,
  type AlertStore,
  type AlertSubject,
  type NewAlert,
} from './alerts.js';
export {
  anomalyFactorOf,
  anomalyFeatures,
  scoreAnomaly,
  type AnomalyFeature,
  type AnomalyReport,
} from './anomaly.js';
export type { RefreshOutcome } from './baseline-keeper.js';
export { parseSummary, summarise, type BehaviourSummary, type DecisionSample } from './behaviour.js';
export type { PolicyFigures, ResolvedReview } from './outcome-keeper.js';
export type { PolicyEffectiveness } from './policy-effectiveness.js';
export { reputationOf, type Reputation, type ReviewerOutcome } from './reputation.js';
