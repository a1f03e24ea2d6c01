import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryKeyStore } from '../stores/memory/memory-key-store.js';
import type { AdminResult } from './key-administration.js';
import type { KeyChangeEvent } from './key-events.js';
import { createKeyService } from './key-service.js';

const now = Date.parse('2030-01-01T00:00:00Z');

function service() {
  const store = createMemoryKeyStore();
  const clock = { now };
  const keys = createKeyService({ store, now: () => clock.now, tiers: { gold: { requestsPerMinute: 5 } } });
  return { store, clock, keys };
}

function value<T>(result: AdminResult<T>): T {
  if (result.type !== 'ok') throw result.error;
  return result.value;
}

function rejection<T>(result: AdminResult<T>) {
  if (result.type !== 'rejected') throw new Error('expected a rejection');
  return {
    code: result.error.code,
    status: result.error.status,
    param: result.error.param,
    message: result.error.message,
  };
}

describe('creating keys', () => {
  it('returns the secret once and a record without hash, with defaults and ISO timestamps', async () => {
    const { keys, store } = service();
    const { secret, key } = value(await keys.create({ name: '  search-bot  ' }));
    expect(secret).toMatch(/^gh-/);
    expect(key).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{16}$/),
      name: 'search-bot',
      prefix: secret.slice(0, 10),
      tier: 'pro',
      role: 'user',
      team: null,
      owner: null,
      agent_id: null,
      models: [],
      limits: {},
      budget: null,
      metadata: {},
      created_at: '2030-01-01T00:00:00.000Z',
      updated_at: '2030-01-01T00:00:00.000Z',
      expires_at: null,
      revoked_at: null,
    });
    expect(JSON.stringify(key)).not.toContain(secret.slice(10));
    const stored = await store.findById(key.id);
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it('stores every attribute', async () => {
    const { keys } = service();
    const { key } = value(
      await keys.create({
        name: 'full',
        tier: 'gold',
        role: 'admin',
        team: 'search',
        owner: 'ana@example.com',
        agent_id: 'agent-1',
        models: ['gpt-4o*', 'mock'],
        limits: { requests_per_minute: 10, tokens_per_minute: 10_000_000_000, concurrent_requests: 100_000 },
        budget: { usd: 12.5, period: 'week' },
        expires_at: '2030-06-01',
        metadata: { cost_center: '42' },
      }),
    );
    expect(key).toMatchObject({
      tier: 'gold',
      role: 'admin',
      team: 'search',
      owner: 'ana@example.com',
      agent_id: 'agent-1',
      models: ['gpt-4o*', 'mock'],
      limits: { requests_per_minute: 10, tokens_per_minute: 10_000_000_000, concurrent_requests: 100_000 },
      budget: { usd: 12.5, period: 'week' },
      expires_at: '2030-06-01T00:00:00.000Z',
      metadata: { cost_center: '42' },
    });
  });

  it('accepts expiry as unix milliseconds or an ISO time with an offset', async () => {
    const { keys } = service();
    expect(value(await keys.create({ name: 'a', expires_at: now + 1_000 })).key.expires_at).toBe(
      '2030-01-01T00:00:01.000Z',
    );
    expect(
      value(await keys.create({ name: 'b', expires_at: '2030-01-02T10:00:00+02:00' })).key.expires_at,
    ).toBe('2030-01-02T08:00:00.000Z');
  });

  it.each([
    ['a body that is not an object', [], undefined, 'The request body must be a JSON object.'],
    ['no name', {}, 'name', "Missing required field 'name'."],
    ['an empty name', { name: '   ' }, 'name', "Invalid 'name': must not be empty."],
    ['a name too long', { name: 'x'.repeat(101) }, 'name', "Invalid 'name': must be at most 100 characters."],
    [
      'a name with control characters',
      { name: 'a\u0007b' },
      'name',
      "Invalid 'name': must not contain control characters.",
    ],
    ['a name that is a number', { name: 5 }, 'name', undefined],
    ['an unknown field', { name: 'a', rpm: 5 }, 'rpm', "Unknown field 'rpm'."],
    [
      'an unknown limit',
      { name: 'a', limits: { requests_per_hour: 5 } },
      'limits.requests_per_hour',
      undefined,
    ],
    [
      'an unknown tier',
      { name: 'a', tier: 'platinum' },
      'tier',
      "Unknown tier 'platinum'; the tiers are free, pro, enterprise, gold.",
    ],
    [
      'an unknown role',
      { name: 'a', role: 'root' },
      'role',
      "Invalid 'role': must be 'user', 'admin' or 'reviewer'.",
    ],
    [
      'a negative limit',
      { name: 'a', limits: { requests_per_minute: -1 } },
      'limits.requests_per_minute',
      undefined,
    ],
    [
      'a zero limit',
      { name: 'a', limits: { concurrent_requests: 0 } },
      'limits.concurrent_requests',
      undefined,
    ],
    [
      'a fractional limit',
      { name: 'a', limits: { tokens_per_minute: 1.5 } },
      'limits.tokens_per_minute',
      undefined,
    ],
    [
      'an absurd rpm',
      { name: 'a', limits: { requests_per_minute: 1e7 + 1 } },
      'limits.requests_per_minute',
      "Invalid 'limits.requests_per_minute': must be at most 10000000.",
    ],
    [
      'an absurd tpm',
      { name: 'a', limits: { tokens_per_minute: 1e11 } },
      'limits.tokens_per_minute',
      undefined,
    ],
    [
      'an absurd concurrency',
      { name: 'a', limits: { concurrent_requests: 1e6 } },
      'limits.concurrent_requests',
      undefined,
    ],
    [
      'a limit as a string',
      { name: 'a', limits: { requests_per_minute: '10' } },
      'limits.requests_per_minute',
      "Invalid 'limits.requests_per_minute': must be a number.",
    ],
    ['a zero budget', { name: 'a', budget: { usd: 0, period: 'day' } }, 'budget.usd', undefined],
    ['an absurd budget', { name: 'a', budget: { usd: 2e9, period: 'day' } }, 'budget.usd', undefined],
    ['a budget without a period', { name: 'a', budget: { usd: 5 } }, 'budget.period', undefined],
    [
      'a budget with a bad period',
      { name: 'a', budget: { usd: 5, period: 'year' } },
      'budget.period',
      undefined,
    ],
    ['models that are not a list', { name: 'a', models: 'gpt-4o' }, 'models', undefined],
    ['a model pattern with spaces', { name: 'a', models: ['gpt 4o'] }, 'models.0', undefined],
    ['an expiry in the past', { name: 'a', expires_at: '2029-12-31' }, 'expires_at', undefined],
    ['an expiry in unix seconds', { name: 'a', expires_at: 1_900_000_000 }, 'expires_at', undefined],
    ['an expiry that is not a date', { name: 'a', expires_at: 'tomorrow' }, 'expires_at', undefined],
    [
      'an expiry without an offset',
      { name: 'a', expires_at: '2030-06-01T10:00:00' },
      'expires_at',
      undefined,
    ],
    ['an expiry beyond year 9999', { name: 'a', expires_at: 9e15 }, 'expires_at', undefined],
    ['metadata with a number value', { name: 'a', metadata: { a: 1 } }, 'metadata.a', undefined],
    [
      'too much metadata',
      {
        name: 'a',
        metadata: Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v'])),
      },
      'metadata',
      "Invalid 'metadata': at most 50 entries.",
    ],
  ])('refuses %s with 400 naming the field', async (_case, body, param, message) => {
    const { keys } = service();
    const refused = rejection(await keys.create(body));
    expect(refused).toMatchObject({ code: 'invalid_request', status: 400, param });
    if (message !== undefined) expect(refused.message).toBe(message);
  });

  it('refuses a duplicate name with 409', async () => {
    const { keys } = service();
    value(await keys.create({ name: 'same' }));
    expect(rejection(await keys.create({ name: 'same' }))).toEqual({
      code: 'invalid_request',
      status: 409,
      param: 'name',
      message: "A key named 'same' already exists.",
    });
  });

  it('never throws and never accepts a non-object body (property)', async () => {
    const { keys } = service();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        const result = await keys.create(body);
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          return result.type === 'rejected';
        return true;
      }),
    );
  });
});

