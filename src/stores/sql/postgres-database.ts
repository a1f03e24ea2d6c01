import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database-schema.js';
import { createCatalogIntrospector } from './postgres-catalog-introspector.js';

export interface PostgresOptions {
  readonly databaseUrl: string;
  /** Every table lives in this schema (created when missing); for test isolation or sharing a database. */
  readonly schema: string | undefined;
  /** Errors of idle pooled connections (the server restarted, the network dropped). */
  readonly onConnectionError: (error: Error) => void;
}

/** Lower-case identifiers only, so the name needs no quoting in `search_path` or anywhere else. */
const schemaNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A failed connection attempt should surface quickly: the usage writer then buffers and the
 * readiness check reports the database as down, instead of requests waiting on a dead server.
 */
const connectionTimeoutMilliseconds = 5_000;

export function openPostgresDatabase(options: PostgresOptions): Kysely<Database> {
  const { schema } = options;
  if (schema !== undefined && !schemaNamePattern.test(schema)) {
    throw new Error(
      `invalid database schema name "${schema}": use lower-case letters, digits and underscores`,
    );
  }
  const pool = new pg.Pool({
    connectionString: withSearchPath(options.databaseUrl, schema),
    connectionTimeoutMillis: connectionTimeoutMilliseconds,
    // TCP keep-alive notices a peer that vanished without closing (a dropped NAT entry, a dead host).
    keepAlive: true,
    application_name: 'gatehouse',
    types: { getTypeParser: numbersAsNumbers },
  });
  // Without a listener an idle connection's error would be thrown as an uncaught exception. The pool
  // discards that connection; the next query opens a new one.
  pool.on('error', options.onConnectionError);
  // The pool listens for errors only on idle connections. One that dies while checked out (the
  // network cut during a query, or between acquiring a connection and using it) would emit an
  // unhandled 'error' and crash the process. Its query fails with that error anyway, and the pool
  // discards the connection when it is released (it is no longer queryable).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const postgres = new PostgresDialect({ pool });
  const dialect: Dialect = {
    createAdapter: () => postgres.createAdapter(),
    createDriver: () => postgres.createDriver(),
    createQueryCompiler: () => postgres.createQueryCompiler(),
    createIntrospector: (database: Kysely<unknown>) => createCatalogIntrospector(database),
  };
  return new Kysely<Database>({ dialect });
}

/** Creates the schema when missing; two replicas starting at once may race, and both succeed. */
export async function ensureSchema(database: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(database);
  } catch (error) {
    // `if not exists` checks before inserting into the catalog, so a concurrent creator can still
    // make this fail with a unique violation (23505) or duplicate_schema (42P06).
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

/**
 * The schema unqualified names resolve to when no schema is configured (usually `public`). The
 * migrator is always told its schema: left to itself it would take a `kysely_migration` table in
 * any other schema of the database (another application's) for its own.
 */
export async function currentSchema(database: Kysely<Database>): Promise<string> {
  const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(database);
  const schema = result.rows[0]?.schema ?? null;
  if (schema === null) {
    throw new Error(
      'the database search_path names no existing schema: configure a schema or fix search_path',
    );
  }
  return schema;
}

/**
 * Sets `search_path` at connection start-up (the `options` startup parameter), so every connection
 * of the pool resolves unqualified table names in the schema without an extra round trip. pg takes
 * `options` from the URL over its configuration object, so the setting is appended to the URL's own.
 */
function withSearchPath(databaseUrl: string, schema: string | undefined): string {
  if (schema === undefined) return databaseUrl;
  const url = new URL(databaseUrl);
  const existing = url.searchParams.get('options');
  const searchPath = `-c search_path=${schema}`;
  url.searchParams.set('options', existing === null ? searchPath : `${existing} ${searchPath}`);
  return url.toString();
}

/**
 * Counts, sums and unix-millisecond timestamps come back as int8 or numeric, which pg leaves as
 * strings because they may exceed 2^53. Every value we store stays far below that (timestamps
 * until the year 287396, token totals, dollar sums), so this pool parses them to numbers; pg's
 * global parsers are left alone.
 */
function numbersAsNumbers(typeId: TypeId, format?: 'text' | 'binary'): (value: string) => unknown {
  const { INT8, NUMERIC } = pg.types.builtins;
  if (typeId === INT8 || typeId === NUMERIC) return Number;
  return pg.types.getTypeParser(typeId, format) as (value: string) => unknown;
}

type TypeId = Parameters<typeof pg.types.getTypeParser>[0];
