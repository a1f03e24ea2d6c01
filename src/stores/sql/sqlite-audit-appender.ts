import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import {
  sealEntries,
  type AuditAppendResult,
  type AuditEntry,
  type AuditHead,
} from '../../governance/audit/index.js';
import { auditColumns, recordToRow, rowToHead } from './sql-audit-rows.js';

/** Appends entries (already without repeats) to the chain; `offered` counts them with repeats. */
export type SqliteAuditAppend = (
  entries: readonly AuditEntry[],
  offered: number,
) => Promise<AuditAppendResult>;

/**
 * Records sealed and inserted per step: hashing a step takes well under a millisecond, and the
 * event loop (when SQLite runs on it) gets a turn between steps.
 */
const rowsPerStep = 64;

interface SqliteStatements {
  readonly readHead: StatementSync;
  readonly exists: StatementSync;
  readonly insert: StatementSync;
  readonly moveHead: StatementSync;
}

function prepareSqlite(connection: DatabaseSync): SqliteStatements {
  const columns = auditColumns.map((column) => `"${column}"`).join(', ');
  return {
    readHead: connection.prepare('select seq, hash, recorded_at from audit_head where id = 1'),
    exists: connection.prepare('select 1 as found from audit_records where event_id = ?'),
    insert: connection.prepare(
      `insert into audit_records (${columns}) values (${auditColumns.map(() => '?').join(', ')})`,
    ),
    moveHead: connection.prepare('update audit_head set seq = ?, hash = ?, recorded_at = ? where id = 1'),
  };
}

/**
 * SQLite: statements prepared once and run per row. Each step of up to `rowsPerStep` entries is
 * one `begin immediate` transaction (the database's one write lock, which also keeps the command
 * line's appends out) that reads the head, skips entries the log holds already, seals the rest and
 * moves the head: the lock is held for about a millisecond at a time, whichever connection holds
 * it, and a batch that fails half way is finished by its retry, which skips what was committed
 * (entries are idempotent by event id). No other transaction may be open on `connection`
 * meanwhile: the caller sees to it (Kysely's lock on the gateway's connection, or a connection of
 * its own).
 */
export function sqliteAppender(connection: DatabaseSync, now: () => number): SqliteAuditAppend {
  let statements: SqliteStatements | undefined;
  return async (entries, offered) => {
    statements ??= prepareSqlite(connection);
    let appended = 0;
    let head: AuditHead | undefined;
    for (let start = 0; start < entries.length; start += rowsPerStep) {
      if (start > 0) await yieldToEventLoop();
      const step = appendStep(connection, statements, entries.slice(start, start + rowsPerStep), now());
      appended += step.appended;
      head = step.head;
    }
    head ??= readHead(statements);
    return { appended, skipped: offered - appended, head };
  };
}

function appendStep(
  connection: DatabaseSync,
  statements: SqliteStatements,
  entries: readonly AuditEntry[],
  at: number,
): { readonly appended: number; readonly head: AuditHead } {
  const { exists, insert, moveHead } = statements;
  connection.exec('begin immediate');
  try {
    const fresh = entries.filter((entry) => exists.get(entry.eventId) === undefined);
    const sealed = sealEntries(readHead(statements), fresh, at);
    for (const record of sealed.records) {
      const values = recordToRow(record);
      insert.run(...auditColumns.map((column) => (values[column] ?? null) as SQLInputValue));
    }
    const { head } = sealed;
    if (fresh.length > 0) moveHead.run(head.seq, head.hash, head.recordedAt);
    connection.exec('commit');
    return { appended: fresh.length, head };
  } catch (error) {
    if (connection.isTransaction) connection.exec('rollback');
    throw error;
  }
}

function readHead(statements: SqliteStatements): AuditHead {
  const row = statements.readHead.get() as { seq: number; hash: string; recorded_at: number } | undefined;
  if (row === undefined) throw new Error('the audit log has no head row (audit_head id 1)');
  return rowToHead(row);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