describe('updating, showing, listing and revoking keys', () => {
  it('patches only what is given, merges limits, and clears with null', async () => {
    const { keys } = service();
    const { key } = value(
      await keys.create({
        name: 'k',
        team: 't',
        limits: { requests_per_minute: 10, tokens_per_minute: 100 },
        budget: { usd: 5, period: 'day' },
        expires_at: now + 60_000,
      }),
    );
    const updated = value(
      await keys.update(key.id, {
        limits: { tokens_per_minute: null, concurrent_requests: 3 },
        team: null,
        budget: null,
        expires_at: null,
      }),
    );
    expect(updated).toMatchObject({
      name: 'k',
      team: null,
      limits: { requests_per_minute: 10, concurrent_requests: 3 },
      budget: null,
      expires_at: null,
    });
    expect(value(await keys.update(key.id, { limits: null })).limits).toEqual({});
    expect(value(await keys.show(key.id))).toEqual(value(await keys.update(key.id, { metadata: {} })));
  });

  it('refuses an empty patch, unknown fields, a taken name, and changes to a revoked key', async () => {
    const { keys } = service();
    const { key } = value(await keys.create({ name: 'one' }));
    value(await keys.create({ name: 'two' }));
    expect(rejection(await keys.update(key.id, {}))).toMatchObject({
      status: 400,
      message: 'Nothing to update: the body sets no field.',
    });
    expect(rejection(await keys.update(key.id, { hash: 'x' }))).toMatchObject({ status: 400, param: 'hash' });
    expect(rejection(await keys.update(key.id, { id: 'key_0000000000000000' }))).toMatchObject({
      status: 400,
      param: 'id',
    });
    expect(rejection(await keys.update(key.id, { name: 'two' }))).toMatchObject({
      status: 409,
      param: 'name',
    });
    value(await keys.revoke(key.id));
    expect(rejection(await keys.update(key.id, { name: 'three' }))).toMatchObject({ status: 409 });
  });

  it('answers 404 for unknown or malformed key ids', async () => {
    const { keys } = service();
    for (const id of ['key_0123456789abcdef', 'nonsense', '']) {
      expect(rejection(await keys.show(id))).toMatchObject({ code: 'not_found', status: 404 });
      expect(rejection(await keys.revoke(id))).toMatchObject({
        code: 'not_found',
        status: 404,
        message: `No key with id '${id}'.`,
      });
      expect(rejection(await keys.update(id, { name: 'x' }))).toMatchObject({
        code: 'not_found',
        status: 404,
      });
    }
  });

  it('revokes once and answers the same record when revoked again', async () => {
    const { keys } = service();
    const { key } = value(await keys.create({ name: 'k' }));
    const revoked = value(await keys.revoke(key.id));
    expect(revoked.revoked_at).toBe('2030-01-01T00:00:00.000Z');
    expect(value(await keys.revoke(key.id))).toEqual(revoked);
  });

  it('lists keys oldest first', async () => {
    const { keys, clock } = service();
    for (const name of ['a', 'b', 'c']) {
      value(await keys.create({ name }));
      clock.now += 1;
    }
    expect(value(await keys.list()).map((key) => key.name)).toEqual(['a', 'b', 'c']);
  });
});

