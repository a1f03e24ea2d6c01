import type { Journal } from './journal.js';
import type { LineCodec } from './line-codec.js';
import type { Spool } from './spool.js';
import type { Timers } from './background-lane.js';

/** The part of pino's logger the writer uses. */
export interface DurableWriterLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Where a writer's records go: one call per batch, committed whole or not at all. */
export interface DurableSink<Item> {
  /**
   * Writes the batch. Must be idempotent by the records' own ids: after a lost commit
   * acknowledgement, a crash or a journal replay the same records are written again.
   */
  insertBatch(records: readonly Item[]): Promise<void>;
}

/** Tuning shared by every durable writer (the `usage:` and `audit:` sections configure it). */
export interface DurableWriterSettings {
  /** Records per insert; also the size of one spool file. */
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /**
   * Records kept in memory while the database is slow (answering, but behind); the rest goes to the
   * spool. Once a write has failed (the database is unreachable) everything goes to the spool at once.
   */
  readonly memoryBuffer: number;
  /**
   * `memory`: records wait in memory until they are written or spilled. `disk`: each record is also
   * appended to a journal file when it is recorded, so a crash of the process loses none.
   */
  readonly durability?: 'memory' | 'disk' | undefined;
  /**
   * One directory per gateway process and kind of record: a process replays every spool file it
   * finds there, so two kinds (or two processes) must never share one.
   */
  readonly spoolDirectory: string;
}

export interface DurableWriterOptions<Item extends object> extends DurableWriterSettings {
  readonly sink: DurableSink<Item>;
  /** The records on disk (spool and journal). */
  readonly codec: LineCodec<Item>;
  /** The kind of record, in log messages and spool file names: `usage`, `audit`. */
  readonly label: string;
  /** What identifies a record in a log line (never its contents: they may be sensitive). */
  readonly identify: (record: Item) => object;
  readonly logger: DurableWriterLogger;
  readonly now?: () => number;
  readonly timers?: Timers;
  /** First retry delay after a failed write; doubles per failure up to `retryMaxMs`. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** How long `close` waits for a write already in flight before spilling its records too. */
  readonly closeTimeoutMs?: number;
  readonly spool?: Spool<Item>;
  readonly journal?: Journal<Item>;
}

export interface DurableWriterStats {
  /** Records in memory: waiting, being inserted or being spilled. */
  readonly buffered: number;
  readonly spooledFiles: number;
  /** Records committed to the database by this writer. */
  readonly written: number;
  readonly databaseAvailable: boolean;
  readonly lastError: string | undefined;
}

export interface DurableWriter<Item> {
  /**
   * Queues a record. Synchronous and O(1): it never awaits and never throws; its only I/O is the
   * journal append of `durability: disk` (one write(2), microseconds).
   */
  record(record: Item): void;
  /** Writes everything now (spool included), even during a backoff; resolves when the attempt ends. */
  flush(): Promise<void>;
  stats(): DurableWriterStats;
  /** Stops the timers, writes what is in memory if it can and spills the rest to disk. */
  close(): Promise<void>;
}
