import { policyToJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import type { PolicyRequest } from '../../contract.js';
import { parsePolicyText } from '../cedar-policy-text.js';
import { preparePolicyGroups, routeForAction } from '../policy-groups.js';
import { compilePolicy } from '../policy-snapshot.js';
import { compilePolicyJson } from './compile-policy.js';

/** What the compiled evaluator leaves to Cedar, and that Cedar then decides. */

function compilationOf(condition: string) {
  const json = policyToJson(`permit(principal, action, resource) when { ${condition} };`);
  if (json.type === 'failure') throw new Error(json.errors.map((error) => error.message).join('; '));
  return compilePolicyJson('p', json.json);
}

const request: PolicyRequest = {
  tenantId: 'acme',
  actor: 'a',
  action: 'read',
  resource: { id: 'inv_1', type: 'invoice' },
  context: {
    confidence: 0.9,
    scope: undefined,
    actingFor: undefined,
    risk: 0.2,
    time: 1_700_000_000,
    args: {},
  },
};

describe('the compiled evaluator leaves to Cedar', () => {
  it.each([
    ['ip("127.0.0.1").isLoopback()'],
    ['datetime("2024-01-01") < datetime("2025-01-01")'],
    ['context.args.d.offset(duration("1h")) == context.args.d'],
    ['context.args.t.getTag("x") == 1'],
    ['context.args.t.hasTag("x")'],
    // Beyond 2^53, Cedar's JSON form of the policy no longer carries the literal exactly.
    ['9223372036854775807 > 0'],
  ])('a policy using %s', (condition) => {
    expect(compilationOf(condition).type).toBe('unsupported');
  });

  it('compiles the subset itself', () => {
    expect(compilationOf('context.risk.lessThan(decimal("0.5")) && resource.type like "inv*"').type).toBe(
      'compiled',
    );
    expect(compilationOf('9007199254740991 > 0 && -9007199254740991 < 0').type).toBe('compiled');
  });

  it('only the routes holding such a policy: the others stay compiled', () => {
    const parsed = parsePolicyText(
      [
        '@id("read") permit(principal, action == Action::"read", resource) when { context.risk.lessThan(decimal("0.5")) };',
        '@id("local") permit(principal, action == Action::"write", resource) when { ip("127.0.0.1").isLoopback() };',
      ].join('\n'),
    );
    if (parsed.type === 'invalid') throw new Error(parsed.message);
    const prepared = preparePolicyGroups('fallback-routes', parsed.policies);
    if (prepared.type === 'failure') throw new Error('not prepared');
    expect(routeForAction(prepared.groups, 'read').evaluator).toBeDefined();
    expect(routeForAction(prepared.groups, 'write').evaluator).toBeUndefined();
  });

  it('decides such routes with Cedar, and the compiled ones alike', () => {
    const compiled = compilePolicy(
      [
        '@id("read") permit(principal, action == Action::"read", resource) when { context.risk.lessThan(decimal("0.5")) };',
        '@id("local") permit(principal, action == Action::"write", resource) when { ip("127.0.0.1").isLoopback() };',
      ].join('\n'),
      1,
    );
    if (compiled.type === 'invalid') throw new Error(compiled.message);
    expect(compiled.snapshot.evaluate(request)).toMatchObject({ decision: 'allow', policyIds: ['read'] });
    expect(compiled.snapshot.evaluate({ ...request, action: 'write' })).toMatchObject({
      decision: 'allow',
      policyIds: ['local'],
    });
  });

  it('drops Cedar’s escape keys from args, so a caller can neither forge a value nor force a deny', () => {
    const compiled = compilePolicy(
      '@id("any") permit(principal, action, resource) when { context has args && !(context.args has __expr) };',
      1,
    );
    if (compiled.type === 'invalid') throw new Error(compiled.message);
    for (const escape of ['__expr', '__entity', '__extn']) {
      const args = { [escape]: 'principal', amount: 3 };
      const verdict = compiled.snapshot.evaluate({ ...request, context: { ...request.context, args } });
      expect(verdict.decision, escape).toBe('allow');
    }
  });
});