describe('key change events (the audit trail)', () => {
  it('reports each change with who made it and which fields, never a refusal or a no-op', async () => {
    const changes: KeyChangeEvent[] = [];
    const keys = createKeyService({
      store: createMemoryKeyStore(),
      now: () => now,
      events: { keyChanged: (change) => changes.push(change) },
    });
    const { key, secret } = value(await keys.create({ name: 'billing-bot', team: 'billing' }, 'key_admin'));
    value(await keys.update(key.id, { tier: 'free', models: ['gpt-4o'] }, 'master'));
    expect((await keys.create({ name: 'billing-bot' }, 'master')).type).toBe('rejected');
    value(await keys.revoke(key.id, 'cli'));
    value(await keys.revoke(key.id, 'cli'));
    expect(changes).toEqual([
      expect.objectContaining({
        type: 'key.created',
        keyId: key.id,
        name: 'billing-bot',
        by: 'key_admin',
        team: 'billing',
        changed: [],
      }),
      expect.objectContaining({
        type: 'key.updated',
        by: 'master',
        tier: 'free',
        changed: ['tier', 'models'],
      }),
      expect.objectContaining({ type: 'key.revoked', by: 'cli', time: now }),
    ]);
    expect(JSON.stringify(changes)).not.toContain(secret.slice(10));
  });
});
