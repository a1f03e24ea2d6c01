import {
  describeError,
  silentLogger,
  silentObserver,
  type CacheLogger,
  type CacheObserver,
} from './cache-observer.js';
import type { SemanticEntry, SemanticIndex, SemanticMatch, SemanticQuery } from './cache-stores.js';
import { unitVector } from './semantic-vectors.js';

/**
 * Embeds texts with an embeddings model: one vector per text, in order. The gateway routes this
 * like any embeddings request; tests use the mock provider's deterministic embeddings.
 */
export type Embedder = (
  texts: readonly string[],
  model: string,
  signal?: AbortSignal,
) => Promise<readonly ArrayLike<number>[]>;

/** Long prompts are cut before embedding: embedding models have input limits of their own. */
const maxEmbeddedCharacters = 16_000;

/** The semantic layer's own counters and its index, wrapped so that no failure escapes. */
export interface SemanticCache {
  embed(text: string, model: string, signal?: AbortSignal): Promise<Float32Array | undefined>;
  nearest(query: SemanticQuery): Promise<SemanticMatch | undefined>;
  /**
   * A lookup's outcome. `nearest` counts the misses it sees itself; a match counts as a hit only
   * once its answer was found and served, which the caller knows.
   */
  count(result: 'hit' | 'miss'): void;
  add(entry: SemanticEntry, maxEntries: number): Promise<void>;
  remove(scope: string, model: string, entryHash: string): Promise<void>;
  purge(selector: {
    readonly scope?: string | undefined;
    readonly model?: string | undefined;
  }): Promise<number | undefined>;
  statistics(): Promise<SemanticStatistics>;
}

export interface SemanticStatistics {
  readonly entries: number | undefined;
  readonly hits: number;
  readonly misses: number;
  readonly errors: number;
}

export function createSemanticCache(options: {
  readonly index: SemanticIndex;
  readonly embed: Embedder;
  readonly observer?: CacheObserver | undefined;
  readonly logger?: CacheLogger | undefined;
}): SemanticCache {
  const { index } = options;
  const observer = options.observer ?? silentObserver;
  const logger = options.logger ?? silentLogger;
  const counts = { hits: 0, misses: 0, errors: 0 };

  /** Logged once per run of failures (an embedding model or database outage), not per request. */
  let failing = false;

  function failed(error: unknown, operation: string): undefined {
    counts.errors++;
    observer.cacheResult('semantic', 'error');
    if (failing) return undefined;
    failing = true;
    logger.warn(
      { operation, error: describeError(error) },
      'semantic cache operation failed; treated as a miss',
    );
    return undefined;
  }

  function count(result: 'hit' | 'miss'): void {
    failing = false;
    if (result === 'hit') counts.hits++;
    else counts.misses++;
    observer.cacheResult('semantic', result);
  }

  return {
    async embed(text, model, signal) {
      try {
        const [vector] = await options.embed([text.slice(0, maxEmbeddedCharacters)], model, signal);
        return vector === undefined ? undefined : unitVector(vector);
      } catch (error) {
        return failed(error, 'embed');
      }
    },
    async nearest(query) {
      let match: SemanticMatch | undefined;
      try {
        match = await index.nearest(query);
      } catch (error) {
        return failed(error, 'nearest');
      }
      if (match === undefined) count('miss');
      return match;
    },
    count,
    async add(entry, maxEntries) {
      try {
        await index.add(entry, maxEntries);
      } catch (error) {
        failed(error, 'add');
      }
    },
    async remove(scope, model, entryHash) {
      try {
        await index.remove(scope, model, entryHash);
      } catch (error) {
        failed(error, 'remove');
      }
    },
    async purge(selector) {
      try {
        return await index.purge(selector);
      } catch (error) {
        return failed(error, 'purge');
      }
    },
    async statistics() {
      let entries: number | undefined;
      try {
        entries = await index.count();
      } catch (error) {
        failed(error, 'count');
      }
      return { entries, ...counts };
    },
  };
}
