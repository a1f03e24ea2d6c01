import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredKey } from '../../keys/types.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

function key(overrides: Partial<StoredKey> & Pick<StoredKey, 'id'>): StoredKey {
  return {
    name: `name of ${overrides.id}`,
    hash: `hash of ${overrides.id}`,
    prefix: 'gh-AbCd',
    tier: 'free',
    role: 'user',
    team: undefined,
    owner: undefined,
    agentId: undefined,
    models: [],
    limits: {},
    budget: undefined,
    metadata: {},
    createdAt: 1_000,
    updatedAt: 1_000,
    expiresAt: undefined,
    revokedAt: undefined,
    ...overrides,
  };
}

const fullKey = key({
  id: 'key_full',
  name: 'everything',
  tier: 'enterprise',
  role: 'admin',
  team: 'search',
  owner: 'ada@example.com',
  agentId: 'agent-7',
  models: ['gpt-4o*', 'claude-*'],
  limits: { requestsPerMinute: 100, tokensPerMinute: 50_000, concurrentRequests: 0 },
  budget: { usd: 12.5, period: 'month' },
  metadata: { purpose: 'tests', 'cost-centre': '42' },
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  expiresAt: 1_800_000_000_000,
});

describe.each(databases)('key store on $dialect', (testDatabase) => {
  let stores: SqlStores;
  beforeEach(async () => {
    stores = await createSqlStores(await testDatabase.isolated());
  });
  afterEach(async () => {
    await stores.close();
  });

  it('stores every attribute and finds the key by id and by hash', async () => {
    expect(await stores.keys.insert(fullKey)).toEqual({ type: 'inserted' });
    expect(await stores.keys.findById('key_full')).toEqual(fullKey);
    expect(await stores.keys.findByHash(fullKey.hash)).toEqual(fullKey);
  });

  it('keeps absent optional attributes absent', async () => {
    const bare = key({ id: 'key_bare' });
    await stores.keys.insert(bare);
    const found = await stores.keys.findById('key_bare');
    expect(found).toEqual(bare);
    expect(found?.budget).toBeUndefined();
    expect(found?.team).toBeUndefined();
  });

  it('finds nothing for an unknown id or hash', async () => {
    await stores.keys.insert(fullKey);
    expect(await stores.keys.findById('key_missing')).toBeUndefined();
    expect(await stores.keys.findByHash('no such hash')).toBeUndefined();
  });

  it('lists keys in the order they were created', async () => {
    await stores.keys.insert(key({ id: 'key_b', createdAt: 2_000 }));
    await stores.keys.insert(key({ id: 'key_a', createdAt: 3_000 }));
    await stores.keys.insert(key({ id: 'key_c', createdAt: 1_000 }));
    expect((await stores.keys.list()).map((stored) => stored.id)).toEqual(['key_c', 'key_b', 'key_a']);
  });

  it('refuses a second key with the same name as a duplicate', async () => {
    await stores.keys.insert(key({ id: 'key_1', name: 'shared' }));
    expect(await stores.keys.insert(key({ id: 'key_2', name: 'shared' }))).toEqual({
      type: 'duplicate_name',
    });
    expect((await stores.keys.list()).map((stored) => stored.id)).toEqual(['key_1']);
  });

  it('treats a repeated hash or id as an error, not as a duplicate name', async () => {
    await stores.keys.insert(key({ id: 'key_1', hash: 'same' }));
    await expect(stores.keys.insert(key({ id: 'key_2', hash: 'same' }))).rejects.toThrow();
    await expect(stores.keys.insert(key({ id: 'key_1', name: 'other', hash: 'other' }))).rejects.toThrow();
  });

  it('applies a patch, leaves absent attributes alone and bumps updatedAt', async () => {
    await stores.keys.insert(fullKey);
    const updated = await stores.keys.update(
      'key_full',
      { name: 'renamed', tier: 'pro', limits: { requestsPerMinute: 5 }, models: ['gpt-4o-mini'] },
      1_700_000_005_000,
    );
    const expected: StoredKey = {
      ...fullKey,
      name: 'renamed',
      tier: 'pro',
      limits: { requestsPerMinute: 5 },
      models: ['gpt-4o-mini'],
      updatedAt: 1_700_000_005_000,
    };
    expect(updated).toEqual(expected);
    expect(await stores.keys.findById('key_full')).toEqual(expected);
  });

  it('clears optional attributes a patch sets to undefined', async () => {
    await stores.keys.insert(fullKey);
    const updated = await stores.keys.update(
      'key_full',
      { team: undefined, owner: undefined, agentId: undefined, budget: undefined, expiresAt: undefined },
      1_700_000_005_000,
    );
    expect(updated).toEqual({
      ...fullKey,
      team: undefined,
      owner: undefined,
      agentId: undefined,
      budget: undefined,
      expiresAt: undefined,
      updatedAt: 1_700_000_005_000,
    });
  });

  it('answers undefined when updating an unknown key', async () => {
    expect(await stores.keys.update('key_missing', { tier: 'pro' }, 2_000)).toBeUndefined();
  });

  it('refuses a rename onto another key name as a duplicate and changes nothing', async () => {
    await stores.keys.insert(key({ id: 'key_1', name: 'first' }));
    await stores.keys.insert(key({ id: 'key_2', name: 'second' }));
    expect(await stores.keys.update('key_2', { name: 'first', tier: 'pro' }, 2_000)).toBe('duplicate_name');
    expect(await stores.keys.findById('key_2')).toEqual(key({ id: 'key_2', name: 'second' }));
  });

  it('revokes a key once: the first revocation time stays, updatedAt moves', async () => {
    await stores.keys.insert(fullKey);
    const revoked = await stores.keys.revoke('key_full', 1_700_000_010_000);
    expect(revoked).toEqual({ ...fullKey, revokedAt: 1_700_000_010_000, updatedAt: 1_700_000_010_000 });
    const again = await stores.keys.revoke('key_full', 1_700_000_020_000);
    expect(again).toEqual({ ...fullKey, revokedAt: 1_700_000_010_000, updatedAt: 1_700_000_020_000 });
    expect(await stores.keys.revoke('key_missing', 1_700_000_020_000)).toBeUndefined();
  });

  it('reports the keys changed strictly after a time', async () => {
    await stores.keys.insert(key({ id: 'key_old', updatedAt: 1_000 }));
    await stores.keys.insert(key({ id: 'key_edge', updatedAt: 2_000 }));
    await stores.keys.insert(key({ id: 'key_new', updatedAt: 3_000 }));
    expect((await stores.keys.changedSince(2_000)).map((stored) => stored.id)).toEqual(['key_new']);

    await stores.keys.revoke('key_old', 4_000);
    await stores.keys.update('key_edge', { tier: 'pro' }, 5_000);
    expect((await stores.keys.changedSince(2_000)).map((stored) => stored.id)).toEqual([
      'key_new',
      'key_old',
      'key_edge',
    ]);
    expect(await stores.keys.changedSince(5_000)).toEqual([]);
  });
});
