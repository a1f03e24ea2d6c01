import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Presents `node:sqlite`'s DatabaseSync as the better-sqlite3-shaped object Kysely's SqliteDialect
 * expects. Two differences are bridged here:
 *
 * - better-sqlite3 statements know whether they return rows (`reader`); node:sqlite statements
 *   report their result columns instead, and a statement with columns is a reader (this includes
 *   `insert ... returning`).
 * - node:sqlite binds only null, numbers, bigints, strings and bytes. Booleans are bound as
 *   1 and 0 and `undefined` as null, so store code can pass the same values to both databases.
 */
export function adaptSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  return {
    close: () => {
      database.close();
    },
    prepare: (sqlText) => adaptStatement(database.prepare(upgradeTransactionStart(sqlText))),
  };
}

function adaptStatement(statement: StatementSync): SqliteStatement {
  return {
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...bindable(parameters)),
    run: (parameters) => statement.run(...bindable(parameters)),
    iterate: (parameters) => statement.iterate(...bindable(parameters)) as IterableIterator<unknown>,
  };
}

/**
 * Kysely opens transactions with a plain `begin`, which SQLite treats as DEFERRED: the write lock is
 * taken at the first write, and if another process (`gatehouse keys` next to a running server) holds
 * it then, SQLite fails at once with SQLITE_BUSY instead of waiting for `busy_timeout`, because
 * waiting could deadlock two readers that both want to write. `begin immediate` takes the write lock
 * up front, where `busy_timeout` applies. Every transaction we open writes, so nothing is lost.
 */
function upgradeTransactionStart(sqlText: string): string {
  return sqlText.trim().toLowerCase() === 'begin' ? 'begin immediate' : sqlText;
}

function bindable(parameters: readonly unknown[]): SQLInputValue[] {
  return parameters.map((value, index) => {
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
    if (value instanceof Uint8Array) return value;
    throw new TypeError(`SQLite cannot bind parameter ${index + 1} of type ${typeof value}`);
  });
}
