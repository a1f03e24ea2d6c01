import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

/**
 * Behavioural analytics (docs/governance.md, "Analytics"; decision 0014):
 *
 * - `review_items.policy_ids`: the permits that let a reviewed decision through (JSON array text;
 *   null for items queued before), from which policy effectiveness is counted (the outcome counts
 *   of the last half-lives use the index on `resolved_at` of 0008);
 * - `agent_baselines`: one row per agent (tenant and actor), its summary as JSON text, replaced
 *   by a refresh only if `computed_at` is still the one it read;
 * - `analytics_alerts`: alerts, with a partial unique index that allows one unresolved alert per
 *   kind and subject (an agent of a tenant, or a policy under tenant ''), so replicas raising the
 *   same alert at once store it once.
 */
export function analytics(dialect: SqlDialect): Migration {
  const realType = dialect === 'postgres' ? 'double precision' : 'real';
  return {
    async up(database: Kysely<unknown>): Promise<void> {
      await database.schema.alterTable('review_items').addColumn('policy_ids', 'text').execute();
      await database.schema
        .createTable('agent_baselines')
        .addColumn('tenant_id', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('computed_at', 'bigint', (column) => column.notNull())
        .addColumn('summary', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('agent_baselines_pk', ['tenant_id', 'actor'])
        .execute();
      await database.schema
        .createIndex('agent_baselines_computed_at')
        .on('agent_baselines')
        .column('computed_at')
        .execute();
      await database.schema
        .createTable('analytics_alerts')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('subject_type', 'text', (column) => column.notNull())
        .addColumn('tenant_id', 'text', (column) => column.notNull())
        .addColumn('subject', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('value', sql.raw(realType), (column) => column.notNull())
        .addColumn('threshold', sql.raw(realType), (column) => column.notNull())
        .addColumn('title', 'text', (column) => column.notNull())
        .addColumn('details', 'text', (column) => column.notNull())
        .addColumn('raised_at', 'bigint', (column) => column.notNull())
        .addColumn('acknowledged_at', 'bigint')
        .addColumn('acknowledged_by', 'text')
        .addColumn('resolved_at', 'bigint')
        .addColumn('resolved_by', 'text')
        .addColumn('resolution_note', 'text')
        .execute();
      await sql`create unique index analytics_alerts_one_open on analytics_alerts (kind, subject_type, tenant_id, subject) where status <> 'resolved'`.execute(
        database,
      );
      await database.schema
        .createIndex('analytics_alerts_raised_at')
        .on('analytics_alerts')
        .column('raised_at')
        .execute();
    },
  };
}
