import type { UsageWriter } from '../accounting/index.js';
import type { ResponseCaching } from '../caching/index.js';
import { maskedConfig, type Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import {
  buildApp,
  readTlsMaterial,
  type AppSettings,
  type TlsMaterial,
  type TlsPaths,
} from '../http/index.js';
import type { RequestIdGenerator } from '../http/request-id.js';
import type { KeyService } from '../keys/index.js';
import type { Limiter } from '../limits/index.js';
import type { Dialect } from '../llm/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { ProviderAdapter } from '../providers/contract.js';
import type { CircuitBreakers, ModelResolver } from '../routing/index.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import type { SqlStores } from '../stores/sql/index.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import type { Contribution, ReadinessCheck, RouteRegistration } from './assembly.js';
import { createServerLifecycle, type ServerLifecycle } from './http-server.js';

export interface HttpNeeds {
  readonly config: Config;
  readonly logger: Logger;
  readonly pipeline: Pipeline;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly metrics: Metrics;
  readonly newRequestId: RequestIdGenerator;
  readonly keys: KeyService;
  readonly stores: SqlStores;
  readonly caching: ResponseCaching | undefined;
  readonly resolver: ModelResolver;
  /** What `/admin/status` reports. */
  readonly status: StatusSources;
  /** Contributed by the areas assembled before: reported by `/health/ready` after `draining`. */
  readonly readiness: readonly ReadinessCheck[];
  /** Contributed by the areas assembled before: routes that are not model calls. */
  readonly routes: readonly RouteRegistration[];
}

export interface StatusSources {
  readonly providers: ReadonlyMap<string, ProviderAdapter>;
  readonly breakers: CircuitBreakers;
  readonly limiter: Limiter;
  readonly redis: RedisConnection | undefined;
  readonly usageWriter: UsageWriter;
  /** Undefined when the audit log is disabled. */
  readonly auditWriter: { stats(): object } | undefined;
}

export type HttpParts = Pick<ServerLifecycle, 'listen' | 'reloadTls'>;

/** The HTTP app (model routes, admin, health), assembled last so that it closes first: the drain. */
export async function assembleHttp(needs: HttpNeeds): Promise<Contribution<HttpParts>> {
  const { config } = needs;
  const tlsPaths: TlsPaths | undefined =
    config.server.tls === undefined
      ? undefined
      : { certPath: config.server.tls.cert_path, keyPath: config.server.tls.key_path };
  const tls = tlsPaths === undefined ? undefined : await readTlsMaterial(tlsPaths);
  const drain = { started: false };
  const modelNames = config.mock.enabled
    ? [...needs.resolver.configuredNames(), 'mock']
    : needs.resolver.configuredNames();
  const masked = maskedConfig(config);
  const app = buildApp({
    settings: appSettingsFrom(config, tls),
    pipeline: needs.pipeline,
    codecs: needs.codecs,
    logger: needs.logger,
    metrics: needs.metrics,
    newRequestId: needs.newRequestId,
    modelNames: () => modelNames,
    isDraining: () => drain.started,
    admin: {
      keys: needs.keys,
      reports: needs.stores.usage,
      ...(needs.caching === undefined ? {} : { cache: needs.caching }),
      maskedConfig: () => masked,
      status: () => statusOf(needs.status),
    },
    readiness: { check: () => readinessOf(needs.readiness, drain.started) },
    routes: needs.routes,
  });
  const server = createServerLifecycle({
    config,
    logger: needs.logger,
    metrics: needs.metrics,
    app,
    tlsPaths,
    drain,
  });
  return { parts: { listen: server.listen, reloadTls: server.reloadTls }, close: server.close };
}

/** The HTTP app's settings, from the `server` section and the TLS material read at start. */
function appSettingsFrom(config: Config, tls: TlsMaterial | undefined): AppSettings {
  const { server } = config;
  return {
    tls,
    bodyLimitBytes: server.body_limit_bytes,
    keepAliveTimeoutMs: server.keep_alive_timeout_ms,
    headersTimeoutMs: server.headers_timeout_ms,
    requestTimeoutMs: server.request_timeout_ms,
    streamKeepAliveMs: server.stream_keep_alive_ms,
    maxJsonDepth: server.max_json_depth,
    maxConnectionsPerAddress: server.max_connections_per_address,
    authFailuresPerAddress: server.auth_failures_per_address,
    authFailureWindowMs: server.auth_failure_window_ms,
  };
}

function statusOf(sources: StatusSources): object {
  return {
    providers: [...sources.providers.values()].map((provider) => ({
      name: provider.name,
      type: provider.type,
      dialects: provider.dialects,
      supports_prefill: provider.supportsPrefill,
    })),
    breakers: sources.breakers.snapshot(),
    limits: sources.limiter.health(),
    redis: sources.redis?.health(),
    usage: sources.usageWriter.stats(),
    audit: sources.auditWriter?.stats(),
  };
}

async function readinessOf(
  contributed: readonly ReadinessCheck[],
  draining: boolean,
): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = { configuration: 'ok', draining: draining ? 'yes' : 'no' };
  let ready = !draining;
  for (const contribution of contributed) {
    const { state, ready: readyInState } = await contribution.check();
    checks[contribution.name] = state;
    if (!readyInState) ready = false;
  }
  return { ready, checks };
}
