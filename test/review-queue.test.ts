import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { createKey } from './support/shared-state.js';

/**
 * The human-review queue on one gateway (the embedded database): a `human_review` decision is
 * queued before it is answered and carries its `review_id`; Lelu's queue routes by review id and
 * by trace id; exactly-once resolution; wait semantics; expiry; and every "may not" of who reads
 * and resolves, attacked.
 */

const policy = [
  '@id("agents-may-act") permit(principal is Agent, action, resource);',
  '@id("wires-need-review") @decision("human_review") permit(principal, action == Action::"wire_money", resource);',
].join('\n');

let gateway: TestGateway;
const keys: Record<string, string> = {};

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(method: string, path: string, key: string | undefined, body?: unknown): Promise<Answer> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const master = () => gateway.masterKey;
let tenantCounter = 0;

/** Asks for a wire on behalf of `actor`; resolves with the answer (a review unless told otherwise). */
async function askForWire(
  actor = 'pay-bot',
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const answer = await call('POST', '/v1/agent/authorize', master(), {
    tenant_id: `tenant-${(tenantCounter += 1)}`,
    actor,
    action: 'wire_money',
    confidence: 0.95,
    resource: { account: 'acc-1' },
    acting_for: 'ada',
    args: { amount: 500 },
    ...extra,
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

const errorCode = (answer: Answer) => (answer.body.error as { code?: string } | undefined)?.code;

beforeAll(async () => {
  gateway = await startTestGateway({
    governance: {
      confidence: { allow_unverified: true },
      agents: { 'shadow-bot': { mode: 'shadow' } },
      policy: { cedar: policy },
    },
  });
  const make = async (name: string, body: Record<string, unknown>) =>
    (keys[name] = (await createKey(gateway.url, gateway.masterKey, { name, ...body })).secret);
  await make('reviewer', { role: 'reviewer' });
  await make('admin', { role: 'admin' });
  await make('user', {});
  await make('pay-bot', { agent_id: 'pay-bot' });
  await make('other-bot', { agent_id: 'other-bot' });
  await make('admin-bot', { agent_id: 'pay-bot', role: 'admin' });
  await make('reviewer-bot', { agent_id: 'pay-bot', role: 'reviewer' });
});
afterAll(() => gateway?.close());

describe('a human_review decision', () => {
  it('is queued before it is answered, and its answer carries the review_id', async () => {
    const answer = await askForWire();
    expect(answer).toMatchObject({ decision: 'human_review', requires_human_review: true, allowed: false });
    expect(answer.review_id).toMatch(/^rev_[0-9a-f]{32}$/);
    // The very next request finds it: nothing is written after the answer.
    const item = await call('GET', `/v1/queue/${String(answer.review_id)}`, keys.reviewer);
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({
      id: answer.review_id,
      trace_id: answer.trace_id,
      tenant_id: expect.stringMatching(/^tenant-/) as string,
      actor: 'pay-bot',
      action: 'wire_money',
      resource: { account: 'acc-1' },
      acting_for: 'ada',
      confidence_score: 0.95,
      reason: answer.reason,
      status: 'pending',
      risk_score: answer.risk_score,
      policy_digest: answer.policy_digest,
      input_hash: answer.input_hash,
      args_hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    });
    for (const absent of ['resolved_at', 'resolved_by', 'resolution_note'])
      expect(item.body).not.toHaveProperty(absent);
    expect(Date.parse(String(item.body.expires_at)) - Date.parse(String(item.body.enqueued_at))).toBe(
      86_400_000,
    );
  });

  it('is found by the trace id of its decision too (Lelu’s SDK waits on that)', async () => {
    const answer = await askForWire();
    const byTrace = await call('GET', `/v1/queue/${String(answer.trace_id)}`, keys.reviewer);
    expect(byTrace.status).toBe(200);
    expect(byTrace.body.id).toBe(answer.review_id);
  });

  it('carries no review_id, and queues nothing, for other outcomes and in shadow mode', async () => {
    const allowed = await call('POST', '/v1/agent/authorize', master(), {
      tenant_id: 'quiet',
      actor: 'pay-bot',
      action: 'read_ledger',
      confidence: 0.95,
    });
    expect(allowed.body.decision).toBe('allow');
    expect(allowed.body).not.toHaveProperty('review_id');
    const shadow = await askForWire('shadow-bot');
    expect(shadow).toMatchObject({ shadow_mode: true, allowed: true, would_have_decision: 'human_review' });
    expect(shadow).not.toHaveProperty('review_id');
    expect((await call('GET', `/v1/queue/${String(shadow.trace_id)}`, master())).status).toBe(404);
    const listed = await call('GET', '/v1/queue/pending?actor=shadow-bot', master());
    expect(listed.body).toEqual({ items: [], count: 0 });
  });
});

describe('GET /v1/queue/pending', () => {
  it('lists pending items oldest first, filtered by tenant, actor and action, a page at a time', async () => {
    const first = await askForWire('list-bot');
    const second = await askForWire('list-bot');
    const third = await askForWire('list-bot');
    const all = await call('GET', '/v1/queue/pending?actor=list-bot', keys.reviewer);
    expect(all.status).toBe(200);
    expect((all.body.items as { id: string }[]).map((item) => item.id)).toEqual([
      first.review_id,
      second.review_id,
      third.review_id,
    ]);
    expect(all.body.count).toBe(3);
    const tenant = (await call('GET', `/v1/queue/${String(second.review_id)}`, master())).body.tenant_id;
    const byTenant = await call(
      'GET',
      `/v1/queue/pending?tenant_id=${String(tenant)}&action=wire_money`,
      master(),
    );
    expect((byTenant.body.items as { id: string }[]).map((item) => item.id)).toEqual([second.review_id]);
    const page = await call('GET', '/v1/queue/pending?actor=list-bot&limit=2', keys.admin);
    expect(page.body.count).toBe(2);
    const next = await call(
      'GET',
      `/v1/queue/pending?actor=list-bot&limit=2&cursor=${encodeURIComponent(String(page.body.next_cursor))}`,
      keys.admin,
    );
    expect((next.body.items as { id: string }[]).map((item) => item.id)).toEqual([third.review_id]);
    expect(next.body).not.toHaveProperty('next_cursor');
  });

  it('refuses bad query parameters with a 400 naming them', async () => {
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=nonsense', 'cursor'],
      ['actor=a&actor=b', 'actor'],
      ['colour=blue', 'colour'],
    ]) {
      const answer = await call('GET', `/v1/queue/pending?${query}`, master());
      expect(answer.status, query).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'invalid_request', param });
    }
  });
});

