import { describe, expect, it } from 'vitest';
import { createKeyCache } from './key-cache.js';
import type { Principal } from './principal.js';
import type { StoredKey } from './types.js';

const principal = (key: StoredKey) => ({ keyId: key.id }) as Principal;
const stored = (hash: string, updatedAt: number) => ({ id: `key_${hash}`, hash, updatedAt }) as StoredKey;

describe('key cache', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = createKeyCache(2);
    cache.set('a', { type: 'unknown', until: 100 });
    cache.set('b', { type: 'unknown', until: 100 });
    cache.get('a', 0);
    cache.set('c', { type: 'unknown', until: 100 });
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
  });

  it('forgets unknown keys when they expire', () => {
    const cache = createKeyCache(10);
    cache.set('a', { type: 'unknown', until: 100 });
    expect(cache.get('a', 99)).toBeDefined();
    expect(cache.get('a', 100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('applies changes to cached keys only, never replacing a newer version with an older one', () => {
    const cache = createKeyCache(10);
    cache.applyChange(stored('a', 5), principal);
    expect(cache.get('a', 0)).toBeUndefined();
    cache.set('a', { type: 'unknown', until: 100 });
    cache.applyChange(stored('a', 5), principal);
    expect(cache.get('a', 0)).toMatchObject({ type: 'known', key: { updatedAt: 5 } });
    cache.applyChange(stored('a', 4), principal);
    expect(cache.get('a', 0)).toMatchObject({ key: { updatedAt: 5 } });
    cache.applyChange(stored('a', 6), principal);
    expect(cache.get('a', 0)).toMatchObject({ key: { updatedAt: 6 } });
  });
});
