import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { recordsToLines, type LineCodec } from './line-codec.js';

/**
 * Records on disk while the database is unavailable: one NDJSON file per spilled batch, written
 * once, fsync'd, and deleted only after its records are committed. Only async I/O, so spilling
 * never blocks the event loop that serves requests.
 */
export interface Spool<Item> {
  /** Spool files (names within the directory), oldest first. */
  list(): Promise<string[]>;
  /** Writes the records to a new file and returns its name once they are durable. */
  write(records: readonly Item[]): Promise<string>;
  /** The records of a file, and how many of its lines could not be read (a torn final line). */
  read(name: string): Promise<{ readonly records: Item[]; readonly invalidLines: number }>;
  remove(name: string): Promise<void>;
  /** Renames a file that held unreadable lines to `*.corrupt`: kept for inspection, never replayed. */
  quarantine(name: string): Promise<void>;
}

/** A spool file's name starts with the writer's label: `usage-…`, `audit-…`. */
function spoolNamePattern(label: string): RegExp {
  return new RegExp(`^${label}-\\d{15}-\\d{8}-[0-9a-f]{8}\\.ndjson(\\.tmp)?$`);
}

/** Labels name files and log messages: lower-case letters and hyphens only. */
export const labelPattern = /^[a-z][a-z-]*$/;

function sortKey(name: string): string {
  return name.endsWith('.tmp') ? name.slice(0, -'.tmp'.length) : name;
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

export function createSpool<Item>(settings: {
  readonly directory: string;
  /** The kind of record (`usage`, `audit`): the prefix of every file name. */
  readonly label: string;
  readonly codec: LineCodec<Item>;
  readonly now: () => number;
}): Spool<Item> {
  const { directory, now, codec, label } = settings;
  if (!labelPattern.test(label)) throw new Error(`invalid spool label ${JSON.stringify(label)}`);
  const spoolName = spoolNamePattern(label);
  let sequence = 0;
  /** Files this spool is writing right now: not yet complete, so never listed for replay. */
  const writing = new Set<string>();
  let created: Promise<unknown> | undefined;

  function ensureDirectory(): Promise<unknown> {
    created ??= mkdir(directory, { recursive: true }).catch((error: unknown) => {
      created = undefined;
      throw error;
    });
    return created;
  }

  /** Makes a rename durable: without it a power loss can forget the new directory entry. */
  async function syncDirectory(): Promise<void> {
    try {
      const handle = await open(directory, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Some platforms (Windows) cannot open or sync a directory; the file itself is synced.
    }
  }

  return {
    async list() {
      await ensureDirectory();
      const names = await readdir(directory);
      // A `.tmp` left by a process that stopped mid-write holds records that never reached the
      // database (torn last line aside): replaying it is the only way not to lose them.
      return names
        .filter((name) => spoolName.test(name) && !writing.has(name))
        .sort((left, right) => (sortKey(left) < sortKey(right) ? -1 : 1));
    },

    async write(records) {
      await ensureDirectory();
      sequence += 1;
      // Zero-padded so that names sort in the order they were written (time, then sequence).
      const name = `${label}-${String(now()).padStart(15, '0')}-${String(sequence % 1e8).padStart(8, '0')}-${randomUUID().slice(0, 8)}.ndjson`;
      const temporary = `${name}.tmp`;
      writing.add(temporary);
      try {
        const handle = await open(join(directory, temporary), 'wx');
        try {
          await handle.writeFile(recordsToLines(codec, records), 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(join(directory, temporary), join(directory, name));
      } catch (error) {
        await unlink(join(directory, temporary)).catch(() => undefined);
        throw error;
      } finally {
        writing.delete(temporary);
      }
      await syncDirectory();
      return name;
    },

    async read(name) {
      const text = await readFile(join(directory, name), 'utf8');
      const records: Item[] = [];
      let invalidLines = 0;
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const record = codec.fromLine(line);
        if (record === undefined) invalidLines += 1;
        else records.push(record);
      }
      return { records, invalidLines };
    },

    async remove(name) {
      await unlink(join(directory, name));
    },

    async quarantine(name) {
      await rename(join(directory, name), join(directory, `${sortKey(name)}.corrupt`));
    },
  };
}
