import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cacheKeyOf,
  canonicalRequest,
  createResponseCache,
  type CacheKey,
  type CacheLogger,
} from '../../caching/index.js';
import type { ChatResponse } from '../../llm/index.js';
import { createMemoryCacheStore } from '../memory/memory-cache-store.js';
import { createRedisCacheStore } from './redis-cache-store.js';

// Real Redis, never skipped: a missing server fails these tests loudly.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `gatehouse-test:cache:${randomUUID()}:`;
const clients: Redis[] = [];
const quiet: CacheLogger = { warn: () => undefined, info: () => undefined };

async function connect(prefix: string, url = redisUrl): Promise<Redis> {
  const client = new Redis(url, {
    keyPrefix: prefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 500,
    retryStrategy: () => 100,
  });
  client.on('error', () => undefined);
  clients.push(client);
  if (url === redisUrl) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Redis is unreachable at ${redisUrl}; set REDIS_URL`)),
        5_000,
      );
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return client;
}

afterAll(async () => {
  const cleaner = new Redis(redisUrl);
  const keys = await cleaner.keys(`${runPrefix}*`);
  if (keys.length > 0) await cleaner.del(...keys);
  await cleaner.quit();
  for (const client of clients) client.disconnect();
});

function clock() {
  let time = 1_700_000_000_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

/** One gateway replica's cache: its own L1 and connection, sharing L2 through the key prefix. */
async function replica(prefix: string, now: () => number, url = redisUrl) {
  const client = await connect(prefix, url);
  const cache = createResponseCache({
    local: createMemoryCacheStore({ maxEntries: 100, maxBytes: 1_000_000, now }),
    shared: createRedisCacheStore({ client, maxTtlSeconds: 86_400, now }),
    localTtlSeconds: 300,
    maxEntryBytes: 1_000_000,
    logger: quiet,
    now,
    sharedRetryMs: 1_000,
  });
  return { client, cache };
}

function keyFor(scope: string, model: string, question: string): CacheKey {
  const body = { model, temperature: 0, messages: [{ role: 'user', content: question }] };
  return cacheKeyOf(scope, 'openai', model, canonicalRequest('openai', body));
}

function response(text: string): ChatResponse {
  return {
    id: 'chatcmpl-1',
    model: 'gpt-4o',
    created: 1,
    choices: [{ index: 0, content: [{ type: 'text', text }], finishReason: 'end' }],
    usage: { inputTokens: 3, outputTokens: 1, cachedInputTokens: 0, cacheCreationInputTokens: 0 },
  };
}

const answeredBy = { provider: 'openai', model: 'gpt-4o' };

describe('Redis L2 cache', () => {
  it('is shared by two replicas; an L2 hit fills L1', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const time = clock();
    const a = await replica(prefix, time.now);
    const b = await replica(prefix, time.now);
    const key = keyFor('team:x', 'gpt-4o', 'Capital of France?');
    expect(await a.cache.lookup(key)).toEqual({ type: 'miss' });
    expect(await a.cache.store(key, response('Paris.'), answeredBy, 600)).toBe(true);
    const fromL2 = await b.cache.lookup(key);
    expect(fromL2).toMatchObject({
      type: 'hit',
      layer: 'l2',
      answer: { provider: 'openai', response: response('Paris.') },
    });
    expect(await b.cache.lookup(key)).toMatchObject({ type: 'hit', layer: 'l1' });
    const ttl = await a.client.ttl(`cache:v1:{${key.scopeTag}}:${key.modelTag}:${key.hash}`);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('keeps tenants apart in L2 too', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const time = clock();
    const a = await replica(prefix, time.now);
    const b = await replica(prefix, time.now);
    await a.cache.store(keyFor('key:k1', 'gpt-4o', 'Q?'), response('for k1'), answeredBy, 600);
    expect(await b.cache.lookup(keyFor('key:k2', 'gpt-4o', 'Q?'))).toEqual({ type: 'miss' });
  });

  it('does not serve an entry past its expiry', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const time = clock();
    const a = await replica(prefix, time.now);
    const b = await replica(prefix, time.now);
    const key = keyFor('team:x', 'gpt-4o', 'Short-lived?');
    await a.cache.store(key, response('soon gone'), answeredBy, 30);
    time.advance(30_000);
    expect(await b.cache.lookup(key)).toEqual({ type: 'miss' });
  });

  it('purges by scope, by model and everything, from any replica, and counts live entries', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const time = clock();
    const a = await replica(prefix, time.now);
    const b = await replica(prefix, time.now);
    const keys = [
      keyFor('team:x', 'gpt-4o', 'one'),
      keyFor('team:x', 'claude', 'two'),
      keyFor('team:y', 'gpt-4o', 'three'),
      keyFor('key:z', 'claude', 'four'),
    ];
    for (const key of keys) await a.cache.store(key, response('answer'), answeredBy, 600);
    expect((await b.cache.inspect()).l2?.entries).toBe(4);
    expect(await b.cache.purge({ scope: 'team:x' })).toEqual({ l1: 0, l2: 2 });
    expect(await b.cache.lookup(keys[0]!)).toEqual({ type: 'miss' });
    // Replica a's own L1 still has them until told (forgetLocal) or until L1_TTL_SECONDS.
    expect(await a.cache.lookup(keys[0]!)).toMatchObject({ type: 'hit', layer: 'l1' });
    expect(a.cache.forgetLocal({ scope: 'team:x' })).toBe(2);
    expect(await b.cache.purge({ model: 'claude' })).toEqual({ l1: 0, l2: 1 });
    expect(await b.cache.lookup(keys[2]!)).toMatchObject({ type: 'hit', layer: 'l2' });
    expect(await a.cache.purge({})).toEqual({ l1: 2, l2: 1 });
    expect((await b.cache.inspect()).l2?.entries).toBe(0);
    expect(await a.client.keys(`${prefix}*`)).toEqual([]);
  });

  it('treats a corrupt entry as a miss', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const time = clock();
    const a = await replica(prefix, time.now);
    const key = keyFor('team:x', 'gpt-4o', 'corrupt');
    await a.client.set(
      `cache:v1:{${key.scopeTag}}:${key.modelTag}:${key.hash}`,
      '{"version":1,"response":"nope"}',
    );
    expect(await a.cache.lookup(key)).toEqual({ type: 'miss' });
  });
});

describe('Redis outage', () => {
  it('serves from L1 without errors when Redis cannot be reached', async () => {
    const time = clock();
    // Nothing listens on port 1.
    const { cache } = await replica(`${runPrefix}dead:`, time.now, 'redis://127.0.0.1:1');
    const key = keyFor('team:x', 'gpt-4o', 'Q?');
    expect(await cache.lookup(key)).toEqual({ type: 'miss' });
    expect(await cache.store(key, response('from L1'), answeredBy, 600)).toBe(true);
    expect(await cache.lookup(key)).toMatchObject({ type: 'hit', layer: 'l1' });
    expect(await cache.purge({ scope: 'team:x' })).toEqual({ l1: 1, l2: null });
    const statistics = await cache.inspect();
    expect(statistics.l2).toMatchObject({ available: false });
    expect(statistics.l2?.errors).toBeGreaterThan(0);
  });

  it('falls back to L1 when the connection drops and uses L2 again once it is back', async () => {
    const proxy = await startProxy(new URL(redisUrl));
    const prefix = `${runPrefix}${randomUUID()}:`;
    const time = clock();
    const messages: string[] = [];
    const client = await connect(prefix, proxy.url);
    await once(client, 'ready');
    const cache = createResponseCache({
      local: createMemoryCacheStore({ maxEntries: 100, maxBytes: 1_000_000, now: time.now }),
      shared: createRedisCacheStore({ client, maxTtlSeconds: 86_400, now: time.now }),
      localTtlSeconds: 300,
      maxEntryBytes: 1_000_000,
      logger: {
        warn: (_details, message) => messages.push(message),
        info: (_details, message) => messages.push(message),
      },
      now: time.now,
      sharedRetryMs: 1_000,
    });
    try {
      const before = keyFor('team:x', 'gpt-4o', 'before');
      await cache.store(before, response('kept in L1'), answeredBy, 600);
      await proxy.stop();
      const during = keyFor('team:x', 'gpt-4o', 'during');
      expect(await cache.lookup(during)).toEqual({ type: 'miss' });
      expect(await cache.store(during, response('L1 only'), answeredBy, 600)).toBe(true);
      expect(await cache.lookup(before)).toMatchObject({ type: 'hit', layer: 'l1' });
      expect(messages).toEqual(['L2 cache unavailable; serving from L1 only']);

      await proxy.start();
      await once(client, 'ready');
      time.advance(1_000);
      const after = keyFor('team:x', 'gpt-4o', 'after');
      await cache.store(after, response('back in L2'), answeredBy, 600);
      expect(await client.exists(`cache:v1:{${after.scopeTag}}:${after.modelTag}:${after.hash}`)).toBe(1);
      expect(messages.at(-1)).toBe('L2 cache available again');
    } finally {
      await proxy.stop();
    }
  });
});

/** A TCP proxy to Redis that can be cut and restored on the same port: a network outage. */
async function startProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  async function start(): Promise<void> {
    server = createServer((incoming) => {
      const outgoing = connectTcp(Number(target.port === '' ? 6379 : target.port), target.hostname);
      for (const socket of [incoming, outgoing]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      incoming.pipe(outgoing).pipe(incoming);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (typeof address === 'object' && address !== null) port = address.port;
  }
  async function stop(): Promise<void> {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing !== undefined) await new Promise((resolve) => closing.close(resolve));
  }
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}
