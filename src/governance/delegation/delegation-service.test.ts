import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlStores, type SqlStores } from '../../stores/sql/index.js';
import { createTracing } from '../../telemetry/index.js';
import { compilePolicy } from '../policies/index.js';
import type { DelegationCaller } from './delegation-caller.js';
import type { DelegationEvent, SwarmOutcome } from './delegation-events.js';
import { createDelegationService, type DelegationService } from './delegation-service.js';
import {
  defaultDelegationSection,
  delegationSettingsFrom,
  type DelegationConfigSection,
} from './delegation-settings.js';
import { createGrantRegistry, type GrantRegistry } from './grant-registry.js';

/**
 * The delegation rules end to end below HTTP: a real SQLite store, a compiled Cedar policy, a
 * clock the test moves. Every refusal is Lelu's 403 answer naming why; nothing is trimmed.
 */

const permitAll = 'permit(principal, action, resource);';
const start = 1_700_000_000_000;

const admin: DelegationCaller = {
  kind: 'key',
  keyId: 'master',
  role: 'admin',
  agentId: undefined,
  keyHash: undefined,
};
const agentKey = (agent: string, keyId = 'key_00000000000000a1'): DelegationCaller => ({
  kind: 'key',
  keyId,
  role: 'user',
  agentId: agent,
  keyHash: 'ab'.repeat(32),
});
const userKey: DelegationCaller = {
  kind: 'key',
  keyId: 'key_00000000000000b2',
  role: 'user',
  agentId: undefined,
  keyHash: 'cd'.repeat(32),
};

interface Setup {
  readonly service: DelegationService;
  readonly registry: GrantRegistry;
  readonly stores: SqlStores;
  readonly events: DelegationEvent[];
  readonly outcomes: SwarmOutcome[];
  readonly joined: number[];
  advance(milliseconds: number): void;
}

const opened: { stores: SqlStores; registry: GrantRegistry; directory: string }[] = [];
afterEach(async () => {
  for (const { stores, registry, directory } of opened.splice(0)) {
    await registry.stop();
    await stores.close();
    rmSync(directory, { recursive: true, force: true });
  }
});

async function setup(overrides: Partial<DelegationConfigSection> = {}, policy = permitAll): Promise<Setup> {
  const directory = mkdtempSync(join(tmpdir(), 'gatehouse-delegation-'));
  const stores = await createSqlStores({ dataDir: directory });
  let now = start;
  const registry = createGrantRegistry({
    store: stores.grants,
    channel: undefined,
    pollIntervalMs: 60_000,
    now: () => now,
    onError: (error) => {
      throw error;
    },
  });
  opened.push({ stores, registry, directory });
  const compiled = compilePolicy(policy, 1);
  if (compiled.type !== 'compiled') throw new Error(compiled.message);
  const events: DelegationEvent[] = [];
  const outcomes: SwarmOutcome[] = [];
  const joined: number[] = [];
  let traces = 0;
  const service = createDelegationService({
    settings: delegationSettingsFrom({ ...defaultDelegationSection, ...overrides }),
    store: stores.grants,
    registry,
    policy: () => compiled.snapshot,
    events: { emit: (event) => events.push(event) },
    observer: {
      swarmJoined: (agents) => joined.push(agents),
      swarmOperation: (outcome) => outcomes.push(outcome),
    },
    tracing: createTracing({
      mode: 'none',
      serviceName: 'test',
      sampler: 'always_on',
      capturePrompts: false,
    }),
    now: () => now,
    newTraceId: () => `trace-${(traces += 1)}`,
  });
  return { service, registry, stores, events, outcomes, joined, advance: (ms) => (now += ms) };
}

type Answer = Record<string, unknown> & { token: string; token_id: string; expires_at: number };

async function granted(
  promise: Promise<{ type: string; answer?: unknown; error?: unknown }>,
): Promise<Answer> {
  const outcome = await promise;
  if (outcome.type !== 'granted') throw new Error(`expected a grant, got ${JSON.stringify(outcome)}`);
  return outcome.answer as Answer;
}

