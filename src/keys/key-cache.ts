import type { Principal } from './principal.js';
import type { StoredKey } from './types.js';

/** A cached answer for one key hash: the key (with its principal, built once) or "no such key". */
export type CacheEntry =
  | { readonly type: 'known'; readonly key: StoredKey; readonly principal: Principal }
  | { readonly type: 'unknown'; readonly until: number };

export interface KeyCache {
  /** The entry for `hash`, if any and (for an unknown key) still fresh; marks it recently used. */
  get(hash: string, now: number): CacheEntry | undefined;
  set(hash: string, entry: CacheEntry): void;
  /**
   * A key changed in storage: replace what is cached for it, unless the cache already holds a newer
   * version. Keys not cached are not added (most changed keys are not used on this replica).
   */
  applyChange(key: StoredKey, principal: (key: StoredKey) => Principal): void;
  delete(hash: string): void;
  readonly size: number;
}

/**
 * A bounded least-recently-used cache keyed by key hash. A Map keeps insertion order, so moving an
 * entry to the end on every hit makes the first entry the least recently used one.
 */
export function createKeyCache(capacity: number): KeyCache {
  const entries = new Map<string, CacheEntry>();
  return {
    get(hash, now) {
      const entry = entries.get(hash);
      if (entry === undefined) return undefined;
      if (entry.type === 'unknown' && entry.until <= now) {
        entries.delete(hash);
        return undefined;
      }
      entries.delete(hash);
      entries.set(hash, entry);
      return entry;
    },
    set(hash, entry) {
      entries.delete(hash);
      entries.set(hash, entry);
      while (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    applyChange(key, principal) {
      const cached = entries.get(key.hash);
      if (cached === undefined) return;
      if (cached.type === 'known' && cached.key.updatedAt > key.updatedAt) return;
      entries.set(key.hash, { type: 'known', key, principal: principal(key) });
    },
    delete(hash) {
      entries.delete(hash);
    },
    get size() {
      return entries.size;
    },
  };
}
