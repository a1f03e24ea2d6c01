import { preparsePolicySet } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import type { PolicyRequest } from '../../contract.js';
import { parsePolicyText } from '../cedar-policy-text.js';
import { toCedarRequest } from '../cedar-values.js';
import { unionOfNeeds } from '../context-needs.js';
import { authorize } from '../policy-snapshot.js';
import { compilePolicyJson } from './compile-policy.js';
import { routeEvaluator } from './route-evaluator.js';

/**
 * Cedar's semantics, case by case: each condition is decided by the compiled evaluator AND by
 * Cedar, which must agree, and the outcome is the one written here (so a case documents what
 * Cedar does, and fails if either engine changes).
 */

type Outcome = 'holds' | 'false' | 'error';

const baseRequest: PolicyRequest = {
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
    args: { amount: 37, memo: '0.5', tags: ['a', 1], nested: { tags: [0], amount: 1 } },
  },
};

let setCounter = 0;

interface Summary {
  readonly decision: string;
  readonly reason: readonly string[];
  readonly errors: readonly string[];
}

/** The answer of both engines, which must agree (ids sorted: Cedar's order is a hash set's). */
function decided(text: string, request: PolicyRequest): Summary {
  const parsed = parsePolicyText(text);
  if (parsed.type === 'invalid') throw new Error(parsed.message);
  const needs = unionOfNeeds(parsed.policies.map((policy) => policy.contextNeeds));
  const compilations = parsed.policies.map((policy) => compilePolicyJson(policy.id, policy.json));
  const compiled = routeEvaluator(compilations, needs)?.(request);
  const setId = `semantics-${setCounter++}`;
  const staticPolicies = Object.fromEntries(parsed.policies.map((policy) => [policy.id, policy.text]));
  expect(preparsePolicySet(setId, { staticPolicies }).type).toBe('success');
  const cedar = authorize(setId, toCedarRequest(request, needs));
  if (compiled === undefined || cedar.type === 'failure' || compiled.type === 'failure') {
    throw new Error(`not compared: ${JSON.stringify(cedar)}`);
  }
  const summary = (response: typeof cedar.response): Summary => ({
    decision: response.decision,
    reason: [...response.diagnostics.reason].sort(),
    errors: response.diagnostics.errors.map((error) => error.policyId).sort(),
  });
  expect(summary(compiled.response)).toEqual(summary(cedar.response));
  return summary(compiled.response);
}

function outcomeOf(text: string, request: PolicyRequest): Outcome {
  const summary = decided(text, request);
  if (summary.errors.length > 0) return 'error';
  return summary.decision === 'allow' ? 'holds' : 'false';
}

function condition(body: string, request: PolicyRequest = baseRequest): Outcome {
  return outcomeOf(`@id("p") permit(principal, action, resource) when { ${body} };`, request);
}

function withArgs(args: unknown): PolicyRequest {
  return { ...baseRequest, context: { ...baseRequest.context, args } };
}

