import { describe, expect, it } from 'vitest';
import { cacheKeyFromHash, type CachedAnswer } from '../../caching/index.js';
import { BoundedLru } from './memory-cache-lru.js';
import { createMemoryCacheStore } from './memory-cache-store.js';

function clock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

const answer: CachedAnswer = {
  version: 1,
  response: { id: 'r', model: 'm', created: 1, choices: [] },
  storedAt: 0,
  expiresAt: Number.MAX_SAFE_INTEGER,
};

describe('bounded LRU', () => {
  it('evicts the least recently used entry beyond its size', () => {
    const lru = new BoundedLru<string>({ maxEntries: 2, maxBytes: Infinity, now: clock().now });
    lru.set('a', 'A', 1_000, 1);
    lru.set('b', 'B', 1_000, 1);
    expect(lru.get('a')).toBe('A');
    lru.set('c', 'C', 1_000, 1);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.get('c')).toBe('C');
    expect(lru.evictions).toBe(1);
  });

  it('forgets an entry once its TTL has passed', () => {
    const time = clock();
    const lru = new BoundedLru<string>({ maxEntries: 10, maxBytes: Infinity, now: time.now });
    lru.set('a', 'A', 300_000, 1);
    time.advance(299_999);
    expect(lru.get('a')).toBe('A');
    time.advance(1);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
    expect(lru.expirations).toBe(1);
  });

  it('keeps its total bytes under the bound and refuses an entry larger than the bound', () => {
    const lru = new BoundedLru<string>({ maxEntries: 100, maxBytes: 10, now: clock().now });
    lru.set('a', 'A', 1_000, 4);
    lru.set('b', 'B', 1_000, 4);
    lru.set('c', 'C', 1_000, 4);
    expect(lru.bytes).toBe(8);
    expect(lru.get('a')).toBeUndefined();
    lru.set('huge', 'H', 1_000, 11);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.bytes).toBe(8);
  });

  it('replaces an entry without counting its bytes twice', () => {
    const lru = new BoundedLru<string>({ maxEntries: 10, maxBytes: 100, now: clock().now });
    lru.set('a', 'A', 1_000, 10);
    lru.set('a', 'A2', 1_000, 20);
    expect(lru.bytes).toBe(20);
    expect(lru.size).toBe(1);
  });
});

describe('memory cache store', () => {
  it('purges by scope, by model, by both, and everything', () => {
    const store = createMemoryCacheStore({ maxEntries: 100, maxBytes: 1_000_000 });
    const keys = [
      cacheKeyFromHash('team:a', 'gpt', 'h1'),
      cacheKeyFromHash('team:a', 'claude', 'h2'),
      cacheKeyFromHash('team:b', 'gpt', 'h3'),
      cacheKeyFromHash('key:c', 'claude', 'h4'),
    ];
    const fill = () => {
      for (const key of keys) store.set(key.id, answer, 60_000, 10);
    };
    fill();
    const a = keys[0]!;
    const b = keys[2]!;
    expect(store.purge({ scopeTag: a.scopeTag })).toBe(2);
    expect(store.get(b.id)).toBe(answer);
    fill();
    expect(store.purge({ modelTag: a.modelTag })).toBe(2);
    expect(store.get(keys[1]!.id)).toBe(answer);
    fill();
    expect(store.purge({ scopeTag: a.scopeTag, modelTag: a.modelTag })).toBe(1);
    expect(store.purge({})).toBe(3);
    expect(store.statistics()).toMatchObject({ entries: 0, bytes: 0, maxEntries: 100 });
  });

  it('expires entries by the injected clock', () => {
    const time = clock();
    const store = createMemoryCacheStore({ maxEntries: 10, maxBytes: 1_000, now: time.now });
    store.set('s:m:h', answer, 5_000, 1);
    time.advance(5_000);
    expect(store.get('s:m:h')).toBeUndefined();
    expect(store.statistics().expirations).toBe(1);
  });
});
