import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Insertable, Kysely } from 'kysely';
import type { UsageRecord, UsageStore } from '../../accounting/types.js';
import type { Database, UsageRecordsTable } from './database-schema.js';
import { summarizeUsage } from './usage-summary.js';

/** The most bound parameters one Postgres statement may carry (the wire protocol's 16-bit count). */
const postgresParameterLimit = 65_535;

/**
 * SQLite runs on the event loop thread and inserts a row in about 7 µs, so a second's batch of a
 * busy gateway (thousands of rows) would hold the event loop for tens of milliseconds in one piece:
 * every request arriving meanwhile would wait, which shows in the tail latency. Yielding every 64
 * rows keeps each piece under half a millisecond.
 */
const sqliteRowsBetweenYields = 64;

/** Where usage rows go: Postgres through Kysely, or the embedded database's own connection. */
export type UsageDatabase =
  { readonly dialect: 'postgres' } | { readonly dialect: 'sqlite'; readonly connection: DatabaseSync };

export function createSqlUsageStore(database: Kysely<Database>, target: UsageDatabase): UsageStore {
  const { dialect } = target;
  // SQLite: one statement prepared once, run per row, instead of Kysely building a query for every
  // batch (usage is written for every request, on the event loop thread).
  const insertSqliteRows = target.dialect === 'sqlite' ? sqliteRowInserter(target.connection) : undefined;
  return {
    async insertBatch(records: readonly UsageRecord[]): Promise<void> {
      if (insertSqliteRows !== undefined) {
        await database.connection().execute(() => insertSqliteRows(records));
        return;
      }
      const rows = records.map(recordToRow);
      const first = rows[0];
      if (first === undefined) return;
      const rowsPerStatement = Math.floor(postgresParameterLimit / Object.keys(first).length);
      await database.transaction().execute(async (transaction) => {
        for (let start = 0; start < rows.length; start += rowsPerStatement) {
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

/**
 * Inserts usage rows on the SQLite connection in one `begin immediate` transaction, a prepared
 * single-row insert run per row, yielding to the event loop every `sqliteRowsBetweenYields` rows.
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
        if (index > 0 && index % sqliteRowsBetweenYields === 0) await yieldToEventLoop();
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
