import pg from 'pg';
import {
  cacheSettingsFrom,
  createResponseCache,
  createResponseCaching,
  createSemanticCache,
  type CacheSettings,
  type Embedder,
  type ResponseCaching,
  type SemanticIndex,
} from '../caching/index.js';
import type { Config } from '../config/index.js';
import { codecs as dialectCodecs, embeddingVectorsOf } from '../dialects/index.js';
import type { Router } from '../routing/index.js';
import { createMemoryCacheStore } from '../stores/memory/memory-cache-store.js';
import { createMemorySemanticIndex } from '../stores/memory/memory-cache-semantic-index.js';
import { createRedisCacheStore } from '../stores/redis/redis-cache-store.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import { createPostgresSemanticIndex } from '../stores/sql/semantic-index-postgres.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

export interface CachingNeeds {
  readonly config: Config;
  readonly redis: RedisConnection | undefined;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly router: Router;
}

/** The response cache: L1 in process, L2 in Redis when configured, and the semantic index; undefined when off. */
export async function assembleCaching(
  needs: CachingNeeds,
): Promise<Contribution<ResponseCaching | undefined>> {
  const { config, redis, metrics, logger } = needs;
  const settings = cacheSettingsFrom(config.cache, redis !== undefined);
  if (!settings.enabled) return { parts: undefined };
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
  const semanticPool = semanticWanted(settings) ? semanticPoolOf(config, logger) : undefined;
  const semantic = !semanticWanted(settings)
    ? undefined
    : createSemanticCache({
        // Shared by replicas in Postgres; in process for the embedded database (one node).
        index:
          semanticPool === undefined
            ? createMemorySemanticIndex()
            : await postgresSemanticIndex(semanticPool, config.database_schema, logger),
        embed: routedEmbedder(needs.router),
        observer: metrics,
        logger,
      });
  return {
    parts: createResponseCaching({ settings, cache, codecs: dialectCodecs, semantic, observer: metrics }),
    ...(semanticPool === undefined ? {} : { close: () => semanticPool.end() }),
  };
}

function semanticWanted(settings: CacheSettings): boolean {
  return Object.values(settings.models).some((model) => model.semantic?.enabled === true);
}

/** A small pool of its own for the semantic index, with Postgres; undefined with the embedded database. */
function semanticPoolOf(config: Config, logger: Logger): pg.Pool | undefined {
  if (config.database_url === undefined) return undefined;
  const pool = new pg.Pool({ connectionString: config.database_url, max: 2 });
  // An idle connection's error (the database restarted) must not crash the process; the pool
  // replaces the connection and the semantic index counts the failed lookups as misses.
  pool.on('error', (error) => logger.warn({ err: error }, 'semantic index connection error'));
  return pool;
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

/** Prompts are embedded by routing an OpenAI embeddings request, like any caller's. */
function routedEmbedder(router: Router): Embedder {
  return async (texts, model, signal) => {
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
    return embeddingVectorsOf(outcome.body);
  };
}
