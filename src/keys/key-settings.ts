import type { KeyServiceOptions } from './key-service.js';
import type { TierLimits } from './tiers.js';

/** The configuration's limit fields as written in the file (snake_case). */
interface ConfiguredLimits {
  readonly requests_per_minute?: number | undefined;
  readonly tokens_per_minute?: number | undefined;
  readonly concurrent_requests?: number | undefined;
}

/**
 * The parts of the configuration keys depend on, declared structurally so this module does not
 * import `config/`; the loaded configuration satisfies it as it is.
 */
export interface KeyConfiguration {
  readonly tiers: Readonly<Record<string, ConfiguredLimits>>;
  readonly keys: { readonly default_tier: string; readonly refresh_interval_ms: number };
  readonly limits: {
    readonly default_requests_per_minute?: number | undefined;
    readonly master: ConfiguredLimits;
  };
}

export type KeySettings = Required<
  Pick<
    KeyServiceOptions,
    'tiers' | 'defaultTier' | 'defaultRequestsPerMinute' | 'masterLimits' | 'refreshIntervalMs'
  >
>;

/** The key service's settings from the configuration; the store, master key and clock are added by the caller. */
export function keySettingsFromConfig(config: KeyConfiguration): KeySettings {
  return {
    tiers: Object.fromEntries(Object.entries(config.tiers).map(([name, tier]) => [name, tierLimits(tier)])),
    defaultTier: config.keys.default_tier,
    defaultRequestsPerMinute: config.limits.default_requests_per_minute,
    masterLimits: tierLimits(config.limits.master),
    refreshIntervalMs: config.keys.refresh_interval_ms,
  };
}

function tierLimits(limits: ConfiguredLimits): TierLimits {
  return {
    requestsPerMinute: limits.requests_per_minute,
    tokensPerMinute: limits.tokens_per_minute,
    concurrentRequests: limits.concurrent_requests,
  };
}
