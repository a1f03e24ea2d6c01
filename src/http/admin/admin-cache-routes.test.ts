import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openaiCodec } from '../../dialects/index.js';
import { GatewayError } from '../../errors/index.js';
import { registerAdminCacheRoutes, type AdminCacheOperations } from './admin-cache-routes.js';

const admin = { authorization: 'Bearer admin' };

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function setUp() {
  const cache = {
    inspect: vi.fn(() =>
      Promise.resolve({ l1: { entries: 3, maxEntries: 10, hits: 5 }, l2: undefined, semantic: undefined }),
    ),
    purge: vi.fn(() => Promise.resolve({ l1: 1, l2: 2, semantic: undefined })),
  } satisfies AdminCacheOperations;
  const audit = { info: vi.fn() };
  app = Fastify({ logger: false });
  registerAdminCacheRoutes(app, {
    cache,
    codec: openaiCodec,
    audit,
    authorizeAdmin: (headers) => {
      if (headers.authorization === undefined) {
        return { ok: false, error: new GatewayError('missing_api_key', 'No API key.') };
      }
      if (headers.authorization !== admin.authorization) {
        return Promise.resolve({
          ok: false,
          error: new GatewayError('permission_denied', 'Not an admin key.'),
        });
      }
      return { ok: true };
    },
  });
  return { app, cache, audit };
}

describe('admin cache routes', () => {
  it('need the master key or an admin-role key', async () => {
    const { app, cache } = setUp();
    expect((await app.inject({ method: 'GET', url: '/admin/cache' })).statusCode).toBe(401);
    const forbidden = await app.inject({
      method: 'DELETE',
      url: '/admin/cache?all=true',
      headers: { authorization: 'Bearer user' },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ error: { type: 'permission_error' } });
    expect(cache.purge).not.toHaveBeenCalled();
  });

  it('reports statistics', async () => {
    const { app } = setUp();
    const response = await app.inject({ method: 'GET', url: '/admin/cache', headers: admin });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ l1: { entries: 3, max_entries: 10, hits: 5 } });
  });

  it.each([
    ['/admin/cache?scope=team:research', { scope: 'team:research' }],
    ['/admin/cache?scope=key:key_123&model=gpt-4o', { scope: 'key:key_123', model: 'gpt-4o' }],
    ['/admin/cache?model=claude-sonnet', { model: 'claude-sonnet' }],
    ['/admin/cache?all=true', {}],
  ])('purges %s', async (url, selector) => {
    const { app, cache, audit } = setUp();
    const response = await app.inject({ method: 'DELETE', url, headers: admin });
    expect(response.statusCode).toBe(200);
    expect(cache.purge).toHaveBeenCalledWith(selector);
    expect(response.json()).toMatchObject({ purged: { l1: 1, l2: 2 } });
    expect(audit.info).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'cache.purge' }),
      'admin action',
    );
  });

  it.each([
    ['nothing said', '/admin/cache'],
    ['a malformed scope', '/admin/cache?scope=research'],
    ['an empty model', '/admin/cache?model='],
    ['a repeated parameter', '/admin/cache?model=a&model=b'],
    ['all=false', '/admin/cache?all=false'],
    ['all with a scope', '/admin/cache?all=true&scope=team:x'],
    ['an unknown parameter', '/admin/cache?tenant=x'],
  ])('refuses %s with 400', async (_name, url) => {
    const { app, cache } = setUp();
    const response = await app.inject({ method: 'DELETE', url, headers: admin });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(cache.purge).not.toHaveBeenCalled();
  });
});
