import { parentPort, workerData } from 'node:worker_threads';
import type { AuditEntry } from '../../governance/audit/index.js';
import { sqliteAppender } from './sqlite-audit-appender.js';
import { openSqliteFile } from './sqlite-database.js';

/**
 * The audit thread's body (`sqlite-audit-thread.ts` starts it): a connection of its own to the
 * embedded database, appending the batches it is sent one at a time, in order, and answering each
 * with its result or its error's message.
 */

export interface AppendRequest {
  readonly id: number;
  readonly entries: readonly AuditEntry[];
  readonly offered: number;
}

export type AppendReply =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly message: string; readonly code: unknown } };

const { databaseFile } = workerData as { readonly databaseFile: string };
const port = parentPort;
if (port === null) throw new Error('sqlite-audit-worker runs only as a worker thread');
const connection = openSqliteFile(databaseFile);
const append = sqliteAppender(connection, Date.now);
let previous: Promise<void> = Promise.resolve();

port.on('message', (request: AppendRequest) => {
  previous = previous.then(async () => {
    try {
      const result = await append(request.entries, request.offered);
      port.postMessage({ id: request.id, result } satisfies AppendReply);
    } catch (error) {
      const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
      port.postMessage({
        id: request.id,
        error: { message: typeof message === 'string' ? message : String(error), code },
      } satisfies AppendReply);
    }
  });
});
