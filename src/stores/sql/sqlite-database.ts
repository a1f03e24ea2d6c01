import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database-schema.js';
import { adaptSqliteDatabase } from './sqlite-adapter.js';

export const sqliteFileName = 'gatehouse.db';

/**
 * How long a statement waits for another process's write lock before failing with SQLITE_BUSY.
 * Writers hold it for one small batch, far less than this; a longer wait means something is stuck.
 */
const busyTimeoutMilliseconds = 5_000;

/**
 * Opens the embedded database, `gatehouse.db` in the data directory.
 *
 * This database is for one node. node:sqlite is synchronous: every statement runs on the event loop
 * thread, so the stores keep statements small and split large batches. A second process (the
 * command line) may use the same file; WAL mode lets it read while the server writes, and
 * `busy_timeout` makes writers wait for each other. Several gateway replicas need Postgres.
 *
 * Only one connection per file may exist on a thread: a synchronous wait for a lock held by the
 * same thread could never end. The gateway's write thread (`sqlite-write-thread.ts`) holds a
 * second connection on a thread of its own.
 */
export function openSqliteDatabase(dataDirectory: string): Kysely<Database> {
  return openSqliteConnection(dataDirectory).database;
}

/**
 * The embedded database as Kysely sees it, and its one connection itself, for the few statements
 * on the hot path that are prepared once and run without building a query each time (usage rows).
 * Use `connection` only inside `database.connection().execute(...)`, which holds Kysely's lock on
 * the single connection so that no Kysely transaction is open on it meanwhile.
 */
export function openSqliteConnection(dataDirectory: string): {
  database: Kysely<Database>;
  connection: DatabaseSync;
} {
  mkdirSync(dataDirectory, { recursive: true });
  const database = openSqliteFile(join(dataDirectory, sqliteFileName));
  return {
    database: new Kysely<Database>({
      dialect: new SqliteDialect({ database: adaptSqliteDatabase(database) }),
    }),
    connection: database,
  };
}

/**
 * A connection to the embedded database file with the settings every connection needs (the
 * gateway's, and its write thread's). WAL: readers do not block the writer and commits are cheap.
 * synchronous=NORMAL is durable across process crashes in WAL mode (an OS crash may lose the last
 * commits), the usual trade.
 */
export function openSqliteFile(file: string): DatabaseSync {
  const database = new DatabaseSync(file);
  try {
    database.exec(`
      pragma journal_mode = wal;
      pragma synchronous = normal;
      pragma busy_timeout = ${busyTimeoutMilliseconds};
      pragma foreign_keys = on;
    `);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}
