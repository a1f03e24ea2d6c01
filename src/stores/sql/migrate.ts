import { Migrator, type Kysely } from 'kysely';
import type { Database } from './database-schema.js';
import { migrationProvider } from './migrations/index.js';
import type { SqlDialect } from './sql-dialect.js';

/**
 * Applies every migration the database lacks, in order, and returns the names applied now (empty
 * when it was up to date, so running it again is harmless).
 *
 * Two replicas starting at once on Postgres are safe: Kysely's migrator creates its bookkeeping
 * tables tolerating a concurrent creator, then runs the migrations in one transaction holding a
 * Postgres advisory lock; the second replica waits for it and finds nothing left to do. On SQLite
 * the transaction takes the database's write lock (see sqlite-adapter.ts).
 *
 * `schema`: on Postgres, the schema our tables are in; the migrator's own tables go there too.
 */
export async function migrateToLatest(
  database: Kysely<Database>,
  dialect: SqlDialect,
  schema: string | undefined,
): Promise<readonly string[]> {
  const migrator = new Migrator({
    db: database,
    provider: migrationProvider(dialect),
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const which = failed === undefined ? '' : ` ${failed}`;
    throw new Error(`database migration${which} failed: ${describe(error)}`, { cause: error });
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
