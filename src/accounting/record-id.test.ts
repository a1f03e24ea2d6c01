import { describe, expect, it } from 'vitest';
import { newUsageRecordId } from './record-id.js';

describe('newUsageRecordId', () => {
  it('is 32 hex digits, distinct every time, and sorts by time', () => {
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
});
