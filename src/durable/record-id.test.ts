import { describe, expect, it } from 'vitest';
import { createRecordIdGenerator, newRecordIdWriter, recordIdWriter, timeOrderedUuid } from './record-id.js';

describe('record ids', () => {
  it('is 32 hex digits, distinct every time, and sorts by time', () => {
    const newRecordId = createRecordIdGenerator();
    const ids = [newRecordId(1_000), newRecordId(1_000), newRecordId(2_000), newRecordId()];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs between generators (processes) at the same instant', () => {
    const first = createRecordIdGenerator();
    const second = createRecordIdGenerator();
    expect(first(1_000)).not.toBe(second(1_000));
  });

  it('names its writer in every id, so a reader can tell which records a process wrote', () => {
    const writer = newRecordIdWriter();
    const newRecordId = createRecordIdGenerator(writer);
    expect(recordIdWriter(newRecordId(1_000))).toBe(writer);
    expect(recordIdWriter(newRecordId())).toBe(writer);
    expect(recordIdWriter(createRecordIdGenerator()(1_000))).not.toBe(writer);
  });

  it('makes version 7 UUIDs that carry their millisecond and sort by it', () => {
    const at = Date.UTC(2026, 11, 6, 10, 0, 0, 123);
    const ids = [timeOrderedUuid(at - 1), timeOrderedUuid(at), timeOrderedUuid(at + 1_000)];
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(Number.parseInt(ids[1]!.replace('-', '').slice(0, 12), 16)).toBe(at);
    expect([...ids].sort()).toEqual(ids);
    expect(timeOrderedUuid(at)).not.toBe(ids[1]);
  });
});
