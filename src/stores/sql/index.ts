import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { UsageStore } from '../../accounting/types.js';
import type { ReviewOutcomeStore } from '../../governance/analytics/prediction/index.js';
import type { AlertStore, AnalyticsStore } from '../../governance/analytics/index.js';
import type { AuditArchiveStore, AuditStore } from '../../governance/audit/index.js';
import type { GrantStore } from '../../governance/delegation/index.js';
import type { PolicyStore } from '../../governance/policies/index.js';
import type { ReviewStore } from '../../governance/review/index.js';
import type { KeyStore } from '../../keys/types.js';
import type { Database } from './database-schema.js';
import { migrateToLatest } from './migrate.js';
import { currentSchema, ensureSchema, openPostgresDatabase } from './postgres-database.js';
import { createSqlAlertStore } from './sql-alert-store.js';
import { createSqlAnalyticsStore } from './sql-analytics-store.js';
import { createSqlAuditArchiveStore } from './sql-audit-archive-store.js';
import { createSqlAuditStore } from './sql-audit-store.js';
import { createSqlGrantStore } from './sql-grant-store.js';
import { createSqlKeyStore } from './sql-key-store.js';
import { createSqlPolicyStore } from './sql-policy-store.js';
import { createSqlReviewOutcomeStore } from './sql-review-outcome-store.js';
import { createSqlReviewStore } from './sql-review-store.js';
import { dialectOf, type SqlDialect } from './sql-dialect.js';
import { createSqlUsageStore, type UsageDatabase } from './sql-usage-store.js';
import { createSqliteWriteThread } from './sqlite-write-thread.js';
import { openSqliteConnection, sqliteFileName } from './sqlite-database.js';

export type { SqlDialect } from './sql-dialect.js';
export { dialectOf } from './sql-dialect.js';

export interface SqlStoreOptions {
  /** `postgres://` or `postgresql://` for Postgres; absent or empty for the embedded SQLite. */
  readonly databaseUrl?: string;
  /** Where the embedded database keeps `gatehouse.db`; unused with Postgres. */
  readonly dataDir: string;
  /** Postgres only: the schema holding every table, created when missing (test isolation). */
  readonly schema?: string;
  /**
   * Postgres only: errors of idle pooled connections, which the pool replaces by itself; for the
   * log. Ignored when not given.
   */
  readonly onConnectionError?: (error: Error) => void;
  /**
   * SQLite only: audit records and review items are written on a thread of their own with its own
   * connection, off the event loop (the gateway; decision 0020); otherwise on the event loop (the
   * command line).
   */
  readonly writeThread?: boolean;
}

export interface SqlStores {
  readonly keys: KeyStore;
  readonly usage: UsageStore;
  /** Versions of the Cedar policy set (agent authorization). */
  readonly policies: PolicyStore;
  /** The human-review queue. */
  readonly reviews: ReviewStore;
  /** The reviews people resolved: what the review-outcome model and the confidence calibrator learn from. */
  readonly reviewOutcomes: ReviewOutcomeStore;
  /** Postgres only: sends a NOTIFY through the pool (the review queue's wake channel publishes with it). */
  readonly notify: ((channel: string, payload: string) => Promise<void>) | undefined;
  /** The hash-chained audit log. */
  readonly audit: AuditStore;
  /** Filtered reads, the retention anchor and leases of the audit log (export, admin, retention). */
  readonly auditArchive: AuditArchiveStore;
  /** Delegation grants and their swarms. */
  readonly grants: GrantStore;
  /** Agent decisions and reviewer outcomes for analytics, and agents' baselines. */
  readonly analytics: AnalyticsStore;
  /** Analytics alerts. */
  readonly alerts: AlertStore;
  /** `select 1`: resolves when the database answers (readiness, `gatehouse check`). */
  ping(): Promise<void>;
  /** Closes the database (the SQLite file, or the Postgres pool). */
  close(): Promise<void>;
  readonly dialect: SqlDialect;
}

/**
 * Opens the database `databaseUrl` names (SQLite in `dataDir` when none) and applies pending
 * migrations before resolving. Rejects when the database is unreachable or a migration fails.
 */
export async function createSqlStores(options: SqlStoreOptions): Promise<SqlStores> {
  const { dialect, database, usageDatabase } = openDatabase(options);
  try {
    if (dialect === 'postgres') {
      if (options.schema !== undefined) await ensureSchema(database, options.schema);
      await migrateToLatest(database, dialect, options.schema ?? (await currentSchema(database)));
    } else {
      await migrateToLatest(database, dialect, undefined);
    }
  } catch (error) {
    await database.destroy();
    throw error;
  }
  const writeThread =
    options.writeThread === true && dialect === 'sqlite'
      ? createSqliteWriteThread(join(options.dataDir, sqliteFileName))
      : undefined;
  return {
    keys: createSqlKeyStore(database, dialect),
    usage: createSqlUsageStore(database, usageDatabase),
    policies: createSqlPolicyStore(database),
    reviews: createSqlReviewStore(
      database,
      writeThread === undefined ? undefined : (row) => writeThread.insertRow('review_items', row),
    ),
    reviewOutcomes: createSqlReviewOutcomeStore(database),
    notify:
      dialect === 'postgres'
        ? async (channel, payload) => {
            await sql`select pg_notify(${channel}, ${payload})`.execute(database);
          }
        : undefined,
    audit: createSqlAuditStore(database, usageDatabase, { sqliteAppend: writeThread?.appendAudit }),
    auditArchive: createSqlAuditArchiveStore(database),
    grants: createSqlGrantStore(database),
    analytics: createSqlAnalyticsStore(database),
    alerts: createSqlAlertStore(database),
    async ping(): Promise<void> {
      await sql`select 1`.execute(database);
    },
    async close() {
      await writeThread?.close();
      await database.destroy();
    },
    dialect,
  };
}

function openDatabase(options: SqlStoreOptions): {
  dialect: SqlDialect;
  database: Kysely<Database>;
  usageDatabase: UsageDatabase;
} {
  const { databaseUrl } = options;
  if (databaseUrl === undefined || dialectOf(databaseUrl) === 'sqlite') {
    const { database, connection } = openSqliteConnection(options.dataDir);
    return { dialect: 'sqlite', database, usageDatabase: { dialect: 'sqlite', connection } };
  }
  const database = openPostgresDatabase({
    databaseUrl,
    schema: options.schema,
    onConnectionError: options.onConnectionError ?? ignore,
  });
  return { dialect: 'postgres', database, usageDatabase: { dialect: 'postgres' } };
}

function ignore(): void {
  // The pool has already discarded the broken connection; nothing else to do.
}
