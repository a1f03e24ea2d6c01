import { createLane, realTimers, type Pass } from './background-lane.js';
import { createJournal } from './journal.js';
import { createSpool, errorCode, type Spool } from './spool.js';
import type { DurableWriter, DurableWriterOptions } from './writer-types.js';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes records to the database in batches, in the background, and loses none while it is
 * unavailable: records wait in memory up to `memoryBuffer`, beyond that they go to spool files,
 * and writes are retried with exponential backoff. When the database answers again, spool files
 * are written back oldest first (each deleted once its batch is committed), then memory. Spool
 * files left by an earlier process are replayed from the start.
 *
 * Exactly once under normal operation: a record is in exactly one place at a time (memory, an
 * insert in flight, a spool file, the database). A crash between committing a spool file and
 * deleting it, or a `close` that gives up on a hung insert which later commits, writes the records
 * twice, which the sink must absorb: each record carries an id of its own (usage rows skip a
 * record id they hold already; the audit log skips an event id it holds).
 */
export function createDurableWriter<Item extends object>(
  options: DurableWriterOptions<Item>,
): DurableWriter<Item> {
  const { sink, logger, label, codec } = options;
  const now = options.now ?? Date.now;
  const timers = options.timers ?? realTimers;
  const batchSize = Math.max(1, options.batchSize);
  const memoryBuffer = Math.max(0, options.memoryBuffer);
  const retryInitialMs = options.retryInitialMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const spool = options.spool ?? createSpool({ directory: options.spoolDirectory, label, codec, now });
  const journal =
    options.journal ??
    (options.durability === 'disk'
      ? createJournal({
          directory: options.spoolDirectory,
          codec,
          recordsPerFile: batchSize,
          now,
          onError: (error, file) => {
            lastError = describe(error);
            logger.error({ err: error, file }, `${label} journal file could not be synced or deleted`);
          },
        })
      : undefined);
  const release = (records: readonly Item[]) => {
    if (journal !== undefined) for (const record of records) journal.release(record);
  };

  const pending: Item[] = [];
  let inFlight: Item[] = [];
  let spilling = 0;
  const spoolFiles: string[] = [];
  let scanned = false;
  let available = true;
  let failures = 0;
  let outageStartedAt = 0;
  let retryDue = false;
  let spillRetryAt = 0;
  let lastError: string | undefined;
  let written = 0;
  /** Inserts attempted: a retry that attempted none has learnt nothing about the database. */
  let insertsTried = 0;
  let closing = false;
  let closed = false;
  let lateRecords = 0;
  /** The journal's first failure is logged; it is retried with every record. */
  let journalFailed = false;
  let intervalHandle: unknown;
  let retryHandle: unknown;

  const onLaneError = (error: unknown) => {
    lastError = describe(error);
    logger.error({ err: error }, `${label} writer failed unexpectedly`);
  };
  const writer = createLane(writePass, onLaneError);
  const spiller = createLane(spillPass, onLaneError);

  async function scan(): Promise<void> {
    scanned = true;
    try {
      // A crashed process's journal holds records that may be nowhere else (or already committed:
      // inserts are idempotent by record id). Replayed first, as the oldest.
      const found = [...((await journal?.leftovers()) ?? []), ...(await spool.list())];
      const known = new Set(spoolFiles);
      spoolFiles.unshift(...found.filter((name) => !known.has(name)));
      if (found.length > 0) logger.info({ files: found.length }, `replaying spooled ${label} records`);
    } catch (error) {
      lastError = describe(error);
      logger.error(
        { err: error, directory: options.spoolDirectory },
        `cannot read the ${label} spool directory`,
      );
    }
  }

  async function replaySpool(): Promise<void> {
    while (spoolFiles.length > 0 && !closing) {
      const name = spoolFiles[0] as string;
      let contents: Awaited<ReturnType<Spool<Item>['read']>>;
      try {
        contents = await spool.read(name);
      } catch (error) {
        // Gone (deleted by hand) or unreadable: left on disk for the operator, not retried here.
        spoolFiles.shift();
        if (errorCode(error) !== 'ENOENT') {
          lastError = describe(error);
          logger.error({ err: error, file: name }, `cannot read a ${label} spool file; skipped`);
        }
        continue;
      }
      // One insert per file (files hold one batch), so a file is committed whole or not at all.
      if (contents.records.length > 0) {
        insertsTried += 1;
        await sink.insertBatch(contents.records);
      }
      written += contents.records.length;
      spoolFiles.shift();
      try {
        if (contents.invalidLines > 0) {
          logger.warn(
            { file: name, invalid_lines: contents.invalidLines },
            `unreadable lines in a ${label} spool file`,
          );
          await spool.quarantine(name);
        } else {
          await spool.remove(name);
        }
      } catch (error) {
        lastError = describe(error);
        logger.error(
          { err: error, file: name },
          `a committed ${label} spool file could not be deleted: a restart writes it again`,
        );
      }
    }
  }

  async function writeMemory(all: boolean): Promise<void> {
    while (pending.length >= batchSize || (all && pending.length > 0)) {
      const batch = pending.splice(0, batchSize);
      inFlight = batch;
      insertsTried += 1;
      try {
        await sink.insertBatch(batch);
        written += batch.length;
        release(batch);
      } catch (error) {
        // Unless `close` has taken the batch over (and spilled it), it goes back to the front.
        if (inFlight === batch) pending.unshift(...batch);
        throw error;
      } finally {
        if (inFlight === batch) inFlight = [];
      }
    }
  }

  async function writePass(pass: Pass): Promise<void> {
    if (!scanned) await scan();
    if (!available && !retryDue && !pass.force) return;
    retryDue = false;
    try {
      // During an outage records go to disk as they come: a spill in progress finishes first, so
      // that this attempt replays its file instead of finding nothing to try the database with.
      if (!available) await spiller.idle();
      const triedBefore = insertsTried;
      await replaySpool();
      await writeMemory(pass.all || !available);
      if (!available && insertsTried === triedBefore) {
        // Nothing was written, so nothing says the database is back: ask again later.
        scheduleRetry();
        return;
      }
      if (!available) {
        logger.info({ outage_ms: now() - outageStartedAt, written }, `${label} database available again`);
      }
      available = true;
      failures = 0;
    } catch (error) {
      lastError = describe(error);
      failures += 1;
      if (available) {
        outageStartedAt = now();
        logger.warn(
          { err: error, buffered: pending.length },
          `${label} database unavailable; spilling ${label} records to disk`,
        );
      }
      available = false;
      scheduleRetry();
      // Unreachable: what is in memory goes to disk now, not after the memory buffer fills.
      if (pending.length > spillThreshold()) void spiller.wake({ all: false, force: false });
    }
  }

  /**
   * Records allowed to wait in memory: the memory buffer while the database answers (a slow one
   * catches up from memory), none once a write failed or the writer is closed, so that a crash
   * during an outage loses only what arrived since the last spill.
   */
  function spillThreshold(): number {
    return closed || !available ? 0 : memoryBuffer;
  }

  async function spillPass(): Promise<void> {
    while (pending.length > spillThreshold()) {
      if (!closed && now() < spillRetryAt) return;
      // The oldest records go to disk, so replay (spool first, then memory) keeps their order.
      const chunk = pending.splice(0, batchSize);
      spilling += chunk.length;
      try {
        const name = await spool.write(chunk);
        release(chunk);
        // The start-up scan may have listed it already, between its rename and this line.
        if (!spoolFiles.includes(name)) spoolFiles.push(name);
      } catch (error) {
        pending.unshift(...chunk);
        lastError = describe(error);
        spillRetryAt = now() + retryMaxMs;
        logger.error(
          { err: error, buffered: pending.length },
          `cannot spill ${label} records to disk; keeping them in memory`,
        );
        return;
      } finally {
        spilling -= chunk.length;
      }
    }
  }

  function scheduleRetry(): void {
    if (closing) return;
    if (retryHandle !== undefined) timers.clearTimeout(retryHandle);
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(failures - 1, 30));
    retryHandle = timers.setTimeout(() => {
      retryHandle = undefined;
      retryDue = true;
      void writer.wake({ all: true, force: false });
    }, delay);
  }

  function tick(): void {
    intervalHandle = undefined;
    if (closing) return;
    if (available && (pending.length > 0 || spoolFiles.length > 0))
      void writer.wake({ all: true, force: false });
    intervalHandle = timers.setTimeout(tick, options.flushIntervalMs);
  }

  /** Resolves true when `promise` settles within the close timeout. */
  async function within(promise: Promise<void>): Promise<boolean> {
    let handle: unknown;
    const timeout = new Promise<boolean>((resolve) => {
      handle = timers.setTimeout(() => resolve(false), closeTimeoutMs);
    });
    try {
      return await Promise.race([promise.then(() => true), timeout]);
    } finally {
      timers.clearTimeout(handle);
    }
  }

  let closePromise: Promise<void> | undefined;
  async function closeOnce(): Promise<void> {
    closing = true;
    for (const handle of [intervalHandle, retryHandle]) if (handle !== undefined) timers.clearTimeout(handle);
    intervalHandle = retryHandle = undefined;
    const final = available ? writer.wake({ all: true, force: false }) : writer.idle();
    const finished = await within(Promise.all([final, spiller.idle()]).then(() => undefined));
    if (!finished && inFlight.length > 0) {
      // The insert may still commit after we exit: spilling it too risks a duplicate, not a loss.
      logger.warn(
        { records: inFlight.length },
        `a ${label} insert did not finish before close; spilling its records too`,
      );
      pending.unshift(...inFlight);
      inFlight = [];
    }
    closed = true;
    await spiller.wake({ all: true, force: false });
    if (pending.length > 0) {
      logger.error(
        { records: pending.length },
        journal === undefined
          ? `${label} records could be neither written nor spilled and are lost`
          : `${label} records could be neither written nor spilled; their journal is kept for the next start`,
      );
    }
    journal?.close();
  }

  tick();
  // Spool files left by an earlier process are replayed as soon as the writer exists.
  void writer.wake({ all: false, force: false });

  return {
    record(record) {
      try {
        if (closed) {
          lateRecords += 1;
          if (lateRecords === 1)
            logger.error(options.identify(record), `${label} record after close; not written`);
          return;
        }
        if (journal !== undefined) {
          try {
            journal.append(record);
          } catch (error) {
            // A full or failing disk must not fail the request: the record carries on in memory.
            lastError = describe(error);
            if (!journalFailed) logger.error({ err: error }, `cannot append to the ${label} journal`);
            journalFailed = true;
          }
        }
        pending.push(record);
        if (available && pending.length >= batchSize) void writer.wake({ all: false, force: false });
        if (pending.length > spillThreshold()) void spiller.wake({ all: false, force: false });
      } catch {
        // The request path must never fail because of a record.
      }
    },
    async flush() {
      await spiller.idle();
      await writer.wake({ all: true, force: true });
    },
    stats() {
      return {
        buffered: pending.length + inFlight.length + spilling,
        spooledFiles: spoolFiles.length,
        written,
        databaseAvailable: available,
        lastError,
      };
    },
    close() {
      closePromise ??= closeOnce();
      return closePromise;
    },
  };
}
