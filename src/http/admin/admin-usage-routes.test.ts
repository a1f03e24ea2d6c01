import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../accounting/index.js';
import { openaiCodec } from '../../dialects/index.js';
import { GatewayError } from '../../errors/index.js';
import { createMemoryUsageStore, type MemoryUsageStore } from '../../stores/memory/memory-usage-store.js';
import { registerAdminUsageRoutes } from './admin-usage-routes.js';

const now = Date.UTC(2026, 2, 10, 12);
const hour = 3_600_000;

function usageRecord(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    requestId: `req_${Math.random()}`,
    timestamp: now - hour,
    keyId: 'key_a',
    team: 'red',
    model: 'gpt-4o',
    provider: 'openai',
    targetModel: 'gpt-4o',
    inputTokens: 100,
    outputTokens: 10,
    cachedInputTokens: 20,
    costUsd: 0.1,
    savedCostUsd: 0,
    latencyMs: 100,
    status: 200,
    attempts: 1,
    cache: 'miss',
    stream: false,
    errorCode: undefined,
    ...overrides,
  };
}

describe('admin usage routes', () => {
  let app: FastifyInstance;
  let store: MemoryUsageStore;

  beforeEach(async () => {
    store = createMemoryUsageStore();
    await store.insertBatch([
      usageRecord({}),
      usageRecord({
        keyId: 'key_b',
        team: undefined,
        costUsd: 0.2,
        model: 'claude-sonnet-4-5',
        provider: 'anthropic',
      }),
      usageRecord({ timestamp: now - 2 * 24 * hour, costUsd: 0.3 }),
      usageRecord({ timestamp: now - 30 * 24 * hour, costUsd: 5 }),
      usageRecord({ provider: undefined, status: 502, costUsd: 0, errorCode: 'upstream_error' }),
    ]);
    app = Fastify();
    registerAdminUsageRoutes(app, {
      reports: store,
      codec: openaiCodec,
      now: () => now,
      authorizeAdmin: (headers) =>
        headers.authorization === 'Bearer admin'
          ? { ok: true }
          : { ok: false, error: new GatewayError('invalid_api_key', 'Incorrect API key provided.') },
    });
    await app.ready();
  });
  afterEach(() => app.close());

  const get = (url: string, authorization = 'Bearer admin') =>
    app.inject({ method: 'GET', url, headers: { authorization } });

  it('refuses callers the admin check refuses, in the OpenAI error shape', async () => {
    for (const url of ['/admin/usage', '/admin/spend']) {
      const response = await get(url, 'Bearer user');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({
        error: { code: 'invalid_api_key', type: 'invalid_request_error' },
      });
    }
  });

  it('reports the last 7 days by day by default', async () => {
    const response = await get('/admin/usage');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      object: 'usage_report',
      from: new Date(now - 7 * 24 * hour).toISOString(),
      to: new Date(now).toISOString(),
      group_by: ['day'],
      filters: {},
    });
    expect(body.data).toEqual([
      {
        day: '2026-03-08',
        requests: 1,
        input_tokens: 100,
        output_tokens: 10,
        cached_input_tokens: 20,
        cost_usd: 0.3,
        saved_cost_usd: 0,
      },
      {
        day: '2026-03-10',
        requests: 3,
        input_tokens: 300,
        output_tokens: 30,
        cached_input_tokens: 60,
        cost_usd: 0.3,
        saved_cost_usd: 0,
      },
    ]);
    expect(body.total).toMatchObject({ requests: 4, cost_usd: 0.6 });
  });

  it('groups by several dimensions and filters by key, model, provider and team', async () => {
    const grouped = (await get('/admin/usage?group_by=key,provider')).json();
    expect(grouped.data.map((row: Record<string, unknown>) => [row.key, row.provider, row.requests])).toEqual(
      [
        ['key_a', null, 1],
        ['key_a', 'openai', 2],
        ['key_b', 'anthropic', 1],
      ],
    );
    const filtered = (
      await get('/admin/usage?key=key_a&model=gpt-4o&provider=openai&team=red&group_by=')
    ).json();
    expect(filtered.filters).toEqual({ key: 'key_a', model: 'gpt-4o', provider: 'openai', team: 'red' });
    expect(filtered.data).toEqual([expect.objectContaining({ requests: 2, cost_usd: 0.4 })]);
  });

  it('takes ISO dates (a date alone covers that whole day), date-times and unix milliseconds', async () => {
    const days = (await get('/admin/usage?from=2026-02-01&to=2026-03-08')).json();
    expect(days.to).toBe('2026-03-09T00:00:00.000Z');
    expect(days.data.map((row: { day: string }) => row.day)).toEqual(['2026-02-08', '2026-03-08']);
    const times = (await get(`/admin/usage?from=2026-03-10T09:00:00%2B02:00&to=${now}`)).json();
    expect(times.from).toBe('2026-03-10T07:00:00.000Z');
    expect(times.total.requests).toBe(3);
    const local = (await get('/admin/usage?from=2026-03-10T10:00&to=2026-03-10T12:00:00.000Z')).json();
    expect(local.from).toBe('2026-03-10T10:00:00.000Z');
  });

  it('refuses bad parameters with a clear 400 naming the parameter', async () => {
    const cases: [string, string, RegExp][] = [
      ['from=yesterday', 'from', /ISO 8601/],
      ['to=2026-02-30', 'to', /ISO 8601/],
      ['from=2026-03-09&to=2026-03-01', 'from', /earlier/],
      ['group_by=week', 'group_by', /Unknown group_by value 'week'/],
      ['group_by=day,day', 'group_by', /twice/],
      ['limit=10', 'limit', /Unknown query parameter 'limit'/],
      ['toString=1', 'toString', /Unknown query parameter/],
      ['key=a&key=b', 'key', /once/],
      ['model=', 'model', /between 1 and 256/],
      ['to=99999999999999999', 'to', /ISO 8601/],
    ];
    for (const [query, param, message] of cases) {
      const response = await get(`/admin/usage?${query}`);
      expect(response.statusCode, query).toBe(400);
      const { error } = response.json();
      expect(error, query).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', param });
      expect(error.message, query).toMatch(message);
    }
  });

  it('reports spend with totals and breakdowns by key, model, provider and day', async () => {
    const response = await get('/admin/spend?from=2026-03-01');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ object: 'spend_report', requests: 4, cost_usd: 0.6, saved_cost_usd: 0 });
    expect(body.by_key).toEqual([
      { key: 'key_a', requests: 3, cost_usd: 0.4, saved_cost_usd: 0 },
      { key: 'key_b', requests: 1, cost_usd: 0.2, saved_cost_usd: 0 },
    ]);
    expect(body.by_model.map((row: { model: string }) => row.model)).toEqual(['gpt-4o', 'claude-sonnet-4-5']);
    expect(body.by_provider).toContainEqual({ provider: null, requests: 1, cost_usd: 0, saved_cost_usd: 0 });
    expect(body.by_day.map((row: { day: string }) => row.day)).toEqual(['2026-03-08', '2026-03-10']);
    const filtered = (await get('/admin/spend?from=2026-03-01&key=key_b')).json();
    expect(filtered).toMatchObject({ requests: 1, cost_usd: 0.2, filters: { key: 'key_b' } });
  });

  it('does not take group_by on /admin/spend', async () => {
    const response = await get('/admin/spend?group_by=key');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.param).toBe('group_by');
  });

  it('answers 503 when the usage database is unavailable', async () => {
    store.setMode('failing');
    for (const url of ['/admin/usage', '/admin/spend']) {
      const response = await get(url);
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toMatchObject({ code: 'service_unavailable' });
      expect(response.body).not.toContain('usage database unavailable');
    }
  });
});
