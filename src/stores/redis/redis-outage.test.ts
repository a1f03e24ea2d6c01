import { randomUUID } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  budgetPeriod,
  createLimiter,
  type LimitRequest,
  type StoreFailurePolicy,
} from '../../limits/index.js';
import { createMemoryLimitStore } from '../memory/memory-limit-store.js';
import { createRedisConnection, type RedisConnection } from './redis-client.js';
import { createRedisLimitStore } from './redis-limit-store.js';

// Real Redis behind a TCP proxy the test controls; never skipped: no Redis fails loudly.
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runPrefix = `gatehouse-test:outage:${randomUUID()}:`;
const start = Math.floor(Date.now() / 1_000) * 1_000 + 500;
const cleanups: (() => Promise<void>)[] = [];

/** A TCP proxy to Redis that can refuse connections (cut) or silently drop bytes (blackhole). */
async function redisProxy() {
  let dropping = false;
  let port = 0;
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const created = net.createServer((downstream) => {
        const upstream = net.connect(Number(redisUrl.port === '' ? 6379 : redisUrl.port), redisUrl.hostname);
        for (const socket of [downstream, upstream]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
          socket.on('close', () => {
            sockets.delete(socket);
            downstream.destroy();
            upstream.destroy();
          });
        }
        downstream.on('data', (chunk) => dropping || upstream.write(chunk));
        upstream.on('data', (chunk) => dropping || downstream.write(chunk));
      });
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        port = (created.address() as AddressInfo).port;
        server = created;
        resolve();
      });
    });
  const cut = async () => {
    const closing = new Promise<void>((resolve) =>
      server === undefined ? resolve() : server.close(() => resolve()),
    );
    for (const socket of sockets) socket.destroy();
    await closing;
    server = undefined;
  };
  await listen();
  cleanups.push(cut);
  return {
    url: () => `redis://127.0.0.1:${port}`,
    cut,
    restore: listen,
    blackhole: () => (dropping = true),
    resume: () => (dropping = false),
  };
}

function capturingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => lines.push(JSON.parse(line) as { level: string; msg: string }) },
  );
  return { logger, messages: (text: string) => lines.filter((line) => line.msg.includes(text)) };
}

