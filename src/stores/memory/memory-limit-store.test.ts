import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { budgetPeriod, createLimiter, type LimitDecision, type LimitRequest } from '../../limits/index.js';
import { createMemoryLimitStore } from './memory-limit-store.js';

const logger = pino({ level: 'silent' });
/** Mid-second, so that bucket arithmetic is visible in the expectations. */
const start = Date.UTC(2026, 0, 15, 12, 0, 0, 500);

function request(overrides: Partial<LimitRequest> = {}): LimitRequest {
  return {
    subject: 'key_a',
    limits: { requestsPerMinute: undefined, tokensPerMinute: undefined, concurrentRequests: undefined },
    estimatedTokens: 10,
    budget: undefined,
    now: start,
    ...overrides,
  };
}

function limiterAt(clock: { now: number }, options: { global?: number; spent?: number } = {}) {
  const spentSince = vi.fn((_scope: string, _since: number) => Promise.resolve(options.spent ?? 0));
  const limiter = createLimiter({
    store: createMemoryLimitStore(),
    globalRequestsPerMinute: options.global,
    spentSince,
    logger,
    now: () => clock.now,
  });
  return { limiter, spentSince };
}

function admitted(decisions: readonly LimitDecision[]) {
  return decisions.filter((decision) => decision.type === 'admitted');
}

