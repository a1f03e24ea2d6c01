import { describe, expect, it, vi } from 'vitest';
import { createMemoryKeyStore } from '../stores/memory/memory-key-store.js';
import type { AuthenticationResult } from './key-authenticator.js';
import { generateKeyMaterial } from './key-format.js';
import { createKeyService, type KeyService, type KeyServiceOptions } from './key-service.js';
import type { KeyStore } from './types.js';

const masterKey = 'master-key-with-any-format-at-all';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A service with a hand-driven clock and refresh timer: `tick()` runs what the interval would. */
function harness(options: Partial<KeyServiceOptions> & { store?: KeyStore } = {}) {
  const store = options.store ?? createMemoryKeyStore();
  const clock = { now: Date.parse('2030-01-01T00:00:00Z') };
  let callback: (() => void) | undefined;
  const service = createKeyService({
    masterKey,
    refreshIntervalMs: 500,
    now: () => clock.now,
    setInterval: (run) => {
      callback = run;
      return 1;
    },
    clearInterval: () => {
      callback = undefined;
    },
    ...options,
    store,
  });
  return {
    store,
    clock,
    service,
    async tick() {
      clock.now += 500;
      callback?.();
      await service.refresh();
    },
    get timerRunning() {
      return callback !== undefined;
    },
  };
}

async function createKey(service: KeyService, body: Record<string, unknown> = {}) {
  const created = await service.create({ name: `key-${Math.random()}`, ...body });
  if (created.type !== 'ok') throw created.error;
  return created.value;
}

function expectRejected(result: AuthenticationResult, code: string): string {
  if (result.type !== 'rejected') throw new Error(`expected ${code}, got authenticated`);
  expect(result.error.code).toBe(code);
  return result.error.message;
}

