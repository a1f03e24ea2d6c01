import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { exampleCedarPolicy } from '../../config/starter-template.js';
import type { PolicyRequest, PolicySnapshot } from '../contract.js';
import { compilePolicy, policyDigest } from './policy-snapshot.js';

function compiled(text: string, version = 1): PolicySnapshot {
  const result = compilePolicy(text, version);
  if (result.type !== 'compiled') throw new Error(result.message);
  return result.snapshot;
}

function request(
  overrides: Partial<Omit<PolicyRequest, 'context'>> & { context?: Partial<PolicyRequest['context']> } = {},
): PolicyRequest {
  return {
    tenantId: 'acme',
    actor: 'invoice-bot',
    action: 'read_invoice',
    resource: { id: 'inv_1', type: 'invoice' },
    ...overrides,
    context: {
      confidence: 0.95,
      scope: undefined,
      actingFor: undefined,
      risk: 0.1,
      time: 1_700_000_000,
      args: {},
      ...overrides.context,
    },
  };
}

describe('a compiled Cedar policy', () => {
  it('carries the SHA-256 of its text and its version', () => {
    const snapshot = compiled('permit(principal, action, resource);', 7);
    expect(snapshot.digest).toBe(policyDigest('permit(principal, action, resource);'));
    expect(snapshot.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshot.version).toBe(7);
  });

  it('allows on a matching permit and names it', () => {
    const verdict = compiled(
      '@id("read") permit(principal, action == Action::"read_invoice", resource);',
    ).evaluate(request());
    expect(verdict).toEqual({ decision: 'allow', reason: 'permitted by policy read', policyIds: ['read'] });
  });

  it('denies by default when no permit matches, and says so', () => {
    const verdict = compiled(
      '@id("read") permit(principal, action == Action::"read_invoice", resource);',
    ).evaluate(request({ action: 'delete_invoice' }));
    expect(verdict.decision).toBe('deny');
    expect(verdict.reason).toContain('no policy permits this request (default deny)');
    expect(verdict.policyIds).toEqual([]);
  });

  it('denies on a matching forbid even when a permit matches too', () => {
    const verdict = compiled(
      'permit(principal, action, resource);\n@id("never-delete") forbid(principal, action == Action::"delete_invoice", resource);',
    ).evaluate(request({ action: 'delete_invoice' }));
    expect(verdict).toEqual({
      decision: 'deny',
      reason: 'denied by policy never-delete',
      policyIds: ['never-delete'],
    });
  });

  it('requires review for a permit annotated @decision("human_review")', () => {
    const verdict = compiled(
      '@id("refunds") @decision("human_review") permit(principal, action, resource);',
    ).evaluate(request());
    expect(verdict).toEqual({
      decision: 'human_review',
      reason: 'policy refunds requires human review',
      policyIds: ['refunds'],
    });
  });

  it('downgrades to read-only for a permit annotated @decision("read_only")', () => {
    const verdict = compiled(
      '@id("ro") @decision("read_only") permit(principal, action, resource);',
    ).evaluate(request());
    expect(verdict).toEqual({
      decision: 'read_only',
      reason: 'policy ro permits read-only access',
      policyIds: ['ro'],
    });
  });

  it('takes the most restrictive grant when several permits match', () => {
    const verdict = compiled(
      '@id("all") permit(principal, action, resource);\n@id("ro") @decision("read_only") permit(principal, action, resource);\n@id("review") @decision("human_review") permit(principal, action, resource);',
    ).evaluate(request());
    expect(verdict.decision).toBe('human_review');
    expect(verdict.policyIds).toEqual(['review']);
  });

  it('names unannotated policies policy0, policy1, … in text order, past ten', () => {
    const text = Array.from(
      { length: 12 },
      (_, index) => `permit(principal, action == Action::"a${index}", resource);`,
    ).join('\n');
    const snapshot = compiled(text);
    expect(snapshot.evaluate(request({ action: 'a2' })).policyIds).toEqual(['policy2']);
    expect(snapshot.evaluate(request({ action: 'a11' })).policyIds).toEqual(['policy11']);
  });

  it('gives conditions the context: risk and confidence as decimals, args with integers as Longs', () => {
    const snapshot = compiled(`
      @id("confident") permit(principal, action == Action::"a", resource) when { context.confidence.greaterThanOrEqual(decimal("0.9")) };
      @id("low-risk") permit(principal, action == Action::"b", resource) when { context.risk.lessThan(decimal("0.3")) };
      @id("small") permit(principal, action == Action::"c", resource) when { context.args.amount <= 100 && context.args.note == "ok" };
      @id("rate") permit(principal, action == Action::"d", resource) when { context.args.rate.greaterThan(decimal("0.25")) };
      @id("scoped") permit(principal, action == Action::"e", resource) when { context.scope == "billing" && context.acting_for == "ada" && context.time > 0 };`);
    expect(snapshot.evaluate(request({ action: 'a', context: { confidence: 0.9 } })).decision).toBe('allow');
    expect(snapshot.evaluate(request({ action: 'a', context: { confidence: 0.8999 } })).decision).toBe(
      'deny',
    );
    expect(snapshot.evaluate(request({ action: 'a', context: { confidence: 1 } })).decision).toBe('allow');
    expect(snapshot.evaluate(request({ action: 'b', context: { risk: 0.29 } })).decision).toBe('allow');
    expect(snapshot.evaluate(request({ action: 'b', context: { risk: 0.3 } })).decision).toBe('deny');
    expect(
      snapshot.evaluate(request({ action: 'c', context: { args: { amount: 100, note: 'ok' } } })).decision,
    ).toBe('allow');
    expect(
      snapshot.evaluate(request({ action: 'c', context: { args: { amount: 101, note: 'ok' } } })).decision,
    ).toBe('deny');
    expect(snapshot.evaluate(request({ action: 'd', context: { args: { rate: 0.3 } } })).decision).toBe(
      'allow',
    );
    expect(
      snapshot.evaluate(request({ action: 'e', context: { scope: 'billing', actingFor: 'ada' } })).decision,
    ).toBe('allow');
    expect(
      snapshot.evaluate(request({ action: 'e', context: { scope: 'billing', actingFor: 'bob' } })).decision,
    ).toBe('deny');
  });

  it('without a confidence, leaves it out of the context so `has` can tell', () => {
    const snapshot = compiled('permit(principal, action, resource) when { !(context has confidence) };');
    expect(snapshot.evaluate(request({ context: { confidence: undefined } })).decision).toBe('allow');
    expect(snapshot.evaluate(request()).decision).toBe('deny');
  });

  it('gives conditions the resource attributes, the agent and its tenant', () => {
    const snapshot = compiled(`
      @id("own-invoices") permit(principal == Agent::"invoice-bot", action, resource) when { resource.type == "invoice" && principal in Tenant::"acme" && principal.tenant == "acme" };`);
    expect(snapshot.evaluate(request()).decision).toBe('allow');
    expect(snapshot.evaluate(request({ resource: { id: 'x', type: 'contract' } })).decision).toBe('deny');
    expect(snapshot.evaluate(request({ tenantId: 'globex' })).decision).toBe('deny');
    expect(snapshot.evaluate(request({ actor: 'other-bot' })).decision).toBe('deny');
  });

  it('names a resource without an id by its sorted attributes', () => {
    const snapshot = compiled('permit(principal, action, resource == Resource::"owner=ada&type=invoice");');
    expect(snapshot.evaluate(request({ resource: { type: 'invoice', owner: 'ada' } })).decision).toBe(
      'allow',
    );
  });

  it('does not let args forge an entity reference', () => {
    const snapshot = compiled(
      'permit(principal, action, resource) when { context.args.owner == Agent::"admin" };',
    );
    const forged = { owner: { __entity: { type: 'Agent', id: 'admin' } } };
    expect(snapshot.evaluate(request({ context: { args: forged } })).decision).toBe('deny');
  });

  it('names policies that failed on the request in the default-deny reason', () => {
    const verdict = compiled(
      '@id("needs-amount") permit(principal, action, resource) when { context.args.amount > 1 };',
    ).evaluate(request());
    expect(verdict.decision).toBe('deny');
    expect(verdict.reason).toMatch(/needs-amount: .*amount/);
  });

  it('refuses an invalid text with the parser message and its position', () => {
    const result = compilePolicy('permit(principal, action, resource);\nforbid(principal, action', 1);
    expect(result.type).toBe('invalid');
    if (result.type === 'invalid') expect(result.message).toMatch(/unexpected end of input.*line 2/);
  });

  it('refuses duplicate ids, a @decision on a forbid, and an unknown @decision', () => {
    const duplicate = compilePolicy(
      '@id("a") permit(principal, action, resource);\n@id("a") permit(principal, action, resource);',
      1,
    );
    expect(duplicate).toEqual({
      type: 'invalid',
      message: expect.stringContaining('two policies have the id "a"') as string,
    });
    const onForbid = compilePolicy('@decision("human_review") forbid(principal, action, resource);', 1);
    expect(onForbid.type === 'invalid' && onForbid.message).toMatch(/a forbid always denies/);
    const unknown = compilePolicy('@decision("maybe") permit(principal, action, resource);', 1);
    expect(unknown.type === 'invalid' && unknown.message).toMatch(
      /"maybe"\) is not one of human_review, read_only, allow/,
    );
  });

  it('denies everything with an empty policy', () => {
    expect(compiled('').evaluate(request()).decision).toBe('deny');
  });

  it('decides the starter policy of `gatehouse init` as its comments say', () => {
    const snapshot = compiled(exampleCedarPolicy);
    const decide = (action: string, args: unknown = {}, confidence = 0.95) =>
      snapshot.evaluate(request({ action, context: { args, confidence } }));
    expect(decide('read_invoice')).toMatchObject({ decision: 'allow', policyIds: ['read-invoices'] });
    expect(decide('approve_refund', { amount: 50 })).toMatchObject({
      decision: 'allow',
      policyIds: ['small-refunds'],
    });
    expect(decide('approve_refund', { amount: 500 })).toMatchObject({
      decision: 'human_review',
      policyIds: ['large-refunds-need-review'],
    });
    expect(decide('update_invoice', {}, 0.95)).toMatchObject({
      decision: 'allow',
      policyIds: ['confident-updates'],
    });
    expect(decide('update_invoice', {}, 0.6)).toMatchObject({
      decision: 'read_only',
      policyIds: ['unsure-updates-read-only'],
    });
    expect(decide('delete_invoice')).toMatchObject({ decision: 'deny', policyIds: ['never-delete'] });
  });

  it('evaluates a 100-rule policy without parsing it again (p99 printed, not asserted)', () => {
    const rules = Array.from({ length: 100 }, (_, index) =>
      index % 10 === 9
        ? `@id("forbid-${index}") forbid(principal, action == Action::"delete_${index}", resource);`
        : `@id("rule-${index}") permit(principal, action == Action::"act_${index}", resource) when { context.confidence.greaterThan(decimal("0.5")) && context has args.amount && context.args.amount < ${index * 10 + 5} && resource.type == "invoice" };`,
    ).join('\n');
    const snapshot = compiled(rules);
    const samples: number[] = [];
    for (let index = 0; index < 3_000; index += 1) {
      const action = `act_${index % 100}`;
      const started = performance.now();
      const verdict = snapshot.evaluate(
        request({ action, context: { args: { amount: index % 50, memo: 'x' } } }),
      );
      samples.push(performance.now() - started);
      if (index === 0) expect(verdict.decision).toBe('allow');
    }
    samples.sort((a, b) => a - b);
    const at = (quantile: number) => (samples[Math.floor(samples.length * quantile)]! * 1000).toFixed(0);
    console.log(
      `100-rule policy evaluate: p50 ${at(0.5)} µs, p99 ${at(0.99)} µs over ${samples.length} decisions`,
    );
    expect(samples.length).toBe(3_000);
  });
});

describe('a policy in shadow mode (@mode("shadow"))', () => {
  const text = [
    '@id("all") permit(principal, action, resource);',
    '@id("no-deletes-yet") @mode("shadow") forbid(principal, action == Action::"delete_invoice", resource);',
  ].join('\n');

  it('decides nothing, and reports what the set would conclude with it enforced', () => {
    const verdict = compiled(text).evaluate(request({ action: 'delete_invoice' }));
    expect(verdict).toEqual({
      decision: 'allow',
      reason: 'permitted by policy all',
      policyIds: ['all'],
      shadowed: {
        decision: 'deny',
        reason: 'denied by policy no-deletes-yet',
        policyIds: ['no-deletes-yet'],
      },
    });
  });

  it('reports nothing where it would change nothing', () => {
    expect(compiled(text).evaluate(request({ action: 'read_invoice' })).shadowed).toBeUndefined();
  });

  it('refuses a mode that is neither enforce nor shadow', () => {
    const result = compilePolicy('@mode("later") permit(principal, action, resource);', 1);
    expect(result).toMatchObject({ type: 'invalid' });
    expect(result.type === 'invalid' && result.message).toContain(
      '@mode("later") is not one of enforce, shadow',
    );
  });
});
