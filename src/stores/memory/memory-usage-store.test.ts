import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../accounting/index.js';
import { createMemoryUsageStore } from './memory-usage-store.js';

const day = 86_400_000;
const start = Date.UTC(2026, 0, 1);

function usageRecord(index: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: `req_${index}`,
    timestamp: start + index * (day / 2),
    keyId: index % 2 === 0 ? 'key_a' : 'key_b',
    team: index % 2 === 0 ? 'red' : undefined,
    model: 'gpt-4o',
    provider: 'openai',
    targetModel: 'gpt-4o',
    inputTokens: 10,
    outputTokens: 2,
    cachedInputTokens: 1,
    costUsd: 0.5,
    savedCostUsd: 0.25,
    latencyMs: 1,
    status: 200,
    attempts: 1,
    cache: 'miss',
    stream: false,
    errorCode: undefined,
    ...overrides,
  };
}

describe('memory usage store', () => {
  it('summarizes by day and key within the half-open range, with filters', async () => {
    const store = createMemoryUsageStore();
    await store.insertBatch([0, 1, 2, 3, 4].map((index) => usageRecord(index)));
    const byDay = await store.summarize({ from: start, to: start + 2 * day, groupBy: ['day'] });
    expect(byDay).toEqual([
      {
        day: '2026-01-01',
        requests: 2,
        inputTokens: 20,
        outputTokens: 4,
        cachedInputTokens: 2,
        costUsd: 1,
        savedCostUsd: 0.5,
      },
      {
        day: '2026-01-02',
        requests: 2,
        inputTokens: 20,
        outputTokens: 4,
        cachedInputTokens: 2,
        costUsd: 1,
        savedCostUsd: 0.5,
      },
    ]);
    const byKey = await store.summarize({ from: start, to: start + 3 * day, groupBy: ['key', 'team'] });
    expect(byKey.map((row) => [row.key, row.team, row.requests])).toEqual([
      ['key_a', 'red', 3],
      ['key_b', undefined, 2],
    ]);
    const filtered = await store.summarize({ from: start, to: start + 3 * day, keyId: 'key_b', groupBy: [] });
    expect(filtered).toEqual([expect.objectContaining({ requests: 2, costUsd: 1 })]);
  });

  it('totals spend since a time for a key or a team', async () => {
    const store = createMemoryUsageStore();
    await store.insertBatch([0, 1, 2, 3].map((index) => usageRecord(index)));
    expect(await store.spentSince({ keyId: 'key_a' }, start)).toBe(1);
    expect(await store.spentSince({ team: 'red' }, start + day)).toBe(0.5);
  });

  it('fails like an unreachable database when told to, and holds calls while hanging', async () => {
    const store = createMemoryUsageStore('failing');
    await expect(store.insertBatch([usageRecord(1)])).rejects.toThrow('unavailable');
    await expect(store.summarize({ from: 0, to: 1, groupBy: [] })).rejects.toThrow('unavailable');
    store.setMode('hanging');
    let settled = false;
    const insert = store.insertBatch([usageRecord(2)]).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    store.setMode('available');
    await insert;
    expect(store.records().map((record) => record.requestId)).toEqual(['req_2']);
    expect(store.insertCalls()).toEqual([1, 1]);
  });
});
