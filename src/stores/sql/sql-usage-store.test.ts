import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../accounting/types.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

const day1 = Date.UTC(2025, 2, 1); // 2025-03-01T00:00:00Z
const day2 = Date.UTC(2025, 2, 2);
const day3 = Date.UTC(2025, 2, 3);

function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: 'request-1',
    timestamp: day1 + 1_000,
    keyId: 'key_a',
    team: 'search',
    model: 'gpt-4o',
    provider: 'openai',
    targetModel: 'gpt-4o-2024-08-06',
    inputTokens: 100,
    outputTokens: 20,
    cachedInputTokens: 0,
    costUsd: 0.5,
    savedCostUsd: 0,
    latencyMs: 250,
    status: 200,
    attempts: 1,
    cache: 'miss',
    stream: false,
    errorCode: undefined,
    ...overrides,
  };
}

/** Six requests over three days, two keys, two teams (one key without a team), three models. */
const sample: readonly UsageRecord[] = [
  record({ requestId: 'r1', timestamp: day1, keyId: 'key_a', model: 'gpt-4o', costUsd: 1 }),
  record({ requestId: 'r2', timestamp: day2 - 1, keyId: 'key_a', model: 'gpt-4o-mini', costUsd: 2 }),
  record({
    requestId: 'r3',
    timestamp: day2,
    keyId: 'key_b',
    team: 'legal',
    model: 'claude-sonnet',
    provider: 'anthropic',
    costUsd: 4,
    cachedInputTokens: 30,
  }),
  record({
    requestId: 'r4',
    timestamp: day2 + 5,
    keyId: 'key_b',
    team: 'legal',
    cache: 'hit',
    costUsd: 0,
    savedCostUsd: 8,
  }),
  record({
    requestId: 'r5',
    timestamp: day3 - 1,
    keyId: 'key_c',
    team: undefined,
    provider: undefined,
    targetModel: undefined,
    status: 502,
    errorCode: 'upstream_error',
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    stream: true,
  }),
  record({ requestId: 'r6', timestamp: day3, keyId: 'key_a', costUsd: 16 }),
];

const totals = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, savedCostUsd: 0 };

