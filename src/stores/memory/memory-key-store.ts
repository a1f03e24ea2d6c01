import type { InsertResult, KeyPatch, KeyStore, StoredKey } from '../../keys/index.js';

const patchable = [
  'name',
  'tier',
  'role',
  'team',
  'owner',
  'agentId',
  'models',
  'limits',
  'budget',
  'metadata',
  'expiresAt',
] as const satisfies readonly (keyof KeyPatch)[];

/**
 * Keys in process memory, for tests and for a gateway that needs nothing to outlive it. It keeps
 * the contract the SQL store keeps: names are unique, a field present in a patch is applied even
 * when its value is undefined (that clears it), revoking twice keeps the first revocation time.
 */
export function createMemoryKeyStore(initial: readonly StoredKey[] = []): KeyStore {
  const byId = new Map<string, StoredKey>();
  const idByHash = new Map<string, string>();
  for (const key of initial) put(key);

  function put(key: StoredKey): StoredKey {
    const frozen = Object.freeze({ ...key });
    byId.set(frozen.id, frozen);
    idByHash.set(frozen.hash, frozen.id);
    return frozen;
  }

  function nameTaken(name: string, exceptId: string | undefined): boolean {
    for (const key of byId.values()) if (key.name === name && key.id !== exceptId) return true;
    return false;
  }

  return {
    insert(key): Promise<InsertResult> {
      if (nameTaken(key.name, undefined)) return Promise.resolve({ type: 'duplicate_name' });
      if (byId.has(key.id) || idByHash.has(key.hash)) {
        return Promise.reject(new Error(`A key with id ${key.id} or the same hash already exists.`));
      }
      put(key);
      return Promise.resolve({ type: 'inserted' });
    },
    findByHash(hash) {
      const id = idByHash.get(hash);
      return Promise.resolve(id === undefined ? undefined : byId.get(id));
    },
    findById(id) {
      return Promise.resolve(byId.get(id));
    },
    list() {
      return Promise.resolve([...byId.values()]);
    },
    update(id, patch, now) {
      const existing = byId.get(id);
      if (existing === undefined) return Promise.resolve(undefined);
      if (patch.name !== undefined && nameTaken(patch.name, id)) {
        return Promise.resolve('duplicate_name' as const);
      }
      const updated: Record<string, unknown> = { ...existing, updatedAt: now };
      for (const field of patchable) if (Object.hasOwn(patch, field)) updated[field] = patch[field];
      return Promise.resolve(put(updated as unknown as StoredKey));
    },
    revoke(id, now) {
      const existing = byId.get(id);
      if (existing === undefined) return Promise.resolve(undefined);
      if (existing.revokedAt !== undefined) return Promise.resolve(existing);
      return Promise.resolve(put({ ...existing, revokedAt: now, updatedAt: now }));
    },
    changedSince(since) {
      return Promise.resolve([...byId.values()].filter((key) => key.updatedAt > since));
    },
  };
}
