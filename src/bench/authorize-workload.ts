/**
 * The agent-authorization workload: a 100-rule Cedar policy in the shape production policies take
 * (mostly rules scoped to one action, with conditions on confidence, resource and arguments; a few
 * review permits and forbids; two rules that apply to every action) and the requests that exercise
 * it, cycling through allowed, reviewed and denied actions. The engine and HTTP runs share both.
 */

export const benchPolicyRuleCount = 100;
export const benchTenant = 'acme';
export const benchAgent = 'bench-agent';

function benchRule(index: number): string {
  if (index === 0) {
    return '@id("no-high-risk") forbid(principal, action, resource) when { context.risk.greaterThan(decimal("0.95")) };';
  }
  if (index === 50) {
    return `@id("own-tenant-only") forbid(principal, action, resource) unless { principal in Tenant::"${benchTenant}" };`;
  }
  switch (index % 10) {
    case 9:
      return `@id("never-delete-${index}") forbid(principal, action == Action::"delete_record_${index}", resource);`;
    case 8:
      return `@id("review-refund-${index}") @decision("human_review") permit(principal, action == Action::"approve_refund_${index}", resource) when { context has args.amount && context.args.amount >= 100 };`;
    default:
      return `@id("act-${index}") permit(principal, action == Action::"act_${index}", resource) when { context.confidence.greaterThan(decimal("0.5")) && resource.type == "invoice" && (!(context has args.amount) || context.args.amount < 1000) };`;
  }
}

export function benchPolicyText(): string {
  return Array.from({ length: benchPolicyRuleCount }, (_, index) => benchRule(index)).join('\n');
}

function benchAction(index: number): string {
  const rule = index % benchPolicyRuleCount;
  if (rule % 10 === 9) return `delete_record_${rule}`;
  if (rule % 10 === 8) return `approve_refund_${rule}`;
  return `act_${rule}`;
}

/** `POST /v1/agent/authorize` bodies (Lelu's fields), one per rule, with a verified confidence. */
export function benchAuthorizeBodies(): readonly Record<string, unknown>[] {
  return Array.from({ length: benchPolicyRuleCount }, (_, index) => ({
    tenant_id: benchTenant,
    actor: benchAgent,
    action: benchAction(index),
    resource: { id: `inv_${index}`, type: 'invoice' },
    // exp(mean) ≈ 0.98: above the allow gate, so the policy decides.
    confidence_signal: { provider: 'openai', token_logprobs: [-0.01, -0.02, -0.03, -0.02] },
    args: { amount: (index * 37) % 300, memo: 'monthly invoice run' },
  }));
}
