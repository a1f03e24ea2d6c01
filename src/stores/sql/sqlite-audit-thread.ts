import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditAppendResult } from '../../governance/audit/index.js';
import type { SqliteAuditAppend } from './sqlite-audit-appender.js';
import type { AppendReply, AppendRequest } from './sqlite-audit-worker.js';

export interface SqliteAuditThread {
  readonly append: SqliteAuditAppend;
  /** Stops the thread; appends still waiting are rejected (the durable writer keeps their entries). */
  close(): Promise<void>;
}

interface Waiting {
  resolve(result: AuditAppendResult): void;
  reject(error: Error): void;
}

/**
 * The gateway's audit appends on a thread of their own (decision 0020): node:sqlite is synchronous,
 * and sealing and inserting a record (canonical JSON, SHA-256, seven index entries) cost about a
 * tenth of a decision's CPU on the event loop. The thread holds its own connection to the same
 * file; SQLite's write lock (WAL) orders its transactions with the event loop's, which wait at
 * most one step of the thread's (about a millisecond). The thread starts with the first append,
 * and again after it died; a batch in flight when it died is rejected and retried by the writer.
 */
export function createSqliteAuditThread(databaseFile: string): SqliteAuditThread {
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
    thread.on('message', (reply: AppendReply) => {
      const pending = waiting.get(reply.id);
      if (pending === undefined) return;
      waiting.delete(reply.id);
      if ('result' in reply) pending.resolve(reply.result as AuditAppendResult);
      else pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    thread.on('error', (error: Error) => failAll(new Error(`the audit thread failed: ${error.message}`)));
    thread.on('exit', () => {
      if (worker === thread) worker = undefined;
      failAll(new Error('the audit thread stopped'));
    });
    // The writer's own timers keep the process alive while it has work; an idle thread must not.
    thread.unref();
    worker = thread;
    return thread;
  }

  return {
    append(entries, offered) {
      return new Promise<AuditAppendResult>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        started().postMessage({ id, entries, offered } satisfies AppendRequest);
      });
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
  const compiled = new URL('./sqlite-audit-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return compiled;
  const href = compiled.href;
  const source = href.lastIndexOf('/src/');
  return new URL(`${href.slice(0, source)}/dist/${href.slice(source + '/src/'.length)}`);
}
