export { buildApp, type AppDependencies, type AppSettings } from './app.js';
export type { Readiness } from './health-routes.js';
export { readTlsMaterial, watchTls, type TlsMaterial, type TlsPaths, type TlsReloader } from './tls.js';
export { registerPolicyRoutes, type PolicyRoutesDependencies } from './agent/policy-routes.js';
export type { PolicyOperations } from './agent/policy-bodies.js';
export {
  agentCaller,
  registerAuthorizeRoutes,
  type AuthorizeAuthentication,
  type AuthorizeCaller,
  type AuthorizeOperations,
  type AuthorizeRoutesDependencies,
} from './agent/authorize-routes.js';
export {
  queueAccess,
  registerQueueRoutes,
  type QueueAccess,
  type QueueCaller,
  type QueueRoutesDependencies,
} from './agent/queue-routes.js';
export type { QueueItem, QueueOperations, QueuePrediction } from './agent/queue-bodies.js';
export {
  registerNotificationRoutes,
  type NotificationRoutesDependencies,
  type NotificationTestOperations,
} from './admin/admin-notification-routes.js';
export {
  registerAdminAuditRoutes,
  type AdminAuditRouteDependencies,
  type AuditLogReader,
} from './admin/admin-audit-routes.js';
export type { AuditLogFilter } from './admin/admin-audit-query.js';
export {
  registerDelegationRoutes,
  type DelegationAuthentication,
  type DelegationCallers,
  type DelegationOperations,
  type DelegationRouteOutcome,
  type DelegationRoutesDependencies,
} from './agent/delegation-routes.js';
export {
  registerScanRoutes,
  type ScanCallers,
  type ScanOperations,
  type ScanRouteCaller,
  type ScanRouteOutcome,
  type ScanRoutesDependencies,
} from './agent/scan-routes.js';
export {
  registerPredictionRoutes,
  type ModelView,
  type PredictionRoutesDependencies,
} from './agent/prediction-routes.js';
export { registerAnalyticsRoutes, type AnalyticsRoutesDependencies } from './agent/analytics-routes.js';
export type {
  AgentAnalytics,
  AlertChangeOutcome,
  AlertItem,
  AlertQuery,
  AnalyticsOperations,
  AnalyticsThresholds,
  BaselineRefresh,
  PolicyAnalytics,
} from './agent/analytics-operations.js';
