import { preparsePolicySet } from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyRequest, PolicyVerdict } from '../contract.js';
import { parsePolicyText } from './cedar-policy-text.js';
import { toCedarRequest } from './cedar-values.js';
import { authorize, compilePolicy, policyDigest } from './policy-snapshot.js';
import { positionedPolicies, verdictOf } from './policy-verdict.js';

const actions = [
  'read_invoice',
  'approve_refund',
  'delete_invoice',
  'update_invoice',
  'export',
  'unknown_action',
];

/** The oracle: the whole text as one Cedar set, as the snapshot evaluated it before grouping. */
function wholeSetVerdict(text: string): (request: PolicyRequest) => PolicyVerdict {
  const parsed = parsePolicyText(text);
  if (parsed.type === 'invalid') throw new Error(parsed.message);
  const setId = `whole-set-oracle-${policyDigest(text)}`;
  const staticPolicies = Object.fromEntries(parsed.policies.map((policy) => [policy.id, policy.text]));
  expect(preparsePolicySet(setId, { staticPolicies }).type).toBe('success');
  const policies = positionedPolicies(parsed.policies);
  return (request) => verdictOf([authorize(setId, toCedarRequest(request))], policies);
}

const actionScope = fc.oneof(
  fc.constant('action'),
  fc.constantFrom(...actions).map((name) => `action == Action::"${name}"`),
  fc.constantFrom(...actions).map((name) => `action in Action::"${name}"`),
  fc
    .uniqueArray(fc.constantFrom(...actions), { minLength: 1, maxLength: 3 })
    .map((names) => `action in [${names.map((name) => `Action::"${name}"`).join(', ')}]`),
  fc.constant('action == Other::Action::"read_invoice"'),
);

/** Conditions that hold, fail, or error (reading `amount` without `has`) depending on the request. */
const condition = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 0, max: 1000 }).map((limit) => ` when { context.args.amount < ${limit} }`),
  fc
    .integer({ min: 0, max: 1000 })
    .map((limit) => ` when { context has args.amount && context.args.amount >= ${limit} }`),
  fc.constant(' when { context.risk.greaterThan(decimal("0.5")) }'),
  fc.constant(' when { resource.type == "invoice" }'),
  fc.constant(' unless { action == Action::"export" }'),
  fc.constant(' when { context["args"] has amount }'),
  fc.constant(' when { context has time && context.time > 0 }'),
  // Reads the context whole: it must then get every attribute.
  fc.constant(' when { context != { risk: context.risk } }'),
);

const rule = fc.record({
  effect: fc.constantFrom('permit', 'permit', 'forbid'),
  decision: fc.constantFrom('', '@decision("human_review") ', '@decision("read_only") '),
  scope: actionScope,
  condition,
});

const policyText = fc.array(rule, { minLength: 1, maxLength: 100 }).map((rules) =>
  rules
    .map(({ effect, decision, scope, condition: when }, index) => {
      const annotation = effect === 'permit' ? decision : '';
      return `@id("rule-${index}") ${annotation}${effect}(principal, ${scope}, resource)${when};`;
    })
    .join('\n'),
);

const request = fc.record({
  action: fc.constantFrom(...actions),
  amount: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  risk: fc.double({ min: 0, max: 1, noNaN: true }),
  type: fc.constantFrom('invoice', 'contract'),
});

interface GeneratedRequest {
  readonly action: string;
  readonly amount: number | undefined;
  readonly risk: number;
  readonly type: string;
}

function policyRequest(generated: GeneratedRequest): PolicyRequest {
  return {
    tenantId: 'acme',
    actor: 'invoice-bot',
    action: generated.action,
    resource: { id: 'doc-1', type: generated.type },
    context: {
      confidence: 0.9,
      scope: undefined,
      actingFor: undefined,
      risk: generated.risk,
      time: 1_700_000_000,
      args: generated.amount === undefined ? {} : { amount: generated.amount },
    },
  };
}

describe('a policy split by action', () => {
  it('gives the verdict of the whole set (decision, reason, policy ids) for any policy and request', () => {
    fc.assert(
      fc.property(policyText, fc.array(request, { minLength: 20, maxLength: 20 }), (text, requests) => {
        // Budget 0: open policies stay in their own set, asked beside the action's (two answers).
        const layouts = [compilePolicy(text, 1), compilePolicy(text, 1, { copyBudget: 0 })];
        const oracle = wholeSetVerdict(text);
        for (const compiled of layouts) {
          if (compiled.type !== 'compiled') throw new Error(compiled.message);
          for (const generated of requests) {
            const asked = policyRequest(generated);
            expect(compiled.snapshot.evaluate(asked)).toEqual(oracle(asked));
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('agrees with the whole set on a fixed 100-rule mix of scoped, unscoped and annotated rules', () => {
    const text = Array.from({ length: 100 }, (_, index) => {
      const name = actions[index % actions.length] ?? 'export';
      switch (index % 5) {
        case 0:
          return `@id("r${index}") permit(principal, action == Action::"${name}", resource) when { context has args.amount && context.args.amount < ${index * 10} };`;
        case 1:
          return `@id("r${index}") @decision("human_review") permit(principal, action in [Action::"${name}", Action::"export"], resource) when { context.args.amount >= ${index * 5} };`;
        case 2:
          return `@id("r${index}") forbid(principal, action == Action::"${name}", resource) when { context.risk.greaterThan(decimal("0.${index}")) };`;
        case 3:
          return `@id("r${index}") @decision("read_only") permit(principal, action, resource) when { resource.type == "contract" && context has args.amount && context.args.amount > ${index} };`;
        default:
          return `@id("r${index}") forbid(principal, action, resource) when { context has args.amount && context.args.amount == ${index} };`;
      }
    }).join('\n');
    const compiled = compilePolicy(text, 1);
    const split = compilePolicy(text, 1, { copyBudget: 0 });
    if (compiled.type !== 'compiled' || split.type !== 'compiled') throw new Error('invalid policy');
    const oracle = wholeSetVerdict(text);
    const decisions = new Set<string>();
    fc.assert(
      fc.property(request, (generated) => {
        const asked = policyRequest(generated);
        const verdict = compiled.snapshot.evaluate(asked);
        decisions.add(verdict.decision);
        expect(verdict).toEqual(oracle(asked));
        expect(split.snapshot.evaluate(asked)).toEqual(verdict);
      }),
      { numRuns: 1_000 },
    );
    expect([...decisions].sort()).toEqual(['allow', 'deny', 'human_review', 'read_only']);
  });

  it('denies by default an action no policy can apply to, without asking Cedar', () => {
    const compiled = compilePolicy(
      '@id("read") permit(principal, action == Action::"read_invoice", resource);',
      1,
    );
    if (compiled.type !== 'compiled') throw new Error(compiled.message);
    const asked = policyRequest({ action: 'delete_invoice', amount: undefined, risk: 0, type: 'invoice' });
    expect(compiled.snapshot.evaluate(asked)).toEqual({
      decision: 'deny',
      reason: 'no policy permits this request (default deny)',
      policyIds: [],
    });
  });

  it('never applies a scope naming another entity type than Action', () => {
    const compiled = compilePolicy(
      'permit(principal, action == Other::Action::"read_invoice", resource);',
      1,
    );
    if (compiled.type !== 'compiled') throw new Error(compiled.message);
    const asked = policyRequest({ action: 'read_invoice', amount: undefined, risk: 0, type: 'invoice' });
    expect(compiled.snapshot.evaluate(asked).decision).toBe('deny');
  });
});
