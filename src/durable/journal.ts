import { randomUUID } from 'node:crypto';
import { closeSync, fdatasync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { recordsToLines, type LineCodec } from './line-codec.js';

/**
 * The write-ahead journal of `durability: disk`: every record is appended to a file in the spool
 * directory, synchronously, when it is recorded, before it joins the in-memory batch.
 * `write(2)` returns once the kernel holds the bytes, so from then on no crash of the process
 * (SIGKILL, out of memory, a bug) can lose the record. The file is also flushed to the device
 * (`fdatasync`) in the background, one flush at a time covering every append before it (group
 * commit): a power loss or kernel crash can lose at most the appends of the flush in progress.
 *
 * A journal file is deleted once every record in it has been committed to the database or written
 * to a spool file; whatever a crashed process left is replayed by the next one (inserts are
 * idempotent by record id, so a record both committed and replayed is written once).
 */
export interface Journal<Item> {
  /** Appends the record (synchronous, on disk in the kernel before it returns); throws on I/O errors. */
  append(record: Item): void;
  /** The record is in the database or in a spool file: its journal copy is no longer needed. */
  release(record: Item): void;
  /** Journal files of earlier processes (names within the directory), to replay. */
  leftovers(): Promise<string[]>;
  /** Closes the current file; deletes it if nothing in it is still waiting. */
  close(): void;
}

export const journalName = /^journal-\d{15}-[0-9a-f]{8}\.ndjson$/;

interface JournalFile {
  readonly name: string;
  readonly descriptor: number;
  appended: number;
  outstanding: number;
  open: boolean;
  flushing: boolean;
  flushAgain: boolean;
}

export function createJournal<Item extends object>(settings: {
  readonly directory: string;
  readonly codec: LineCodec<Item>;
  /** Records per journal file before a new one is started (so that finished files can go). */
  readonly recordsPerFile: number;
  readonly now: () => number;
  readonly onError: (error: unknown, file: string) => void;
}): Journal<Item> {
  const { directory, now } = settings;
  const recordsPerFile = Math.max(1, settings.recordsPerFile);
  /** Which file holds each record still outstanding. */
  const owners = new WeakMap<Item, JournalFile>();
  /** Files this process created: never replayed by it, whatever state they are in. */
  const mine = new Set<string>();
  let current: JournalFile | undefined;
  let directoryReady = false;

  function start(): JournalFile {
    if (!directoryReady) {
      mkdirSync(directory, { recursive: true });
      directoryReady = true;
    }
    const name = `journal-${String(now()).padStart(15, '0')}-${randomUUID().slice(0, 8)}.ndjson`;
    const descriptor = openSync(join(directory, name), 'a');
    mine.add(name);
    return { name, descriptor, appended: 0, outstanding: 0, open: true, flushing: false, flushAgain: false };
  }

  /** Group commit: one fdatasync in flight per file; appends made meanwhile wait for the next one. */
  function flush(file: JournalFile): void {
    if (file.flushing) {
      file.flushAgain = true;
      return;
    }
    file.flushing = true;
    fdatasync(file.descriptor, (error) => {
      file.flushing = false;
      if (error !== null) settings.onError(error, file.name);
      if (file.flushAgain) {
        file.flushAgain = false;
        flush(file);
      } else if (!file.open) {
        finish(file);
      }
    });
  }

  /** A file no longer appended to: closed once its flush is done, deleted once nothing is outstanding. */
  function retire(file: JournalFile): void {
    file.open = false;
    if (!file.flushing) finish(file);
  }

  function finish(file: JournalFile): void {
    try {
      closeSync(file.descriptor);
    } catch {
      // Already closed.
    }
    if (file.outstanding === 0) remove(file);
  }

  function remove(file: JournalFile): void {
    try {
      unlinkSync(join(directory, file.name));
    } catch (error) {
      settings.onError(error, file.name);
    }
  }

  return {
    append(record) {
      current ??= start();
      const file = current;
      writeSync(file.descriptor, recordsToLines(settings.codec, [record]));
      file.appended += 1;
      file.outstanding += 1;
      owners.set(record, file);
      flush(file);
      if (file.appended >= recordsPerFile) {
        current = undefined;
        retire(file);
      }
    },
    release(record) {
      const file = owners.get(record);
      if (file === undefined) return;
      owners.delete(record);
      file.outstanding -= 1;
      if (file.outstanding > 0) return;
      // Everything in the current file is written: it goes too, and the next record starts a new
      // one, so that a crash while idle leaves nothing to replay.
      if (file === current) {
        current = undefined;
        retire(file);
      } else if (!file.open && !file.flushing) {
        // A retired file whose flush is still running is removed when the flush ends.
        remove(file);
      }
    },
    async leftovers() {
      let names: string[];
      try {
        names = await readdir(directory);
      } catch {
        return [];
      }
      return names.filter((name) => journalName.test(name) && !mine.has(name)).sort();
    },
    close() {
      if (current !== undefined) retire(current);
      current = undefined;
    },
  };
}
