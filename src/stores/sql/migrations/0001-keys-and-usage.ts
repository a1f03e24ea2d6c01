import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

/**
 * Virtual keys and usage records. A migration is frozen once released: later changes are new
 * migrations, never edits here, because databases in the field have already applied this one.
 */
export function keysAndUsage(dialect: SqlDialect): Migration {
  const realType = dialect === 'postgres' ? 'double precision' : 'real';
  const booleanType = dialect === 'postgres' ? 'boolean' : 'integer';
  return {
    // Untyped on purpose: a migration describes the schema as it was then, not today's table types.
    async up(database: Kysely<unknown>): Promise<void> {
      await database.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('hash', 'text', (column) => column.notNull())
        .addColumn('prefix', 'text', (column) => column.notNull())
        .addColumn('tier', 'text', (column) => column.notNull())
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('team', 'text')
        .addColumn('owner', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('models', 'text', (column) => column.notNull())
        .addColumn('limits', 'text', (column) => column.notNull())
        .addColumn('budget', 'text')
        .addColumn('metadata', 'text', (column) => column.notNull())
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('updated_at', 'bigint', (column) => column.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        // Named, so that a violation can be recognised by name on both databases.
        .addUniqueConstraint('api_keys_name_unique', ['name'])
        .addUniqueConstraint('api_keys_hash_unique', ['hash'])
        .execute();
      // Every replica polls for keys changed since its last look.
      await database.schema.createIndex('api_keys_updated_at').on('api_keys').column('updated_at').execute();

      await database.schema
        .createTable('usage_records')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (column) =>
          dialect === 'postgres' ? column.primaryKey() : column.primaryKey().autoIncrement(),
        )
        .addColumn('request_id', 'text', (column) => column.notNull())
        .addColumn('timestamp', 'bigint', (column) => column.notNull())
        .addColumn('key_id', 'text', (column) => column.notNull())
        .addColumn('team', 'text')
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('provider', 'text')
        .addColumn('target_model', 'text')
        .addColumn('input_tokens', 'integer', (column) => column.notNull())
        .addColumn('output_tokens', 'integer', (column) => column.notNull())
        .addColumn('cached_input_tokens', 'integer', (column) => column.notNull())
        .addColumn('cost_usd', sql.raw(realType), (column) => column.notNull())
        .addColumn('saved_cost_usd', sql.raw(realType), (column) => column.notNull())
        .addColumn('latency_ms', 'integer', (column) => column.notNull())
        .addColumn('status', 'integer', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull())
        .addColumn('cache', 'text', (column) => column.notNull())
        .addColumn('stream', sql.raw(booleanType), (column) => column.notNull())
        .addColumn('error_code', 'text')
        .execute();
      // Reports over a time range, and budgets summing one key's or one team's spend since a time.
      await database.schema
        .createIndex('usage_records_timestamp')
        .on('usage_records')
        .column('timestamp')
        .execute();
      await database.schema
        .createIndex('usage_records_key_timestamp')
        .on('usage_records')
        .columns(['key_id', 'timestamp'])
        .execute();
      await database.schema
        .createIndex('usage_records_team_timestamp')
        .on('usage_records')
        .columns(['team', 'timestamp'])
        .execute();
    },
  };
}
