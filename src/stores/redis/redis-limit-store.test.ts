import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  budgetPeriod,
  createLimiter,
  type LimitDecision,
  type Limiter,
  type LimitRequest,
  type ResolvedLimits,
} from '../../limits/index.js';
import { createRedisConnection, type RedisConnection } from './redis-client.js';
import { createRedisLimitStore, type RedisLimitStoreOptions } from './redis-limit-store.js';

// Real Redis, never skipped: a missing server fails these tests loudly.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `gatehouse-test:limits:${randomUUID()}:`;
const logger = pino({ level: 'silent' });
const opened: { close(): Promise<void> }[] = [];
/** A whole second plus 500 ms, near the real clock (renewals use the real clock). */
const start = Math.floor(Date.now() / 1_000) * 1_000 + 500;
const none: ResolvedLimits = {
  requestsPerMinute: undefined,
  tokensPerMinute: undefined,
  concurrentRequests: undefined,
};

async function connect(prefix: string): Promise<RedisConnection> {
  const connection = createRedisConnection({ url: redisUrl, logger, keyPrefix: prefix });
  opened.push(connection);
  if (!(await connection.ready(5_000))) {
    throw new Error(`Redis is unreachable at ${redisUrl} (${connection.health().lastError}); set REDIS_URL`);
  }
  return connection;
}

interface Replica {
  readonly limiter: Limiter;
  readonly store: ReturnType<typeof createRedisLimitStore>;
}

/** Replicas: each its own connection, store and limiter, sharing one key prefix. */
async function replicas(
  count: number,
  options: {
    global?: number;
    spentSince?: (scope: string, since: number) => Promise<number>;
    store?: Partial<RedisLimitStoreOptions>;
  } = {},
): Promise<Replica[]> {
  const prefix = `${runPrefix}${randomUUID()}:`;
  return Promise.all(
    Array.from({ length: count }, async () => {
      const connection = await connect(prefix);
      const store = createRedisLimitStore({ connection, ...options.store });
      const limiter = createLimiter({
        store,
        globalRequestsPerMinute: options.global,
        spentSince: options.spentSince ?? (() => Promise.resolve(0)),
        logger,
        now: () => start,
      });
      opened.push(limiter);
      return { limiter, store };
    }),
  );
}

function request(overrides: Partial<LimitRequest> = {}): LimitRequest {
  return { subject: 'key_a', limits: none, estimatedTokens: 10, budget: undefined, now: start, ...overrides };
}

/** `count` concurrent acquires spread round-robin over the replicas. */
function burst(from: readonly Replica[], count: number, make: () => LimitRequest): Promise<LimitDecision[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) => from[index % from.length]!.limiter.acquire(make())),
  );
}

function admitted(decisions: readonly LimitDecision[]) {
  return decisions.filter((decision) => decision.type === 'admitted');
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((item) => item.close()));
});

afterAll(async () => {
  const cleaner = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await cleaner.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await cleaner.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await cleaner.quit();
});

