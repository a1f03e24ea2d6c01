import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

/**
 * The audit log: one hash chain (docs/governance.md, "Audit"; decision 0008). `audit_records` holds
 * the records, numbered by `seq` without gaps; `audit_head` one row, the chain's end (last `seq`,
 * its hash and time), which every append locks, reads and moves in the transaction that inserts its
 * records, so that replicas appending at once form one chain. The head starts at 0 and the genesis
 * hash (64 zeros). `event_id` is unique: a batch appended again (after a lost commit acknowledgement
 * or a crash) is recognised and skipped, so the chain holds no duplicates. Times are Unix
 * milliseconds; `resource` and `details` are JSON text.
 */
export function auditLog(dialect: SqlDialect): Migration {
  const realType = dialect === 'postgres' ? 'double precision' : 'real';
  // SQLite: `integer primary key` is the table's rowid, the cheapest key it has.
  const sequenceType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(database: Kysely<unknown>): Promise<void> {
      await database.schema
        .createTable('audit_records')
        .addColumn('seq', sequenceType, (column) => column.primaryKey())
        .addColumn('event_id', 'text', (column) => column.notNull())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('recorded_at', 'bigint', (column) => column.notNull())
        .addColumn('timestamp', 'text', (column) => column.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('trace_id', 'text')
        .addColumn('actor', 'text')
        .addColumn('action', 'text')
        .addColumn('resource', 'text')
        .addColumn('confidence_score', realType)
        .addColumn('decision', 'text')
        .addColumn('reason', 'text')
        .addColumn('downgraded_scope', 'text')
        .addColumn('latency_ms', realType)
        .addColumn('input_hash', 'text')
        .addColumn('output_hash', 'text')
        .addColumn('policy_digest', 'text')
        .addColumn('details', 'text', (column) => column.notNull())
        .addColumn('prev_hash', 'text', (column) => column.notNull())
        .addColumn('hash', 'text', (column) => column.notNull())
        .addUniqueConstraint('audit_records_event_id_unique', ['event_id'])
        .execute();
      // Range reads and retention by time; finding a decision's record by its trace id.
      await database.schema
        .createIndex('audit_records_recorded_at')
        .on('audit_records')
        .column('recorded_at')
        .execute();
      await database.schema
        .createIndex('audit_records_trace_id')
        .on('audit_records')
        .column('trace_id')
        .execute();

      await database.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (column) => column.primaryKey())
        .addColumn('seq', 'bigint', (column) => column.notNull())
        .addColumn('hash', 'text', (column) => column.notNull())
        .addColumn('recorded_at', 'bigint', (column) => column.notNull())
        .execute();
      await sql`insert into audit_head (id, seq, hash, recorded_at) values (1, 0, ${'0'.repeat(64)}, 0)`.execute(
        database,
      );
    },
  };
}