describe('authentication', () => {
  it('asks for a key when none is sent', () => {
    const { service } = harness();
    const message = expectRejected(service.authenticate({}) as AuthenticationResult, 'missing_api_key');
    expect(message).toContain('Authorization: Bearer');
    expectRejected(
      service.authenticate({ authorization: 'Bearer   ' }) as AuthenticationResult,
      'missing_api_key',
    );
    expectRejected(
      service.authenticate({ authorization: 'Basic abc' }) as AuthenticationResult,
      'missing_api_key',
    );
  });

  it('accepts the master key, whatever its format, synchronously, as the admin principal with its own limits', () => {
    const { service } = harness({ masterLimits: { requestsPerMinute: 7 } });
    const result = service.authenticate(bearer(masterKey));
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toMatchObject({
      type: 'authenticated',
      principal: { keyId: 'master', kind: 'master', role: 'admin', models: [], budget: undefined },
    });
    if ('principal' in result) {
      expect(result.principal.limits).toEqual({
        requestsPerMinute: 7,
        tokensPerMinute: undefined,
        concurrentRequests: undefined,
      });
    }
    expect(service.authenticate({ 'x-api-key': masterKey })).toMatchObject({ type: 'authenticated' });
  });

  it('rejects malformed keys without asking the store', () => {
    const store = createMemoryKeyStore();
    const findByHash = vi.spyOn(store, 'findByHash');
    const { service } = harness({ store });
    for (const key of ['nonsense', `${masterKey}x`, `gh-${'A'.repeat(42)}`, `sk-${'A'.repeat(43)}`]) {
      const result = service.authenticate(bearer(key));
      expect(result).not.toBeInstanceOf(Promise);
      expectRejected(result as AuthenticationResult, 'invalid_api_key');
    }
    expect(findByHash).not.toHaveBeenCalled();
  });

  it('authenticates a virtual key: the first time from the store, then from the cache without a promise', async () => {
    const store = createMemoryKeyStore();
    const findByHash = vi.spyOn(store, 'findByHash');
    const { service } = harness({ store, defaultRequestsPerMinute: 99 });
    const { secret, key } = await createKey(service, {
      tier: 'free',
      team: 'search',
      agent_id: 'agent-7',
      models: ['mock*'],
      limits: { tokens_per_minute: 5_000 },
      budget: { usd: 10, period: 'day' },
      metadata: { guard_injection_action: 'block' },
    });
    const first = await service.authenticate({ 'x-api-key': secret });
    expect(first).toEqual({
      type: 'authenticated',
      principal: {
        keyId: key.id,
        kind: 'virtual',
        name: key.name,
        role: 'user',
        tier: 'free',
        team: 'search',
        owner: undefined,
        agentId: 'agent-7',
        models: ['mock*'],
        limits: { requestsPerMinute: 20, tokensPerMinute: 5_000, concurrentRequests: 2 },
        budget: { usd: 10, period: 'day' },
        metadata: { guard_injection_action: 'block' },
      },
    });
    const second = service.authenticate(bearer(secret));
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toEqual(first);
    expect(findByHash).toHaveBeenCalledTimes(1);
  });

  it('asks the store once for a burst of requests with the same uncached key', async () => {
    const store = createMemoryKeyStore();
    const { service } = harness({ store });
    const { secret } = await createKey(service);
    const other = harness({ store });
    const findByHash = vi.spyOn(store, 'findByHash');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => Promise.resolve(other.service.authenticate(bearer(secret)))),
    );
    expect(results.every((result) => result.type === 'authenticated')).toBe(true);
    expect(findByHash).toHaveBeenCalledTimes(1);
  });

  it('rejects an unknown well-formed key and remembers it for at most one refresh interval', async () => {
    const store = createMemoryKeyStore();
    const findByHash = vi.spyOn(store, 'findByHash');
    const { service, clock } = harness({ store });
    const unknown = generateKeyMaterial().secret;
    expectRejected(await service.authenticate(bearer(unknown)), 'invalid_api_key');
    const again = service.authenticate(bearer(unknown));
    expect(again).not.toBeInstanceOf(Promise);
    expectRejected(again as AuthenticationResult, 'invalid_api_key');
    expect(findByHash).toHaveBeenCalledTimes(1);
    clock.now += 500;
    expectRejected(await service.authenticate(bearer(unknown)), 'invalid_api_key');
    expect(findByHash).toHaveBeenCalledTimes(2);
  });

  it('accepts a key created on another replica after this one cached it as unknown, within one refresh', async () => {
    const store = createMemoryKeyStore();
    const replica = harness({ store });
    replica.service.start();
    const material = generateKeyMaterial();
    expectRejected(await replica.service.authenticate(bearer(material.secret)), 'invalid_api_key');
    await store.insert({
      id: material.id,
      name: 'late',
      hash: material.hash,
      prefix: material.prefix,
      tier: 'pro',
      role: 'user',
      team: undefined,
      owner: undefined,
      agentId: undefined,
      models: [],
      limits: {},
      budget: undefined,
      metadata: {},
      createdAt: replica.clock.now,
      updatedAt: replica.clock.now,
      expiresAt: undefined,
      revokedAt: undefined,
    });
    // The clock has not moved, so the unknown entry is fresh; the refresh replaces it.
    replica.clock.now -= 500;
    await replica.tick();
    expect(replica.service.authenticate(bearer(material.secret))).toMatchObject({ type: 'authenticated' });
  });

  it('says when a key has been revoked', async () => {
    const { service } = harness();
    const { secret, key } = await createKey(service);
    await service.revoke(key.id);
    expect(expectRejected(await service.authenticate(bearer(secret)), 'revoked_api_key')).toBe(
      'This API key has been revoked.',
    );
  });

  it('says when a key expired, by the injected clock', async () => {
    const { service, clock } = harness();
    const expiresAt = clock.now + 60_000;
    const { secret } = await createKey(service, { expires_at: expiresAt });
    expect(await service.authenticate(bearer(secret))).toMatchObject({ type: 'authenticated' });
    clock.now = expiresAt;
    const message = expectRejected(
      service.authenticate(bearer(secret)) as AuthenticationResult,
      'expired_api_key',
    );
    expect(message).toBe(`This API key expired at ${new Date(expiresAt).toISOString()}.`);
  });

  it('answers 503 when the store cannot be reached, and does not remember the failure', async () => {
    const store = createMemoryKeyStore();
    const { service } = harness({ store });
    const { secret } = await createKey(service);
    const other = harness({ store, logger: { warn: vi.fn(), info: vi.fn() } });
    vi.spyOn(store, 'findByHash').mockRejectedValueOnce(new Error('connection refused'));
    const failed = await other.service.authenticate(bearer(secret));
    expectRejected(failed, 'service_unavailable');
    if (failed.type === 'rejected') expect(failed.error.status).toBe(503);
    expect(await other.service.authenticate(bearer(secret))).toMatchObject({ type: 'authenticated' });
  });

  it('gives an admin-role key the admin role', async () => {
    const { service } = harness();
    const { secret } = await createKey(service, { role: 'admin' });
    expect(await service.authenticate(bearer(secret))).toMatchObject({
      principal: { role: 'admin', kind: 'virtual' },
    });
  });

  it('keeps the default tier limits for a key whose tier no longer exists', async () => {
    const store = createMemoryKeyStore();
    const first = harness({ store, tiers: { gold: { requestsPerMinute: 1 } } });
    const { secret } = await createKey(first.service, { tier: 'gold' });
    const second = harness({ store, defaultTier: 'free' });
    expect(await second.service.authenticate(bearer(secret))).toMatchObject({
      principal: {
        tier: 'gold',
        limits: { requestsPerMinute: 20, tokensPerMinute: 40_000, concurrentRequests: 2 },
      },
    });
  });

  it('refuses a default tier that does not exist and a refresh interval over one second', () => {
    expect(() => harness({ defaultTier: 'gold' })).toThrow(/default tier 'gold'/);
    expect(() => harness({ refreshIntervalMs: 1_500 })).toThrow(/between 1 and 1000/);
  });
});

