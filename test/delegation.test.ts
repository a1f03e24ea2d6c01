import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import {
  chat,
  createKey,
  errorOf,
  eventually,
  generousLimits,
  isolatedState,
  postgresUrl,
  usageRows,
  type CreatedKey,
  type IsolatedState,
} from './support/shared-state.js';

/**
 * Delegation and grants over real sockets against the real gateway on Postgres: minting,
 * delegating and revoking (Lelu's routes and answers), grants presented as the credential to
 * `/v1/agent/authorize` (bounded by their scopes) and to `/v1/chat/completions` (spending the key
 * they were minted with), and the attacks: forged, tampered, expired, revoked and foreign tokens,
 * scope escalation through parent_token, a chain one grant too long, a swarm one agent too big.
 */

const policy = [
  '@id("agents") permit(principal is Agent, action, resource);',
  '@id("no-payroll-for-interns") forbid(principal, action == Action::"delegate", resource == Agent::"intern") when { context.scope == "payroll" };',
].join('\n');

let state: IsolatedState;
let gateway: TestGateway;
let orchestratorKey: CreatedKey;
let plainKey: CreatedKey;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function send(method: string, path: string, credential: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${credential}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const post = (path: string, credential: string, body: unknown) => send('POST', path, credential, body);
const mint = (credential: string, body: Record<string, unknown>) =>
  post('/v1/tokens/mint', credential, { tenant_id: 'acme', ...body });
const delegate = (credential: string, body: Record<string, unknown>) =>
  post('/v1/agent/delegate', credential, { tenant_id: 'acme', confidence: 0.95, ...body });
const authorize = (credential: string, body: Record<string, unknown>) =>
  post('/v1/agent/authorize', credential, { tenant_id: 'acme', confidence: 0.95, ...body });
const revoke = (credential: string, id: string) => send('DELETE', `/v1/tokens/${id}`, credential);

function tokenOf(answer: Answer): string {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return String(answer.body.token);
}

beforeAll(async () => {
  state = await isolatedState('delegation');
  gateway = await startTestGateway({
    database_url: postgresUrl,
    database_schema: state.schema,
    governance: {
      confidence: { allow_unverified: true },
      policy: { cedar: policy },
      delegation: { max_depth: 3, max_swarm_size: 4, swarm_operation_timeout: '10m', llm_routes: true },
    },
  });
  orchestratorKey = await createKey(gateway.url, gateway.masterKey, {
    name: 'orchestrator',
    agent_id: 'orchestrator',
    limits: generousLimits,
    budget: { usd: 5, period: 'month' },
  });
  plainKey = await createKey(gateway.url, gateway.masterKey, { name: 'plain', limits: generousLimits });
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  await state?.cleanUp();
});

describe('a grant presented to /v1/agent/authorize', () => {
  it('decides within its scopes and denies outside them, whatever the policy permits', async () => {
    const token = tokenOf(await mint(orchestratorKey.secret, { scope: 'read_* search', acting_for: 'ada' }));
    const inside = await authorize(token, { action: 'read_invoice' });
    expect(inside.status).toBe(200);
    expect(inside.body).toMatchObject({ allowed: true, decision: 'allow' });
    const outside = await authorize(token, { action: 'delete_invoice' });
    expect(outside.status).toBe(200);
    expect(outside.body).toMatchObject({ allowed: false, decision: 'deny' });
    expect(String(outside.body.reason)).toMatch(
      /^grant grant_[0-9a-f]{16} does not cover action "delete_invoice" \(its scopes: read_\*, search\)$/,
    );
  });

  it('is about its holder, in its tenant, for its person: anything else is refused unanswered', async () => {
    const token = tokenOf(await mint(orchestratorKey.secret, { scope: 'read_*', acting_for: 'ada' }));
    const otherTenant = await authorize(token, { tenant_id: 'globex', action: 'read_invoice' });
    expect(otherTenant.status).toBe(403);
    expect((otherTenant.body.error as { param: string }).param).toBe('tenant_id');
    expect((await authorize(token, { actor: 'someone-else', action: 'read_invoice' })).status).toBe(403);
    expect((await authorize(token, { acting_for: 'bob', action: 'read_invoice' })).status).toBe(403);
    // Without a tenant, the grant's tenant is meant.
    const implied = await post('/v1/agent/authorize', token, { action: 'read_invoice', confidence: 0.95 });
    expect(implied.body).toMatchObject({ allowed: true });
  });

  it('is refused when forged, tampered with, revoked or expired, and never works on the admin API', async () => {
    const minted = await mint(orchestratorKey.secret, { scope: 'read_*', ttl_seconds: 1 });
    const token = tokenOf(minted);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const credential of [tampered, `gh_grant_${'0'.repeat(16)}_${'A'.repeat(43)}`, 'gh_grant_x']) {
      const refused = await authorize(credential, { action: 'read_invoice' });
      expect(refused.status).toBe(401);
      expect((refused.body.error as { code: string }).code).toBe('invalid_api_key');
    }
    expect((await send('GET', '/admin/keys', token)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const expired = await authorize(token, { action: 'read_invoice' });
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ code: 'expired_api_key' });
    const other = tokenOf(await mint(orchestratorKey.secret, { scope: 'read_*' }));
    expect((await revoke(orchestratorKey.secret, mintedId(other) ?? '')).status).toBe(200);
    const revoked = await authorize(other, { action: 'read_invoice' });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toMatchObject({ code: 'revoked_api_key' });
  });
});

