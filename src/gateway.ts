import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  createCostCalculator,
  createPriceBook,
  createTokenCounter,
  createUsageWriter,
} from './accounting/index.js';
import {
  cacheSettingsFrom,
  createResponseCache,
  createResponseCaching,
  createSemanticCache,
  type Embedder,
  type ResponseCaching,
  type SemanticIndex,
} from './caching/index.js';
import {
  configuredSecrets,
  createSecretScrubber,
  maskedConfig,
  parseResourceAttributes,
} from './config/index.js';
import type { Config } from './config/schema.js';
import { codecs as dialectCodecs, validateEmbeddingsRequest, withScrubbedErrors } from './dialects/index.js';
import { buildApp, readTlsMaterial, watchTls, type TlsReloader } from './http/index.js';
import { createPolicyHolder, createPolicyRegistry } from './governance/policies/index.js';
import { createKeyService, keySettingsFromConfig, type AuthenticationResult } from './keys/index.js';
import { createLimiter, parseBudgetScope } from './limits/index.js';
import { createPipeline, createRequestLogger } from './pipeline/index.js';
import { createProviders } from './providers/registry.js';
import {
  createAnsweringTargets,
  createCircuitBreakers,
  createModelResolver,
  createRouter,
  createTargetStats,
} from './routing/index.js';
import { createMemoryLimitStore } from './stores/memory/memory-limit-store.js';
import { createMemoryCacheStore } from './stores/memory/memory-cache-store.js';
import { createMemorySemanticIndex } from './stores/memory/memory-cache-semantic-index.js';
import { createRedisBreakerChannel } from './stores/redis/redis-breaker-channel.js';
import { createRedisCacheStore } from './stores/redis/redis-cache-store.js';
import { createRedisPolicyChannel } from './stores/redis/redis-policy-channel.js';
import { createRedisConnection, type RedisConnection } from './stores/redis/redis-client.js';
import { createRedisLimitStore } from './stores/redis/redis-limit-store.js';
import { createPostgresSemanticIndex } from './stores/sql/semantic-index-postgres.js';
import { createSqlStores } from './stores/sql/index.js';
import {
  createMetrics,
  createTracing,
  parseOtlpHeaders,
  startMetricsServer,
  type DescribeProvider,
  type Logger,
  type MetricsServer,
  type ProviderDescription,
} from './telemetry/index.js';

export interface GatewayOptions {
  readonly config: Config;
  readonly masterKey: string;
  readonly logger: Logger;
}

export interface Gateway {
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Graceful shutdown: readiness turns false, new connections are refused, requests and streams in
   * flight finish (up to the drain timeout), usage records are flushed, then everything is closed.
   */
  close(): Promise<void>;
  /** Re-reads the TLS certificate and key (SIGHUP); a no-op without TLS. */
  reloadTls(): Promise<void>;
}

/** How often idle keep-alive connections are closed while draining (see `close`). */
const drainSweepMs = 100;

