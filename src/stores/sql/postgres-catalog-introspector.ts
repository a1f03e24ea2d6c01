import { sql, type DatabaseIntrospector, type Kysely, type TableMetadata } from 'kysely';

/**
 * What Kysely's migrator asks before migrating: which schemas and tables exist. Kysely's own
 * Postgres introspector reads every column of every table in the database and calls
 * `has_schema_privilege(name)` per row, which fails with 3F000 when another session drops a schema
 * meanwhile (parallel test runs, or any other tenant of a shared database), so a replica could fail
 * to start for a reason that has nothing to do with it. This one reads only the catalog's names,
 * with no per-row function calls.
 *
 * It serves the migrator only: tables are listed without their columns.
 */
export function createCatalogIntrospector(database: Kysely<unknown>): DatabaseIntrospector {
  async function getTables(): Promise<TableMetadata[]> {
    const result = await sql<{ schema: string; name: string; kind: string }>`
      select namespace.nspname as schema, class.relname as name, class.relkind as kind
      from pg_catalog.pg_class as class
      join pg_catalog.pg_namespace as namespace on namespace.oid = class.relnamespace
      where class.relkind in ('r', 'p', 'v')
        and namespace.nspname !~ '^pg_'
        and namespace.nspname <> 'information_schema'
    `.execute(database);
    return result.rows.map((row) => ({
      schema: row.schema,
      name: row.name,
      isView: row.kind === 'v',
      columns: [],
    }));
  }

  return {
    async getSchemas() {
      const result = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(
        database,
      );
      return result.rows;
    },
    getTables,
    // Deprecated in Kysely but still part of the interface.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    getMetadata: async () => ({ tables: await getTables() }),
  };
}