const cases: Record<string, readonly (readonly [string, Outcome])[]> = {
  'short-circuit `&&`, `||` and `if`': [
    ['false && (1 < "a")', 'false'],
    ['true || context.args.missing', 'holds'],
    ['true && (1 < "a")', 'error'],
    ['(if true then true else (1 < "a"))', 'holds'],
    ['(if 1 then true else true)', 'error'],
    ['1 && true', 'error'],
    ['true && 1', 'error'],
  ],
  'equality across types is false, not an error': [
    ['!(1 == "1")', 'holds'],
    ['!(1 == decimal("1.0"))', 'holds'],
    ['decimal("1.0") == decimal("1.00")', 'holds'],
    ['!(principal == "a")', 'holds'],
    ['[1, 2, 3] == [3, 2, 1, 1]', 'holds'],
    ['[[1, 2], {a: 1}] == [{a: 1}, [2, 1]]', 'holds'],
    ['{a: 1, b: [1, 2]} == {b: [2, 1], a: 1}', 'holds'],
    ['context.args.nested == {amount: 1, tags: [0]}', 'holds'],
    ['!({a: 1} == {a: 1, b: 2})', 'holds'],
  ],
  'comparisons take Longs only': [
    ['1 < 2', 'holds'],
    ['decimal("1.0") < decimal("2.0")', 'error'],
    ['1 < "2"', 'error'],
    ['context.time >= 1700000000', 'holds'],
  ],
  'Long arithmetic overflows into an error': [
    ['(9007199254740991 * 1024) + 1023 > 0', 'holds'],
    ['(9007199254740991 * 1024) + 1024 > 0', 'error'],
    ['((-9007199254740991 * 1024) - 1024) < 0', 'holds'],
    ['-((-9007199254740991 * 1024) - 1024) > 0', 'error'],
    ['3037000499 * 3037000499 > 0', 'holds'],
    ['3037000500 * 3037000500 > 0', 'error'],
    ['-(9007199254740991) * 3 < -9007199254740991 && 9007199254740991 + 2 > 9007199254740991', 'holds'],
  ],
  '`has` on present, absent and non-record paths': [
    ['context has args.amount', 'holds'],
    ['!(context has args.missing)', 'holds'],
    ['context has args.nested.amount', 'holds'],
    ['!(context has args.amount.deeper)', 'error'],
    ['!(principal has missing) && principal has tenant', 'holds'],
    ['!(Agent::"ghost" has tenant) && !(action has name)', 'holds'],
    ['1 has a', 'error'],
  ],
  'attributes of records and entities': [
    ['context.args.missing == 1', 'error'],
    ['principal.tenant == "acme"', 'holds'],
    ['resource.type == "invoice" && resource.id == "inv_1"', 'holds'],
    ['Agent::"ghost".tenant == "acme"', 'error'],
    ['Tenant::"acme".name == "x"', 'error'],
    ['action.name == "x"', 'error'],
    ['context.args["memo"] == "0.5"', 'holds'],
    ['{"__proto__": 1} has "__proto__"', 'holds'],
  ],
  '`in` over the hierarchy, reflexive': [
    ['principal in Tenant::"acme"', 'holds'],
    ['principal in principal && Agent::"ghost" in Agent::"ghost"', 'holds'],
    ['!(Tenant::"acme" in principal) && !(resource in Tenant::"acme")', 'holds'],
    ['principal in [Tenant::"x", Tenant::"acme"]', 'holds'],
    ['principal in [Tenant::"acme", 1]', 'error'],
    ['principal in 1', 'error'],
    ['1 in Tenant::"acme"', 'error'],
    ['action in [Action::"read"] && !(action in Action::"write")', 'holds'],
  ],
  '`is` and `is … in`': [
    ['principal is Agent && !(principal is User)', 'holds'],
    ['principal is Agent in Tenant::"acme"', 'holds'],
    ['!(resource is Agent in 1)', 'holds'],
    ['resource is Resource in 1', 'error'],
    ['1 is Agent', 'error'],
  ],
  '`like` with wildcards and escapes': [
    ['"a*b" like "a\\*b" && !("axb" like "a\\*b")', 'holds'],
    ['"axxb" like "a*b" && "invoice" like "inv*" && "invoice" like "*"', 'holds'],
    ['"" like "" && !("a" like "")', 'holds'],
    ['"😀x" like "*x" && "😀" like "😀" && !("😀x" like "x*")', 'holds'],
    ['"aaa" like "*a*a*a*" && !("aa" like "*a*a*a*")', 'holds'],
    ['1 like "*"', 'error'],
  ],
  'set operations': [
    ['[1, "1"].contains("1") && [1].containsAll([]) && !([].containsAny([]))', 'holds'],
    ['[].isEmpty() && !([1].isEmpty())', 'holds'],
    ['context.args.tags.contains("a") && context.args.tags.containsAny([1, 2])', 'holds'],
    ['[decimal("1.0")].contains(decimal("1.00"))', 'holds'],
    ['[1].containsAll(1)', 'error'],
    ['"a".contains("a")', 'error'],
  ],
  decimals: [
    ['decimal("1.23456") == decimal("1.0")', 'error'],
    ['decimal("abc").lessThan(decimal("1.0"))', 'error'],
    ['false && decimal("abc").lessThan(decimal("1.0"))', 'false'],
    ['decimal("-922337203685477.5808").lessThan(decimal("0.0"))', 'holds'],
    ['decimal("922337203685477.5808") == decimal("0.0")', 'error'],
    ['decimal("1.5").greaterThan(1)', 'error'],
    ['decimal(context.args.memo) == decimal("0.5000")', 'holds'],
    ['context.risk.lessThan(decimal("0.2001")) && context.risk.greaterThanOrEqual(decimal("0.2"))', 'holds'],
    ['context.confidence.greaterThan(decimal("0.8999"))', 'holds'],
    ['decimal("01.50") == decimal("1.5") && decimal("-0.0") == decimal("0.0")', 'holds'],
    ['decimal("1") == decimal("1.0")', 'error'],
  ],
};