/** The composition root: builds every component from the configuration and wires them. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  // Built once: the credentials this process holds, taken out of every error a caller receives
  // (a provider may quote the key it was sent) and masked in the messages the request log keeps.
  const secrets = createSecretScrubber([...configuredSecrets(config), options.masterKey]);
  const codecs = withScrubbedErrors(dialectCodecs, secrets.redact);
  const tlsPaths =
    config.server.tls === undefined
      ? undefined
      : { certPath: config.server.tls.cert_path, keyPath: config.server.tls.key_path };
  const tls = tlsPaths === undefined ? undefined : await readTlsMaterial(tlsPaths);

  const stores = await createSqlStores({
    ...(config.database_url === undefined ? {} : { databaseUrl: config.database_url }),
    dataDir: config.data_dir,
    ...(config.database_schema === undefined ? {} : { schema: config.database_schema }),
    onConnectionError: (error) => logger.warn({ err: error }, 'database connection error'),
  });
  const redis: RedisConnection | undefined =
    config.redis_url === undefined
      ? undefined
      : createRedisConnection({
          url: config.redis_url,
          logger,
          keyPrefix: config.redis_key_prefix,
          connectionName: 'gatehouse',
        });

  // Give Redis a moment to connect so the first requests find shared state; without it in time,
  // the gateway starts anyway and falls back until it arrives.
  if (redis !== undefined && !(await redis.ready(2_000))) {
    logger.warn('Redis is not reachable yet; starting with per-replica limits and no L2 cache');
  }
  const providers = createProviders(config, { connectTimeoutMs: config.defaults.timeouts.connect_ms });
  const resolver = createModelResolver(config, providers);
  // Pub/sub channels are not key-prefixed by the client: the prefix goes into the channel name.
  const breakerChannel =
    redis !== undefined && redis.client instanceof Redis
      ? createRedisBreakerChannel(redis.client, `${redis.keyPrefix}breakers`)
      : undefined;
  const breaker = config.circuit_breaker;
  const breakers = createCircuitBreakers(
    {
      failureRate: breaker.failure_rate,
      minimumRequests: breaker.minimum_requests,
      windowMs: breaker.window_ms,
      openMs: breaker.open_ms,
      maxOpenMs: breaker.max_open_ms,
      halfOpenProbes: breaker.half_open_probes,
    },
    breakerChannel,
  );
  // Key ids that authenticated are issued keys: metrics keep them as labels however many there are
  // (the label guard folds only values it does not know).
  const authenticatedKeyIds = new Set<string>();
  const metrics = createMetrics({
    knownModels: [...resolver.configuredNames(), ...configuredTargetModels(config), 'mock'],
    knownKeys: () => authenticatedKeyIds,
    knownProviders: providers.keys(),
    knownTargets: configuredTargets(config),
    maxLabelValues: config.metrics.max_label_values,
    sources: {
      usage: () => usageWriter.stats(),
      limiterHealth: () => limiter.health(),
    },
  });
  const router = createRouter({
    resolver,
    codecs,
    breakers,
    stats: createTargetStats(),
    observer: metrics.routerObserver(),
  });
  const tracing = createTracing({
    mode: config.tracing.mode,
    endpoint: config.tracing.otlp_endpoint,
    headers:
      config.tracing.otlp_headers === undefined ? undefined : parseOtlpHeaders(config.tracing.otlp_headers),
    serviceName: config.tracing.service_name,
    sampler: config.tracing.sampler,
    ratio: config.tracing.sampler_ratio,
    capturePrompts: config.tracing.capture_prompts,
    resourceAttributes:
      config.tracing.resource_attributes === undefined
        ? undefined
        : parseResourceAttributes(config.tracing.resource_attributes),
    exportTimeoutMs: config.tracing.otlp_timeout_ms,
    batch: {
      scheduleDelayMs: config.tracing.batch.schedule_delay_ms,
      maxExportBatchSize: config.tracing.batch.max_export_batch_size,
      maxQueueSize: config.tracing.batch.max_queue_size,
      exportTimeoutMs: config.tracing.batch.export_timeout_ms,
    },
    langfuse:
      config.tracing.langfuse.public_key === undefined || config.tracing.langfuse.secret_key === undefined
        ? undefined
        : {
            publicKey: config.tracing.langfuse.public_key,
            secretKey: config.tracing.langfuse.secret_key,
            url: config.tracing.langfuse.url,
          },
  });

  const keys = createKeyService({
    store: stores.keys,
    ...keySettingsFromConfig(config),
    masterKey: options.masterKey,
    logger,
  });
  keys.start();

  const limiter = createLimiter({
    store: redis === undefined ? createMemoryLimitStore() : createRedisLimitStore({ connection: redis }),
    fallback: redis === undefined ? undefined : createMemoryLimitStore(),
    onStoreFailure: config.limits.on_redis_failure,
    globalRequestsPerMinute: config.limits.global_requests_per_minute,
    spentSince: (scope, since) => stores.usage.spentSince(parseBudgetScope(scope), since),
    logger,
  });

  const usageWriter = createUsageWriter({
    store: stores.usage,
    batchSize: config.usage.batch_size,
    flushIntervalMs: config.usage.flush_interval_ms,
    memoryBuffer: config.usage.memory_buffer,
    durability: config.usage.durability,
    // One spool per process: a replica replays only what it spilled itself (or a predecessor with
    // the same data directory did).
    spoolDirectory: join(config.data_dir, 'usage-spool'),
    logger,
  });
  const costs = createCostCalculator(createPriceBook(config.pricing), logger);
  const semanticPool = needsSemanticPool(config)
    ? new pg.Pool({ connectionString: config.database_url, max: 2 })
    : undefined;
  // An idle connection's error (the database restarted) must not crash the process; the pool
  // replaces the connection and the semantic index counts the failed lookups as misses.
  semanticPool?.on('error', (error) => logger.warn({ err: error }, 'semantic index connection error'));
  const caching = await createCaching(config, {
    redis,
    metrics,
    logger,
    semanticPool,
    databaseSchema: config.database_schema,
    embed: async (texts, model, signal) => {
      const outcome = await router.route({
        dialect: 'openai',
        operation: 'embeddings',
        model,
        body: { model, input: [...texts], encoding_format: 'float' },
        stream: false,
        includeUsage: false,
        forwardHeaders: {},
        signal: signal ?? AbortSignal.timeout(10_000),
      });
      if (outcome.type !== 'json')
        throw outcome.type === 'error' ? outcome.error : new Error('unexpected stream');
      return embeddingsOf(outcome.body);
    },
  });

  // The Cedar policy in force: every replica holds a compiled snapshot and follows the database,
  // told of changes over Redis when there is one, else by polling it every second.
  const policyChannel =
    redis !== undefined && redis.client instanceof Redis
      ? createRedisPolicyChannel(redis.client, `${redis.keyPrefix}policy`)
      : undefined;
  const policyHolder = createPolicyHolder({
    store: stores.policies,
    channel: policyChannel,
    // 500 ms: a change is in force everywhere within a second, the query included.
    pollIntervalMs: policyChannel === undefined ? 500 : 10_000,
    onError: (error, message) => logger.error({ err: error }, message),
  });
  const policies = createPolicyRegistry({
    store: stores.policies,
    // Until the audit trail stores them, policy changes are log events.
    events: { policyChanged: (event) => logger.info({ event }, 'policy changed') },
    onStored: (version) => policyHolder.stored(version),
    now: Date.now,
  });
  policyHolder.start(await policies.ensureInitial(config.governance.policy.cedar));

  const pipeline = createPipeline({
    authenticator: {
      authenticate(headers) {
        const noteKey = (result: AuthenticationResult): AuthenticationResult => {
          if (result.type === 'authenticated') authenticatedKeyIds.add(result.principal.keyId);
          return result;
        };
        const result = keys.authenticate(headers);
        return result instanceof Promise ? result.then(noteKey) : noteKey(result);
      },
    },
    limiter,
    caching,
    metrics,
    tracing,
    accounting: {
      costs,
      usage: usageWriter,
      tokens: createTokenCounter(),
      providerType: (name) => providers.get(name)?.type,
    },
    targetsOf: createAnsweringTargets(resolver),
    router,
    codecs,
    describeProvider: describeProviders(config, providers),
    validateEmbeddings: validateEmbeddingsRequest,
    requestLog: createRequestLogger(logger, { mask: secrets.mask }),
  });

  let draining = false;
  const modelNames = config.mock.enabled
    ? [...resolver.configuredNames(), 'mock']
    : resolver.configuredNames();
  const masked = maskedConfig(config);
  const app = buildApp({
    settings: {
      tls,
      bodyLimitBytes: config.server.body_limit_bytes,
      keepAliveTimeoutMs: config.server.keep_alive_timeout_ms,
      headersTimeoutMs: config.server.headers_timeout_ms,
      requestTimeoutMs: config.server.request_timeout_ms,
      streamKeepAliveMs: config.server.stream_keep_alive_ms,
      maxJsonDepth: config.server.max_json_depth,
      maxConnectionsPerAddress: config.server.max_connections_per_address,
      authFailuresPerAddress: config.server.auth_failures_per_address,
      authFailureWindowMs: config.server.auth_failure_window_ms,
    },
    pipeline,
    codecs,
    logger,
    metrics,
    modelNames: () => modelNames,
    isDraining: () => draining,
    // `GET /v1/policy` shows the version in force on this replica, which is what decides here.
    policies: { ...policies, current: () => Promise.resolve(policyHolder.currentVersion()) },
    admin: {
      keys,
      reports: stores.usage,
      ...(caching === undefined ? {} : { cache: caching }),
      maskedConfig: () => masked,
      status: () => ({
        providers: [...providers.values()].map((provider) => ({
          name: provider.name,
          type: provider.type,
          dialects: provider.dialects,
          supports_prefill: provider.supportsPrefill,
        })),
        breakers: breakers.snapshot(),
        limits: limiter.health(),
        redis: redis?.health(),
        usage: usageWriter.stats(),
      }),
    },
    readiness: {
      async check() {
        const checks: Record<string, string> = { configuration: 'ok', draining: draining ? 'yes' : 'no' };
        let ready = !draining;
        // A database outage is reported but does not take the replica out of rotation: cached keys
        // keep working and usage records wait in the buffer (decision 0005).
        try {
          await stores.ping();
          checks.database = 'ok';
        } catch (error) {
          checks.database = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (redis !== undefined) {
          const health = redis.health();
          checks.redis = health.state;
          // With per-replica fallback the gateway serves on while Redis is down, so it stays ready;
          // with fail_closed it refuses requests, and says so.
          if (health.state === 'down' && config.limits.on_redis_failure === 'fail_closed') ready = false;
        }
        return { ready, checks };
      },
    },
  });

  let tlsReloader: TlsReloader | undefined;
  let metricsServer: MetricsServer | undefined;

  return {
    async listen() {
      await app.listen({ host: config.server.host, port: config.server.port });
      if (tlsPaths !== undefined) {
        tlsReloader = watchTls(app.server as unknown as HttpsServer, tlsPaths, (error) => {
          if (error === undefined) logger.info('TLS certificate reloaded');
          else logger.error({ err: error }, 'TLS certificate reload failed; keeping the previous one');
        });
      }
      if (config.server.metrics_port !== 0) {
        metricsServer = await startMetricsServer({
          host: config.server.metrics_host,
          port: config.server.metrics_port,
          metrics,
        });
      }
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const scheme = tls === undefined ? 'http' : 'https';
      return { url: `${scheme}://${host}:${address.port}`, port: address.port };
    },
    async close() {
      draining = true;
      tlsReloader?.close();
      const forced = setTimeout(() => {
        logger.warn(
          { drain_timeout_ms: config.server.drain_timeout_ms },
          'drain timeout reached; closing connections',
        );
        app.server.closeAllConnections();
      }, config.server.drain_timeout_ms);
      forced.unref();
      // Connections that finish their last response during the drain become idle but stay open
      // (keep-alive); closing them as they go idle lets the process exit as soon as work is done.
      const sweep = setInterval(() => app.server.closeIdleConnections(), drainSweepMs);
      try {
        await app.close();
      } finally {
        clearTimeout(forced);
        clearInterval(sweep);
        // Streams finish writing their usage records when they end; give their last callbacks a turn.
        await new Promise((resolve) => setImmediate(resolve));
        await metricsServer?.close();
        await pipeline.drain();
        await keys.stop();
        await usageWriter.close();
        await limiter.close();
        await breakerChannel?.close();
        policyHolder.stop();
        await policyChannel?.close();
        await Promise.all([...providers.values()].map((provider) => provider.close()));
        await redis?.close();
        await semanticPool?.end();
        await stores.close();
        await tracing.shutdown();
      }
    },
    reloadTls: () => tlsReloader?.reload() ?? Promise.resolve(),
  };
}

function configuredTargets(config: Config): string[] {
  return Object.values(config.models).flatMap((model) =>
    model.targets.map((target) => `${target.provider}/${target.model}`),
  );
}

/** Where providers without a `base_url` send requests (the adapters' defaults), for span attributes. */
const defaultProviderUrls: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
};

