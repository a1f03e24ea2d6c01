import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { AuditEntry } from '../../governance/audit/index.js';
import { sqliteAppender } from './sqlite-audit-appender.js';
import { openSqliteFile } from './sqlite-database.js';

/**
 * The write thread's body (`sqlite-write-thread.ts` starts it): a connection of its own to the
 * embedded database, doing the writes it is sent one at a time, in order, and answering each with
 * its result or its error's message and code.
 */

/** Tables whose rows the thread inserts one at a time (what the request path must store at once). */
export const rowTables = ['review_items'] as const;
export type RowTable = (typeof rowTables)[number];

export type WriteRequest =
  | {
      readonly id: number;
      readonly kind: 'audit';
      readonly entries: readonly AuditEntry[];
      readonly offered: number;
    }
  | {
      readonly id: number;
      readonly kind: 'row';
      readonly table: RowTable;
      readonly row: Readonly<Record<string, SQLInputValue>>;
    };

/** Lower than the event loop's 0: what a background writer gets when both want a core. */
const backgroundNice = 10;

export type WriteReply =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly message: string; readonly code: unknown } };

const { databaseFile } = workerData as { readonly databaseFile: string };
const port = parentPort;
if (port === null) throw new Error('sqlite-write-worker runs only as a worker thread');
lowerPriority();
const connection = openSqliteFile(databaseFile);
const appendAudit = sqliteAppender(connection, Date.now);
const insertRow = rowInserter(connection);
let previous: Promise<void> = Promise.resolve();

port.on('message', (request: WriteRequest) => {
  previous = previous.then(async () => {
    try {
      const result =
        request.kind === 'audit'
          ? await appendAudit(request.entries, request.offered)
          : insertRow(request.table, request.row);
      port.postMessage({ id: request.id, result } satisfies WriteReply);
    } catch (error) {
      const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
      port.postMessage({
        id: request.id,
        error: { message: typeof message === 'string' ? message : String(error), code },
      } satisfies WriteReply);
    }
  });
});

/** Inserts a row, by a statement prepared once per table and column list. */
function rowInserter(database: DatabaseSync) {
  const statements = new Map<string, StatementSync>();
  return (table: RowTable, row: Readonly<Record<string, SQLInputValue>>): undefined => {
    if (!rowTables.includes(table)) throw new Error(`the write thread inserts no rows into ${table}`);
    const columns = Object.keys(row);
    const key = `${table}:${columns.join(',')}`;
    let statement = statements.get(key);
    if (statement === undefined) {
      const names = columns.map((column) => `"${column.replaceAll('"', '""')}"`).join(', ');
      statement = database.prepare(
        `insert into ${table} (${names}) values (${columns.map(() => '?').join(', ')})`,
      );
      statements.set(key, statement);
    }
    statement.run(...columns.map((column) => row[column] ?? null));
    return undefined;
  };
}

/**
 * On Linux, this thread yields the CPU to the event loop when both want it (nice 10 for this
 * thread only: `setpriority` on a thread id applies to that thread). Its writes are background
 * work with a buffer in front (the durable writer), and a saturated gateway is better off
 * answering requests than racing its own audit appends; an idle core runs them at once anyway.
 * Elsewhere, or without /proc, the thread keeps the process's priority.
 */
function lowerPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, backgroundNice);
  } catch {
    // Not Linux, or not permitted: the thread runs at the process's priority.
  }
}
