import type { BreakerSettings } from './circuit-breaker.js';

/**
 * Routing's own settings (camelCase), converted once from the configuration at routing's edge by
 * `routingSettingsFrom`; nothing else in routing reads the configuration's field names.
 */

export interface RetrySettings {
  /** Attempts per target, the first included. */
  readonly attempts: number;
  /** Upstream statuses worth another attempt on the same target. */
  readonly retryOn: readonly number[];
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** A longer `retry-after` is better spent on another target. */
  readonly maxRetryAfterMs: number;
}

export interface TimeoutSettings {
  /** Streaming: from sending the request to the first token (or tool call) of the answer. */
  readonly firstTokenMs: number;
  /** Streaming: the longest silence between two events once the answer has started. */
  readonly stallMs: number;
  /** One attempt, whole answer included. */
  readonly attemptMs: number;
  /** The whole request: every attempt, backoff and fail-over together. */
  readonly totalMs: number;
}

export type Strategy = 'weighted' | 'fallback' | 'least-latency' | 'least-busy';

export interface TargetSettings {
  /** The configured provider's name. */
  readonly provider: string;
  readonly model: string;
  readonly weight: number;
}

export interface ModelSettings {
  readonly strategy: Strategy;
  readonly targets: readonly TargetSettings[];
  readonly fallbacks: readonly string[];
  readonly contextFallbacks: readonly string[];
  readonly contextWindow: number | undefined;
  readonly retry: RetrySettings;
  readonly timeouts: TimeoutSettings;
}

export interface RoutingSettings {
  /** Configured models by their client-facing name. */
  readonly models: ReadonlyMap<string, ModelSettings>;
  /** For models routed by name without configuration. */
  readonly defaults: { readonly retry: RetrySettings; readonly timeouts: TimeoutSettings };
}

/** The configuration's retry fields as written in the file (snake_case). */
interface ConfiguredRetry {
  readonly attempts: number;
  readonly on: readonly number[];
  readonly backoff_ms: number;
  readonly max_backoff_ms: number;
  readonly max_retry_after_ms: number;
}

interface ConfiguredTimeouts {
  readonly first_token_ms: number;
  readonly stall_ms: number;
  readonly attempt_ms: number;
  readonly total_ms: number;
}

interface ConfiguredModel {
  readonly strategy: Strategy;
  readonly targets: readonly TargetSettings[];
  readonly fallbacks: readonly string[];
  readonly context_fallbacks: readonly string[];
  readonly context_window?: number | undefined;
  readonly retry: ConfiguredRetry;
  readonly timeouts: ConfiguredTimeouts;
}

/**
 * The parts of the configuration routing depends on, declared structurally so routing does not
 * import `config/`; the loaded configuration satisfies it as it is.
 */
export interface RoutingConfiguration {
  readonly models: Readonly<Record<string, ConfiguredModel>>;
  readonly defaults: { readonly retry: ConfiguredRetry; readonly timeouts: ConfiguredTimeouts };
}

export function routingSettingsFrom(config: RoutingConfiguration): RoutingSettings {
  const models = new Map<string, ModelSettings>();
  for (const [name, model] of Object.entries(config.models)) {
    models.set(name, {
      strategy: model.strategy,
      targets: model.targets.map(({ provider, model: targetModel, weight }) => ({
        provider,
        model: targetModel,
        weight,
      })),
      fallbacks: model.fallbacks,
      contextFallbacks: model.context_fallbacks,
      contextWindow: model.context_window,
      retry: retrySettingsFrom(model.retry),
      timeouts: timeoutSettingsFrom(model.timeouts),
    });
  }
  return {
    models,
    defaults: {
      retry: retrySettingsFrom(config.defaults.retry),
      timeouts: timeoutSettingsFrom(config.defaults.timeouts),
    },
  };
}

export function retrySettingsFrom(retry: ConfiguredRetry): RetrySettings {
  return {
    attempts: retry.attempts,
    retryOn: retry.on,
    backoffMs: retry.backoff_ms,
    maxBackoffMs: retry.max_backoff_ms,
    maxRetryAfterMs: retry.max_retry_after_ms,
  };
}

export function timeoutSettingsFrom(timeouts: ConfiguredTimeouts): TimeoutSettings {
  return {
    firstTokenMs: timeouts.first_token_ms,
    stallMs: timeouts.stall_ms,
    attemptMs: timeouts.attempt_ms,
    totalMs: timeouts.total_ms,
  };
}

/** The `circuit_breaker` section, declared structurally like `RoutingConfiguration`. */
export interface BreakerConfiguration {
  readonly circuit_breaker: {
    readonly failure_rate: number;
    readonly minimum_requests: number;
    readonly window_ms: number;
    readonly open_ms: number;
    readonly max_open_ms: number;
    readonly half_open_probes: number;
  };
}

export function breakerSettingsFrom(config: BreakerConfiguration): BreakerSettings {
  const breaker = config.circuit_breaker;
  return {
    failureRate: breaker.failure_rate,
    minimumRequests: breaker.minimum_requests,
    windowMs: breaker.window_ms,
    openMs: breaker.open_ms,
    maxOpenMs: breaker.max_open_ms,
    halfOpenProbes: breaker.half_open_probes,
  };
}