/** The id a token names (`gh_grant_<hex>_…` → `grant_<hex>`). */
function mintedId(token: string): string | undefined {
  const match = /^gh_grant_([0-9a-f]{16})_/.exec(token);
  return match === null ? undefined : `grant_${match[1]}`;
}

describe('delegating over HTTP', () => {
  it('answers a grant in Lelu’s shape, and a refusal as Lelu’s 403 naming the scope', async () => {
    const root = await delegate(gateway.masterKey, {
      delegator: 'orchestrator',
      delegatee: 'researcher',
      scoped_to: ['read_*', 'payroll'],
      ttl_seconds: 300,
    });
    expect(root.status).toBe(200);
    expect(Object.keys(root.body)).toEqual(
      expect.arrayContaining([
        'token',
        'token_id',
        'expires_at',
        'delegator',
        'delegatee',
        'granted_scopes',
        'trace_id',
      ]),
    );
    expect(root.body.expires_at).toBeTypeOf('number');
    // The researcher passes a narrower grant on, presenting its own grant as the credential.
    const child = await delegate(String(root.body.token), {
      delegatee: 'reader',
      scoped_to: ['read_invoice'],
    });
    expect(child.status).toBe(200);
    expect(child.body).toMatchObject({
      delegator: 'researcher',
      depth: 2,
      parent_token_id: root.body.token_id,
    });
    // Escalation through the parent: refused, named, nothing trimmed.
    const escalation = await delegate(String(root.body.token), {
      delegatee: 'reader',
      scoped_to: ['read_invoice', 'approve_refund'],
    });
    expect(escalation.status).toBe(403);
    expect(escalation.body).toMatchObject({ allowed: false, refused_scope: 'approve_refund' });
    expect(escalation.body.trace_id).toBeTypeOf('string');
    expect(escalation.body).not.toHaveProperty('token');
    // The policy's word, per scope.
    const intern = await delegate(String(root.body.token), { delegatee: 'intern', scoped_to: ['payroll'] });
    expect(intern.status).toBe(403);
    expect(intern.body.reason).toBe(
      'the policy does not permit delegating scope "payroll": denied by policy no-payroll-for-interns',
    );
  });

  it('refuses the grant one past max_depth, and the agent one past max_swarm_size', async () => {
    const first = tokenOf(
      await delegate(gateway.masterKey, { delegator: 'a1', delegatee: 'a2', scoped_to: ['x'] }),
    );
    const second = tokenOf(await delegate(first, { delegatee: 'a3' }));
    const third = await delegate(second, { delegatee: 'a4' });
    expect(third.body.depth).toBe(3);
    const fourth = await delegate(String(third.body.token), { delegatee: 'a5' });
    expect(fourth.status).toBe(403);
    expect(fourth.body.reason).toContain('a chain holds at most 3');
    // a1, a2, a3, a4 fill the swarm; a fifth agent does not fit, an agent already in it does.
    expect((await delegate(first, { delegatee: 'a1' })).status).toBe(200);
    const fifth = await delegate(first, { delegatee: 'a5' });
    expect(fifth.status).toBe(403);
    expect(fifth.body.reason).toContain('more than max_swarm_size (4)');
  });

  it('refuses a token from another tenant and a child used after its root expired', async () => {
    const globex = tokenOf(await mint(gateway.masterKey, { tenant_id: 'globex', scope: 'x', actor: 'bot' }));
    const foreign = await delegate(globex, { delegatee: 'b' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.reason).toBe('parent_token belongs to another tenant than "acme"');
    const root = tokenOf(
      await delegate(gateway.masterKey, { delegator: 'o', delegatee: 'p', scoped_to: ['x'], ttl_seconds: 1 }),
    );
    const child = tokenOf(await delegate(root, { delegatee: 'q', ttl_seconds: 600 }));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await authorize(child, { action: 'x' })).status).toBe(401);
  });

  it('lets only the master key, admin keys and agent-bound keys (as their agent) mint and delegate', async () => {
    const refusedMint = await mint(plainKey.secret, { scope: 'x', actor: 'bot' });
    expect(refusedMint.status).toBe(403);
    expect(
      (await delegate(plainKey.secret, { delegator: 'a', delegatee: 'b', scoped_to: ['x'] })).status,
    ).toBe(403);
    const impersonation = await mint(orchestratorKey.secret, { scope: 'x', actor: 'someone-else' });
    expect(impersonation.status).toBe(403);
    expect((impersonation.body.error as { message: string }).message).toContain(
      'bound to agent "orchestrator"',
    );
    const admin = await createKey(gateway.url, gateway.masterKey, { name: 'admin', role: 'admin' });
    expect((await mint(admin.secret, { scope: 'x', actor: 'anyone' })).status).toBe(200);
    expect((await send('POST', '/v1/tokens/mint', 'gh-not-a-key', { scope: 'x' })).status).toBe(401);
  });

  it('revokes a grant with everything under it, and only for those up its chain', async () => {
    const root = await delegate(orchestratorKey.secret, { delegatee: 'researcher', scoped_to: ['read_*'] });
    const child = await delegate(String(root.body.token), { delegatee: 'reader' });
    const leaf = await delegate(String(child.body.token), { delegatee: 'leaf' });
    expect((await revoke(String(leaf.body.token), String(child.body.token_id))).status).toBe(404);
    expect((await revoke(plainKey.secret, String(child.body.token_id))).status).toBe(404);
    const revoked = await revoke(String(root.body.token), String(child.body.token_id));
    expect(revoked).toEqual({
      status: 200,
      body: {
        success: true,
        token_id: child.body.token_id,
        revoked_token_ids: [child.body.token_id, leaf.body.token_id],
      },
    });
    expect((await authorize(String(leaf.body.token), { action: 'read_x' })).status).toBe(401);
    expect((await authorize(String(root.body.token), { action: 'read_x' })).status).toBe(200);
    expect((await revoke(gateway.masterKey, 'grant_ffffffffffffffff')).status).toBe(404);
  });
});