describe('approve and deny', () => {
  it('resolves once: {success: true}, then 409 with the outcome that stands', async () => {
    const answer = await askForWire();
    const approved = await call('POST', `/v1/queue/${String(answer.review_id)}/approve`, keys.reviewer, {
      resolved_by: 'ada',
      note: 'verified by phone',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ success: true, item: { status: 'approved', resolved_by: 'ada' } });
    const again = await call('POST', `/v1/queue/${String(answer.trace_id)}/deny`, keys.admin, {
      resolved_by: 'bo',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      error: { code: 'conflict', type: 'invalid_request_error' },
      item: { status: 'approved', resolved_by: 'ada', resolution_note: 'verified by phone' },
    });
    const item = await call('GET', `/v1/queue/${String(answer.review_id)}`, master());
    expect(item.body).toMatchObject({
      status: 'approved',
      resolved_by: 'ada',
      resolver_key_id: expect.stringMatching(/^key_/) as string,
    });
  });

  it('denies by trace id, naming the key when resolved_by is blank', async () => {
    const answer = await askForWire();
    // Lelu's SDK sends an empty note; an empty resolved_by counts as none.
    const denied = await call('POST', `/v1/queue/${String(answer.trace_id)}/deny`, master(), {
      resolved_by: ' ',
      note: '',
    });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({
      success: true,
      item: { id: answer.review_id, status: 'denied', resolved_by: 'master' },
    });
  });

  it('refuses malformed bodies with a 400 naming the field, resolving nothing', async () => {
    const answer = await askForWire();
    const path = `/v1/queue/${String(answer.review_id)}/approve`;
    for (const [body, param] of [
      [{ resolved_by: 7 }, 'resolved_by'],
      [{ resolved_by: 'x'.repeat(201) }, 'resolved_by'],
      [{ note: 'x'.repeat(2_001) }, 'note'],
      [{ approve: true }, 'approve'],
    ] as const) {
      const refused = await call('POST', path, keys.reviewer, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error).toMatchObject({ param });
    }
    expect((await call('POST', path, keys.reviewer, [1, 2])).status).toBe(400);
    expect((await call('POST', path, keys.reviewer, '{"resolved_by":')).status).toBe(400);
    expect((await call('GET', `/v1/queue/${String(answer.review_id)}`, master())).body.status).toBe(
      'pending',
    );
  });

  it('answers 404 in the OpenAI error shape for an unknown id', async () => {
    for (const [method, path] of [
      ['GET', '/v1/queue/rev_00000000000000000000000000000000'],
      ['GET', '/v1/queue/nope/wait?timeout_ms=0'],
      ['POST', '/v1/queue/nope/approve'],
      ['POST', `/v1/queue/${'x'.repeat(99)}/deny`],
    ] as const) {
      const answer = await call(method, path, master());
      expect(answer.status, path).toBe(404);
      expect(answer.body.error).toMatchObject({
        code: 'not_found',
        type: 'invalid_request_error',
        param: 'id',
      });
    }
  });
});

