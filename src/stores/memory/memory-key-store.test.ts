import { describe, expect, it } from 'vitest';
import type { StoredKey } from '../../keys/index.js';
import { createMemoryKeyStore } from './memory-key-store.js';

function key(overrides: Partial<StoredKey> = {}): StoredKey {
  return {
    id: 'key_0000000000000001',
    name: 'one',
    hash: 'a'.repeat(64),
    prefix: 'gh-AAAAAAA',
    tier: 'pro',
    role: 'user',
    team: 'search',
    owner: undefined,
    agentId: undefined,
    models: [],
    limits: { requestsPerMinute: 5 },
    budget: { usd: 5, period: 'day' },
    metadata: {},
    createdAt: 1_000,
    updatedAt: 1_000,
    expiresAt: 9_000,
    revokedAt: undefined,
    ...overrides,
  };
}

describe('memory key store', () => {
  it('inserts and finds keys by hash and id, and refuses duplicate names', async () => {
    const store = createMemoryKeyStore();
    expect(await store.insert(key())).toEqual({ type: 'inserted' });
    expect(await store.insert(key({ id: 'key_0000000000000002', hash: 'b'.repeat(64) }))).toEqual({
      type: 'duplicate_name',
    });
    expect(await store.findByHash('a'.repeat(64))).toMatchObject({ id: 'key_0000000000000001' });
    expect(await store.findById('key_0000000000000001')).toMatchObject({ name: 'one' });
    expect(await store.findByHash('c'.repeat(64))).toBeUndefined();
    expect(await store.list()).toHaveLength(1);
  });

  it('applies patches: absent fields stay, fields present as undefined are cleared, updatedAt moves', async () => {
    const store = createMemoryKeyStore([key()]);
    const updated = await store.update(
      'key_0000000000000001',
      { team: undefined, budget: undefined, expiresAt: undefined, tier: 'free' },
      2_000,
    );
    expect(updated).toMatchObject({
      tier: 'free',
      team: undefined,
      budget: undefined,
      expiresAt: undefined,
      limits: { requestsPerMinute: 5 },
      updatedAt: 2_000,
    });
    expect(await store.update('key_0000000000000009', { tier: 'free' }, 2_000)).toBeUndefined();
  });

  it('refuses renaming to a taken name but allows keeping its own', async () => {
    const store = createMemoryKeyStore([
      key(),
      key({ id: 'key_0000000000000002', name: 'two', hash: 'b'.repeat(64) }),
    ]);
    expect(await store.update('key_0000000000000002', { name: 'one' }, 2_000)).toBe('duplicate_name');
    expect(await store.update('key_0000000000000002', { name: 'two' }, 2_000)).toMatchObject({ name: 'two' });
  });

  it('revokes once, keeping the first revocation time', async () => {
    const store = createMemoryKeyStore([key()]);
    expect(await store.revoke('key_0000000000000001', 3_000)).toMatchObject({
      revokedAt: 3_000,
      updatedAt: 3_000,
    });
    expect(await store.revoke('key_0000000000000001', 4_000)).toMatchObject({ revokedAt: 3_000 });
    expect(await store.revoke('key_0000000000000009', 4_000)).toBeUndefined();
  });

  it('reports keys changed after a time', async () => {
    const store = createMemoryKeyStore([
      key(),
      key({ id: 'key_0000000000000002', name: 'two', hash: 'b'.repeat(64), updatedAt: 5_000 }),
    ]);
    expect((await store.changedSince(1_000)).map((changed) => changed.name)).toEqual(['two']);
    await store.revoke('key_0000000000000001', 6_000);
    expect((await store.changedSince(5_000)).map((changed) => changed.name)).toEqual(['one']);
  });

  it('hands out records nobody can change behind its back', async () => {
    const store = createMemoryKeyStore([key()]);
    const found = await store.findById('key_0000000000000001');
    expect(Object.isFrozen(found)).toBe(true);
  });
});