describe('memory limit store', () => {
  it('admits exactly the limit out of 600 concurrent requests', async () => {
    const { limiter } = limiterAt({ now: start });
    const limits = { requestsPerMinute: 100, tokensPerMinute: undefined, concurrentRequests: undefined };
    const decisions = await Promise.all(
      Array.from({ length: 600 }, () => limiter.acquire(request({ limits }))),
    );
    expect(admitted(decisions)).toHaveLength(100);
    const rejected = decisions.find((decision) => decision.type === 'rejected');
    expect(rejected?.type === 'rejected' && rejected.error.code).toBe('rate_limited');
    expect(rejected?.type === 'rejected' && rejected.error.message).toBe(
      'Rate limit of 100 requests per minute reached for this key; retry in 60 s.',
    );
    expect(rejected?.type === 'rejected' && rejected.error.headers).toEqual({
      'retry-after': '60',
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '59.5s',
    });
  });

  it('reports OpenAI-style headers on admission', async () => {
    const { limiter } = limiterAt({ now: start });
    const limits = { requestsPerMinute: 10, tokensPerMinute: 1_000, concurrentRequests: undefined };
    const first = await limiter.acquire(request({ limits, estimatedTokens: 300 }));
    expect(first.headers).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '9',
      'x-ratelimit-reset-requests': '59.5s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '700',
      'x-ratelimit-reset-tokens': '59.5s',
    });
    const later = await limiter.acquire(request({ limits, estimatedTokens: 100, now: start + 12_000 }));
    expect(later.headers['x-ratelimit-remaining-requests']).toBe('8');
    expect(later.headers['x-ratelimit-remaining-tokens']).toBe('600');
    // The oldest counted request leaves 47.5 s later.
    expect(later.headers['x-ratelimit-reset-requests']).toBe('47.5s');
  });

  it('slides the window: a request counts for one minute, to the second', async () => {
    const clock = { now: start };
    const { limiter } = limiterAt(clock);
    const limits = { requestsPerMinute: 3, tokensPerMinute: undefined, concurrentRequests: undefined };
    for (let index = 0; index < 3; index += 1) {
      expect((await limiter.acquire(request({ limits }))).type).toBe('admitted');
    }
    const atTwentySeconds = await limiter.acquire(request({ limits, now: start + 20_000 }));
    expect(atTwentySeconds.type).toBe('rejected');
    expect(atTwentySeconds.type === 'rejected' && atTwentySeconds.error.headers['retry-after']).toBe('40');
    // Still inside the window one millisecond before the first second's bucket leaves it.
    expect((await limiter.acquire(request({ limits, now: start + 59_499 }))).type).toBe('rejected');
    const after = await limiter.acquire(request({ limits, now: start + 59_500 }));
    expect(after.type).toBe('admitted');
    expect(after.headers['x-ratelimit-remaining-requests']).toBe('2');
  });

  it('reserves estimated tokens and corrects them with the actual count', async () => {
    const clock = { now: start };
    const { limiter } = limiterAt(clock);
    const limits = { requestsPerMinute: undefined, tokensPerMinute: 1_000, concurrentRequests: undefined };
    const first = await limiter.acquire(request({ limits, estimatedTokens: 600 }));
    expect(first.type).toBe('admitted');
    const second = await limiter.acquire(request({ limits, estimatedTokens: 600 }));
    expect(second.type).toBe('rejected');
    expect(second.type === 'rejected' && second.error.message).toMatch(
      /^Rate limit of 1000 tokens per minute reached for this key \(this request needs about 600\); retry in 60 s\.$/,
    );
    clock.now = start + 2_000;
    if (first.type === 'admitted') await first.lease.settle({ tokens: 100, costUsd: 0 });
    const third = await limiter.acquire(request({ limits, estimatedTokens: 600, now: start + 2_000 }));
    expect(third.type).toBe('admitted');
    expect(third.headers['x-ratelimit-remaining-tokens']).toBe('300');
    // A larger actual count than estimated uses more of the window.
    if (third.type === 'admitted') await third.lease.settle({ tokens: 850, costUsd: 0 });
    const fourth = await limiter.acquire(request({ limits, estimatedTokens: 60, now: start + 2_000 }));
    expect(fourth.type).toBe('rejected');
    expect(fourth.headers['x-ratelimit-remaining-tokens']).toBe('50');
  });

  it('refuses a request larger than the whole tokens-per-minute limit without a retry time', async () => {
    const { limiter } = limiterAt({ now: start });
    const limits = { requestsPerMinute: undefined, tokensPerMinute: 1_000, concurrentRequests: undefined };
    const decision = await limiter.acquire(request({ limits, estimatedTokens: 5_000 }));
    expect(decision.type === 'rejected' && decision.error.message).toBe(
      "This request needs about 5000 tokens, more than this key's limit of 1000 tokens per minute.",
    );
    expect(decision.type === 'rejected' && decision.error.headers['retry-after']).toBeUndefined();
  });

  it('holds a concurrency slot until the lease settles', async () => {
    const { limiter } = limiterAt({ now: start });
    const limits = { requestsPerMinute: undefined, tokensPerMinute: undefined, concurrentRequests: 2 };
    const decisions = await Promise.all(
      Array.from({ length: 5 }, () => limiter.acquire(request({ limits }))),
    );
    const leases = admitted(decisions);
    expect(leases).toHaveLength(2);
    const rejected = decisions.find((decision) => decision.type === 'rejected');
    expect(rejected?.type === 'rejected' && rejected.error.message).toBe(
      'Limit of 2 concurrent requests reached for this key; retry in 1 s, or when one finishes.',
    );
    await leases[0]?.lease.settle({ tokens: 1, costUsd: 0 });
    // Settling twice releases once.
    await leases[0]?.lease.settle({ tokens: 1, costUsd: 0 });
    expect((await limiter.acquire(request({ limits }))).type).toBe('admitted');
    expect((await limiter.acquire(request({ limits }))).type).toBe('rejected');
  });

  it('drops a lease nobody settled after the longest a request may take', async () => {
    const store = createMemoryLimitStore({ maxLeaseMs: 600_000 });
    const limiter = createLimiter({ store, spentSince: () => Promise.resolve(0), logger, now: () => start });
    const limits = { requestsPerMinute: undefined, tokensPerMinute: undefined, concurrentRequests: 1 };
    const budget = { scope: 'key:key_a', limitUsd: 1, ...budgetPeriod('day', start), estimatedCostUsd: 0.8 };
    expect((await limiter.acquire(request({ limits, budget }))).type).toBe('admitted');
    expect((await limiter.acquire(request({ limits, budget, now: start + 599_000 }))).type).toBe('rejected');
    // Abandoned leases are looked for once a minute.
    expect((await limiter.acquire(request({ limits, budget, now: start + 659_000 }))).type).toBe('admitted');
  });

  it('applies the global limit across subjects', async () => {
    const { limiter } = limiterAt({ now: start }, { global: 5 });
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, index) => limiter.acquire(request({ subject: `key_${index % 4}` }))),
    );
    expect(admitted(decisions)).toHaveLength(5);
    const rejected = decisions.find((decision) => decision.type === 'rejected');
    expect(rejected?.type === 'rejected' && rejected.error.message).toBe(
      "The gateway's global rate limit of 5 requests per minute is reached; retry in 60 s.",
    );
    // Without a limit of its own, a key's headers describe the global one.
    expect(decisions[0]?.headers['x-ratelimit-limit-requests']).toBe('5');
  });

  it('admits an unlimited caller without headers', async () => {
    const { limiter } = limiterAt({ now: start });
    const decision = await limiter.acquire(request());
    expect(decision).toMatchObject({ type: 'admitted', headers: {} });
  });

  it('bounds a burst against a budget by the estimates in flight, and spends the actual costs', async () => {
    const { limiter } = limiterAt({ now: start });
    const period = budgetPeriod('day', start);
    const budget = { scope: 'key:key_a', limitUsd: 1, ...period, estimatedCostUsd: 0.1 };
    const store = createMemoryLimitStore();
    const own = createLimiter({ store, spentSince: () => Promise.resolve(0), logger, now: () => start });
    for (const subject of [limiter, own]) {
      const decisions = await Promise.all(
        Array.from({ length: 50 }, () => subject.acquire(request({ budget }))),
      );
      expect(admitted(decisions)).toHaveLength(10);
    }
    const decisions = await Promise.all(Array.from({ length: 50 }, () => own.acquire(request({ budget }))));
    expect(admitted(decisions)).toHaveLength(0);
    const rejected = decisions[0];
    expect(rejected?.type === 'rejected' && rejected.error.code).toBe('budget_exceeded');
    expect(rejected?.type === 'rejected' && rejected.error.message).toBe(
      'Budget of $1.00 per day is spent; it resets at 2026-01-16T00:00:00.000Z.',
    );
    expect(rejected?.type === 'rejected' && rejected.error.headers['retry-after']).toBe(String(12 * 3600));
  });

  it('replaces reservations with actual costs when leases settle', async () => {
    const store = createMemoryLimitStore();
    const limiter = createLimiter({ store, spentSince: () => Promise.resolve(0), logger, now: () => start });
    const period = budgetPeriod('day', start);
    const budget = { scope: 'team:research', limitUsd: 1, ...period, estimatedCostUsd: 0.1 };
    const decisions = admitted(
      await Promise.all(Array.from({ length: 50 }, () => limiter.acquire(request({ budget })))),
    );
    const costs = decisions.map((_, index) => 0.01 + index * 0.007);
    await Promise.all(
      decisions.map((decision, index) => decision.lease.settle({ tokens: 5, costUsd: costs[index]! })),
    );
    const state = await store.budgetState('team:research', period.periodStart);
    expect(state?.reservedMicroUsd).toBe(0);
    expect((state?.spentMicroUsd ?? 0) / 1e6).toBeCloseTo(
      costs.reduce((sum, cost) => sum + cost, 0),
      6,
    );
    // What is left ($1 - $0.415) admits five more estimates of $0.10.
    const more = await Promise.all(Array.from({ length: 10 }, () => limiter.acquire(request({ budget }))));
    expect(admitted(more)).toHaveLength(5);
  });

  it('initialises a cold budget from the database once per scope and period', async () => {
    const { limiter, spentSince } = limiterAt({ now: start }, { spent: 0.95 });
    const period = budgetPeriod('month', start);
    const budget = { scope: 'key:key_a', limitUsd: 1, ...period, estimatedCostUsd: 0.04 };
    const decisions = await Promise.all(
      Array.from({ length: 10 }, () => limiter.acquire(request({ budget }))),
    );
    expect(admitted(decisions)).toHaveLength(1);
    expect(spentSince).toHaveBeenCalledTimes(1);
    expect(spentSince).toHaveBeenCalledWith('key:key_a', Date.UTC(2026, 0, 1));
    const rejected = decisions.find((decision) => decision.type === 'rejected');
    expect(rejected?.type === 'rejected' && rejected.error.message).toBe(
      'Budget of $1.00 per month would be exceeded by this request ($0.99 spent or reserved, about $0.04 more needed); it resets at 2026-02-01T00:00:00.000Z.',
    );
    // The next period starts cold again.
    const next = budgetPeriod('month', Date.UTC(2026, 1, 3));
    await limiter.acquire(request({ budget: { ...budget, ...next }, now: Date.UTC(2026, 1, 3) }));
    expect(spentSince).toHaveBeenCalledTimes(2);
  });

  it('keeps serving when the database cannot say what a cold budget has spent', async () => {
    const limiter = createLimiter({
      store: createMemoryLimitStore(),
      spentSince: () => Promise.reject(new Error('database down')),
      logger,
    });
    const budget = { scope: 'key:key_a', limitUsd: 1, ...budgetPeriod('day', start), estimatedCostUsd: 0.1 };
    expect((await limiter.acquire(request({ budget }))).type).toBe('admitted');
  });

  it('reports a total budget without a reset time', async () => {
    const { limiter } = limiterAt({ now: start }, { spent: 5 });
    const budget = {
      scope: 'key:key_a',
      limitUsd: 5,
      ...budgetPeriod('total', start),
      estimatedCostUsd: 0.01,
    };
    const decision = await limiter.acquire(request({ budget }));
    expect(decision.type === 'rejected' && decision.error.message).toBe('Budget of $5.00 is spent.');
    expect(decision.type === 'rejected' && decision.error.headers['retry-after']).toBeUndefined();
  });

  it('forgets idle subjects once their window has passed', async () => {
    const store = createMemoryLimitStore();
    const limiter = createLimiter({ store, spentSince: () => Promise.resolve(0), logger, now: () => start });
    const limits = { requestsPerMinute: 1, tokensPerMinute: undefined, concurrentRequests: undefined };
    expect((await limiter.acquire(request({ limits }))).type).toBe('admitted');
    expect((await limiter.acquire(request({ limits, now: start + 61_000 }))).type).toBe('admitted');
    expect((await limiter.acquire(request({ limits, now: start + 62_000 }))).type).toBe('rejected');
  });

  it('is always available and not shared', () => {
    const { limiter } = limiterAt({ now: start });
    expect(limiter.health()).toEqual({ shared: false, degraded: undefined });
  });
});
