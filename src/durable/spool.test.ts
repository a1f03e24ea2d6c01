import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LineCodec } from './line-codec.js';
import { createSpool } from './spool.js';

interface Note {
  readonly id: string;
}

const codec: LineCodec<Note> = {
  toLine: (note) => JSON.stringify(note),
  fromLine(line) {
    try {
      const value = JSON.parse(line) as { id?: unknown };
      return typeof value.id === 'string' ? { id: value.id } : undefined;
    } catch {
      return undefined;
    }
  },
};

describe('the spool of one kind of record', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gatehouse-spool-'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('names its files by its label and lists only its own kind', async () => {
    const now = () => Date.UTC(2026, 0, 1);
    const audit = createSpool({ directory, label: 'audit', codec, now });
    const usage = createSpool({ directory, label: 'usage', codec, now });
    const name = await audit.write([{ id: 'a' }, { id: 'b' }]);
    expect(name).toMatch(/^audit-\d{15}-\d{8}-[0-9a-f]{8}\.ndjson$/);
    expect(await readdir(directory)).toEqual([name]);
    expect(await usage.list()).toEqual([]);
    expect(await audit.list()).toEqual([name]);
    expect(await audit.read(name)).toEqual({ records: [{ id: 'a' }, { id: 'b' }], invalidLines: 0 });
  });

  it('refuses a label that could escape its file names', () => {
    for (const label of ['', 'Usage', '../x', 'a.b', 'x y'])
      expect(() => createSpool({ directory, label, codec, now: Date.now })).toThrow(/invalid spool label/);
  });
});
