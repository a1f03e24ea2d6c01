import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Insertable, Kysely } from 'kysely';
import type { UsageRecord, UsageStore } from '../../accounting/types.js';
import type { Database, UsageRecordsTable } from './database-schema.js';
import type { SqlDialect } from './sql-dialect.js';
import { summarizeUsage } from './usage-summary.js';

/**
 * The most bound parameters one statement may carry: SQLITE_MAX_VARIABLE_NUMBER (32766 since
 * SQLite 3.32) and the 16-bit parameter count of Postgres's wire protocol (65535).
 */
const parameterLimits: Readonly<Record<SqlDialect, number>> = { sqlite: 32_766, postgres: 65_535 };

/**
 * SQLite runs on the event loop thread; a statement of at most this many rows takes a few
 * milliseconds, and the batch yields to the event loop between statements, so a large batch never
 * stalls requests for long. Postgres statements run on the server and only the parameter limit applies.
 */
const sqliteRowsPerStatement = 500;

/**
 * @param sqliteConnection the embedded database's connection, when `dialect` is SQLite: usage rows
 * are then written with one statement prepared once, which costs a fraction of building the query
 * for every batch (usage is written for every request, on the event loop thread).
 */
export function createSqlUsageStore(
  database: Kysely<Database>,
  dialect: SqlDialect,
  sqliteConnection?: DatabaseSync,
): UsageStore {
  const insertSqliteRows = sqliteConnection === undefined ? undefined : sqliteRowInserter(sqliteConnection);
  return {
    async insertBatch(records: readonly UsageRecord[]): Promise<void> {
      if (insertSqliteRows !== undefined) {
        await database.connection().execute(() => insertSqliteRows(records));
        return;
      }
      const rows = records.map(recordToRow);
      const first = rows[0];
      if (first === undefined) return;
      const rowsPerStatement = rowsPerStatementFor(dialect, Object.keys(first).length);
      await database.transaction().execute(async (transaction) => {
        for (let start = 0; start < rows.length; start += rowsPerStatement) {
          if (start > 0 && dialect === 'sqlite') await yieldToEventLoop();
          await transaction
            .insertInto('usage_records')
            .values(rows.slice(start, start + rowsPerStatement))
            // A batch written again after a lost commit acknowledgement: its rows are already there.
            .onConflict((conflict) => conflict.column('record_id').doNothing())
            .execute();
        }
      });
    },

    summarize: (query) => summarizeUsage(database, dialect, query),

    async spentSince(scope, since): Promise<number> {
      // A team's budget counts every key of the team; otherwise the key's own spending.
      const column = scope.team === undefined ? 'key_id' : 'team';
      const value = scope.team ?? scope.keyId;
      if (value === undefined) throw new Error('spentSince needs a key id or a team');
      const row = await database
        .selectFrom('usage_records')
        .select((expression) => expression.fn.sum<number | string | null>('cost_usd').as('spent'))
        .where(column, '=', value)
        .where('timestamp', '>=', since)
        .executeTakeFirst();
      return Number(row?.spent ?? 0);
    },
  };
}

function rowsPerStatementFor(dialect: SqlDialect, columnsPerRow: number): number {
  const byParameters = Math.floor(parameterLimits[dialect] / columnsPerRow);
  return dialect === 'sqlite' ? Math.min(byParameters, sqliteRowsPerStatement) : byParameters;
}

/**
 * Inserts usage rows on the SQLite connection in one `begin immediate` transaction, a prepared
 * single-row insert run per row, yielding to the event loop every `sqliteRowsPerStatement` rows.
 * Callers hold Kysely's lock on the connection, so no other transaction is open on it meanwhile.
 */
function sqliteRowInserter(connection: DatabaseSync): (records: readonly UsageRecord[]) => Promise<void> {
  let statement: StatementSync | undefined;
  return async (records) => {
    const first = records[0];
    if (first === undefined) return;
    const columns = Object.keys(recordToRow(first));
    statement ??= connection.prepare(
      `insert into usage_records (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})` +
        // A batch written again after a lost commit acknowledgement: its rows are already there.
        ' on conflict (record_id) do nothing',
    );
    const insert = statement;
    connection.exec('begin immediate');
    try {
      for (let index = 0; index < records.length; index++) {
        if (index > 0 && index % sqliteRowsPerStatement === 0) await yieldToEventLoop();
        insert.run(...sqliteValues(recordToRow(records[index] as UsageRecord)));
      }
      connection.exec('commit');
    } catch (error) {
      if (connection.isTransaction) connection.exec('rollback');
      throw error;
    }
  };
}

/** A row's values in column order, as node:sqlite binds them (booleans as 1 and 0). */
function sqliteValues(row: Insertable<UsageRecordsTable>): SQLInputValue[] {
  return Object.values(row).map((value: unknown) =>
    typeof value === 'boolean' ? (value ? 1 : 0) : (value as SQLInputValue),
  );
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Every column is always given (null rather than absent), so all rows of a statement have the same shape. */
function recordToRow(record: UsageRecord): Insertable<UsageRecordsTable> {
  return {
    record_id: record.recordId ?? null,
    request_id: record.requestId,
    timestamp: record.timestamp,
    key_id: record.keyId,
    team: record.team ?? null,
    model: record.model,
    provider: record.provider ?? null,
    target_model: record.targetModel ?? null,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    cached_input_tokens: record.cachedInputTokens,
    cost_usd: record.costUsd,
    saved_cost_usd: record.savedCostUsd,
    latency_ms: record.latencyMs,
    status: record.status,
    attempts: record.attempts,
    cache: record.cache,
    stream: record.stream,
    error_code: record.errorCode ?? null,
  };
}
