import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createLimiter } from './create-limiter.js';
import type { AdmissionOutcome, LimitStore } from './limit-store.js';
import type { LimitRequest } from './types.js';

const logger = pino({ level: 'silent' });
const admittedOutcome: AdmissionOutcome = {
  type: 'decided',
  admitted: true,
  usage: {
    requests: { used: 1, nextReleaseMs: 60_000, waitMs: undefined },
    tokens: undefined,
    global: undefined,
    inFlight: undefined,
    budget: undefined,
  },
};

/** A store double; its calls are recorded in `calls` (separate functions, so no unbound methods). */
function fakeStore(overrides: Partial<LimitStore> = {}) {
  const calls = {
    admit: vi.fn((_plan: unknown) => Promise.resolve(admittedOutcome)),
    settle: vi.fn((_settlement: unknown) => Promise.resolve()),
    close: vi.fn(() => Promise.resolve()),
  };
  const store: LimitStore = {
    shared: true,
    admit: calls.admit,
    settle: calls.settle,
    unavailable: () => undefined,
    budgetState: () => Promise.resolve(undefined),
    close: calls.close,
    ...overrides,
  };
  return { store, calls };
}

const request: LimitRequest = {
  subject: 'key_a',
  limits: { requestsPerMinute: 5, tokensPerMinute: undefined, concurrentRequests: undefined },
  estimatedTokens: 1,
  budget: undefined,
  now: 1_000,
};

describe('limiter', () => {
  it('asks no store at all for a caller without limits', async () => {
    const storeDouble = fakeStore();
    const limiter = createLimiter({ store: storeDouble.store, spentSince: () => Promise.resolve(0), logger });
    const unlimited = {
      ...request,
      limits: { requestsPerMinute: undefined, tokensPerMinute: undefined, concurrentRequests: undefined },
    };
    expect(await limiter.acquire(unlimited)).toMatchObject({ type: 'admitted', headers: {} });
    expect(storeDouble.calls.admit).not.toHaveBeenCalled();
  });

  it('decides on the fallback while the store is unavailable, and on the store again after', async () => {
    let reason: string | undefined = 'Redis is unreachable';
    const storeDouble = fakeStore({ unavailable: () => reason });
    const fallbackDouble = fakeStore({ shared: false });
    const limiter = createLimiter({
      store: storeDouble.store,
      fallback: fallbackDouble.store,
      spentSince: () => Promise.resolve(0),
      logger,
    });
    expect((await limiter.acquire(request)).type).toBe('admitted');
    expect(fallbackDouble.calls.admit).toHaveBeenCalledTimes(1);
    expect(storeDouble.calls.admit).not.toHaveBeenCalled();
    expect(limiter.health()).toEqual({
      shared: false,
      degraded: 'Redis is unreachable; limits enforced per replica',
    });
    reason = undefined;
    expect((await limiter.acquire(request)).type).toBe('admitted');
    expect(storeDouble.calls.admit).toHaveBeenCalledTimes(1);
    expect(limiter.health()).toEqual({ shared: true, degraded: undefined });
  });

  it('falls back for a request whose store call fails, and settles its lease where it was admitted', async () => {
    const storeDouble = fakeStore({ admit: () => Promise.reject(new Error('Command timed out')) });
    const fallbackDouble = fakeStore({ shared: false });
    const limiter = createLimiter({
      store: storeDouble.store,
      fallback: fallbackDouble.store,
      spentSince: () => Promise.resolve(0),
      logger,
    });
    const decision = await limiter.acquire(request);
    expect(limiter.health().degraded).toBe('Command timed out; limits enforced per replica');
    if (decision.type === 'admitted') await decision.lease.settle({ tokens: 3, costUsd: 0 });
    expect(fallbackDouble.calls.settle).toHaveBeenCalledTimes(1);
    expect(storeDouble.calls.settle).not.toHaveBeenCalled();
  });

  it('refuses with 503 when configured fail_closed', async () => {
    const storeDouble = fakeStore({ unavailable: () => 'Redis is unreachable' });
    const limiter = createLimiter({
      store: storeDouble.store,
      fallback: fakeStore().store,
      onStoreFailure: 'fail_closed',
      spentSince: () => Promise.resolve(0),
      logger,
    });
    const decision = await limiter.acquire(request);
    expect(decision.type === 'rejected' && decision.error.code).toBe('service_unavailable');
    expect(decision.type === 'rejected' && decision.error.headers['retry-after']).toBe('1');
    expect(limiter.health().degraded).toBe('Redis is unreachable; refusing requests');
  });

  it('never rejects a settle, even when the store fails', async () => {
    const storeDouble = fakeStore({ settle: () => Promise.reject(new Error('Connection is closed.')) });
    const limiter = createLimiter({ store: storeDouble.store, spentSince: () => Promise.resolve(0), logger });
    const decision = await limiter.acquire(request);
    expect(decision.type).toBe('admitted');
    if (decision.type === 'admitted')
      await expect(decision.lease.settle({ tokens: 1, costUsd: 0 })).resolves.toBeUndefined();
  });

  it('closes both stores', async () => {
    const storeDouble = fakeStore();
    const fallbackDouble = fakeStore();
    await createLimiter({
      store: storeDouble.store,
      fallback: fallbackDouble.store,
      spentSince: () => Promise.resolve(0),
      logger,
    }).close();
    expect(storeDouble.calls.close).toHaveBeenCalled();
    expect(fallbackDouble.calls.close).toHaveBeenCalled();
  });
});
