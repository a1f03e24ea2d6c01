import { stringify } from 'yaml';
import { benchPolicyText } from './authorize-workload.js';

/**
 * The configuration the benchmark gives Gatehouse: production defaults with every feature a
 * production deployment has switched on, pointed at the mock provider over HTTP as an
 * `openai-compatible` provider, so the gateway and the bare proxy relay to the same mock process
 * and do the same network work. This is the one place where features are switched on for the
 * benchmark; as virtual keys, rate limits and metrics land, they are turned on here.
 */

export interface GatewayBenchSettings {
  /** The mock provider's origin, e.g. http://127.0.0.1:41234. */
  readonly upstreamUrl: string;
  readonly dataDirectory: string;
  /** With a Redis URL, the gateway keeps its shared state (limits) there. */
  readonly redisUrl?: string;
  /** `false`: the audit log is off (the authorize mode's comparison); on by default, as shipped. */
  readonly audit?: boolean;
  /** `false`: prompt-injection detection is off (the guard mode's comparison); on by default, as shipped. */
  readonly guard?: boolean;
}

export interface GatewayBenchConfiguration {
  /** YAML for `gatehouse start --config`. */
  readonly yaml: string;
  /** Environment variables the gateway process needs besides PATH. */
  readonly environment: Readonly<Record<string, string>>;
  /** The model name the load generator sends. */
  readonly model: string;
  /** The master key's header: for the admin API only, never for the load. */
  readonly adminHeaders: Readonly<Record<string, string>>;
  /** Headers of `POST /v1/agent/authorize` (the master key may ask about any agent). */
  readonly authorizeHeaders: Readonly<Record<string, string>>;
  /** `POST /admin/keys` body of the virtual key the load is sent with. */
  readonly virtualKeyRequest: Readonly<Record<string, unknown>>;
}

/** Long enough for the configuration's 16-character minimum; only ever used on loopback. */
const benchMasterKey = 'gatehouse-bench-master-key-0123456789';
const benchModel = 'bench-model';
const benchTier = 'bench';

/**
 * Limits far above what two cores can serve: every request is counted against all three (the
 * work production does), none is refused (a refusal would be a fast 429, not a measurement).
 */
const benchTierLimits = {
  requests_per_minute: 10_000_000,
  tokens_per_minute: 10_000_000_000,
  concurrent_requests: 100_000,
};

export function gatewayBenchConfiguration(settings: GatewayBenchSettings): GatewayBenchConfiguration {
  const configuration: Record<string, unknown> = {
    server: {
      host: '127.0.0.1',
      port: 0,
      // The separate metrics port is off so parallel runs cannot collide on 9090; metrics are
      // still collected (and served on the main port to the admin key).
      metrics_port: 0,
      // Bounds the time the harness waits for the gateway to stop.
      drain_timeout_ms: 2_000,
    },
    data_dir: settings.dataDirectory,
    // Request logging stays on, as in production: one JSON line per request.
    log: { level: 'info', format: 'json' },
    providers: {
      'bench-upstream': { type: 'openai-compatible', base_url: `${settings.upstreamUrl}/v1` },
    },
    models: {
      [benchModel]: { targets: [{ provider: 'bench-upstream', model: 'mock-bench' }] },
    },
    tiers: { [benchTier]: benchTierLimits },
    // Agent authorization with the 100-rule policy of the authorize mode; the per-tenant limit is
    // counted on every decision, like the tier's, and too high to refuse one. The LLM routes never
    // consult governance, so this section costs them nothing.
    governance: {
      policy: { cedar: benchPolicyText() },
      rate_limit: { requests_per_minute: benchTierLimits.requests_per_minute },
    },
    // With Redis, limits (and the rest of the shared state) live there: one round trip per request.
    // Without L1, the Redis-backed gateway's cache hits (cache-hit mode) come from L2.
    ...(settings.redisUrl === undefined ? {} : { redis_url: settings.redisUrl, cache: { l1_size: 0 } }),
    ...(settings.audit === false ? { audit: { enabled: false } } : {}),
    // As shipped, the guard scores every chat request's user message (action log).
    ...(settings.guard === false ? { guard: { injection: { enabled: false } } } : {}),
  };
  return {
    yaml: stringify(configuration),
    environment: { GATEHOUSE_MASTER_KEY: benchMasterKey, LOG_LEVEL: 'info' },
    model: benchModel,
    adminHeaders: { authorization: `Bearer ${benchMasterKey}`, 'content-type': 'application/json' },
    authorizeHeaders: { authorization: `Bearer ${benchMasterKey}`, 'content-type': 'application/json' },
    // A virtual key, as production callers use: looked up, authorised for the model, limited.
    virtualKeyRequest: { name: 'bench-caller', tier: benchTier, models: [benchModel] },
  };
}