describe('Redis limit store', () => {
  it('admits exactly 100 of 600 concurrent requests on one connection', async () => {
    const [one] = await replicas(1);
    const limits = { ...none, requestsPerMinute: 100 };
    const decisions = await burst([one!], 600, () => request({ limits }));
    expect(admitted(decisions)).toHaveLength(100);
    expect(one!.limiter.health()).toEqual({ shared: true, degraded: undefined });
  });

  it('admits exactly 100 of 600 concurrent requests spread over three replicas', async () => {
    const three = await replicas(3);
    const limits = { ...none, requestsPerMinute: 100 };
    const decisions = await burst(three, 600, () => request({ limits }));
    expect(admitted(decisions)).toHaveLength(100);
    const rejected = decisions.find((decision) => decision.type === 'rejected');
    expect(rejected?.type === 'rejected' && rejected.error.message).toBe(
      'Rate limit of 100 requests per minute reached for this key; retry in 60 s.',
    );
    expect(rejected?.headers).toEqual({
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '59.5s',
    });
  });

  it('admits exactly the tokens-per-minute limit across three replicas', async () => {
    const three = await replicas(3);
    const limits = { ...none, tokensPerMinute: 1_000 };
    const decisions = await burst(three, 600, () => request({ limits, estimatedTokens: 10 }));
    expect(admitted(decisions)).toHaveLength(100);
  });

  it('applies the global limit across subjects and replicas', async () => {
    const three = await replicas(3, { global: 50 });
    let index = 0;
    const decisions = await burst(three, 300, () => request({ subject: `key_${(index += 1) % 7}` }));
    expect(admitted(decisions)).toHaveLength(50);
  });

  it('reports headers and slides the window with the time it is given', async () => {
    const [one] = await replicas(1);
    const limiter = one!.limiter;
    const limits = { ...none, requestsPerMinute: 3, tokensPerMinute: 1_000 };
    const first = await limiter.acquire(request({ limits, estimatedTokens: 300 }));
    expect(first.headers).toEqual({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '2',
      'x-ratelimit-reset-requests': '59.5s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '700',
      'x-ratelimit-reset-tokens': '59.5s',
    });
    await limiter.acquire(request({ limits, now: start + 12_000 }));
    const third = await limiter.acquire(request({ limits, now: start + 12_000 }));
    expect(third.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(third.headers['x-ratelimit-reset-requests']).toBe('47.5s');
    const fourth = await limiter.acquire(request({ limits, now: start + 20_000 }));
    expect(fourth.type === 'rejected' && fourth.error.headers['retry-after']).toBe('40');
    expect((await limiter.acquire(request({ limits, now: start + 59_499 }))).type).toBe('rejected');
    const fifth = await limiter.acquire(request({ limits, now: start + 59_500 }));
    expect(fifth.type).toBe('admitted');
    expect(fifth.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(fifth.headers['x-ratelimit-reset-requests']).toBe('12s');
  });

  it('corrects reserved tokens with the actual count', async () => {
    const [one] = await replicas(1);
    const limiter = one!.limiter;
    const limits = { ...none, tokensPerMinute: 1_000 };
    const first = await limiter.acquire(request({ limits, estimatedTokens: 600 }));
    expect(first.type).toBe('admitted');
    expect((await limiter.acquire(request({ limits, estimatedTokens: 600 }))).type).toBe('rejected');
    if (first.type === 'admitted') await first.lease.settle({ tokens: 100, costUsd: 0 });
    const third = await limiter.acquire(request({ limits, estimatedTokens: 600 }));
    expect(third.headers['x-ratelimit-remaining-tokens']).toBe('300');
    if (third.type === 'admitted') await third.lease.settle({ tokens: 850, costUsd: 0 });
    const fourth = await limiter.acquire(request({ limits, estimatedTokens: 60 }));
    expect(fourth.type).toBe('rejected');
    expect(fourth.headers['x-ratelimit-remaining-tokens']).toBe('50');
  });

  it('releases concurrency on settle, across replicas', async () => {
    const three = await replicas(3);
    const limits = { ...none, concurrentRequests: 4 };
    const decisions = await burst(three, 30, () => request({ limits }));
    const leases = admitted(decisions);
    expect(leases).toHaveLength(4);
    await Promise.all(leases.slice(0, 2).map((decision) => decision.lease.settle({ tokens: 1, costUsd: 0 })));
    expect(admitted(await burst(three, 30, () => request({ limits })))).toHaveLength(2);
  });

  it('settles the leases of one event-loop turn in one script call, each as if settled alone', async () => {
    const connection = await connect(`${runPrefix}${randomUUID()}:`);
    const store = createRedisLimitStore({ connection });
    const limiter = createLimiter({ store, spentSince: () => Promise.resolve(0), logger, now: () => start });
    opened.push(limiter);
    // The store's own calls of the script (ioredis re-enters the method from its auto-pipeline).
    const client = connection.client as unknown as Record<string, (...args: unknown[]) => unknown>;
    const settleScript = vi.spyOn(client, 'gatehouseLimitSettle');
    const storeCalls = () => settleScript.mock.contexts.filter((context) => context === client).length;
    const limits = { ...none, tokensPerMinute: 1_000, concurrentRequests: 1 };
    const subjects = ['key_x', 'key_y', 'key_z'];
    const leases = admitted(
      await Promise.all(
        subjects.map((subject) => limiter.acquire(request({ subject, limits, estimatedTokens: 500 }))),
      ),
    );
    expect(leases).toHaveLength(3);
    await Promise.all(
      leases.map((decision, index) => decision.lease.settle({ tokens: 100 * (index + 1), costUsd: 0 })),
    );
    // Each subject's slot is free again and its window holds its own actual count.
    const after = await Promise.all(
      subjects.map((subject) => limiter.acquire(request({ subject, limits, estimatedTokens: 1 }))),
    );
    expect(after.map((decision) => decision.type)).toEqual(['admitted', 'admitted', 'admitted']);
    expect(after.map((decision) => decision.headers['x-ratelimit-remaining-tokens'])).toEqual([
      '899',
      '799',
      '699',
    ]);
    expect(storeCalls()).toBe(1);
    expect(settleScript.mock.calls[0]?.[0]).toBe(12);
  });

  it("sets a window's time-to-live on the first write into each second's bucket", async () => {
    const connection = await connect(`${runPrefix}${randomUUID()}:`);
    const store = createRedisLimitStore({ connection });
    let now = start;
    const limiter = createLimiter({ store, spentSince: () => Promise.resolve(0), logger, now: () => now });
    opened.push(limiter);
    const limits = { ...none, requestsPerMinute: 100, tokensPerMinute: 100_000 };
    const key = (window: string) => `{limits}:subject:key_ttl:${window}`;
    const ttls = () =>
      Promise.all([connection.client.pttl(key('requests')), connection.client.pttl(key('tokens'))]);
    const admit = async (at: number) => {
      const decision = await limiter.acquire(request({ subject: 'key_ttl', limits, now: at }));
      expect(decision.type).toBe('admitted');
      return decision;
    };
    await admit(start);
    for (const ttl of await ttls()) expect(ttl).toBeGreaterThan(59_000);
    // Shortened by hand: another write into the same bucket leaves it, one into the next sets it.
    await Promise.all([
      connection.client.pexpire(key('requests'), 5_000),
      connection.client.pexpire(key('tokens'), 5_000),
    ]);
    const second = await admit(start + 100);
    if (second.type === 'admitted') await second.lease.settle({ tokens: 20, costUsd: 0 });
    for (const ttl of await ttls()) expect(ttl).toBeLessThanOrEqual(5_000);
    now = start + 1_000;
    const third = await admit(start + 1_000);
    expect(await connection.client.pttl(key('requests'))).toBeGreaterThan(59_000);
    if (third.type === 'admitted') await third.lease.settle({ tokens: 20, costUsd: 0 });
    for (const ttl of await ttls()) expect(ttl).toBeGreaterThan(59_000);
  });

  it('frees the concurrency slots of a replica that died, after the lease time-to-live', async () => {
    const [dying, survivor] = await replicas(2, { store: { leaseTtlMs: 1_000 } });
    const limits = { ...none, concurrentRequests: 1 };
    expect((await dying!.limiter.acquire(request({ limits }))).type).toBe('admitted');
    await dying!.store.close();
    expect((await survivor!.limiter.acquire(request({ limits, now: start + 999 }))).type).toBe('rejected');
    expect((await survivor!.limiter.acquire(request({ limits, now: start + 1_000 }))).type).toBe('admitted');
  });

  it('renews the leases of a living replica', async () => {
    const [one] = await replicas(1, { store: { leaseTtlMs: 300 } });
    const limits = { ...none, concurrentRequests: 1 };
    const held = await one!.limiter.acquire(request({ limits, now: Date.now() }));
    expect(held.type).toBe('admitted');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await one!.limiter.acquire(request({ limits, now: Date.now() }))).type).toBe('rejected');
    if (held.type === 'admitted') await held.lease.settle({ tokens: 1, costUsd: 0 });
    expect((await one!.limiter.acquire(request({ limits, now: Date.now() }))).type).toBe('admitted');
  });

  it('lets a burst of 50 against a $1.00 budget admit at most 10, and spends the actual costs', async () => {
    const three = await replicas(3);
    const period = budgetPeriod('day', start);
    const budget = { scope: `key:${randomUUID()}`, limitUsd: 1, ...period, estimatedCostUsd: 0.1 };
    const leases = admitted(await burst(three, 50, () => request({ budget })));
    expect(leases).toHaveLength(10);
    const costs = leases.map((_, index) => 0.013 + index * 0.0071);
    await Promise.all(
      leases.map((decision, index) => decision.lease.settle({ tokens: 5, costUsd: costs[index]! })),
    );
    const state = await three[0]!.store.budgetState(budget.scope, period.periodStart);
    expect(state?.reservedMicroUsd).toBe(0);
    expect((state?.spentMicroUsd ?? 0) / 1e6).toBeCloseTo(
      costs.reduce((sum, cost) => sum + cost, 0),
      6,
    );
    const rejected = (await burst(three, 20, () => request({ budget }))).filter(
      (decision) => decision.type === 'rejected',
    );
    // $1 - $0.4495 spent leaves room for five more estimates of $0.10.
    expect(rejected).toHaveLength(15);
    expect(rejected[0]?.type === 'rejected' && rejected[0].error.code).toBe('budget_exceeded');
    expect(rejected[0]?.type === 'rejected' && rejected[0].error.message).toMatch(
      /^Budget of \$1\.00 per day would be exceeded by this request \(\$0\.95 spent or reserved, about \$0\.10 more needed\); it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z\.$/,
    );
  });

  it('initialises a cold budget from the database once, whichever replica asks first', async () => {
    const spentSince = vi.fn((_scope: string, _since: number) => Promise.resolve(0.95));
    const three = await replicas(3, { spentSince });
    const period = budgetPeriod('week', start);
    const budget = { scope: 'team:research', limitUsd: 1, ...period, estimatedCostUsd: 0.04 };
    const decisions = await burst(three, 30, () => request({ budget }));
    expect(admitted(decisions)).toHaveLength(1);
    // Each replica reads the database at most once for a burst; one value is kept (set if absent).
    expect(spentSince.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(spentSince.mock.calls.length).toBeLessThanOrEqual(3);
    expect(spentSince).toHaveBeenCalledWith('team:research', period.periodStart);
    const state = await three[0]!.store.budgetState('team:research', period.periodStart);
    expect(state).toEqual({ spentMicroUsd: 950_000, reservedMicroUsd: 40_000 });
    await burst(three, 3, () => request({ budget }));
    expect(spentSince.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('releases the budget reservation of a replica that died, after the lease time-to-live', async () => {
    const [dying, survivor] = await replicas(2, { store: { leaseTtlMs: 1_000 } });
    const budget = { scope: 'key:key_a', limitUsd: 1, ...budgetPeriod('day', start), estimatedCostUsd: 0.6 };
    expect((await dying!.limiter.acquire(request({ budget }))).type).toBe('admitted');
    await dying!.store.close();
    expect((await survivor!.limiter.acquire(request({ budget, now: start + 500 }))).type).toBe('rejected');
    expect((await survivor!.limiter.acquire(request({ budget, now: start + 1_000 }))).type).toBe('admitted');
  });
});
