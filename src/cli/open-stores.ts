import type { Config } from '../config/index.js';
import { openReviewWakeChannel } from '../gateway/review-wake-channel.js';
import {
  createReviewQueue,
  ignoreReviews,
  newReviewId,
  type ReviewItem,
  type ReviewQueue,
} from '../governance/review/index.js';
import {
  auditEntryOf,
  reviewAuditEvent,
  type AuditEntry,
  type AuditArchiveStore,
  type AuditStore,
} from '../governance/audit/index.js';
import { createRecordIdGenerator } from '../durable/index.js';
import type { KeyStore } from '../keys/index.js';
import { createRedisConnection } from '../stores/redis/redis-client.js';
import { createSqlStores } from '../stores/sql/index.js';
import { createLogger } from '../telemetry/index.js';

/** The configured database (Postgres, or the embedded SQLite in the data directory). */
function configuredStores(config: Config): ReturnType<typeof createSqlStores> {
  return createSqlStores({
    ...(config.database_url === undefined ? {} : { databaseUrl: config.database_url }),
    dataDir: config.data_dir,
    ...(config.database_schema === undefined ? {} : { schema: config.database_schema }),
  });
}

/** The configured database, for commands that work on it directly (`gatehouse keys`, `gatehouse audit`). */
export async function openSqlStores(
  config: Config,
): Promise<{ keys: KeyStore; audit: AuditStore; auditArchive: AuditArchiveStore; close(): Promise<void> }> {
  const stores = await configuredStores(config);
  return {
    keys: stores.keys,
    audit: stores.audit,
    auditArchive: stores.auditArchive,
    close: () => stores.close(),
  };
}

/**
 * The configured deployment's review queue, for `gatehouse review`: its database, and the wake
 * channel its replicas listen on (Redis when configured, else Postgres NOTIFY), so a resolution
 * made here wakes the waiters on every running replica. What it resolves is recorded in the audit
 * log (when `audit.enabled`) before the database is closed.
 */
export async function openReviewQueue(
  config: Config,
  warn: (message: string) => void,
): Promise<{ queue: ReviewQueue; close(): Promise<void> }> {
  const stores = await configuredStores(config);
  const logger = createLogger({ level: 'error', format: 'json' }, { write: () => undefined });
  const redis =
    config.redis_url === undefined
      ? undefined
      : createRedisConnection({ url: config.redis_url, logger, keyPrefix: config.redis_key_prefix });
  const onError = (error: unknown, message: string): void =>
    warn(`${message}: ${error instanceof Error ? error.message : String(error)}`);
  if (redis !== undefined && !(await redis.ready(5_000)))
    warn('Redis is not reachable: running replicas will see this change by their backstop re-reads');
  const channel = openReviewWakeChannel({
    redis,
    stores,
    databaseUrl: config.database_url,
    databaseSchema: config.database_schema,
    onError,
  });
  const newEventId = createRecordIdGenerator();
  const recorded: AuditEntry[] = [];
  const record = (item: ReviewItem, type: 'review.created' | 'review.resolved'): void => {
    const at = Date.now();
    if (config.audit.enabled) recorded.push(auditEntryOf(reviewAuditEvent(item, type), newEventId(at), at));
  };
  const queue = createReviewQueue({
    store: stores.reviews,
    channel,
    events: {
      created: (item) => record(item, 'review.created'),
      resolved: (item) => record(item, 'review.resolved'),
    },
    observer: ignoreReviews,
    ttlMs: config.governance.review.ttl_seconds * 1_000,
    now: Date.now,
    newId: newReviewId,
    onError,
  });
  return {
    queue,
    async close() {
      if (recorded.length > 0) await stores.audit.append(recorded.splice(0));
      await channel.close();
      await redis?.close();
      await stores.close();
    },
  };
}
