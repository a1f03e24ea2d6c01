import type { Config } from '../config/index.js';
import { createRedisConnection, type RedisConnection } from '../stores/redis/redis-client.js';
import { createSqlStores, type SqlStores } from '../stores/sql/index.js';
import type { Logger } from '../telemetry/index.js';
import type { CheckedState, Contribution } from './assembly.js';

/** The SQL stores (keys, usage), migrated before this resolves. */
export async function assembleDatabase(config: Config, logger: Logger): Promise<Contribution<SqlStores>> {
  const stores = await createSqlStores({
    ...(config.database_url === undefined ? {} : { databaseUrl: config.database_url }),
    dataDir: config.data_dir,
    ...(config.database_schema === undefined ? {} : { schema: config.database_schema }),
    onConnectionError: (error) => logger.warn({ err: error }, 'database connection error'),
    // The embedded database's writes on the authorization path run off the event loop (decision 0020).
    writeThread: true,
  });
  return {
    parts: stores,
    readiness: [{ name: 'database', check: () => databaseState(stores) }],
    close: () => stores.close(),
  };
}

/**
 * A database outage is reported but does not take the replica out of rotation: cached keys keep
 * working and usage records wait in the buffer (decision 0005).
 */
async function databaseState(stores: SqlStores): Promise<CheckedState> {
  try {
    await stores.ping();
    return { state: 'ok', ready: true };
  } catch (error) {
    return { state: `unreachable: ${error instanceof Error ? error.message : String(error)}`, ready: true };
  }
}

/** The Redis connection shared by limits, the L2 cache and the breakers; undefined without `redis_url`. */
export async function assembleRedis(
  config: Config,
  logger: Logger,
): Promise<Contribution<RedisConnection | undefined>> {
  if (config.redis_url === undefined) return { parts: undefined };
  const redis = createRedisConnection({
    url: config.redis_url,
    logger,
    keyPrefix: config.redis_key_prefix,
    connectionName: 'gatehouse',
  });
  // Give Redis a moment to connect so the first requests find shared state; without it in time,
  // the gateway starts anyway and falls back until it arrives.
  if (!(await redis.ready(2_000))) {
    logger.warn('Redis is not reachable yet; starting with per-replica limits and no L2 cache');
  }
  const failClosed = config.limits.on_redis_failure === 'fail_closed';
  return {
    parts: redis,
    readiness: [
      {
        name: 'redis',
        check() {
          const { state } = redis.health();
          // With per-replica fallback the gateway serves on while Redis is down, so it stays ready;
          // with fail_closed it refuses requests, and says so.
          return { state, ready: !(state === 'down' && failClosed) };
        },
      },
    ],
    close: () => redis.close(),
  };
}
