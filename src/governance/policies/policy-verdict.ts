import type { AuthorizationAnswer, AuthorizationError } from '@cedar-policy/cedar-wasm/nodejs';
import { decisionKinds, type DecisionKind, type PolicyVerdict } from '../contract.js';
import type { ParsedPolicy } from './cedar-policy-text.js';

/**
 * Cedar's answers for one request, from one or more disjoint parts of a policy set, combined into
 * the verdict the whole set gives: Cedar denies when any forbid holds (naming the forbids), else
 * allows when any permit holds (naming the permits), else denies by default; every policy that
 * failed on the request is reported either way. Per part, that is: a `deny` with reasons names
 * holding forbids, an `allow` names holding permits. So the union is exact, and ids come out in
 * the text's order whatever the parts (Cedar's own order is a hash set's).
 */
export function verdictOf(
  answers: readonly AuthorizationAnswer[],
  policies: ReadonlyMap<string, PositionedPolicy>,
): PolicyVerdict {
  const forbids: string[] = [];
  const permits: string[] = [];
  const errors: AuthorizationError[] = [];
  for (const answer of answers) {
    if (answer.type === 'failure') {
      const messages = answer.errors.map((error) => error.message).join('; ');
      return { decision: 'deny', reason: `the policy could not be evaluated: ${messages}`, policyIds: [] };
    }
    const { decision, diagnostics } = answer.response;
    (decision === 'deny' ? forbids : permits).push(...diagnostics.reason);
    errors.push(...diagnostics.errors);
  }
  const byPosition = (first: string, second: string) =>
    positionOf(policies, first) - positionOf(policies, second);
  if (forbids.length > 0) {
    const policyIds = forbids.sort(byPosition);
    return { decision: 'deny', reason: `denied by policy ${policyIds.join(', ')}`, policyIds };
  }
  if (permits.length > 0) return permitVerdict(permits.sort(byPosition), policies);
  errors.sort((first, second) => byPosition(first.policyId, second.policyId));
  return { decision: 'deny', reason: noPermitReason(errors), policyIds: [] };
}

export interface PositionedPolicy {
  readonly policy: ParsedPolicy;
  /** Its place in the text, for a stable order of ids in reasons. */
  readonly position: number;
}

export function positionedPolicies(policies: readonly ParsedPolicy[]): Map<string, PositionedPolicy> {
  return new Map(policies.map((policy, position) => [policy.id, { policy, position }]));
}

function positionOf(policies: ReadonlyMap<string, PositionedPolicy>, id: string): number {
  return policies.get(id)?.position ?? Number.MAX_SAFE_INTEGER;
}

/** Cedar's default: nothing permits, so deny; policies that failed on this request are named. */
function noPermitReason(errors: readonly AuthorizationError[]): string {
  const base = 'no policy permits this request (default deny)';
  if (errors.length === 0) return base;
  const failed = errors.map((error) => `${error.policyId}: ${error.error.message}`).join('; ');
  return `${base}; policies that could not be evaluated: ${failed}`;
}

/**
 * Several permits can match; the most restrictive grant among them decides (deny > human_review
 * > read_only > allow, as everywhere in a decision), so adding a review permit can never widen
 * what another permit granted. To allow outright in a narrower case, exclude it from the review
 * permit with `unless`.
 */
function permitVerdict(
  determining: readonly string[],
  policies: ReadonlyMap<string, PositionedPolicy>,
): PolicyVerdict {
  const grantOf = (id: string) => policies.get(id)?.policy.decision ?? 'allow';
  let decision: DecisionKind = 'allow';
  for (const id of determining) decision = stricter(decision, grantOf(id));
  const policyIds = determining.filter((id) => grantOf(id) === decision);
  return { decision, reason: permitReason(decision, policyIds.join(', ')), policyIds };
}

function stricter(first: DecisionKind, second: DecisionKind): DecisionKind {
  return decisionKinds.indexOf(first) <= decisionKinds.indexOf(second) ? first : second;
}

function permitReason(decision: DecisionKind, names: string): string {
  switch (decision) {
    case 'allow':
      return `permitted by policy ${names}`;
    case 'human_review':
      return `policy ${names} requires human review`;
    case 'read_only':
      return `policy ${names} permits read-only access`;
    case 'deny':
      return `denied by policy ${names}`;
    default: {
      const unknown: never = decision;
      throw new Error(`unknown decision ${String(unknown)}`);
    }
  }
}