describe('changes on other replicas', () => {
  it('a revocation on one replica reaches another within one refresh interval', async () => {
    const store = createMemoryKeyStore();
    const writer = harness({ store });
    const reader = harness({ store });
    reader.service.start();
    const { secret, key } = await createKey(writer.service);
    expect(await reader.service.authenticate(bearer(secret))).toMatchObject({ type: 'authenticated' });
    reader.clock.now += 100;
    writer.clock.now = reader.clock.now;
    await writer.service.revoke(key.id);
    // Until the refresh runs the reader answers from its cache.
    expect(reader.service.authenticate(bearer(secret))).toMatchObject({ type: 'authenticated' });
    await reader.tick();
    expectRejected(reader.service.authenticate(bearer(secret)) as AuthenticationResult, 'revoked_api_key');
  });

  it('updates (tier, models) reach other replicas through the refresh', async () => {
    const store = createMemoryKeyStore();
    const writer = harness({ store });
    const reader = harness({ store });
    const { secret, key } = await createKey(writer.service, { tier: 'free' });
    await reader.service.authenticate(bearer(secret));
    writer.clock.now += 1;
    await writer.service.update(key.id, { tier: 'enterprise', models: ['gpt-4o*'] });
    await reader.tick();
    expect(reader.service.authenticate(bearer(secret))).toMatchObject({
      principal: { tier: 'enterprise', models: ['gpt-4o*'], limits: { requestsPerMinute: 6_000 } },
    });
  });

  it('finds a change stamped earlier than the newest one seen, by a writer whose clock is behind', async () => {
    const store = createMemoryKeyStore();
    const writer = harness({ store });
    const reader = harness({ store });
    const { secret, key } = await createKey(writer.service);
    await reader.service.authenticate(bearer(secret));
    writer.clock.now += 10_000;
    await createKey(writer.service);
    await reader.tick();
    writer.clock.now -= 3_000;
    await writer.service.revoke(key.id);
    await reader.tick();
    expectRejected(reader.service.authenticate(bearer(secret)) as AuthenticationResult, 'revoked_api_key');
  });

  it('keeps serving cached keys while the refresh fails, logs it once, and catches up when it recovers', async () => {
    const store = createMemoryKeyStore();
    const logger = { warn: vi.fn(), info: vi.fn() };
    const writer = harness({ store });
    const reader = harness({ store, logger });
    const { secret, key } = await createKey(writer.service);
    await reader.service.authenticate(bearer(secret));
    const changedSince = vi.spyOn(store, 'changedSince').mockRejectedValue(new Error('database down'));
    await writer.service.revoke(key.id);
    await reader.tick();
    await reader.tick();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(reader.service.authenticate(bearer(secret))).toMatchObject({ type: 'authenticated' });
    changedSince.mockRestore();
    await reader.tick();
    expect(logger.info).toHaveBeenCalledTimes(1);
    expectRejected(reader.service.authenticate(bearer(secret)) as AuthenticationResult, 'revoked_api_key');
  });

  it('start and stop manage the timer; stop waits for a refresh in flight', async () => {
    const store = createMemoryKeyStore();
    const replica = harness({ store });
    replica.service.start();
    expect(replica.timerRunning).toBe(true);
    let release: () => void = () => undefined;
    vi.spyOn(store, 'changedSince').mockImplementationOnce(
      () => new Promise((resolve) => (release = () => resolve([]))),
    );
    const refreshing = replica.service.refresh();
    let stopped = false;
    const stopping = replica.service.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(replica.timerRunning).toBe(false);
    expect(stopped).toBe(false);
    release();
    await Promise.all([refreshing, stopping]);
    expect(stopped).toBe(true);
  });

  it('with real timers, a revocation is seen by another replica within one second', async () => {
    const store = createMemoryKeyStore();
    const writer = createKeyService({ store });
    const reader = createKeyService({ store, refreshIntervalMs: 100 });
    const { secret, key } = await createKey(writer);
    expect(await reader.authenticate(bearer(secret))).toMatchObject({ type: 'authenticated' });
    reader.start();
    try {
      await writer.revoke(key.id);
      const started = performance.now();
      while ((await reader.authenticate(bearer(secret))).type === 'authenticated') {
        expect(performance.now() - started).toBeLessThan(1_000);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expectRejected(await reader.authenticate(bearer(secret)), 'revoked_api_key');
    } finally {
      await reader.stop();
    }
  });
});
