import { describe, expect, it } from 'vitest';
import { createUsageRecordIdGenerator } from './record-id.js';

describe('usage record ids', () => {
  it('is 32 hex digits, distinct every time, and sorts by time', () => {
    const newUsageRecordId = createUsageRecordIdGenerator();
    const ids = [
      newUsageRecordId(1_000),
      newUsageRecordId(1_000),
      newUsageRecordId(2_000),
      newUsageRecordId(),
    ];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs between generators (processes) at the same instant', () => {
    const first = createUsageRecordIdGenerator();
    const second = createUsageRecordIdGenerator();
    expect(first(1_000)).not.toBe(second(1_000));
  });
});
