import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from './redis-client.js';

// Real Redis, never skipped: a missing server fails these tests loudly.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `gatehouse-test:client:${randomUUID()}:`;
const logger = pino({ level: 'silent' });

afterAll(async () => {
  const cleaner = new Redis(redisUrl);
  const keys = await cleaner.keys(`${prefix}*`);
  if (keys.length > 0) await cleaner.del(...keys);
  await cleaner.quit();
});

describe('Redis connection', () => {
  it('connects, answers ping, reports health and prefixes every key', async () => {
    const connection = createRedisConnection({
      url: redisUrl,
      logger,
      keyPrefix: prefix,
      connectionName: 'gatehouse-test',
    });
    try {
      if (!(await connection.ready(5_000)))
        throw new Error(`Redis is unreachable at ${redisUrl}; set REDIS_URL`);
      expect(connection.health()).toMatchObject({ state: 'up' });
      expect(await connection.ping()).toBeGreaterThanOrEqual(0);
      await connection.client.set('probe', '1');
      const raw = new Redis(redisUrl);
      expect(await raw.get(`${prefix}probe`)).toBe('1');
      await raw.quit();
    } finally {
      await connection.close();
    }
    expect(connection.health()).toMatchObject({ state: 'down', lastError: 'the connection was closed' });
  });

  it('fails a command at once while disconnected instead of queueing it', async () => {
    const connection = createRedisConnection({ url: 'redis://127.0.0.1:1', logger, connectTimeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(connection.client.get('anything')).rejects.toThrow(/enableOfflineQueue/);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await connection.ready(300)).toBe(false);
      expect(connection.health().state).toBe('down');
    } finally {
      await connection.close();
    }
  });
});
