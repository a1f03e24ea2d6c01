import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openaiCodec } from '../../dialects/index.js';
import { createKeyService, type KeyService } from '../../keys/index.js';
import { createMemoryKeyStore } from '../../stores/memory/memory-key-store.js';
import { fromFrameworkError } from '../framework-errors.js';
import { parseJsonObject } from '../json-body.js';
import { renderError } from '../render-error.js';
import { registerAdminKeyRoutes, type AdminKeyOperations } from './admin-keys-routes.js';

const masterKey = 'test-master-key-0123456789';
const master = { authorization: `Bearer ${masterKey}` };
const bodyLimit = 4_096;

/** The parts of the real app the admin routes rely on: the JSON body parser and the error rendering. */
function buildTestApp(keys: AdminKeyOperations, audit = { info: vi.fn() }): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    /^application\/([\w.+-]*\+)?json(\s*;.*)?$/i,
    { parseAs: 'buffer' },
    (_request, body, done) => {
      try {
        done(null, parseJsonObject(body as Buffer, 128));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  app.setErrorHandler((error, request, reply) =>
    renderError(reply, openaiCodec, fromFrameworkError(error, bodyLimit), request.id),
  );
  registerAdminKeyRoutes(app, { keys, codec: openaiCodec, audit });
  return app;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function setUp(): { app: FastifyInstance; keys: KeyService; audit: { info: ReturnType<typeof vi.fn> } } {
  const keys = createKeyService({ store: createMemoryKeyStore(), masterKey });
  const audit = { info: vi.fn() };
  app = buildTestApp(keys, audit);
  return { app, keys, audit };
}

async function createKey(test: FastifyInstance, body: Record<string, unknown>) {
  const response = await test.inject({ method: 'POST', url: '/admin/keys', headers: master, payload: body });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string; key: string; name: string }>();
}

describe('admin key routes: authorisation', () => {
  it('answers 401 without a key or with a wrong one, in the OpenAI error dialect', async () => {
    const { app } = setUp();
    const missing = await app.inject({ method: 'GET', url: '/admin/keys' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({
      error: {
        message: 'No API key provided. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
        type: 'invalid_request_error',
        param: null,
        code: 'missing_api_key',
      },
    });
    for (const headers of [
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${masterKey} ` + 'x' },
      { 'x-api-key': `gh-${'A'.repeat(43)}` },
    ]) {
      const response = await app.inject({ method: 'GET', url: '/admin/keys', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('invalid_api_key');
    }
  });

  it('answers 403 for a key without the admin role, and lets an admin-role key in', async () => {
    const { app } = setUp();
    const user = await createKey(app, { name: 'user' });
    const admin = await createKey(app, { name: 'admin', role: 'admin' });
    const refused = await app.inject({
      method: 'GET',
      url: '/admin/keys',
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'permission_denied', type: 'permission_error' });
    const allowed = await app.inject({
      method: 'GET',
      url: '/admin/keys',
      headers: { 'x-api-key': admin.key },
    });
    expect(allowed.statusCode).toBe(200);
  });

  it('answers 401 for a revoked admin key, saying it was revoked', async () => {
    const { app } = setUp();
    const admin = await createKey(app, { name: 'admin', role: 'admin' });
    await app.inject({ method: 'POST', url: `/admin/keys/${admin.id}/revoke`, headers: master });
    const response = await app.inject({
      method: 'GET',
      url: '/admin/keys',
      headers: { authorization: `Bearer ${admin.key}` },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toMatchObject({
      code: 'revoked_api_key',
      message: 'This API key has been revoked.',
    });
  });
});

describe('admin key routes: operations', () => {
  it('creates a key (201, secret shown once, not cached), then lists, shows, updates and revokes it', async () => {
    const { app, keys, audit } = setUp();
    const response = await app.inject({
      method: 'POST',
      url: '/admin/keys',
      headers: master,
      payload: { name: 'bot', tier: 'free', models: ['mock*'] },
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const created = response.json();
    expect(created).toMatchObject({ name: 'bot', tier: 'free', models: ['mock*'], revoked_at: null });
    expect(created.key).toMatch(/^gh-/);
    expect(created).not.toHaveProperty('hash');
    expect(audit.info).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'key.create', key_id: created.id, by: 'master' }),
      'admin action',
    );
    expect(JSON.stringify(audit.info.mock.calls)).not.toContain(created.key);
    expect(await keys.authenticate({ authorization: `Bearer ${created.key}` })).toMatchObject({
      type: 'authenticated',
    });

    const list = await app.inject({ method: 'GET', url: '/admin/keys', headers: master });
    expect(list.json()).toMatchObject({ object: 'list', data: [{ id: created.id, name: 'bot' }] });
    expect(list.body).not.toContain(created.key);

    const shown = await app.inject({ method: 'GET', url: `/admin/keys/${created.id}`, headers: master });
    expect(shown.json()).toMatchObject({ id: created.id, prefix: created.key.slice(0, 10) });
    expect(shown.json()).not.toHaveProperty('key');

    const patched = await app.inject({
      method: 'PATCH',
      url: `/admin/keys/${created.id}`,
      headers: master,
      payload: { limits: { requests_per_minute: 3 } },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ limits: { requests_per_minute: 3 } });

    const revoked = await app.inject({ method: 'DELETE', url: `/admin/keys/${created.id}`, headers: master });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked_at).toEqual(expect.any(String));
    expect(await keys.authenticate({ authorization: `Bearer ${created.key}` })).toMatchObject({
      type: 'rejected',
      error: { code: 'revoked_api_key' },
    });
    const again = await app.inject({
      method: 'POST',
      url: `/admin/keys/${created.id}/revoke`,
      headers: master,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().revoked_at).toBe(revoked.json().revoked_at);
  });

  it('answers 404 for unknown key ids on every route', async () => {
    const { app } = setUp();
    for (const [method, url] of [
      ['GET', '/admin/keys/key_0123456789abcdef'],
      ['PATCH', '/admin/keys/key_0123456789abcdef'],
      ['POST', '/admin/keys/key_0123456789abcdef/revoke'],
      ['DELETE', '/admin/keys/not-an-id'],
    ] as const) {
      const response = await app.inject({
        method,
        url,
        headers: master,
        ...(method === 'PATCH' ? { payload: { name: 'x' } } : {}),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
  });

  it('answers 409 for a duplicate name', async () => {
    const { app } = setUp();
    await createKey(app, { name: 'same' });
    const response = await app.inject({
      method: 'POST',
      url: '/admin/keys',
      headers: master,
      payload: { name: 'same' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'invalid_request', param: 'name' });
  });
});

describe('admin key routes: bad input', () => {
  it.each([
    ['unknown fields', { name: 'a', hash: 'x' }, 'hash'],
    ['negative limits', { name: 'a', limits: { requests_per_minute: -5 } }, 'limits.requests_per_minute'],
    ['absurd limits', { name: 'a', limits: { tokens_per_minute: 1e15 } }, 'limits.tokens_per_minute'],
    ['wrong types', { name: ['a'] }, 'name'],
    ['a missing name', { tier: 'pro' }, 'name'],
    ['an unknown tier', { name: 'a', tier: 'nope' }, 'tier'],
  ])('refuses %s with 400 naming the field', async (_case, payload, param) => {
    const { app } = setUp();
    const response = await app.inject({ method: 'POST', url: '/admin/keys', headers: master, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'invalid_request',
      type: 'invalid_request_error',
      param,
    });
  });

  it('refuses malformed JSON, non-object bodies, a missing body, wrong media types and oversized bodies', async () => {
    const { app } = setUp();
    const post = (payload: string | undefined, contentType: string | undefined) =>
      app.inject({
        method: 'POST',
        url: '/admin/keys',
        headers: { ...master, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
        ...(payload === undefined ? {} : { payload }),
      });
    const cases: [string | undefined, string | undefined, number, string][] = [
      ['{"name":', 'application/json', 400, 'invalid_json'],
      ['[1,2]', 'application/json', 400, 'invalid_request'],
      ['"text"', 'application/json', 400, 'invalid_request'],
      [undefined, undefined, 400, 'invalid_request'],
      ['name=a', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
      [
        JSON.stringify({ name: 'a', metadata: { big: 'x'.repeat(bodyLimit) } }),
        'application/json',
        413,
        'payload_too_large',
      ],
    ];
    for (const [payload, contentType, status, code] of cases) {
      const response = await post(payload, contentType);
      expect(response.statusCode, `${contentType ?? 'none'} ${payload?.slice(0, 20) ?? ''}`).toBe(status);
      expect(response.json().error.code).toBe(code);
    }
  });

  it('refuses an empty or invalid patch', async () => {
    const { app } = setUp();
    const { id } = await createKey(app, { name: 'a' });
    const empty = await app.inject({
      method: 'PATCH',
      url: `/admin/keys/${id}`,
      headers: master,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    const invalid = await app.inject({
      method: 'PATCH',
      url: `/admin/keys/${id}`,
      headers: master,
      payload: { budget: { usd: -1, period: 'day' } },
    });
    expect(invalid.json().error).toMatchObject({ param: 'budget.usd' });
  });

  it('answers every JSON body with 201 or a 4xx, never a 5xx (property)', async () => {
    const { app } = setUp();
    const fields = fc.record(
      {
        name: fc.oneof(fc.string({ maxLength: 120 }), fc.integer(), fc.constant(null)),
        tier: fc.oneof(fc.constantFrom('free', 'pro', 'gold'), fc.anything()),
        limits: fc.oneof(
          fc.dictionary(
            fc.constantFrom('requests_per_minute', 'tokens_per_minute', 'x'),
            fc.oneof(fc.double(), fc.integer()),
          ),
          fc.anything(),
        ),
        budget: fc.anything(),
        expires_at: fc.oneof(fc.string(), fc.double(), fc.integer()),
        metadata: fc.anything(),
        models: fc.anything(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fields, fc.jsonValue()), async (body) => {
        const response = await app.inject({
          method: 'POST',
          url: '/admin/keys',
          headers: master,
          payload: JSON.stringify(body) ?? 'null',
        });
        return response.statusCode === 201 || (response.statusCode >= 400 && response.statusCode < 500);
      }),
      { numRuns: 300 },
    );
  });
});
