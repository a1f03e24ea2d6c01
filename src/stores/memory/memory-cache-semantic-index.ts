import { dotProduct, type SemanticIndex } from '../../caching/index.js';

export interface MemorySemanticIndexOptions {
  /**
   * Prompts held across all scopes and models. A 1,536-dimension embedding takes 6 KB, so the
   * default of 10,000 is about 60 MB; searches are brute force over one scope and model.
   */
  readonly maxTotalEntries?: number | undefined;
  /** Unix milliseconds. */
  readonly now?: (() => number) | undefined;
}

interface Item {
  readonly partition: string;
  readonly vector: Float32Array;
  readonly expiresAt: number;
}

interface Bucket {
  readonly scope: string;
  readonly model: string;
  /** By entry hash, least recently used first. */
  readonly items: Map<string, Item>;
}

const defaultMaxTotalEntries = 10_000;

/**
 * The semantic index of one process. Eviction is least recently used (an entry is used when it is
 * added or matched): within a scope and model beyond that model's `max_entries`, and across all of
 * them beyond `maxTotalEntries`, from the least recently used scope and model. A full index never
 * refuses a prompt; it forgets the oldest.
 */
export function createMemorySemanticIndex(options: MemorySemanticIndexOptions = {}): SemanticIndex {
  const maxTotal = options.maxTotalEntries ?? defaultMaxTotalEntries;
  const now = options.now ?? Date.now;
  /** Least recently used first. */
  const buckets = new Map<string, Bucket>();
  let total = 0;

  const bucketKey = (scope: string, model: string) => `${scope}\u0000${model}`;

  function touch(key: string, bucket: Bucket): void {
    buckets.delete(key);
    buckets.set(key, bucket);
  }

  function drop(key: string, bucket: Bucket, entryHash: string): void {
    if (bucket.items.delete(entryHash)) total--;
    if (bucket.items.size === 0) buckets.delete(key);
  }

  function dropOldest(key: string, bucket: Bucket): void {
    const oldest = bucket.items.keys().next();
    if (oldest.done !== true) drop(key, bucket, oldest.value);
  }

  return {
    nearest(query) {
      const key = bucketKey(query.scope, query.model);
      const bucket = buckets.get(key);
      if (bucket === undefined) return Promise.resolve(undefined);
      const time = now();
      let best: { entryHash: string; similarity: number } | undefined;
      for (const [entryHash, item] of bucket.items) {
        if (item.expiresAt <= time) {
          drop(key, bucket, entryHash);
          continue;
        }
        if (item.partition !== query.partition || item.vector.length !== query.vector.length) continue;
        const similarity = dotProduct(item.vector, query.vector);
        if (similarity >= query.threshold && (best === undefined || similarity > best.similarity)) {
          best = { entryHash, similarity };
        }
      }
      if (best === undefined) return Promise.resolve(undefined);
      const item = bucket.items.get(best.entryHash);
      if (item !== undefined) {
        bucket.items.delete(best.entryHash);
        bucket.items.set(best.entryHash, item);
        touch(key, bucket);
      }
      return Promise.resolve(best);
    },
    add(entry, maxEntries) {
      const key = bucketKey(entry.scope, entry.model);
      const bucket = buckets.get(key) ?? {
        scope: entry.scope,
        model: entry.model,
        items: new Map<string, Item>(),
      };
      touch(key, bucket);
      if (bucket.items.delete(entry.entryHash)) total--;
      bucket.items.set(entry.entryHash, {
        partition: entry.partition,
        vector: entry.vector,
        expiresAt: entry.expiresAt,
      });
      total++;
      while (bucket.items.size > Math.max(1, maxEntries)) dropOldest(key, bucket);
      while (total > maxTotal) {
        const oldest = buckets.entries().next();
        if (oldest.done === true) break;
        dropOldest(oldest.value[0], oldest.value[1]);
      }
      return Promise.resolve();
    },
    remove(scope, model, entryHash) {
      const key = bucketKey(scope, model);
      const bucket = buckets.get(key);
      if (bucket !== undefined) drop(key, bucket, entryHash);
      return Promise.resolve();
    },
    purge(selector) {
      let removed = 0;
      for (const [key, bucket] of [...buckets]) {
        if (selector.scope !== undefined && selector.scope !== bucket.scope) continue;
        if (selector.model !== undefined && selector.model !== bucket.model) continue;
        removed += bucket.items.size;
        total -= bucket.items.size;
        buckets.delete(key);
      }
      return Promise.resolve(removed);
    },
    count() {
      const time = now();
      let live = 0;
      for (const bucket of buckets.values())
        for (const item of bucket.items.values()) if (item.expiresAt > time) live++;
      return Promise.resolve(live);
    },
  };
}