describe('bad input to the delegation routes', () => {
  it.each([
    ['/v1/agent/delegate', '{"delegatee":', 400],
    ['/v1/agent/delegate', { delegatee: 5 }, 400],
    ['/v1/agent/delegate', { delegatee: 'b', scoped_to: 'x', ttl_seconds: -1 }, 400],
    ['/v1/tokens/mint', { scope: 7, actor: 'b' }, 400],
    ['/v1/tokens/mint', { actor: 'b' }, 400],
    ['/v1/tokens/mint', [], 400],
  ])('%s refuses %j with %i naming the problem', async (path, body, status) => {
    const answer = await post(path, gateway.masterKey, body);
    expect(answer.status).toBe(status);
    expect((answer.body.error as { message: string }).message).toBeTypeOf('string');
  });

  it('refuses a body too large before reading it, and an unauthenticated one unread', async () => {
    const huge = { delegatee: 'b', scoped_to: ['x'], padding: 'x'.repeat(11 * 1024 * 1024) };
    expect((await post('/v1/agent/delegate', gateway.masterKey, huge)).status).toBe(413);
    expect((await post('/v1/agent/delegate', 'gh_grant_forged', { delegatee: 'b' })).status).toBe(401);
  });
});

describe('a grant on the model routes (llm_routes)', () => {
  it('works as the key it was minted with, its usage counted against that key', async () => {
    const token = tokenOf(await mint(orchestratorKey.secret, { scope: 'llm read_*' }));
    const answered = await chat(gateway.url, { key: token });
    expect(answered.status, answered.text).toBe(200);
    const rows = await eventually(
      () => usageRows(state.db, orchestratorKey.id),
      (found) => found.length >= 1,
      5_000,
      'the usage record of the grant’s request',
    );
    expect(rows[0]).toMatchObject({ key_id: orchestratorKey.id, model: 'mock', status: 200 });
  });

  it('is refused without scope llm, when minted with the master key, and once revoked', async () => {
    const noLlm = tokenOf(await mint(orchestratorKey.secret, { scope: 'read_*' }));
    const refused = await chat(gateway.url, { key: noLlm });
    expect(refused.status).toBe(403);
    expect(errorOf(refused).message).toContain('does not cover scope "llm"');
    const unbound = tokenOf(await mint(gateway.masterKey, { scope: 'llm', actor: 'bot' }));
    expect((await chat(gateway.url, { key: unbound })).status).toBe(403);
    const token = tokenOf(await mint(orchestratorKey.secret, { scope: 'llm' }));
    expect((await chat(gateway.url, { key: token })).status).toBe(200);
    await revoke(orchestratorKey.secret, mintedId(token) ?? '');
    const afterRevocation = await chat(gateway.url, { key: token });
    expect(afterRevocation.status).toBe(401);
    expect(errorOf(afterRevocation).code).toBe('revoked_api_key');
  });
});

