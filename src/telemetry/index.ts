export { createLogger, createPlainInfoWriter, type Logger, type LoggerSettings } from './logger.js';
export {
  createMetrics,
  type AgentDecisionRecord,
  type BudgetScopeType,
  type FirewallDecision,
  type HttpRequestTracker,
  type Metrics,
  type MetricsOptions,
  type NotificationOutcome,
  type PredictionModelFigures,
  type PredictionModelLabel,
  type PiiDetectionPlace,
  type RateLimitKind,
  type RequestMetricsRecord,
} from './metrics.js';
export type { MetricSources } from './metrics-definitions.js';
export { createLabelGuard, otherLabelValue, type LabelGuard } from './metrics-label-guard.js';
export type { RoutingAttempt, RoutingEvents } from './metrics-router-observer.js';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server.js';
export {
  createTracing,
  type ChildSpanOptions,
  type IncomingHeaders,
  type RequestSpanStart,
  type Tracing,
  type TracingOverrides,
  type TracingSettings,
} from './tracing.js';
export {
  GatewayAttribute,
  GenAiAttribute,
  genAiProviderName,
  genAiRequestAttributes,
  genAiUsageAttributes,
  StandardAttribute,
  type TraceAttributes,
} from './tracing-attributes.js';
export {
  parseOtlpHeaders,
  samplerNames,
  tracingModes,
  type LangfuseSettings,
  type SamplerName,
  type TracingMode,
} from './tracing-exporter.js';
export {
  createAttemptTracer,
  endRequestSpan,
  startUpstreamSpan,
  type DescribeProvider,
  type ProviderDescription,
  type RequestSpanOutcome,
} from './tracing-request.js';
export { noopSpan, type TextMask, type TraceSpan } from './tracing-span.js';
export { tracingSettingsFrom, type TracingConfiguration } from './tracing-settings.js';
export { parseResourceAttributes } from './resource-attributes.js';