describe('GET /v1/queue/{id}/wait', () => {
  it('returns 200 with the item as soon as it is resolved', async () => {
    const answer = await askForWire();
    const waiting = call(
      'GET',
      `/v1/queue/${String(answer.trace_id)}/wait?timeout_ms=10000`,
      keys['pay-bot'],
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await call('POST', `/v1/queue/${String(answer.review_id)}/approve`, keys.reviewer, {
      resolved_by: 'ada',
    });
    const waited = await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(waited).toMatchObject({ status: 200, body: { id: answer.review_id, status: 'approved' } });
    // Resolved already: answered at once.
    const later = await call('GET', `/v1/queue/${String(answer.review_id)}/wait`, keys['pay-bot']);
    expect(later).toMatchObject({ status: 200, body: { status: 'approved' } });
  });

  it('returns 408 with the pending item when the time runs out', async () => {
    const answer = await askForWire();
    const started = Date.now();
    const waited = await call('GET', `/v1/queue/${String(answer.review_id)}/wait?timeout_ms=300`, master());
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(waited).toMatchObject({ status: 408, body: { id: answer.review_id, status: 'pending' } });
    expect(
      (await call('GET', `/v1/queue/${String(answer.review_id)}/wait?timeout_ms=0`, master())).status,
    ).toBe(408);
  });

  it('refuses a timeout_ms that is not a whole number from 0 to 60000', async () => {
    const answer = await askForWire();
    for (const value of ['-1', '60001', '1.5', 'soon', '', '1e3']) {
      const refused = await call(
        'GET',
        `/v1/queue/${String(answer.review_id)}/wait?timeout_ms=${value}`,
        master(),
      );
      expect(refused.status, value).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'invalid_request', param: 'timeout_ms' });
    }
  });
});

