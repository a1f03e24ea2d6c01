import { describe, expect, it } from 'vitest';
import { createTracing, type TracingSettings } from '../../telemetry/index.js';
import { createAuthorizer } from '../authorizer.js';
import { neutralAgentSignals } from '../decisions/index.js';
import type { DecisionEvent } from '../events.js';
import { defaultGovernanceSection, governanceSettingsFrom } from '../governance-settings.js';
import { compilePolicy } from '../policies/index.js';
import type { Grant } from './grant.js';
import type { ActiveGrant } from './grant-registry.js';
import { compileScopes } from './scope-algebra.js';
import { phraseScreener } from '../decisions/test-phrase-screener.js';

/** A grant presented to the authorizer bounds what can be allowed, whatever the policy says. */

const grant: Grant = {
  id: 'grant_00000000000000a1',
  tenantId: 'acme',
  delegator: 'orchestrator',
  delegatee: 'reader',
  scopes: ['read_*', 'billing'],
  actingFor: 'ada',
  parentId: undefined,
  rootId: 'grant_00000000000000a1',
  lineage: [],
  depth: 1,
  issuerKeyId: 'master',
  boundKey: undefined,
  createdAt: 0,
  expiresAt: Number.MAX_SAFE_INTEGER,
  swarmExpiresAt: Number.MAX_SAFE_INTEGER,
  revokedAt: undefined,
  traceparent: undefined,
  tokenHash: '0'.repeat(64),
};
const active: ActiveGrant = { grant, ancestors: [], scopes: compileScopes(grant.scopes) };

function setup(mode: 'enforce' | 'shadow' = 'enforce') {
  const compiled = compilePolicy('permit(principal, action, resource);', 1);
  if (compiled.type !== 'compiled') throw new Error(compiled.message);
  const events: DecisionEvent[] = [];
  const authorizer = createAuthorizer({
    settings: governanceSettingsFrom({
      ...defaultGovernanceSection,
      mode,
      confidence: { ...defaultGovernanceSection.confidence, allow_unverified: true },
    }),
    policy: () => compiled.snapshot,
    signals: neutralAgentSignals,
    screen: phraseScreener,
    events: { emit: (event) => events.push(event) },
    observer: { decided: () => undefined, decidedForUser: () => undefined },
    admitTenant: () => Promise.resolve(undefined),
    tracing: createTracing({ mode: 'none' } as TracingSettings),
    now: () => 0,
    elapsed: () => 0,
    newTraceId: () => 'trace',
  });
  const ask = (body: Record<string, unknown>) =>
    authorizer.authorizeAgent({
      body: { confidence: 0.95, ...body },
      headers: {},
      boundAgent: 'reader',
      grant: active,
    });
  return { ask, events };
}

describe('a decision under a grant', () => {
  it('is the policy’s when the grant covers the action (and the scope), in the grant’s tenant and for its person', async () => {
    const { ask, events } = setup();
    const outcome = await ask({ action: 'read_invoice', scope: 'billing' });
    expect(outcome).toMatchObject({ type: 'answered', answer: { allowed: true, decision: 'allow' } });
    expect(events[0]).toMatchObject({
      tenantId: 'acme',
      actor: 'reader',
      actingFor: 'ada',
      grantId: grant.id,
    });
  });

  it('is a deny by the grant, naming what it does not cover, even though the policy permits everything', async () => {
    const { ask, events } = setup();
    const action = await ask({ action: 'delete_invoice' });
    expect(action).toMatchObject({
      type: 'answered',
      answer: {
        allowed: false,
        decision: 'deny',
        reason:
          'grant grant_00000000000000a1 does not cover action "delete_invoice" (its scopes: read_*, billing)',
      },
    });
    const scope = await ask({ action: 'read_invoice', scope: 'payroll' });
    expect(scope.type === 'answered' && scope.answer.reason).toContain('does not cover scope "payroll"');
    expect(events.map((event) => event.reasonClass)).toEqual(['grant', 'grant']);
  });

  it('is bounded in shadow mode too: a grant is a credential’s limit, not a policy on trial', async () => {
    const { ask } = setup('shadow');
    const outcome = await ask({ action: 'delete_invoice' });
    expect(outcome).toMatchObject({ type: 'answered', answer: { allowed: false, decision: 'deny' } });
    expect(outcome.type === 'answered' && outcome.answer.shadow_mode).toBeUndefined();
  });

  it('is refused (403, nothing decided) for another tenant, another agent or another person', async () => {
    const { ask, events } = setup();
    expect(await ask({ tenant_id: 'globex', action: 'read_invoice' })).toMatchObject({
      type: 'rejected',
      error: { status: 403, param: 'tenant_id' },
    });
    expect(await ask({ actor: 'orchestrator', action: 'read_invoice' })).toMatchObject({
      type: 'rejected',
      error: { status: 403, param: 'actor' },
    });
    expect(await ask({ acting_for: 'bob', action: 'read_invoice' })).toMatchObject({
      type: 'rejected',
      error: { status: 403, param: 'acting_for' },
    });
    expect(events).toEqual([]);
  });
});