describe('the compiled evaluator, case by case against Cedar', () => {
  for (const [topic, topicCases] of Object.entries(cases)) {
    it(topic, () => {
      for (const [body, expected] of topicCases) expect(condition(body), body).toBe(expected);
    });
  }

  it('converts request values as toCedarRequest does', () => {
    expect(
      condition('!(context has confidence)', {
        ...baseRequest,
        context: { ...baseRequest.context, confidence: undefined },
      }),
    ).toBe('holds');
    expect(
      condition('context.confidence.greaterThan(decimal("0.0"))', {
        ...baseRequest,
        context: { ...baseRequest.context, confidence: undefined },
      }),
    ).toBe('error');
    // Integers are Longs, other numbers decimals, numbers beyond a decimal text; nulls vanish.
    expect(
      condition(
        'context.args.a == 2 && context.args.b == decimal("2.5") && context.args.c == "100000000000000000000"',
        withArgs({ a: 2, b: 2.5, c: 1e20 }),
      ),
    ).toBe('holds');
    expect(
      condition(
        '!(context.args has n) && context.args.s == [1]',
        withArgs({ n: null, s: [1, null, Number.NaN] }),
      ),
    ).toBe('holds');
    expect(condition('context.args.r == decimal("0.9500")', withArgs({ r: 0.95005 }))).toBe('holds');
    // Cedar's escapes and `__proto__` never reach it as attributes.
    expect(
      condition(
        '!(context.args has __entity) && !(context.args has "__proto__") && context.args.k == 1',
        withArgs(JSON.parse('{"__entity": {"type": "Agent", "id": "x"}, "__proto__": {"a": 1}, "k": 1}')),
      ),
    ).toBe('holds');
    const user = { ...baseRequest, principalType: 'User' as const };
    expect(
      condition('principal == User::"a" && principal is User && principal in Tenant::"acme"', user),
    ).toBe('holds');
    const unnamed = { ...baseRequest, resource: { type: 'invoice', owner: 'ada' } };
    expect(
      condition('resource == Resource::"owner=ada&type=invoice" && resource.owner == "ada"', unnamed),
    ).toBe('holds');
  });

  it('lets a holding forbid win, and an erring forbid not deny', () => {
    const forbidding =
      '@id("f") forbid(principal, action, resource) when { context.args.amount > 10 };\n@id("p") permit(principal, action, resource);';
    expect(outcomeOf(forbidding, baseRequest)).toBe('false');
    const erring =
      '@id("f") forbid(principal, action, resource) when { context.args.missing };\n@id("p") permit(principal, action, resource);';
    expect(outcomeOf(erring, baseRequest)).toBe('error');
  });

  it('checks scopes: ==, in, is, is … in, action lists, other entity types', () => {
    const scoped = [
      '@id("a") permit(principal == Agent::"a", action in [Action::"read", Action::"write"], resource is Resource);',
      '@id("b") permit(principal is Agent in Tenant::"acme", action == Action::"read", resource == Resource::"inv_1");',
      '@id("c") permit(principal in Tenant::"globex", action, resource);',
      '@id("d") permit(principal, action == Other::Action::"read", resource in Resource::"inv_1");',
    ].join('\n');
    expect(decided(scoped, baseRequest)).toEqual({ decision: 'allow', reason: ['a', 'b'], errors: [] });
  });
});
