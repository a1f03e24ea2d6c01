import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  budgetPeriod,
  createLimiter,
  type LimitDecision,
  type LimitLease,
  type Limiter,
  type LimitRequest,
} from '../../limits/index.js';
import { createMemoryLimitStore } from '../memory/memory-limit-store.js';
import { createRedisConnection } from './redis-client.js';
import { createRedisLimitStore } from './redis-limit-store.js';

// Real Redis, never skipped: a missing server fails this test loudly.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `gatehouse-test:agreement:${randomUUID()}:`;
const logger = pino({ level: 'silent' });

afterAll(async () => {
  const cleaner = new Redis(redisUrl);
  const keys = await cleaner.keys(`${prefix}*`);
  if (keys.length > 0) await cleaner.del(...keys);
  await cleaner.quit();
});

/** A small deterministic generator (mulberry32), so that a failure can be replayed from its seed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('Redis and memory limit stores', () => {
  it.each([20260303, 1, 77, 4242, 99991])(
    'decide the same random sequence identically (seed %i)',
    async (seed) => {
      const connection = createRedisConnection({ url: redisUrl, logger, keyPrefix: `${prefix}${seed}:` });
      if (!(await connection.ready(5_000)))
        throw new Error(`Redis is unreachable at ${redisUrl}; set REDIS_URL`);
      const clock = { now: Date.UTC(2026, 2, 3, 1, 0, 0, 250) };
      const build = (redis: boolean): Limiter =>
        createLimiter({
          // Leases never expire in process; in Redis they must outlive the simulated run.
          store: redis
            ? createRedisLimitStore({ connection, leaseTtlMs: 86_400_000 })
            : createMemoryLimitStore(),
          globalRequestsPerMinute: 40,
          spentSince: () => Promise.resolve(0.5),
          logger,
          now: () => clock.now,
        });
      const limiters = [build(false), build(true)] as const;
      const held: [LimitLease, LimitLease][] = [];
      const next = random(seed);
      const limits = { requestsPerMinute: 20, tokensPerMinute: 3_000, concurrentRequests: 4 };
      const period = budgetPeriod('day', clock.now);
      let admittedCount = 0;
      try {
        for (let step = 0; step < 1_000; step += 1) {
          // Mostly sub-second steps, sometimes a pause that moves the window past some or all buckets.
          const gap = next() < 0.03 ? 20_000 + next() * 100_000 : next() * 1_500;
          clock.now += Math.floor(gap);
          if (held.length > 0 && next() < 0.45) {
            const [memoryLease, redisLease] = held.splice(Math.floor(next() * held.length), 1)[0]!;
            const actual = { tokens: Math.floor(next() * 500), costUsd: Math.round(next() * 40_000) / 1e6 };
            await memoryLease.settle(actual);
            await redisLease.settle(actual);
            continue;
          }
          const subject = `key_${Math.floor(next() * 3)}`;
          const request: LimitRequest = {
            subject,
            limits,
            estimatedTokens: Math.floor(next() * 400),
            budget:
              subject === 'key_0'
                ? {
                    scope: 'team:a',
                    limitUsd: 2,
                    ...period,
                    estimatedCostUsd: Math.round(next() * 30_000) / 1e6,
                  }
                : undefined,
            now: clock.now,
          };
          const [inMemory, onRedis] = await Promise.all(limiters.map((limiter) => limiter.acquire(request)));
          const view = (decision: LimitDecision | undefined) => ({
            type: decision?.type,
            headers: decision?.headers,
            error:
              decision?.type === 'rejected' ? [decision.error.message, decision.error.headers] : undefined,
          });
          expect(view(onRedis), `step ${step}`).toEqual(view(inMemory));
          if (inMemory?.type === 'admitted' && onRedis?.type === 'admitted') {
            admittedCount += 1;
            held.push([inMemory.lease, onRedis.lease]);
          }
        }
        // The sequence exercised both outcomes.
        expect(admittedCount).toBeGreaterThan(100);
        expect(admittedCount).toBeLessThan(900);
      } finally {
        await Promise.all(limiters.map((limiter) => limiter.close()));
        await connection.close();
      }
    },
  );

  it('count a long request settled after a pause, whose window no admission read meanwhile', async () => {
    const connection = createRedisConnection({ url: redisUrl, logger, keyPrefix: `${prefix}pause:` });
    if (!(await connection.ready(5_000)))
      throw new Error(`Redis is unreachable at ${redisUrl}; set REDIS_URL`);
    const clock = { now: Date.UTC(2026, 2, 3, 1, 0, 0, 250) };
    const start = clock.now;
    const limiters = [
      createMemoryLimitStore(),
      createRedisLimitStore({ connection, leaseTtlMs: 86_400_000 }),
    ].map((store) =>
      createLimiter({ store, spentSince: () => Promise.resolve(0), logger, now: () => clock.now }),
    );
    const limits = { requestsPerMinute: undefined, tokensPerMinute: 1_000, concurrentRequests: undefined };
    const request = (now: number, estimatedTokens: number): LimitRequest => ({
      subject: 'key_long',
      limits,
      estimatedTokens,
      budget: undefined,
      now,
    });
    try {
      const leases = await Promise.all(limiters.map((limiter) => limiter.acquire(request(start, 100))));
      clock.now = start + 70_000;
      for (const lease of leases)
        if (lease.type === 'admitted') await lease.lease.settle({ tokens: 700, costUsd: 0 });
      const later = await Promise.all(
        limiters.map((limiter) => limiter.acquire(request(start + 125_000, 400))),
      );
      // 700 tokens counted at +70 s are still in the window at +125 s: 400 more do not fit.
      expect(later.map((decision) => decision.type)).toEqual(['rejected', 'rejected']);
      expect(later[1]?.headers).toEqual(later[0]?.headers);
      expect(later[0]?.headers['x-ratelimit-remaining-tokens']).toBe('300');
    } finally {
      await Promise.all(limiters.map((limiter) => limiter.close()));
      await connection.close();
    }
  });
});
