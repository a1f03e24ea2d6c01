import type { ChatResponse } from '../llm/index.js';
import type { AnsweredBy, CachedAnswer } from './cached-answer.js';
import { parseCachedAnswer } from './cached-answer.js';
import { cacheTag, type CacheKey } from './cache-key.js';
import {
  describeError,
  silentLogger,
  silentObserver,
  type CacheLogger,
  type CacheObserver,
} from './cache-observer.js';
import type { LocalCacheStatistics, LocalCacheStore, SharedCacheStore, TagSelector } from './cache-stores.js';

export interface ResponseCacheOptions {
  /** L1; undefined turns it off. */
  readonly local: LocalCacheStore | undefined;
  /** L2; undefined when there is no Redis or ENABLE_L2_CACHE is false. */
  readonly shared: SharedCacheStore | undefined;
  /** The longest an entry stays in L1 (L1_TTL_SECONDS). */
  readonly localTtlSeconds: number;
  /** Larger answers are not cached: one answer must not crowd out hundreds. */
  readonly maxEntryBytes: number;
  readonly observer?: CacheObserver | undefined;
  readonly logger?: CacheLogger | undefined;
  /** Unix milliseconds. */
  readonly now?: (() => number) | undefined;
  /**
   * After an L2 failure, L2 is left alone this long, so that an outage costs requests nothing
   * (not even a failed command each); then it is tried again, which is how it recovers.
   */
  readonly sharedRetryMs?: number | undefined;
}

export type CacheLookup =
  | { readonly type: 'hit'; readonly layer: 'l1' | 'l2'; readonly answer: CachedAnswer }
  | { readonly type: 'miss' };

export interface PurgeSelector {
  readonly scope?: string | undefined;
  readonly model?: string | undefined;
}

export interface PurgeCounts {
  readonly l1: number;
  /** Null when there is no L2 or it could not be reached (its entries then expire on their own). */
  readonly l2: number | null;
}

export interface ResponseCacheStatistics {
  readonly l1: (LocalCacheStatistics & { readonly hits: number; readonly misses: number }) | undefined;
  readonly l2:
    | {
        readonly available: boolean;
        readonly entries: number | undefined;
        readonly hits: number;
        readonly misses: number;
        readonly errors: number;
      }
    | undefined;
}

/** The exact-match cache: L1 in process, then L2 shared; L2 hits fill L1. Never throws. */
export interface ResponseCache {
  lookup(key: CacheKey): Promise<CacheLookup>;
  /** Resolves true when at least one layer took the answer. */
  store(key: CacheKey, response: ChatResponse, answeredBy: AnsweredBy, ttlSeconds: number): Promise<boolean>;
  /** This process's L1 and the shared L2. */
  purge(selector: PurgeSelector): Promise<PurgeCounts>;
  /** L1 only: for a purge announced by another replica. */
  forgetLocal(selector: PurgeSelector): number;
  inspect(): Promise<ResponseCacheStatistics>;
}

