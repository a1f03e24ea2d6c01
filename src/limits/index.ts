export type {
  BudgetCheck,
  BudgetPeriodName,
  LimitDecision,
  LimitLease,
  LimitRequest,
  Limiter,
  RateLimitHeaders,
  ResolvedLimits,
} from './types.js';
export type {
  AdmissionOutcome,
  AdmissionPlan,
  AdmissionUsage,
  BudgetPlan,
  BudgetState,
  LimitStore,
  Settlement,
  WindowState,
} from './limit-store.js';
export { createLimiter, type LimiterOptions, type StoreFailurePolicy } from './create-limiter.js';
export { limiterSettingsFrom, type LimiterSettings, type LimitsConfiguration } from './limiter-settings.js';
export {
  budgetCounterExpiry,
  budgetPeriod,
  budgetPeriodName,
  budgetScope,
  parseBudgetScope,
  type BudgetOwner,
} from './budget-period.js';
export { formatDuration, retryAfterSeconds } from './duration-format.js';
export { estimateToMicroUsd, formatUsd, fromMicroUsd, toMicroUsd } from './money.js';
export {
  afterAdmission,
  bucketMs,
  bucketStart,
  readWindow,
  windowHorizon,
  windowMs,
  windowState,
  type WindowReading,
} from './sliding-window.js';