async function setup(policy: StoreFailurePolicy, options: { commandTimeoutMs?: number } = {}) {
  const proxy = await redisProxy();
  const { logger, messages } = capturingLogger();
  const connection = createRedisConnection({
    url: proxy.url(),
    logger,
    keyPrefix: `${runPrefix}${randomUUID()}:`,
    commandTimeoutMs: options.commandTimeoutMs,
    connectTimeoutMs: 500,
  });
  cleanups.push(() => connection.close());
  if (!(await connection.ready(5_000))) {
    throw new Error(
      `Redis is unreachable at ${redisUrl.host} (${connection.health().lastError}); set REDIS_URL`,
    );
  }
  const store = createRedisLimitStore({ connection });
  const limiter = createLimiter({
    store,
    fallback: createMemoryLimitStore(),
    onStoreFailure: policy,
    spentSince: () => Promise.resolve(0),
    logger,
  });
  cleanups.push(() => limiter.close());
  return { proxy, connection, store, limiter, messages };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const down = (connection: RedisConnection) => () => connection.health().state === 'down';
const up = (connection: RedisConnection) => () => connection.health().state === 'up';
const limits = { requestsPerMinute: 3, tokensPerMinute: undefined, concurrentRequests: undefined };
const request = (subject = 'key_a'): LimitRequest => ({
  subject,
  limits,
  estimatedTokens: 1,
  budget: undefined,
  now: start,
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  const cleaner = new Redis(redisUrl.toString());
  const keys = await cleaner.keys(`${runPrefix}*`);
  if (keys.length > 0) await cleaner.del(...keys);
  await cleaner.quit();
});

describe('limits while Redis is unreachable', () => {
  it('fall back to per-replica limits, log the outage once, and share again when Redis returns', async () => {
    const { proxy, connection, limiter, messages } = await setup('local');
    expect((await limiter.acquire(request())).type).toBe('admitted');
    expect(limiter.health()).toEqual({ shared: true, degraded: undefined });

    await proxy.cut();
    await until(down(connection), 'the connection to go down');
    const local = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire(request())));
    // Decided in process, where the fallback store enforces the same limit on its own.
    expect(local.map((decision) => decision.type)).toEqual(['admitted', 'admitted', 'admitted', 'rejected']);
    expect(limiter.health().shared).toBe(false);
    expect(limiter.health().degraded).toMatch(/^Redis is unreachable.*; limits enforced per replica$/);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // several reconnection attempts
    expect(messages('Redis is unreachable')).toHaveLength(1);
    expect(messages('limit store unavailable; enforcing limits per replica')).toHaveLength(1);

    await proxy.restore();
    await until(up(connection), 'the connection to come back');
    expect(messages('Redis is reachable again')).toHaveLength(1);
    // Back on Redis, which still counts the request admitted before the outage.
    const shared = await Promise.all(Array.from({ length: 3 }, () => limiter.acquire(request())));
    expect(shared.map((decision) => decision.type)).toEqual(['admitted', 'admitted', 'rejected']);
    expect(limiter.health()).toEqual({ shared: true, degraded: undefined });
    expect(messages('limits are shared across replicas again')).toHaveLength(1);
  });

  it('refuse requests with 503 when configured fail_closed, until Redis returns', async () => {
    const { proxy, connection, limiter } = await setup('fail_closed');
    await proxy.cut();
    await until(down(connection), 'the connection to go down');
    const refused = await limiter.acquire(request());
    expect(refused.type).toBe('rejected');
    expect(refused.type === 'rejected' && refused.error.code).toBe('service_unavailable');
    expect(refused.type === 'rejected' && refused.error.status).toBe(503);
    expect(limiter.health().degraded).toMatch(/refusing requests$/);

    await proxy.restore();
    await until(up(connection), 'the connection to come back');
    expect((await limiter.acquire(request())).type).toBe('admitted');
  });

  it('fall back promptly when Redis stops answering without closing the connection, and recover', async () => {
    const { proxy, connection, limiter } = await setup('local', { commandTimeoutMs: 200 });
    expect((await limiter.acquire(request())).type).toBe('admitted');

    proxy.blackhole();
    const started = Date.now();
    // The first request waits out the command timeout, then is decided locally.
    expect((await limiter.acquire(request('key_b'))).type).toBe('admitted');
    expect(connection.health().state).toBe('down');
    // Later ones do not wait: the connection is known to be down.
    await Promise.all(Array.from({ length: 20 }, () => limiter.acquire(request('key_c'))));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(limiter.health().shared).toBe(false);

    // Long enough for a reconnection to be accepted by the proxy and its ready check dropped.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    proxy.resume();
    await until(up(connection), 'the connection to come back');
    expect((await limiter.acquire(request())).type).toBe('admitted');
    expect(limiter.health()).toEqual({ shared: true, degraded: undefined });
  });

  it('send the settlements of requests that finished during the outage when Redis returns', async () => {
    const { proxy, connection, store, limiter, messages } = await setup('local');
    const period = budgetPeriod('day', start);
    const budget = { scope: 'key:key_a', limitUsd: 1, ...period, estimatedCostUsd: 0.2 };
    const decisions = await Promise.all([1, 2].map(() => limiter.acquire({ ...request(), budget })));
    await proxy.cut();
    await until(down(connection), 'the connection to go down');
    for (const decision of decisions) {
      if (decision.type === 'admitted') await decision.lease.settle({ tokens: 10, costUsd: 0.05 });
    }
    expect(messages('could not settle')).toHaveLength(0);
    await proxy.restore();
    await until(up(connection), 'the connection to come back');
    let state = await store.budgetState('key:key_a', period.periodStart);
    for (let attempt = 0; attempt < 100 && state?.spentMicroUsd !== 100_000; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      state = await store.budgetState('key:key_a', period.periodStart);
    }
    expect(state).toEqual({ spentMicroUsd: 100_000, reservedMicroUsd: 0 });
  });

  it('start without Redis: decisions fall back from the first request, and ping fails', async () => {
    const { logger } = capturingLogger();
    const closed = await redisProxy();
    await closed.cut();
    const connection = createRedisConnection({ url: closed.url(), logger, connectTimeoutMs: 500 });
    cleanups.push(() => connection.close());
    await until(down(connection), 'the connection to fail');
    expect(connection.health().lastError).toMatch(/ECONNREFUSED/);
    await expect(connection.ping()).rejects.toThrow();
    const limiter = createLimiter({
      store: createRedisLimitStore({ connection }),
      fallback: createMemoryLimitStore(),
      spentSince: () => Promise.resolve(0),
      logger,
    });
    cleanups.push(() => limiter.close());
    expect((await limiter.acquire(request())).type).toBe('admitted');
    expect(limiter.health().degraded).toMatch(/ECONNREFUSED/);
  });
});