/** Each provider's type and address, for the `gen_ai.provider.name` and `server.*` of attempt spans. */
function describeProviders(
  config: Config,
  providers: ReadonlyMap<string, { readonly type: string }>,
): DescribeProvider {
  const descriptions = new Map<string, ProviderDescription>();
  for (const [name, provider] of providers) {
    const baseUrl = config.providers[name]?.base_url ?? defaultProviderUrls[provider.type];
    descriptions.set(name, { type: provider.type, ...serverOf(baseUrl) });
  }
  return (name) => descriptions.get(name);
}

/** Host and port only: a URL's path, query or user information never reaches a span. */
function serverOf(url: string | undefined): { address?: string; port?: number } {
  if (url === undefined) return {};
  try {
    const parsed = new URL(url);
    const address = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
    return { address, port };
  } catch {
    return {};
  }
}

function configuredTargetModels(config: Config): string[] {
  return Object.values(config.models).flatMap((model) => model.targets.map((target) => target.model));
}

function needsSemanticPool(config: Config): boolean {
  return (
    config.database_url !== undefined &&
    config.cache.enabled &&
    Object.values(config.cache.models).some((model) => model.semantic?.enabled === true)
  );
}

interface CachingParts {
  readonly redis: RedisConnection | undefined;
  readonly metrics: ReturnType<typeof createMetrics>;
  readonly logger: Logger;
  readonly semanticPool: pg.Pool | undefined;
  readonly databaseSchema: string | undefined;
  readonly embed: Embedder;
}