describe('what delegation reports', () => {
  it('counts swarm operations and sizes without per-swarm labels, logs events, and never a token', async () => {
    const text = await (
      await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${gateway.masterKey}` } })
    ).text();
    expect(text).toMatch(/gatehouse_swarm_operations_total\{outcome="granted"\} [1-9]/);
    expect(text).toMatch(/gatehouse_swarm_operations_total\{outcome="refused"\} [1-9]/);
    expect(text).toMatch(/gatehouse_swarm_operations_total\{outcome="used"\} [1-9]/);
    expect(text).toMatch(/gatehouse_swarm_operations_total\{outcome="revoked"\} [1-9]/);
    expect(text).toMatch(/gatehouse_swarm_agent_count_bucket\{le="4"\} [1-9]/);
    expect(text).not.toMatch(/gatehouse_swarm_agent_count_bucket\{[^}]*grant/);
    const events = gateway
      .logRecords()
      .filter((record) => record.msg === 'delegation event')
      .map((record) => record.event as { type: string; outcome?: string });
    expect(new Set(events.map((event) => event.outcome ?? event.type))).toEqual(
      new Set(['granted', 'refused', 'token.minted', 'token.revoked']),
    );
    expect(gateway.logs()).not.toMatch(/gh_grant_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/);
  });

  it('records every delegation, refusal, mint and revocation in the audit log, grant ids and never a token', async () => {
    const rows = await eventually(
      async () =>
        (
          await state.db.query<{ type: string; details: Record<string, unknown> | string }>(
            "select type, details from audit_records where type like 'delegation.%' or type like 'token.%'",
          )
        ).rows,
      (found) => new Set(found.map((row) => row.type)).size === 4,
      5_000,
      'the delegation audit records',
    );
    expect(new Set(rows.map((row) => row.type))).toEqual(
      new Set(['delegation.granted', 'delegation.refused', 'token.minted', 'token.revoked']),
    );
    const details = rows.map((row) =>
      typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
    );
    expect(details.filter((detail) => typeof detail.grant_id === 'string').length).toBeGreaterThan(0);
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/gh_grant_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/);
  });
});
