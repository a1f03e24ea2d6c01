import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

/**
 * The human-review queue. An item is written once pending and changed once when resolved (by a
 * conditional update on `status = 'pending'`, which makes resolution exactly-once). It is found by
 * its id or by the trace id of the decision that created it, hence the unique index on `trace_id`.
 */
export function reviewQueue(dialect: SqlDialect): Migration {
  const realType = dialect === 'postgres' ? 'double precision' : 'real';
  return {
    async up(database: Kysely<unknown>): Promise<void> {
      await database.schema
        .createTable('review_items')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('tenant_id', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('action', 'text', (column) => column.notNull())
        // JSON object of string values.
        .addColumn('resource', 'text', (column) => column.notNull())
        .addColumn('confidence_score', sql.raw(realType), (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('acting_for', 'text')
        .addColumn('trace_id', 'text', (column) => column.notNull())
        .addColumn('risk_score', sql.raw(realType), (column) => column.notNull())
        .addColumn('policy_digest', 'text', (column) => column.notNull())
        .addColumn('input_hash', 'text', (column) => column.notNull())
        .addColumn('args_hash', 'text')
        .addColumn('enqueued_at', 'bigint', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('resolved_at', 'bigint')
        .addColumn('resolved_by', 'text')
        .addColumn('resolution_note', 'text')
        .addColumn('resolver_key_id', 'text')
        .addUniqueConstraint('review_items_trace_id_unique', ['trace_id'])
        .execute();
      // The pending list, oldest first; and the sweeper's search for overdue items.
      await database.schema
        .createIndex('review_items_status_enqueued')
        .on('review_items')
        .columns(['status', 'enqueued_at', 'id'])
        .execute();
      await database.schema
        .createIndex('review_items_status_expires')
        .on('review_items')
        .columns(['status', 'expires_at'])
        .execute();
    },
  };
}
