import type { CachedAnswer } from './cached-answer.js';
import type { CacheKey } from './cache-key.js';

/**
 * The stores the cache needs; `stores/` implements them. Entries are named by `CacheKey.id`
 * (`<scopeTag>:<modelTag>:<hash>`), which is all a purge needs to find them.
 */

/** Which entries a purge removes: both tags absent means every entry. */
export interface TagSelector {
  readonly scopeTag?: string | undefined;
  readonly modelTag?: string | undefined;
}

/** L1: this process's own bounded store of parsed answers. Synchronous: it is a Map. */
export interface LocalCacheStore {
  get(id: string): CachedAnswer | undefined;
  /** `bytes` is the serialised size, counted against the store's byte bound. */
  set(id: string, answer: CachedAnswer, ttlMs: number, bytes: number): void;
  purge(selector: TagSelector): number;
  statistics(): LocalCacheStatistics;
}

export interface LocalCacheStatistics {
  readonly entries: number;
  readonly bytes: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Entries dropped to make room. */
  readonly evictions: number;
  /** Entries found expired when read. */
  readonly expirations: number;
}

/**
 * L2: shared by every replica (Redis). Entries are serialised answers; any failure rejects and
 * the cache carries on without this layer.
 */
export interface SharedCacheStore {
  get(key: CacheKey): Promise<string | undefined>;
  set(key: CacheKey, value: string, ttlSeconds: number): Promise<void>;
  /** Removes the selected entries; resolves with how many there were. */
  purge(selector: TagSelector): Promise<number>;
  /** Live entries, for inspection (may walk an index: not for the request path). */
  count(): Promise<number>;
}

/** One prompt in a semantic index: its embedding, and the exact-cache entry holding its answer. */
export interface SemanticEntry {
  readonly scope: string;
  readonly model: string;
  /** Everything about the request but its last user message (see `semanticPartition`). */
  readonly partition: string;
  /** The `CacheKey.hash` of the entry with the answer. */
  readonly entryHash: string;
  /** Unit length: cosine similarity is then a dot product. */
  readonly vector: Float32Array;
  /** Unix milliseconds. */
  readonly expiresAt: number;
}

export interface SemanticQuery {
  readonly scope: string;
  readonly model: string;
  readonly partition: string;
  /** Unit length. */
  readonly vector: Float32Array;
  /** Only entries at least this similar are returned. */
  readonly threshold: number;
}

export interface SemanticMatch {
  readonly entryHash: string;
  readonly similarity: number;
}

/**
 * A vector index of cached prompts. Searches stay within one scope, model and partition, and
 * skip expired entries and entries of another dimension (an embedding model changed).
 */
export interface SemanticIndex {
  nearest(query: SemanticQuery): Promise<SemanticMatch | undefined>;
  /** Adds or replaces; beyond `maxEntries` per scope and model, the least recently used go. */
  add(entry: SemanticEntry, maxEntries: number): Promise<void>;
  /** Drops an entry whose answer is gone from the exact cache. */
  remove(scope: string, model: string, entryHash: string): Promise<void>;
  /** Both absent: everything. */
  purge(selector: {
    readonly scope?: string | undefined;
    readonly model?: string | undefined;
  }): Promise<number>;
  count(): Promise<number>;
}
