import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SQLInputValue } from 'node:sqlite';
import type { AuditAppendResult } from '../../governance/audit/index.js';
import type { SqliteAuditAppend } from './sqlite-audit-appender.js';
import type { RowTable, WriteReply, WriteRequest } from './sqlite-write-worker.js';

export interface SqliteWriteThread {
  readonly appendAudit: SqliteAuditAppend;
  insertRow<Row extends { readonly [Column in keyof Row]: SQLInputValue }>(
    table: RowTable,
    row: Row,
  ): Promise<void>;
  /** Stops the thread; writes still waiting are rejected (the durable writer keeps audit entries). */
  close(): Promise<void>;
}

interface Waiting {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** A write request without its id, which the thread's caller side assigns. */
type Write = WriteRequest extends infer Request
  ? Request extends WriteRequest
    ? Omit<Request, 'id'>
    : never
  : never;

/**
 * The gateway's writes on the agent-authorization path, on a thread of their own (decision 0020):
 * node:sqlite is synchronous, and sealing and inserting audit records (canonical JSON, SHA-256,
 * seven index entries) cost a sixth of a decision's CPU on the event loop. The thread holds its own
 * connection to the same file. SQLite's write lock (WAL) orders its transactions with the event
 * loop's, and a statement that finds the lock taken sleeps (a millisecond at least) on the thread
 * that runs it: so the writes the request path waits for (review items) go through this thread
 * too, leaving the event loop only rare writes (keys, grants, resolutions) and the usage batches.
 * The thread starts with the first write, and again after it died; writes in flight when it died
 * are rejected (the durable writer retries audit batches).
 */
export function createSqliteWriteThread(databaseFile: string): SqliteWriteThread {
  const waiting = new Map<number, Waiting>();
  let worker: Worker | undefined;
  let nextId = 0;

  function failAll(error: Error): void {
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  }

  function started(): Worker {
    if (worker !== undefined) return worker;
    const thread = new Worker(workerFile(), { workerData: { databaseFile } });
    thread.on('message', (reply: WriteReply) => {
      const pending = waiting.get(reply.id);
      if (pending === undefined) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) thread.unref();
      if ('result' in reply) pending.resolve(reply.result);
      else pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    thread.on('error', (error: Error) =>
      failAll(new Error(`the database write thread failed: ${error.message}`)),
    );
    thread.on('exit', () => {
      if (worker === thread) worker = undefined;
      failAll(new Error('the database write thread stopped'));
    });
    // An idle thread must not keep the process alive; one with writes in flight must (`send`), or
    // a process whose last work is a final audit flush would exit before the flush is answered.
    thread.unref();
    worker = thread;
    return thread;
  }

  function send(write: Write): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const thread = started();
      if (waiting.size === 0) thread.ref();
      waiting.set(id, { resolve, reject });
      thread.postMessage({ ...write, id });
    });
  }

  return {
    async appendAudit(entries, offered) {
      return (await send({ kind: 'audit', entries, offered })) as AuditAppendResult;
    },
    async insertRow(table, row) {
      await send({ kind: 'row', table, row });
    },
    async close() {
      const thread = worker;
      worker = undefined;
      if (thread !== undefined) await thread.terminate();
    },
  };
}

/**
 * The compiled worker next to this module; under the test runner, which runs the TypeScript
 * sources, the one the test setup compiled into dist/ (a worker thread does not go through the
 * runner's transform).
 */
function workerFile(): URL {
  const compiled = new URL('./sqlite-write-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return compiled;
  const href = compiled.href;
  const source = href.lastIndexOf('/src/');
  return new URL(`${href.slice(0, source)}/dist/${href.slice(source + '/src/'.length)}`);
}