describe.each(databases)('usage store on $dialect', (testDatabase) => {
  let stores: SqlStores;
  beforeEach(async () => {
    stores = await createSqlStores(await testDatabase.isolated());
  });
  afterEach(async () => {
    await stores.close();
  });

  it('writes a batch of 10,000 records and sums them exactly', async () => {
    const records = Array.from({ length: 10_000 }, (_, index) =>
      record({
        requestId: `request-${index}`,
        timestamp: day1 + index,
        keyId: `key_${index % 7}`,
        inputTokens: index,
        outputTokens: 2,
        cachedInputTokens: index % 3,
        costUsd: 0.25,
        stream: index % 2 === 0,
      }),
    );
    await stores.usage.insertBatch(records);
    expect(await stores.usage.summarize({ from: day1, to: day2, groupBy: [] })).toEqual([
      {
        requests: 10_000,
        inputTokens: (9_999 * 10_000) / 2,
        outputTokens: 20_000,
        cachedInputTokens: records.reduce((sum, each) => sum + each.cachedInputTokens, 0),
        costUsd: 2_500,
        savedCostUsd: 0,
      },
    ]);
    const byKey = await stores.usage.summarize({ from: day1, to: day2, groupBy: ['key'] });
    expect(byKey.map((row) => [row.key, row.requests])).toEqual(
      Array.from({ length: 7 }, (_, index) => [`key_${index}`, index < 10_000 % 7 ? 1_429 : 1_428]),
    );
  });

  it('writes nothing for an empty batch', async () => {
    await stores.usage.insertBatch([]);
    expect(await stores.usage.summarize({ from: 0, to: day3, groupBy: ['key'] })).toEqual([]);
  });

  it('writes a batch atomically: one bad record leaves none of the batch behind', async () => {
    const records = Array.from({ length: 4_000 }, (_, index) => record({ requestId: `request-${index}` }));
    // A null where the schema requires a model, in the last statement of the batch.
    records.push(record({ model: null as unknown as string }));
    await expect(stores.usage.insertBatch(records)).rejects.toThrow();
    expect(await stores.usage.summarize({ from: 0, to: day3, groupBy: [] })).toEqual([
      { requests: 0, ...totals },
    ]);
  });

  it('counts records from `from` inclusive to `to` exclusive', async () => {
    await stores.usage.insertBatch(sample);
    const [summary] = await stores.usage.summarize({ from: day2, to: day3, groupBy: [] });
    expect(summary?.requests).toBe(3); // r3 at day2 exactly, r4, r5 just before day3; not r6 at day3
    expect(summary?.costUsd).toBe(4);
  });

  it('groups by key', async () => {
    await stores.usage.insertBatch(sample);
    const rows = await stores.usage.summarize({ from: day1, to: day3 + 1, groupBy: ['key'] });
    expect(rows.map((row) => [row.key, row.requests, row.costUsd])).toEqual([
      ['key_a', 3, 19],
      ['key_b', 2, 4],
      ['key_c', 1, 0],
    ]);
    expect(rows[1]).toEqual({
      key: 'key_b',
      requests: 2,
      inputTokens: 200,
      outputTokens: 40,
      cachedInputTokens: 30,
      costUsd: 4,
      savedCostUsd: 8,
    });
  });

  it('groups by model', async () => {
    await stores.usage.insertBatch(sample);
    const rows = await stores.usage.summarize({ from: day1, to: day3 + 1, groupBy: ['model'] });
    expect(rows.map((row) => [row.model, row.requests])).toEqual([
      ['claude-sonnet', 1],
      ['gpt-4o', 4],
      ['gpt-4o-mini', 1],
    ]);
  });

  it('groups by provider, leaving out the provider of requests no target answered', async () => {
    await stores.usage.insertBatch(sample);
    const rows = await stores.usage.summarize({ from: day1, to: day3 + 1, groupBy: ['provider'] });
    const byProvider = new Map(rows.map((row) => [row.provider, row.requests]));
    expect(byProvider).toEqual(
      new Map<string | undefined, number>([
        ['anthropic', 1],
        ['openai', 4],
        [undefined, 1],
      ]),
    );
    expect(rows.find((row) => row.provider === undefined)).not.toHaveProperty('provider');
  });

  it('groups by team', async () => {
    await stores.usage.insertBatch(sample);
    const rows = await stores.usage.summarize({ from: day1, to: day3 + 1, groupBy: ['team'] });
    const byTeam = new Map(rows.map((row) => [row.team, row.costUsd]));
    expect(byTeam).toEqual(
      new Map<string | undefined, number>([
        ['legal', 4],
        ['search', 19],
        [undefined, 0],
      ]),
    );
  });

  it('groups by UTC day, a millisecond before midnight falling on the earlier day', async () => {
    await stores.usage.insertBatch(sample);
    const rows = await stores.usage.summarize({ from: day1, to: day3 + 1, groupBy: ['day'] });
    expect(rows.map((row) => [row.day, row.requests, row.costUsd])).toEqual([
      ['2025-03-01', 2, 3],
      ['2025-03-02', 3, 4],
      ['2025-03-03', 1, 16],
    ]);
  });

  it('groups by several attributes at once, in the order asked', async () => {
    await stores.usage.insertBatch(sample);
    const rows = await stores.usage.summarize({ from: day1, to: day3 + 1, groupBy: ['day', 'key', 'day'] });
    expect(rows.map((row) => [row.day, row.key, row.requests])).toEqual([
      ['2025-03-01', 'key_a', 2],
      ['2025-03-02', 'key_b', 2],
      ['2025-03-02', 'key_c', 1],
      ['2025-03-03', 'key_a', 1],
    ]);
  });

  it('filters by key, team, model and provider', async () => {
    await stores.usage.insertBatch(sample);
    const range = { from: day1, to: day3 + 1, groupBy: [] } as const;
    const requests = async (filter: object) =>
      (await stores.usage.summarize({ ...range, ...filter }))[0]?.requests;
    expect(await requests({ keyId: 'key_a' })).toBe(3);
    expect(await requests({ team: 'legal' })).toBe(2);
    expect(await requests({ model: 'gpt-4o' })).toBe(4);
    expect(await requests({ provider: 'anthropic' })).toBe(1);
    expect(await requests({ keyId: 'key_a', model: 'gpt-4o-mini' })).toBe(1);
    expect(await requests({ keyId: 'key_missing' })).toBe(0);
  });

  it('sums what a key spent since a time, the time included', async () => {
    await stores.usage.insertBatch(sample);
    expect(await stores.usage.spentSince({ keyId: 'key_a' }, 0)).toBe(19);
    expect(await stores.usage.spentSince({ keyId: 'key_a' }, day2 - 1)).toBe(18);
    expect(await stores.usage.spentSince({ keyId: 'key_a' }, day3 + 1)).toBe(0);
    expect(await stores.usage.spentSince({ keyId: 'key_missing' }, 0)).toBe(0);
  });

  it('sums what a team spent since a time, across its keys', async () => {
    await stores.usage.insertBatch([
      ...sample,
      record({ requestId: 'r7', keyId: 'key_d', team: 'legal', costUsd: 0.125 }),
    ]);
    expect(await stores.usage.spentSince({ team: 'legal' }, 0)).toBe(4.125);
    expect(await stores.usage.spentSince({ team: 'legal' }, day2 + 1)).toBe(0);
    expect(await stores.usage.spentSince({ team: 'search' }, 0)).toBe(19);
    // The team decides when both are given: a team budget counts every key of the team.
    expect(await stores.usage.spentSince({ keyId: 'key_b', team: 'search' }, 0)).toBe(19);
  });

  it('refuses to sum spending for neither a key nor a team', async () => {
    await expect(stores.usage.spentSince({}, 0)).rejects.toThrow(/key id or a team/);
  });
});
