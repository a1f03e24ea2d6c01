import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryUsageStore, type MemoryUsageStore } from '../stores/memory/memory-usage-store.js';
import type { UsageRecord } from './types.js';
import { usageRecordsToLines } from './usage-record-lines.js';
import { createUsageWriter, type UsageWriterOptions } from './usage-writer.js';

function usageRecord(index: number): UsageRecord {
  return {
    requestId: `req_${index}`,
    timestamp: Date.UTC(2026, 0, 1) + index,
    keyId: 'key_a',
    team: index % 2 === 0 ? 'red' : undefined,
    model: 'gpt-4o',
    provider: 'openai',
    targetModel: 'gpt-4o-2024-08-06',
    inputTokens: 10,
    outputTokens: 5,
    cachedInputTokens: 0,
    costUsd: 0.0001,
    savedCostUsd: 0,
    latencyMs: 12.5,
    status: 200,
    attempts: 1,
    cache: 'miss',
    stream: index % 3 === 0,
    errorCode: undefined,
  };
}

function createLog() {
  const lines: { level: string; message: string; details: object }[] = [];
  const at = (level: string) => (details: object, message: string) => lines.push({ level, message, details });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/** Every request id written, and whether each of `count` records is there exactly once. */
function writtenOnce(store: MemoryUsageStore, count: number): boolean {
  const ids = store.records().map((record) => record.requestId);
  return ids.length === count && new Set(ids).size === count;
}

const eventually = { timeout: 5_000, interval: 5 };

describe('usage writer', () => {
  let directory: string;
  const writers: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gatehouse-usage-'));
  });
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((writer) => writer.close()));
    await rm(directory, { recursive: true, force: true });
  });

  function start(store: MemoryUsageStore, overrides: Partial<UsageWriterOptions> = {}) {
    const log = createLog();
    const writer = createUsageWriter({
      store,
      batchSize: 5,
      flushIntervalMs: 60_000,
      memoryBuffer: 10,
      spoolDirectory: join(directory, 'spool'),
      logger: log.logger,
      retryInitialMs: 5,
      retryMaxMs: 20,
      closeTimeoutMs: 200,
      ...overrides,
    });
    writers.push(writer);
    return { writer, log };
  }

  async function spoolFiles(): Promise<string[]> {
    return (await readdir(join(directory, 'spool')).catch(() => [])).sort();
  }

  it('writes full batches as soon as they fill and the rest on the flush interval', async () => {
    const store = createMemoryUsageStore();
    const { writer } = start(store, { flushIntervalMs: 50, memoryBuffer: 100 });
    for (let index = 0; index < 12; index += 1) writer.record(usageRecord(index));
    await vi.waitFor(() => expect(store.insertCalls().slice(0, 2)).toEqual([5, 5]), eventually);
    await vi.waitFor(() => expect(store.insertCalls()).toEqual([5, 5, 2]), eventually);
    expect(writtenOnce(store, 12)).toBe(true);
    expect(writer.stats()).toMatchObject({
      buffered: 0,
      written: 12,
      spooledFiles: 0,
      databaseAvailable: true,
    });
  });

  it('never throws or waits on the request path', () => {
    const store = createMemoryUsageStore('hanging');
    const { writer } = start(store);
    const started = performance.now();
    for (let index = 0; index < 1_000; index += 1) expect(writer.record(usageRecord(index))).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
    store.setMode('available');
  });

  it('once a write fails, spills everything it holds and everything after it to disk, and writes every record once when the database returns', async () => {
    const store = createMemoryUsageStore('failing');
    const { writer, log } = start(store, { memoryBuffer: 10_000 });
    for (let index = 0; index < 47; index += 1) writer.record(usageRecord(index));
    await vi.waitFor(() => {
      expect(writer.stats().databaseAvailable).toBe(false);
      expect(writer.stats().buffered).toBe(0);
    }, eventually);
    const spooledRecords = async () => {
      const names = await spoolFiles();
      const texts = await Promise.all(names.map((name) => readFile(join(directory, 'spool', name), 'utf8')));
      return texts
        .join('')
        .split('\n')
        .filter((line) => line !== '').length;
    };
    expect((await spoolFiles()).length).toBe(writer.stats().spooledFiles);
    expect(await spooledRecords()).toBe(47);
    // A record during the outage goes to disk too, not into the memory buffer.
    writer.record(usageRecord(47));
    await vi.waitFor(async () => expect(await spooledRecords()).toBe(48), eventually);
    expect(log.lines.filter((line) => line.message.includes('unavailable'))).toHaveLength(1);
    expect(writer.stats().lastError).toBe('usage database unavailable');

    // More traffic during the outage, then the database returns.
    for (let index = 48; index < 60; index += 1) writer.record(usageRecord(index));
    store.setMode('available');
    await vi.waitFor(() => expect(writer.stats().written).toBe(60), eventually);
    expect(writtenOnce(store, 60)).toBe(true);
    await vi.waitFor(async () => expect(await spoolFiles()).toEqual([]), eventually);
    expect(writer.stats()).toMatchObject({ buffered: 0, spooledFiles: 0, databaseAvailable: true });
    expect(log.lines.some((line) => line.message === 'usage database available again')).toBe(true);
    // Spilled (older) records are written back before the ones kept in memory.
    expect(store.records()[0]?.requestId).toBe('req_0');
  });

  it('backs off exponentially up to the cap while the database stays down', async () => {
    const store = createMemoryUsageStore('failing');
    const { writer } = start(store, { retryInitialMs: 10, retryMaxMs: 40 });
    for (let index = 0; index < 5; index += 1) writer.record(usageRecord(index));
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Attempts at 0, 10, 30, 70, 110, ... ms: about 10 in 400 ms, far from one per millisecond.
    expect(store.insertCalls().length).toBeGreaterThanOrEqual(4);
    expect(store.insertCalls().length).toBeLessThanOrEqual(14);
    store.setMode('available');
    await vi.waitFor(() => expect(writtenOnce(store, 5)).toBe(true), eventually);
  });

  it('spills what it cannot write on close, and the next writer replays the spool', async () => {
    const store = createMemoryUsageStore('failing');
    const first = start(store);
    for (let index = 0; index < 8; index += 1) first.writer.record(usageRecord(index));
    await first.writer.close();
    expect((await spoolFiles()).length).toBe(2);
    expect(first.writer.stats().buffered).toBe(0);
    first.writer.record(usageRecord(99));
    expect(first.log.lines.some((line) => line.message.includes('after close'))).toBe(true);

    store.setMode('available');
    const second = start(store);
    await vi.waitFor(() => expect(second.writer.stats().written).toBe(8), eventually);
    expect(writtenOnce(store, 8)).toBe(true);
    expect(store.records().find((record) => record.requestId === 'req_1')).toEqual(usageRecord(1));
    await vi.waitFor(async () => expect(await spoolFiles()).toEqual([]), eventually);
  });

  it('writes what is in memory on close when the database is up', async () => {
    const store = createMemoryUsageStore();
    const { writer } = start(store);
    for (let index = 0; index < 3; index += 1) writer.record(usageRecord(index));
    await writer.close();
    expect(writtenOnce(store, 3)).toBe(true);
    await vi.waitFor(async () => expect(await spoolFiles()).toEqual([]), eventually);
  });

  it('spills an insert that hangs past the close timeout instead of waiting for ever', async () => {
    const store = createMemoryUsageStore('hanging');
    const { writer, log } = start(store);
    for (let index = 0; index < 3; index += 1) writer.record(usageRecord(index));
    void writer.flush();
    await vi.waitFor(() => expect(store.insertCalls()).toEqual([3]), eventually);
    await writer.close();
    expect(log.lines.some((line) => line.message.includes('did not finish before close'))).toBe(true);
    expect((await spoolFiles()).length).toBe(1);
    store.setMode('failing');
  });

  it('keeps records in memory when the disk refuses them, and writes them when the database returns', async () => {
    const blocked = join(directory, 'not-a-directory');
    await writeFile(blocked, 'x');
    const store = createMemoryUsageStore('failing');
    const { writer, log } = start(store, { spoolDirectory: blocked });
    for (let index = 0; index < 20; index += 1) writer.record(usageRecord(index));
    await vi.waitFor(
      () => expect(log.lines.some((line) => line.message.includes('cannot spill'))).toBe(true),
      eventually,
    );
    expect(writer.stats().buffered).toBe(20);
    store.setMode('available');
    await vi.waitFor(() => expect(writtenOnce(store, 20)).toBe(true), eventually);
  });

  it('replays a file left mid-write, skips a torn line and keeps the file aside', async () => {
    const spool = join(directory, 'spool');
    await rm(spool, { recursive: true, force: true });
    await import('node:fs/promises').then(({ mkdir }) => mkdir(spool));
    const complete = usageRecordsToLines([usageRecord(1), usageRecord(2)]);
    await writeFile(join(spool, 'usage-001767225600000-00000001-abcdef01.ndjson'), complete);
    await writeFile(
      join(spool, 'usage-001767225600001-00000001-abcdef02.ndjson.tmp'),
      `${usageRecordsToLines([usageRecord(3)])}{"requestId":"req_4","time`,
    );
    const store = createMemoryUsageStore();
    const { writer } = start(store);
    await vi.waitFor(() => expect(writer.stats().written).toBe(3), eventually);
    expect(store.records().map((record) => record.requestId)).toEqual(['req_1', 'req_2', 'req_3']);
    await vi.waitFor(
      async () =>
        expect(await spoolFiles()).toEqual(['usage-001767225600001-00000001-abcdef02.ndjson.corrupt']),
      eventually,
    );
    const kept = await readFile(
      join(spool, 'usage-001767225600001-00000001-abcdef02.ndjson.corrupt'),
      'utf8',
    );
    expect(kept).toContain('req_4');
  });

  it('writes every record exactly once through repeated outages and a restart', async () => {
    const store = createMemoryUsageStore();
    const first = start(store, { flushIntervalMs: 3 });
    let count = 0;
    let seed = 7;
    const random = () => ((seed = (seed * 48_271) % 2_147_483_647) % 1_000) / 1_000;
    for (let round = 0; round < 40; round += 1) {
      const burst = Math.floor(random() * 12);
      for (let index = 0; index < burst; index += 1) first.writer.record(usageRecord(count++));
      if (random() < 0.3) store.setMode(store.insertCalls().length % 2 === 0 ? 'failing' : 'available');
      await new Promise((resolve) => setTimeout(resolve, random() * 8));
    }
    store.setMode('failing');
    for (let index = 0; index < 7; index += 1) first.writer.record(usageRecord(count++));
    await first.writer.close();
    expect((await spoolFiles()).length).toBeGreaterThan(0);
    expect(count).toBeGreaterThan(100);

    store.setMode('available');
    const second = start(store);
    await vi.waitFor(() => expect(store.records().length).toBe(count), eventually);
    expect(writtenOnce(store, count)).toBe(true);
    await vi.waitFor(async () => expect(await spoolFiles()).toEqual([]), eventually);
    expect(second.writer.stats().spooledFiles).toBe(0);
  });

  it('flushes on demand, even during a backoff', async () => {
    const store = createMemoryUsageStore('failing');
    const { writer } = start(store, { retryInitialMs: 60_000, retryMaxMs: 60_000 });
    writer.record(usageRecord(1));
    await writer.flush();
    expect(writer.stats().databaseAvailable).toBe(false);
    store.setMode('available');
    await writer.flush();
    expect(writtenOnce(store, 1)).toBe(true);
    expect(writer.stats().databaseAvailable).toBe(true);
  });

  describe('with durability: disk', () => {
    const journalLines = async () => {
      const names = (await spoolFiles()).filter((name) => name.startsWith('journal-'));
      const texts = await Promise.all(names.map((name) => readFile(join(directory, 'spool', name), 'utf8')));
      return {
        files: names.length,
        lines: texts
          .join('')
          .split('\n')
          .filter((line) => line !== '').length,
      };
    };

    it('each record is in a journal file when record() returns, and the files go once their records are written', async () => {
      const store = createMemoryUsageStore('hanging');
      const { writer } = start(store, { durability: 'disk' });
      for (let index = 0; index < 12; index += 1) writer.record(usageRecord(index));
      // Synchronously on disk (in the kernel): five records per file, as per batch.
      expect(await journalLines()).toEqual({ files: 3, lines: 12 });
      store.setMode('available');
      await writer.flush();
      expect(writtenOnce(store, 12)).toBe(true);
      await vi.waitFor(async () => expect(await journalLines()).toEqual({ files: 0, lines: 0 }), eventually);
    });

    it('records spilled during an outage leave the journal; the spool alone holds them', async () => {
      const store = createMemoryUsageStore('failing');
      const { writer } = start(store, { durability: 'disk' });
      for (let index = 0; index < 10; index += 1) writer.record(usageRecord(index));
      await vi.waitFor(async () => {
        expect(writer.stats().buffered).toBe(0);
        expect(await journalLines()).toEqual({ files: 0, lines: 0 });
      }, eventually);
      expect(writer.stats().spooledFiles).toBeGreaterThan(0);
    });

    it('a journal left by a writer that died is replayed by the next one, each record written once', async () => {
      const store = createMemoryUsageStore('hanging');
      const dying = start(store, { durability: 'disk' });
      const records = Array.from({ length: 7 }, (_, index) => ({
        ...usageRecord(index),
        recordId: `record-${index}`,
      }));
      for (const record of records) dying.writer.record(record);
      // The dying writer never gets to write or spill (its database hangs); a successor on the same
      // directory, with the database answering, finds its journal.
      const successorStore = createMemoryUsageStore();
      start(successorStore, { durability: 'disk' });
      await vi.waitFor(() => expect(writtenOnce(successorStore, 7)).toBe(true), eventually);
      await vi.waitFor(async () => expect(await journalLines()).toEqual({ files: 0, lines: 0 }), eventually);
      store.setMode('available');
    });
  });
});