describe('who may read and resolve', () => {
  it('lets the master key, admin and reviewer keys resolve; never a user key or a key bound to an agent', async () => {
    for (const [name, status] of [
      ['user', 403],
      ['pay-bot', 403],
      ['admin-bot', 403],
      ['reviewer-bot', 403],
      ['other-bot', 403],
    ] as const) {
      const answer = await askForWire();
      for (const verb of ['approve', 'deny']) {
        for (const id of [answer.review_id, answer.trace_id]) {
          const refused = await call('POST', `/v1/queue/${String(id)}/${verb}`, keys[name], {
            resolved_by: name,
          });
          expect(refused.status, `${name} ${verb}`).toBe(status);
          expect(errorCode(refused)).toBe('permission_denied');
        }
      }
      expect((await call('GET', `/v1/queue/${String(answer.review_id)}`, master())).body.status).toBe(
        'pending',
      );
    }
    expect((await call('POST', '/v1/queue/x/approve', undefined)).status).toBe(401);
    expect((await call('POST', '/v1/queue/x/approve', 'gh-not-a-key')).status).toBe(401);
  });

  it('lets a key bound to an agent read and wait on its own items only; others are not found', async () => {
    const own = await askForWire('pay-bot');
    const others = await askForWire('other-bot');
    expect((await call('GET', `/v1/queue/${String(own.review_id)}`, keys['pay-bot'])).status).toBe(200);
    expect((await call('GET', `/v1/queue/${String(own.trace_id)}`, keys['admin-bot'])).status).toBe(200);
    for (const path of [
      `/v1/queue/${String(others.review_id)}`,
      `/v1/queue/${String(others.trace_id)}`,
      `/v1/queue/${String(others.review_id)}/wait?timeout_ms=0`,
    ]) {
      const hidden = await call('GET', path, keys['pay-bot']);
      expect(hidden.status, path).toBe(404);
      expect(errorCode(hidden)).toBe('not_found');
    }
    const listed = await call('GET', '/v1/queue/pending', keys['pay-bot']);
    const actors = new Set((listed.body.items as { actor: string }[]).map((item) => item.actor));
    expect([...actors]).toEqual(['pay-bot']);
    const spying = await call('GET', '/v1/queue/pending?actor=other-bot', keys['pay-bot']);
    expect(spying.status).toBe(403);
  });

  it('keeps a plain user key out of reading, listing and waiting', async () => {
    const answer = await askForWire();
    for (const path of [
      '/v1/queue/pending',
      `/v1/queue/${String(answer.review_id)}`,
      `/v1/queue/${String(answer.review_id)}/wait?timeout_ms=0`,
    ]) {
      const refused = await call('GET', path, keys.user);
      expect(refused.status, path).toBe(403);
      expect(errorCode(refused)).toBe('permission_denied');
    }
  });

  it('does not resolve, or show, an item of another tenant named by its trace id', async () => {
    const answer = await askForWire();
    const item = await call('GET', `/v1/queue/${String(answer.review_id)}`, master());
    for (const verb of ['approve', 'deny']) {
      const refused = await call(
        'POST',
        `/v1/queue/${String(answer.trace_id)}/${verb}?tenant_id=someone-else`,
        keys.reviewer,
      );
      expect(refused.status).toBe(404);
    }
    expect(
      (await call('GET', `/v1/queue/${String(answer.trace_id)}?tenant_id=someone-else`, keys.reviewer))
        .status,
    ).toBe(404);
    expect(
      (
        await call(
          'GET',
          `/v1/queue/${String(answer.trace_id)}?tenant_id=${String(item.body.tenant_id)}`,
          keys.reviewer,
        )
      ).status,
    ).toBe(200);
    expect((await call('GET', `/v1/queue/${String(answer.review_id)}`, master())).body.status).toBe(
      'pending',
    );
  });

  it('gives a reviewer key the queue and nothing else of the admin API', async () => {
    expect((await call('GET', '/admin/keys', keys.reviewer)).status).toBe(403);
    expect((await call('GET', '/v1/policy', keys.reviewer)).status).toBe(403);
    const asked = await call('POST', '/v1/agent/authorize', keys.reviewer, {
      actor: 'pay-bot',
      action: 'wire_money',
      confidence: 0.95,
    });
    expect(asked.status).toBe(403);
  });

  it('never answers a 500 to whatever id or timeout a caller sends', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 120 }), fc.string({ maxLength: 12 }), async (id, timeout) => {
        const path = `/v1/queue/${encodeURIComponent(id)}/wait?timeout_ms=${encodeURIComponent(timeout)}`;
        const answer = await fetch(`${gateway.url}${path}`, {
          headers: { authorization: `Bearer ${keys.reviewer}` },
        });
        await answer.arrayBuffer();
        expect([400, 404, 414]).toContain(answer.status);
      }),
      { numRuns: 60 },
    );
  });

  it('gives nothing away to id guessing: near misses and other shapes are not found', async () => {
    const answer = await askForWire();
    const id = String(answer.review_id);
    for (const guess of [
      `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`,
      id.toUpperCase(),
      id.slice(4),
      `${id}%20`,
      '%25',
      "rev_' or '1'='1",
    ]) {
      const found = await call('GET', `/v1/queue/${guess}`, keys.reviewer);
      expect(found.status, guess).toBe(404);
    }
  });
});

