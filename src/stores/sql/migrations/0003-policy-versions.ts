import type { Kysely, Migration } from 'kysely';

/**
 * Versions of the Cedar policy set: appended, never edited, so the table is the policy's history.
 * The version number is the primary key, which makes appending atomic: two replicas that read the
 * same current version and both try to store the next one cannot both succeed (If-Match).
 */
export function policyVersions(): Migration {
  return {
    async up(database: Kysely<unknown>): Promise<void> {
      await database.schema
        .createTable('policy_versions')
        .addColumn('version', 'integer', (column) => column.primaryKey())
        .addColumn('text', 'text', (column) => column.notNull())
        .addColumn('digest', 'text', (column) => column.notNull())
        .addColumn('author_key_id', 'text')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('comment', 'text')
        .addColumn('restored_from', 'integer')
        .execute();
    },
  };
}
