export {
  createCircuitBreakers,
  type BreakerChannel,
  type BreakerTransition,
  type BreakerSettings,
  type BreakerSnapshot,
  type BreakerState,
  type CircuitBreakers,
} from './circuit-breaker.js';
export { createAnsweringTargets } from './model-links.js';
export { createModelResolver, type ModelResolver, type ModelResolverDependencies } from './model-resolver.js';
export { silentObserver, type AttemptEvent, type FailoverReason, type RouterObserver } from './observer.js';
export { createRouter, type Router, type RouterDependencies } from './router.js';
export {
  breakerSettingsFrom,
  routingSettingsFrom,
  type BreakerConfiguration,
  type ModelSettings,
  type RetrySettings,
  type RoutingConfiguration,
  type RoutingSettings,
  type TimeoutSettings,
} from './routing-settings.js';
export { createTargetStats, type TargetStats } from './target-stats.js';
export type { Answered, ModelRoute, RouteCall, RouteOutcome, StreamSummary, Target } from './types.js';
