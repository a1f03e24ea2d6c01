import { coerceText } from './coerce.js';
import { parseDottedPath, setObjectPath, valueAt } from './config-path.js';
import type { ValueSource } from './config-error.js';
import type { Origins } from './origins.js';
import { describeValue, type ProblemCollector } from './problem-collector.js';
import { valueKindAt } from './schema-introspection.js';

/**
 * Environment variables that set one configuration field each (SPEC section 2), by the names
 * people already use. The value is converted to the field's type (PORT=8080 → 8080,
 * ENABLE_L2_CACHE=true → true), so adding a variable is one line here plus its row in
 * docs/configuration.md (a test checks both, and that the path exists in the schema).
 *
 * Providers found from the environment are in environment-providers.ts; GATEHOUSE_CONFIG, which
 * names the file rather than a setting, is read by the loader.
 */
export const environmentVariables: Readonly<Record<string, string>> = {
  HOST: 'server.host',
  PORT: 'server.port',
  METRICS_PORT: 'server.metrics_port',
  TLS_CERT_PATH: 'server.tls.cert_path',
  TLS_KEY_PATH: 'server.tls.key_path',
  GATEHOUSE_MASTER_KEY: 'master_key',
  DATABASE_URL: 'database_url',
  GATEHOUSE_DATA_DIR: 'data_dir',
  REDIS_URL: 'redis_url',
  GATEHOUSE_DATABASE_SCHEMA: 'database_schema',
  GATEHOUSE_REDIS_PREFIX: 'redis_key_prefix',
  LOG_LEVEL: 'log.level',
  LOG_FORMAT: 'log.format',
  REQUESTS_PER_MINUTE: 'limits.default_requests_per_minute',
  METRICS_HOST: 'server.metrics_host',
  L1_CACHE_SIZE: 'cache.l1_size',
  L1_TTL_SECONDS: 'cache.l1_ttl_seconds',
  L2_TTL_SECONDS: 'cache.l2_ttl_seconds',
  ENABLE_L2_CACHE: 'cache.l2_enabled',
  TRACING_MODE: 'tracing.mode',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'tracing.otlp_endpoint',
  OTEL_EXPORTER_OTLP_HEADERS: 'tracing.otlp_headers',
  OTEL_SERVICE_NAME: 'tracing.service_name',
  OTEL_TRACES_SAMPLER: 'tracing.sampler',
  OTEL_TRACES_SAMPLER_ARG: 'tracing.sampler_ratio',
  OTEL_EXPORTER_OTLP_TIMEOUT: 'tracing.otlp_timeout_ms',
  OTEL_RESOURCE_ATTRIBUTES: 'tracing.resource_attributes',
  OTEL_BSP_SCHEDULE_DELAY: 'tracing.batch.schedule_delay_ms',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'tracing.batch.max_export_batch_size',
  OTEL_BSP_MAX_QUEUE_SIZE: 'tracing.batch.max_queue_size',
  OTEL_BSP_EXPORT_TIMEOUT: 'tracing.batch.export_timeout_ms',
  LANGFUSE_PUBLIC_KEY: 'tracing.langfuse.public_key',
  LANGFUSE_SECRET_KEY: 'tracing.langfuse.secret_key',
  LANGFUSE_URL: 'tracing.langfuse.url',
  MAX_DELEGATION_DEPTH: 'governance.delegation.max_depth',
  MAX_SWARM_SIZE: 'governance.delegation.max_swarm_size',
  SWARM_OPERATION_TIMEOUT: 'governance.delegation.swarm_operation_timeout',
  PROMPT_INJECTION_DETECTION_ENABLED: 'guard.injection.enabled',
  PROMPT_INJECTION_SEVERITY_THRESHOLD: 'guard.injection.threshold',
  PROMPT_INJECTION_ALERT_ENABLED: 'guard.injection.alert.enabled',
  MIN_SAMPLES_FOR_MODEL: 'governance.analytics.models.min_samples',
  MODEL_UPDATE_INTERVAL: 'governance.analytics.models.update_interval',
  REVIEW_MODEL_WINDOW: 'governance.analytics.prediction.window',
  REVIEW_PREDICTION_THRESHOLD: 'governance.analytics.prediction.threshold',
  CONFIDENCE_MODEL_WINDOW: 'governance.analytics.calibration.window',
  CONFIDENCE_PREDICTION_THRESHOLD: 'governance.analytics.calibration.threshold',
  REPUTATION_LOW_THRESHOLD: 'governance.analytics.reputation.low_threshold',
  REPUTATION_MIN_DECISIONS: 'governance.analytics.reputation.min_decisions',
  ANOMALY_DETECTION_ENABLED: 'governance.analytics.anomaly.enabled',
  ANOMALY_SEVERITY_THRESHOLD: 'governance.analytics.anomaly.severity_threshold',
  ANOMALY_WINDOW_SIZE: 'governance.analytics.anomaly.window_size',
  BASELINE_SAMPLE_SIZE: 'governance.analytics.anomaly.baseline_sample_size',
  BASELINE_REFRESH_INTERVAL: 'governance.analytics.anomaly.baseline_refresh_interval',
  POLICY_OPTIMIZATION_THRESHOLD: 'governance.analytics.policy.optimization_threshold',
};

export interface LayerContext {
  readonly origins: Origins;
  readonly problems: ProblemCollector;
}

/**
 * Writes text values into the raw configuration at dotted paths, converted to the field's type.
 * Shared by environment variables and command-line flags: both are text in, typed value out.
 */
export function applyTextSettings(
  raw: Record<string, unknown>,
  settings: readonly { readonly path: string; readonly text: string; readonly source: ValueSource }[],
  context: LayerContext,
): void {
  for (const { path: dotted, text, source } of settings) {
    const path = parseDottedPath(dotted);
    context.problems.discard(path);
    const coercion = coerceText(text, valueKindAt(path));
    if (!coercion.ok) {
      context.problems.add(
        path,
        source,
        `expected ${coercion.expected}, got ${describeValue(text, path, source)}`,
      );
      continue;
    }
    // Objects created on the way (`server.tls` for TLS_CERT_PATH) are this source's too, so a
    // field missing from them is reported against the variable that created them.
    const created = path.slice(0, -1).flatMap((_, index) => {
      const ancestor = path.slice(0, index + 1);
      return valueAt(raw, ancestor) === undefined ? [ancestor] : [];
    });
    if (!setObjectPath(raw, path, coercion.value)) continue;
    for (const ancestor of [...created, path]) context.origins.setValue(ancestor, source);
  }
}

/** Variables set to the empty string count as unset: `PORT=` is what `PORT=${PORT}` gives for an unset PORT. */
export function applyEnvironmentVariables(
  raw: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  context: LayerContext,
): void {
  const settings = Object.entries(environmentVariables).flatMap(([variable, path]) => {
    const text = env[variable];
    return text === undefined || text === ''
      ? []
      : [{ path, text, source: { kind: 'environment', variable } as const }];
  });
  applyTextSettings(raw, settings, context);
}