const defaultSharedRetryMs = 1_000;

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { local, shared } = options;
  const now = options.now ?? Date.now;
  const observer = options.observer ?? silentObserver;
  const logger = options.logger ?? silentLogger;
  const retryMs = options.sharedRetryMs ?? defaultSharedRetryMs;
  const localTtlMs = options.localTtlSeconds * 1_000;
  const counts = { l1Hits: 0, l1Misses: 0, l2Hits: 0, l2Misses: 0, l2Errors: 0 };
  let sharedDownUntil = 0;
  let sharedDown = false;

  function sharedUsable(): SharedCacheStore | undefined {
    return shared !== undefined && now() >= sharedDownUntil ? shared : undefined;
  }

  function sharedFailed(error: unknown, operation: string): void {
    counts.l2Errors++;
    observer.cacheResult('l2', 'error');
    sharedDownUntil = now() + retryMs;
    if (sharedDown) return;
    sharedDown = true;
    logger.warn({ operation, error: describeError(error) }, 'L2 cache unavailable; serving from L1 only');
  }

  function sharedWorked(): void {
    if (!sharedDown) return;
    sharedDown = false;
    logger.info({}, 'L2 cache available again');
  }

  function fillLocal(key: CacheKey, answer: CachedAnswer, bytes: number): void {
    const ttlMs = Math.min(localTtlMs, answer.expiresAt - now());
    if (local !== undefined && ttlMs > 0) local.set(key.id, answer, ttlMs, bytes);
  }

  async function lookup(key: CacheKey): Promise<CacheLookup> {
    if (local !== undefined) {
      const answer = local.get(key.id);
      if (answer !== undefined) {
        counts.l1Hits++;
        observer.cacheResult('l1', 'hit');
        return { type: 'hit', layer: 'l1', answer };
      }
      counts.l1Misses++;
      observer.cacheResult('l1', 'miss');
    }
    const store = sharedUsable();
    if (store === undefined) return { type: 'miss' };
    let text: string | undefined;
    try {
      text = await store.get(key);
      sharedWorked();
    } catch (error) {
      sharedFailed(error, 'get');
      return { type: 'miss' };
    }
    const answer = text === undefined ? undefined : parseCachedAnswer(text);
    if (answer === undefined || answer.expiresAt <= now()) {
      counts.l2Misses++;
      observer.cacheResult('l2', 'miss');
      return { type: 'miss' };
    }
    counts.l2Hits++;
    observer.cacheResult('l2', 'hit');
    fillLocal(key, answer, text?.length ?? 0);
    return { type: 'hit', layer: 'l2', answer };
  }

  async function store(
    key: CacheKey,
    response: ChatResponse,
    answeredBy: AnsweredBy,
    ttlSeconds: number,
  ): Promise<boolean> {
    if (ttlSeconds <= 0) return false;
    const storedAt = now();
    const answer: CachedAnswer = {
      version: 1,
      response,
      ...(answeredBy.provider === undefined ? {} : { provider: answeredBy.provider }),
      ...(answeredBy.model === undefined ? {} : { targetModel: answeredBy.model }),
      storedAt,
      expiresAt: storedAt + ttlSeconds * 1_000,
    };
    const text = JSON.stringify(answer);
    // UTF-16 length: a cheap bound within a factor of the UTF-8 size, good enough for a budget.
    if (text.length > options.maxEntryBytes) return false;
    fillLocal(key, answer, text.length);
    const target = sharedUsable();
    if (target === undefined) return local !== undefined;
    try {
      await target.set(key, text, ttlSeconds);
      sharedWorked();
      return true;
    } catch (error) {
      sharedFailed(error, 'set');
      return local !== undefined;
    }
  }

  function tags(selector: PurgeSelector): TagSelector {
    return {
      scopeTag: selector.scope === undefined ? undefined : cacheTag(selector.scope),
      modelTag: selector.model === undefined ? undefined : cacheTag(selector.model),
    };
  }

  function forgetLocal(selector: PurgeSelector): number {
    return local?.purge(tags(selector)) ?? 0;
  }

  async function purge(selector: PurgeSelector): Promise<PurgeCounts> {
    const l1 = forgetLocal(selector);
    if (shared === undefined) return { l1, l2: null };
    // A purge is an explicit request: it tries L2 even while lookups are leaving it alone.
    try {
      const l2 = await shared.purge(tags(selector));
      sharedWorked();
      return { l1, l2 };
    } catch (error) {
      sharedFailed(error, 'purge');
      return { l1, l2: null };
    }
  }

  async function inspect(): Promise<ResponseCacheStatistics> {
    let entries: number | undefined;
    const target = sharedUsable();
    if (target !== undefined) {
      try {
        entries = await target.count();
        sharedWorked();
      } catch (error) {
        sharedFailed(error, 'count');
      }
    }
    return {
      l1:
        local === undefined
          ? undefined
          : { ...local.statistics(), hits: counts.l1Hits, misses: counts.l1Misses },
      l2:
        shared === undefined
          ? undefined
          : {
              available: sharedUsable() !== undefined,
              entries,
              hits: counts.l2Hits,
              misses: counts.l2Misses,
              errors: counts.l2Errors,
            },
    };
  }

  return { lookup, store, purge, forgetLocal, inspect };
}
