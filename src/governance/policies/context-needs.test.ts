import { policyToJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { contextNeedsOf, unionOfNeeds, type ContextNeeds } from './context-needs.js';

function needsOf(conditions: string): ContextNeeds {
  const json = policyToJson(`permit(principal, action, resource) ${conditions};`);
  if (json.type === 'failure') throw new Error(json.errors.map((error) => error.message).join('; '));
  return contextNeedsOf(json.json.conditions);
}

function names(needs: ContextNeeds): string[] | 'all' {
  return needs.type === 'all' ? 'all' : [...needs.names].sort();
}

describe('the context attributes a policy reads', () => {
  it('are none without conditions or without context', () => {
    expect(names(needsOf(''))).toEqual([]);
    expect(names(needsOf('when { resource.type == "invoice" && principal.tenant == "acme" }'))).toEqual([]);
  });

  it('are those read with a dot, an index or `has` (a path counts its first name)', () => {
    expect(
      names(
        needsOf(
          'when { context.risk.lessThan(decimal("0.3")) && context["scope"] == "x" } unless { context has args.amount && context.args.amount > 3 }',
        ),
      ),
    ).toEqual(['args', 'risk', 'scope']);
  });

  it('are all of them when the context is used whole, anywhere', () => {
    expect(names(needsOf('when { context == {} }'))).toBe('all');
    expect(
      names(needsOf('when { context.risk == decimal("0.1") } unless { [context].contains(context) }')),
    ).toBe('all');
  });

  it('are not confused by a record or string that looks like the variable', () => {
    expect(names(needsOf('when { { Var: "context" } has Var && "context" == resource.type }'))).toEqual([]);
  });

  it('combine over several policies, all winning', () => {
    const some = needsOf('when { context.risk == decimal("0.1") }');
    const other = needsOf('when { context has args }');
    expect(names(unionOfNeeds([some, other]))).toEqual(['args', 'risk']);
    expect(names(unionOfNeeds([some, needsOf('when { context == {} }')]))).toBe('all');
  });
});