describe('expiry', () => {
  let short: TestGateway;
  beforeAll(async () => {
    short = await startTestGateway({
      governance: {
        confidence: { allow_unverified: true },
        policy: { cedar: policy },
        review: { ttl_seconds: 1 },
      },
    });
  });
  afterAll(() => short?.close());

  const shortCall = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${short.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${short.masterKey}`, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('denies a review nobody resolved in time: waiters get 200 with the denial, readers see it, resolving is refused', async () => {
    const answer = await shortCall('POST', '/v1/agent/authorize', {
      actor: 'pay-bot',
      action: 'wire_money',
      confidence: 0.95,
    });
    const id = String(answer.body.review_id);
    const started = Date.now();
    const waited = await shortCall('GET', `/v1/queue/${id}/wait?timeout_ms=10000`);
    expect(Date.now() - started).toBeLessThan(3_000);
    const expired = { status: 'denied', resolved_by: 'expired' };
    expect(waited).toMatchObject({ status: 200, body: expired });
    expect((await shortCall('GET', `/v1/queue/${id}`)).body).toMatchObject(expired);
    expect((await shortCall('GET', '/v1/queue/pending')).body).toEqual({ items: [], count: 0 });
    const late = await shortCall('POST', `/v1/queue/${id}/approve`, { resolved_by: 'late' });
    expect(late).toMatchObject({ status: 409, body: { item: expired } });
  });
});

describe('metrics', () => {
  const metric = (text: string, series: string): number => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };
  const scrape = async () =>
    (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${master()}` } })).text();

  it('counts reviews by outcome and reads the pending count from the database', async () => {
    const before = await scrape();
    const first = await askForWire('metric-bot');
    await askForWire('metric-bot');
    await call('POST', `/v1/queue/${String(first.review_id)}/deny`, keys.reviewer);
    const after = await scrape();
    expect(metric(after, 'gatehouse_agent_reviews_total{outcome="queued"}')).toBe(
      metric(before, 'gatehouse_agent_reviews_total{outcome="queued"}') + 2,
    );
    expect(metric(after, 'gatehouse_agent_reviews_total{outcome="denied"}')).toBe(
      metric(before, 'gatehouse_agent_reviews_total{outcome="denied"}') + 1,
    );
    const pending = await call('GET', '/v1/queue/pending?limit=500', master());
    expect(metric(after, 'gatehouse_agent_reviews_pending')).toBe(pending.body.count);
    expect(metric(after, 'gatehouse_agent_reviews_pending')).toBeGreaterThan(0);
  });
});

describe('shutdown', () => {
  it('answers waits at once (408, still pending) when the replica closes, instead of holding the drain', async () => {
    const closing = await startTestGateway({
      governance: { confidence: { allow_unverified: true }, policy: { cedar: policy } },
    });
    const headers = { authorization: `Bearer ${closing.masterKey}`, 'content-type': 'application/json' };
    const asked = await fetch(`${closing.url}/v1/agent/authorize`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ actor: 'pay-bot', action: 'wire_money', confidence: 0.95 }),
    });
    const { review_id: id } = (await asked.json()) as { review_id: string };
    const waiting = fetch(`${closing.url}/v1/queue/${id}/wait?timeout_ms=60000`, { headers });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await closing.close();
    const waited = await waiting;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(waited.status).toBe(408);
    expect(await waited.json()).toMatchObject({ id, status: 'pending' });
  });
});
