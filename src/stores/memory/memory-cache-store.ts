import type { CachedAnswer, LocalCacheStore, TagSelector } from '../../caching/index.js';
import { BoundedLru } from './memory-cache-lru.js';

export interface MemoryCacheStoreOptions {
  /** L1_CACHE_SIZE. */
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Milliseconds. */
  readonly now?: (() => number) | undefined;
}

/**
 * L1: parsed answers in this process, so a hit costs a Map lookup and no parsing. Entries are
 * named `<scopeTag>:<modelTag>:<hash>`, which is what a purge by scope or model matches on.
 */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions): LocalCacheStore {
  const lru = new BoundedLru<CachedAnswer>({
    maxEntries: options.maxEntries,
    maxBytes: options.maxBytes,
    now: options.now ?? Date.now,
  });
  return {
    get: (id) => lru.get(id),
    set: (id, answer, ttlMs, bytes) => lru.set(id, answer, ttlMs, bytes),
    purge: (selector) => lru.deleteWhere((id) => selects(selector, id)),
    statistics: () => ({
      entries: lru.size,
      bytes: lru.bytes,
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes,
      evictions: lru.evictions,
      expirations: lru.expirations,
    }),
  };
}

function selects(selector: TagSelector, id: string): boolean {
  const [scopeTag, modelTag] = id.split(':', 2);
  return (
    (selector.scopeTag === undefined || selector.scopeTag === scopeTag) &&
    (selector.modelTag === undefined || selector.modelTag === modelTag)
  );
}
