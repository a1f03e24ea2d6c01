import type { Kysely, Migration } from 'kysely';

/**
 * A unique id per usage record, so that writing a batch again is harmless: when the connection
 * dies after the database committed a batch but before the gateway heard so, the writer retries,
 * and the rows already there are skipped (`ON CONFLICT DO NOTHING`). Rows written before this
 * migration have none (NULLs never conflict).
 */
export function usageRecordIds(): Migration {
  return {
    async up(database: Kysely<unknown>): Promise<void> {
      await database.schema.alterTable('usage_records').addColumn('record_id', 'text').execute();
      await database.schema
        .createIndex('usage_records_record_id_unique')
        .on('usage_records')
        .column('record_id')
        .unique()
        .execute();
    },
  };
}
