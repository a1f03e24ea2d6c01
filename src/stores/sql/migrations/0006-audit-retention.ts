import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What export, `GET /admin/audit`, checkpoints and retention need beyond the log itself
 * (docs/governance.md, "Export, checkpoints and retention"; decision 0012):
 *
 * - indexes for the admin route's filters and for finding the latest checkpoint: by type, tenant
 *   and actor, each with `seq` so that a filtered page comes in sequence order straight from the
 *   index (the trace id has its own index, from 0005; other filters narrow these);
 * - `audit_anchor`, one row: where the retained chain starts once old records were archived and
 *   deleted (the last deleted record's number and hash; 0 and 64 zeros until then), moved in the
 *   transaction that deletes;
 * - `audit_leases`: named leases (`audit-retention`) that let one replica at a time do periodic
 *   work, expiring by themselves when their holder dies.
 */
export function auditRetention(): Migration {
  return {
    async up(database: Kysely<unknown>): Promise<void> {
      for (const column of ['type', 'tenant_id', 'actor']) {
        await database.schema
          .createIndex(`audit_records_${column}_seq`)
          .on('audit_records')
          .columns([column, 'seq'])
          .execute();
      }
      await database.schema
        .createTable('audit_anchor')
        .addColumn('id', 'integer', (column) => column.primaryKey())
        .addColumn('seq', 'bigint', (column) => column.notNull())
        .addColumn('hash', 'text', (column) => column.notNull())
        .execute();
      await sql`insert into audit_anchor (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(database);
      await database.schema
        .createTable('audit_leases')
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('holder', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .execute();
    },
  };
}
