import { describe, expect, it } from 'vitest';
import { createRecordIdGenerator, newRecordIdWriter, recordIdWriter } from './record-id.js';

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
});