/** The response cache: L1 in process, L2 in Redis when configured, and the semantic index. */
async function createCaching(config: Config, parts: CachingParts): Promise<ResponseCaching | undefined> {
  const settings = cacheSettingsFrom(config.cache, parts.redis !== undefined);
  if (!settings.enabled) return undefined;
  const { redis, metrics, logger } = parts;
  const cache = createResponseCache({
    local:
      settings.l1Size === 0
        ? undefined
        : createMemoryCacheStore({ maxEntries: settings.l1Size, maxBytes: settings.l1MaxBytes }),
    shared:
      settings.l2Enabled && redis !== undefined
        ? createRedisCacheStore({
            client: redis.client,
            maxTtlSeconds: settings.maxTtlSeconds,
            reportFailure: (error) => redis.reportFailure(error),
            withDeadline: (command) => redis.withDeadline(command),
          })
        : undefined,
    localTtlSeconds: settings.l1TtlSeconds,
    maxEntryBytes: settings.maxEntryBytes,
    observer: metrics,
    logger,
  });
  const semanticWanted = Object.values(settings.models).some((model) => model.semantic?.enabled === true);
  // Shared by replicas in Postgres; in process for the embedded database (one node).
  const index = !semanticWanted
    ? undefined
    : parts.semanticPool === undefined
      ? createMemorySemanticIndex()
      : await postgresSemanticIndex(parts.semanticPool, parts.databaseSchema, logger);
  const semantic =
    index !== undefined
      ? createSemanticCache({
          index,
          embed: parts.embed,
          observer: metrics,
          logger,
        })
      : undefined;
  return createResponseCaching({ settings, cache, codecs: dialectCodecs, semantic, observer: metrics });
}

/**
 * The semantic index in Postgres, its table created if missing (the database and its schema are
 * reachable: the SQL stores have just been migrated). Should that fail anyway, the gateway starts:
 * semantic lookups then fail, which the semantic cache counts as misses.
 */
async function postgresSemanticIndex(
  pool: pg.Pool,
  schema: string | undefined,
  logger: Logger,
): Promise<SemanticIndex> {
  const index = createPostgresSemanticIndex({ pool, schema });
  try {
    await index.ensureSchema();
  } catch (error) {
    logger.warn({ err: error }, 'could not create the semantic cache table; semantic lookups will miss');
  }
  return index;
}

/** The vectors of an OpenAI embeddings response, in input order. */
function embeddingsOf(body: Buffer): number[][] {
  const parsed = JSON.parse(body.toString('utf8')) as { data?: { index?: number; embedding?: unknown }[] };
  const data = [...(parsed.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return data.map((entry) => {
    if (!Array.isArray(entry.embedding)) throw new Error('the embeddings answer has no float vectors');
    return entry.embedding as number[];
  });
}
