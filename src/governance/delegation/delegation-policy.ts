import type { PolicySnapshot, PolicyVerdict } from '../contract.js';

/**
 * Which agent may delegate what to whom is the policy's to say: Cedar action `delegate`, principal
 * `Agent::"<delegator>"`, resource `Agent::"<delegatee>"` (both in their tenant), context
 * `{ scope, scopes, ttl_seconds, depth, confidence?, acting_for?, risk: 0, time }`. The policy is
 * asked once per scope, with `context.scope` the scope in question, so a refusal names the scope
 * the policy would not let go (never trimmed silently). Only a plain allow grants: a
 * `@decision("human_review")` or `("read_only")` permit is no delegation.
 */
export interface DelegationTerms {
  readonly tenantId: string;
  readonly delegator: string;
  readonly delegatee: string;
  readonly scopes: readonly string[];
  readonly ttlSeconds: number;
  readonly depth: number;
  readonly confidence: number | undefined;
  readonly actingFor: string | undefined;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

export type DelegationPolicyOutcome =
  | { readonly type: 'permitted'; readonly policyIds: readonly string[] }
  | { readonly type: 'refused'; readonly scope: string; readonly verdict: PolicyVerdict };

export function askPolicy(policy: PolicySnapshot, terms: DelegationTerms): DelegationPolicyOutcome {
  const policyIds = new Set<string>();
  for (const scope of terms.scopes) {
    const verdict = policy.evaluate({
      tenantId: terms.tenantId,
      actor: terms.delegator,
      action: 'delegate',
      resource: { id: terms.delegatee },
      resourceType: 'Agent',
      context: {
        confidence: terms.confidence,
        scope,
        actingFor: terms.actingFor,
        risk: 0,
        time: Math.floor(terms.now / 1000),
        args: undefined,
        delegation: { scopes: terms.scopes, ttlSeconds: terms.ttlSeconds, depth: terms.depth },
      },
    });
    if (verdict.decision !== 'allow') return { type: 'refused', scope, verdict };
    for (const id of verdict.policyIds) policyIds.add(id);
  }
  return { type: 'permitted', policyIds: [...policyIds] };
}

/** The refusal's reason, naming the scope and the policy's own reason. */
export function policyRefusalReason(scope: string, verdict: PolicyVerdict): string {
  const kind = verdict.decision === 'deny' ? '' : ` (${verdict.decision} is not a permit to delegate)`;
  return `the policy does not permit delegating scope ${JSON.stringify(scope)}: ${verdict.reason}${kind}`;
}