async function refused(promise: Promise<{ type: string; answer?: unknown; error?: unknown }>) {
  const outcome = await promise;
  if (outcome.type !== 'refused') throw new Error(`expected a refusal, got ${JSON.stringify(outcome)}`);
  return outcome.answer as { allowed: false; reason: string; trace_id: string; refused_scope?: string };
}

async function rejected(promise: Promise<{ type: string; answer?: unknown; error?: unknown }>) {
  const outcome = await promise;
  if (outcome.type !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  return outcome.error as { status: number; code: string; message: string; param?: string };
}

const body = (fields: Record<string, unknown>) => ({ tenant_id: 'acme', confidence: 0.95, ...fields });
const call = (caller: DelegationCaller, fields: Record<string, unknown>) => ({
  body: body(fields),
  headers: {},
  caller,
});

/** A root from orchestrator to researcher, then researcher's delegations down a chain. */
async function rootGrant(
  setup: Setup,
  scopes: string[] = ['read_*', 'search'],
  ttl?: number,
): Promise<Answer> {
  return granted(
    setup.service.delegate(
      call(admin, {
        delegator: 'orchestrator',
        delegatee: 'researcher',
        scoped_to: scopes,
        ...(ttl === undefined ? {} : { ttl_seconds: ttl }),
      }),
    ),
  );
}

describe('delegating', () => {
  it('grants a root and a child in Lelu’s answer shape, the child under the root', async () => {
    const s = await setup();
    const root = await rootGrant(s);
    expect(root).toMatchObject({
      delegator: 'orchestrator',
      delegatee: 'researcher',
      granted_scopes: ['read_*', 'search'],
      trace_id: 'trace-1',
      tenant_id: 'acme',
      parent_token_id: null,
      root_token_id: root.token_id,
      depth: 1,
      expires_at: Math.floor((start + 30_000) / 1000),
    });
    expect(root.token).toMatch(/^gh_grant_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const child = await granted(
      s.service.delegate(
        call(agentKey('researcher'), {
          delegatee: 'reader',
          scoped_to: ['read_invoice'],
          parent_token: root.token,
        }),
      ),
    );
    expect(child).toMatchObject({
      delegator: 'researcher',
      delegatee: 'reader',
      granted_scopes: ['read_invoice'],
      parent_token_id: root.token_id,
      root_token_id: root.token_id,
      depth: 2,
    });
    expect(s.outcomes).toEqual(['granted', 'granted']);
    expect(s.joined).toEqual([2, 3]);
    expect(s.events.map((event) => event.type === 'delegation' && event.outcome)).toEqual([
      'granted',
      'granted',
    ]);
    expect(JSON.stringify(s.events)).not.toContain(root.token);
  });

  it('refuses a scope the parent lacks, naming it, and never trims it silently', async () => {
    const s = await setup();
    const root = await rootGrant(s);
    const answer = await refused(
      s.service.delegate(
        call(agentKey('researcher'), {
          delegatee: 'reader',
          scoped_to: ['read_invoice', 'approve_refund'],
          parent_token: root.token,
        }),
      ),
    );
    expect(answer).toMatchObject({ allowed: false, refused_scope: 'approve_refund' });
    expect(answer.reason).toContain(
      '"approve_refund" is not covered by the parent grant\'s scopes (read_*, search)',
    );
    expect(s.outcomes.at(-1)).toBe('refused');
    // A wider pattern is a wider scope: refused; a narrower one and the same one are granted.
    const wider = await refused(
      s.service.delegate(
        call(agentKey('researcher'), { delegatee: 'reader', scoped_to: ['re*'], parent_token: root.token }),
      ),
    );
    expect(wider.refused_scope).toBe('re*');
    const narrower = await granted(
      s.service.delegate(
        call(agentKey('researcher'), {
          delegatee: 'reader',
          scoped_to: ['read_inv*', 'search'],
          parent_token: root.token,
        }),
      ),
    );
    expect(narrower.granted_scopes).toEqual(['read_inv*', 'search']);
  });

  it('inherits the parent’s scopes when none are named, and needs them for a root', async () => {
    const s = await setup();
    const root = await rootGrant(s);
    const child = await granted(
      s.service.delegate(call(agentKey('researcher'), { delegatee: 'reader', parent_token: root.token })),
    );
    expect(child.granted_scopes).toEqual(['read_*', 'search']);
    const error = await rejected(s.service.delegate(call(admin, { delegator: 'a', delegatee: 'b' })));
    expect(error).toMatchObject({ status: 400, param: 'scoped_to' });
  });

  it('caps a TTL at the parent’s remaining lifetime and at the swarm’s end', async () => {
    const s = await setup({ swarm_operation_timeout: 600_000 });
    const root = await rootGrant(s, ['read_*'], 100);
    expect(root.expires_at).toBe(Math.floor((start + 100_000) / 1000));
    s.advance(40_000);
    const child = await granted(
      s.service.delegate(
        call(agentKey('researcher'), { delegatee: 'reader', ttl_seconds: 3_600, parent_token: root.token }),
      ),
    );
    expect(child.expires_at).toBe(root.expires_at);
    const shorter = await granted(
      s.service.delegate(
        call(agentKey('researcher'), { delegatee: 'reader', ttl_seconds: 10, parent_token: root.token }),
      ),
    );
    expect(shorter.expires_at).toBe(Math.floor((start + 50_000) / 1000));
    const long = await granted(
      s.service.delegate(
        call(admin, { delegator: 'o', delegatee: 'p', scoped_to: ['x'], ttl_seconds: 1_000_000 }),
      ),
    );
    expect(long.expires_at).toBe(Math.floor((start + 40_000 + 600_000) / 1000));
  });

  it('refuses a chain longer than max_depth at exactly grant max_depth + 1', async () => {
    const s = await setup({ max_depth: 3 });
    let parent = await rootGrant(s);
    let holder = 'researcher';
    for (const next of ['second', 'third']) {
      parent = await granted(
        s.service.delegate(call(agentKey(holder), { delegatee: next, parent_token: parent.token })),
      );
      holder = next;
    }
    expect(parent.depth).toBe(3);
    const answer = await refused(
      s.service.delegate(call(agentKey(holder), { delegatee: 'fourth', parent_token: parent.token })),
    );
    expect(answer.reason).toBe(
      'the delegation would be grant 4 of its chain, and a chain holds at most 3 (max_delegation_depth)',
    );
  });

  it('bounds the distinct agents of a swarm; agents already in it take no new place', async () => {
    const s = await setup({ max_swarm_size: 3 });
    const root = await rootGrant(s);
    const researcher = agentKey('researcher');
    await granted(s.service.delegate(call(researcher, { delegatee: 'reader', parent_token: root.token })));
    await granted(
      s.service.delegate(call(researcher, { delegatee: 'orchestrator', parent_token: root.token })),
    );
    await granted(s.service.delegate(call(researcher, { delegatee: 'reader', parent_token: root.token })));
    const answer = await refused(
      s.service.delegate(call(researcher, { delegatee: 'writer', parent_token: root.token })),
    );
    expect(answer.reason).toBe(
      `the swarm under ${root.token_id} would hold 4 distinct agents, more than max_swarm_size (3)`,
    );
    const tooBigToStart = await setup({ max_swarm_size: 1 });
    expect(
      (
        await refused(
          tooBigToStart.service.delegate(call(admin, { delegator: 'a', delegatee: 'b', scoped_to: ['x'] })),
        )
      ).reason,
    ).toBe('the new swarm would hold 2 distinct agents, more than max_swarm_size (1)');
  });

  it('ends every grant of a swarm at its operation timeout, counted from the root', async () => {
    const s = await setup({ swarm_operation_timeout: 10_000 });
    const root = await rootGrant(s, ['read_*'], 3_600);
    s.advance(6_000);
    const child = await granted(
      s.service.delegate(call(agentKey('researcher'), { delegatee: 'reader', parent_token: root.token })),
    );
    expect(child.expires_at).toBe(Math.floor((start + 10_000) / 1000));
    expect((await s.service.present(child.token)).type).toBe('active');
    s.advance(4_000);
    for (const token of [root.token, child.token]) {
      const resolution = await s.service.present(token);
      expect(resolution).toMatchObject({ type: 'refused', reason: 'timed_out' });
    }
    const late = await refused(
      s.service.delegate(call(agentKey('researcher'), { delegatee: 'reader', parent_token: root.token })),
    );
    expect(late.reason).toMatch(/^parent_token belongs to a swarm whose operation timeout ended at /);
    expect(s.outcomes.slice(-3)).toEqual(['timed_out', 'timed_out', 'timed_out']);
  });

  it('refuses below the confidence floor, and without a confidence unless the floor is 0', async () => {
    const s = await setup({ confidence_floor: 0.8 });
    const low = await refused(
      s.service.delegate(call(admin, { delegator: 'a', delegatee: 'b', scoped_to: ['x'], confidence: 0.79 })),
    );
    expect(low.reason).toBe('confidence 0.79 is below the delegation floor 0.8 (confidence_floor)');
    const none = await refused(
      s.service.delegate({
        body: { delegator: 'a', delegatee: 'b', scoped_to: ['x'] },
        headers: {},
        caller: admin,
      }),
    );
    expect(none.reason).toContain('none was sent');
    const off = await setup({ confidence_floor: 0 });
    await granted(
      off.service.delegate({
        body: { delegator: 'a', delegatee: 'b', scoped_to: ['x'] },
        headers: {},
        caller: admin,
      }),
    );
  });

  it('asks the policy per scope: principal the delegator, resource the delegatee, the terms in the context', async () => {
    const policy = `
      @id("no-refunds-for-interns") forbid(principal, action == Action::"delegate", resource == Agent::"intern") when { context.scope like "refund*" };
      @id("shallow") forbid(principal, action == Action::"delegate", resource) when { context.depth > 1 };
      @id("long-needs-confidence") forbid(principal == Agent::"orchestrator", action == Action::"delegate", resource) when { context.ttl_seconds > 60 && context.confidence.lessThan(decimal("0.99")) };
      @id("no-mixing") forbid(principal, action == Action::"delegate", resource) when { context.scopes.contains("admin") && context.scopes.contains("refund_small") && principal in Tenant::"acme" };
      @id("delegations") permit(principal, action == Action::"delegate", resource);`;
    const s = await setup({ swarm_operation_timeout: 600_000 }, policy);
    const intern = await refused(
      s.service.delegate(
        call(admin, { delegator: 'manager', delegatee: 'intern', scoped_to: ['read_x', 'refund_small'] }),
      ),
    );
    expect(intern.refused_scope).toBe('refund_small');
    expect(intern.reason).toBe(
      'the policy does not permit delegating scope "refund_small": denied by policy no-refunds-for-interns',
    );
    await granted(
      s.service.delegate(
        call(admin, { delegator: 'manager', delegatee: 'senior', scoped_to: ['refund_small'] }),
      ),
    );
    const mixing = await refused(
      s.service.delegate(
        call(admin, { delegator: 'manager', delegatee: 'senior', scoped_to: ['admin', 'refund_small'] }),
      ),
    );
    expect(mixing.reason).toContain('no-mixing');
    // Delegating to oneself is one entity for Cedar, not a duplicate it would refuse.
    await granted(
      s.service.delegate(call(admin, { delegator: 'manager', delegatee: 'manager', scoped_to: ['read'] })),
    );
    const long = await refused(
      s.service.delegate(
        call(admin, { delegator: 'orchestrator', delegatee: 'x', scoped_to: ['a'], ttl_seconds: 120 }),
      ),
    );
    expect(long.reason).toContain('long-needs-confidence');
    const root = await granted(
      s.service.delegate(
        call(admin, { delegator: 'orchestrator', delegatee: 'x', scoped_to: ['a'], ttl_seconds: 60 }),
      ),
    );
    const deep = await refused(
      s.service.delegate(call(agentKey('x'), { delegatee: 'y', parent_token: root.token })),
    );
    expect(deep.reason).toContain('denied by policy shallow');
  });

  it('takes only a plain permit: a human_review permit is no delegation', async () => {
    const s = await setup({}, '@id("ask") @decision("human_review") permit(principal, action, resource);');
    const answer = await refused(
      s.service.delegate(call(admin, { delegator: 'a', delegatee: 'b', scoped_to: ['x'] })),
    );
    expect(answer.reason).toBe(
      'the policy does not permit delegating scope "x": policy ask requires human review (human_review is not a permit to delegate)',
    );
  });
});

describe('who may delegate and mint', () => {
  it('refuses an unbound user key, and a bound key acting as another agent', async () => {
    const s = await setup();
    expect(
      await rejected(s.service.delegate(call(userKey, { delegator: 'a', delegatee: 'b', scoped_to: ['x'] }))),
    ).toMatchObject({
      status: 403,
      code: 'permission_denied',
    });
    const impersonation = await rejected(
      s.service.delegate(
        call(agentKey('researcher'), { delegator: 'orchestrator', delegatee: 'b', scoped_to: ['x'] }),
      ),
    );
    expect(impersonation.message).toBe(
      'This key is bound to agent "researcher" and may delegate only as it, not as "orchestrator".',
    );
    // Filled in from the key when absent.
    const own = await granted(
      s.service.delegate(call(agentKey('researcher'), { delegatee: 'b', scoped_to: ['x'] })),
    );
    expect(own.delegator).toBe('researcher');
    expect(await rejected(s.service.mint(call(userKey, { scope: 'x' })))).toMatchObject({
      code: 'permission_denied',
    });
  });

  it('refuses a parent_token held by another agent, from another tenant, or acting for someone else', async () => {
    const s = await setup();
    const root = await rootGrant(s);
    const stolen = await refused(
      s.service.delegate(call(agentKey('thief'), { delegatee: 'b', parent_token: root.token })),
    );
    expect(stolen.reason).toBe(
      'parent_token was granted to "researcher"; only that agent may delegate from it',
    );
    const elsewhere = await refused(
      s.service.delegate(
        call(agentKey('researcher'), { tenant_id: 'globex', delegatee: 'b', parent_token: root.token }),
      ),
    );
    expect(elsewhere.reason).toBe('parent_token belongs to another tenant than "globex"');
    const forAda = await granted(
      s.service.delegate(
        call(admin, { delegator: 'o', delegatee: 'r', scoped_to: ['x'], acting_for: 'ada' }),
      ),
    );
    const forBob = await refused(
      s.service.delegate(
        call(agentKey('r'), { delegatee: 'b', acting_for: 'bob', parent_token: forAda.token }),
      ),
    );
    expect(forBob.reason).toBe('parent_token acts for "ada", and its delegations may act for no one else');
    const inherited = await granted(
      s.service.delegate(call(agentKey('r'), { delegatee: 'b', parent_token: forAda.token })),
    );
    expect(inherited.acting_for).toBe('ada');
  });

  it('refuses forged, tampered, revoked and expired parent tokens alike in shape, each saying why', async () => {
    const s = await setup();
    const root = await rootGrant(s, ['x'], 5);
    const researcher = agentKey('researcher');
    const tampered = `${root.token.slice(0, -1)}${root.token.endsWith('A') ? 'B' : 'A'}`;
    const forged = `gh_grant_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    for (const token of [tampered, forged, 'gh_grant_short', root.token.replace('gh_grant_', 'gh_grant_f')]) {
      const answer = await refused(
        s.service.delegate(call(researcher, { delegatee: 'b', parent_token: token })),
      );
      expect(answer.reason).toBe('parent_token is not a valid grant token');
    }
    s.advance(5_000);
    expect(
      (await refused(s.service.delegate(call(researcher, { delegatee: 'b', parent_token: root.token }))))
        .reason,
    ).toMatch(/^parent_token expired at /);
    const other = await rootGrant(s, ['x']);
    await s.service.revoke({ tokenId: other.token_id, caller: admin });
    expect(
      (await refused(s.service.delegate(call(researcher, { delegatee: 'b', parent_token: other.token }))))
        .reason,
    ).toBe('parent_token has been revoked (it, or a grant it descends from)');
  });

  it('lets a grant presented as the credential delegate only as its holder, from itself', async () => {
    const s = await setup();
    const root = await rootGrant(s);
    const presented = await s.service.present(root.token);
    if (presented.type !== 'active') throw new Error('the root should be in force');
    const asGrant: DelegationCaller = { kind: 'grant', active: presented.active };
    const child = await granted(
      s.service.delegate(call(asGrant, { delegatee: 'reader', scoped_to: ['search'] })),
    );
    expect(child).toMatchObject({ delegator: 'researcher', parent_token_id: root.token_id });
    expect(
      (await rejected(s.service.delegate(call(asGrant, { delegator: 'orchestrator', delegatee: 'x' }))))
        .message,
    ).toBe('This grant is held by agent "researcher" and may delegate only as it, not as "orchestrator".');
    const other = await rootGrant(s);
    expect(
      (await refused(s.service.delegate(call(asGrant, { delegatee: 'x', parent_token: other.token }))))
        .reason,
    ).toContain('parent_token is not the grant presented as the credential');
    expect((await rejected(s.service.mint(call(asGrant, { scope: 'x' })))).message).toContain(
      'A grant cannot mint tokens',
    );
  });

  it('mints a root token for a bound key’s own agent, bound to that key; an admin names the agent', async () => {
    const s = await setup();
    const minted = await granted(
      s.service.mint({
        body: { tenant_id: 'acme', scope: 'read_invoice llm', acting_for: 'ada', ttl_seconds: 10 },
        headers: {},
        caller: agentKey('bot'),
      }),
    );
    expect(minted).toMatchObject({
      actor: 'bot',
      scopes: ['read_invoice', 'llm'],
      acting_for: 'ada',
      expires_at: Math.floor((start + 10_000) / 1000),
    });
    const stored = await s.stores.grants.find(minted.token_id);
    expect(stored).toMatchObject({
      delegator: undefined,
      delegatee: 'bot',
      depth: 1,
      boundKey: { id: 'key_00000000000000a1' },
    });
    expect(stored?.tokenHash).not.toContain(minted.token);
    expect((await rejected(s.service.mint(call(admin, { scope: 'x' })))).param).toBe('actor');
    const forAny = await granted(s.service.mint(call(admin, { scope: 'x', actor: 'anyone' })));
    expect((await s.stores.grants.find(forAny.token_id))?.boundKey).toBeUndefined();
    expect(s.events.map((event) => event.type)).toEqual(['token.minted', 'token.minted']);
  });
});

describe('revoking', () => {
  it('revokes a grant and its descendants, not its parent; only those up its chain may', async () => {
    const s = await setup();
    const root = await rootGrant(s);
    const child = await granted(
      s.service.delegate(call(agentKey('researcher'), { delegatee: 'reader', parent_token: root.token })),
    );
    const grandchild = await granted(
      s.service.delegate(call(agentKey('reader'), { delegatee: 'leaf', parent_token: child.token })),
    );
    // The leaf's holder may not revoke its parent; a stranger may not revoke anything; both are told "no such token".
    for (const caller of [
      agentKey('leaf', 'key_00000000000000d4'),
      agentKey('stranger', 'key_00000000000000c3'),
    ]) {
      const outcome = await s.service.revoke({ tokenId: child.token_id, caller });
      expect(outcome).toMatchObject({ type: 'rejected', error: { code: 'not_found' } });
    }
    const revoked = await s.service.revoke({ tokenId: child.token_id, caller: agentKey('researcher') });
    expect(revoked).toEqual({
      type: 'revoked',
      answer: {
        success: true,
        token_id: child.token_id,
        revoked_token_ids: [child.token_id, grandchild.token_id],
      },
    });
    expect(await s.service.present(grandchild.token)).toMatchObject({ type: 'refused', reason: 'revoked' });
    expect(await s.service.present(child.token)).toMatchObject({ type: 'refused', reason: 'revoked' });
    expect((await s.service.present(root.token)).type).toBe('active');
    expect(s.events.at(-1)).toMatchObject({
      type: 'token.revoked',
      revokedGrantIds: [child.token_id, grandchild.token_id],
    });
    expect(await s.service.revoke({ tokenId: 'not-an-id', caller: admin })).toMatchObject({
      type: 'rejected',
    });
  });
});
