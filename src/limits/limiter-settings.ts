import type { LimiterOptions } from './create-limiter.js';

/**
 * The parts of the configuration the limiter depends on, declared structurally so this module does
 * not import `config/`; the loaded configuration satisfies it as it is.
 */
export interface LimitsConfiguration {
  readonly limits: {
    readonly global_requests_per_minute?: number | undefined;
    readonly on_redis_failure: 'local' | 'fail_closed';
  };
}

export type LimiterSettings = Pick<LimiterOptions, 'onStoreFailure' | 'globalRequestsPerMinute'>;

/** The limiter's settings from the configuration; stores, the spend reader and the logger are added by the caller. */
export function limiterSettingsFrom(config: LimitsConfiguration): LimiterSettings {
  return {
    onStoreFailure: config.limits.on_redis_failure,
    globalRequestsPerMinute: config.limits.global_requests_per_minute,
  };
}
