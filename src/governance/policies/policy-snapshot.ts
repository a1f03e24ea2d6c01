import { createHash } from 'node:crypto';
import { statefulIsAuthorized, type AuthorizationAnswer } from '@cedar-policy/cedar-wasm/nodejs';
import type { PolicyRequest, PolicySnapshot, PolicyVerdict } from '../contract.js';
import { describeErrors, parsePolicyText } from './cedar-policy-text.js';
import { toCedarRequest, type CedarRequest } from './cedar-values.js';
import { preparePolicyGroups, routeForAction, type PolicyGroups } from './policy-groups.js';
import { positionedPolicies, verdictOf, type PositionedPolicy } from './policy-verdict.js';

export type PolicyCompilation =
  | { readonly type: 'compiled'; readonly snapshot: PolicySnapshot; readonly policyIds: readonly string[] }
  | { readonly type: 'invalid'; readonly message: string };

export function policyDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Parses a policy text once into a snapshot that decides without parsing again: Cedar keeps the
 * parsed sets inside its WASM module under ids, and `evaluate` names them. The text is split by
 * action (policy-groups.ts) so a request is evaluated against only the policies that can apply to
 * it, with the verdict the whole set would give (policy-verdict.ts). The ids derive from the
 * text's digest, so compiling the same text again (a rollback, another replica in this process)
 * reuses the slots with identical contents, and a snapshot still held by someone keeps deciding by
 * its own text (`options.copyBudget`: see policy-groups.ts). Cedar offers no way to drop a parsed set: each distinct text a process has
 * compiled stays (a few kB per version), which bounds memory by the policy history, not by traffic.
 */
export function compilePolicy(
  text: string,
  version: number,
  options: { readonly copyBudget?: number } = {},
): PolicyCompilation {
  const parsed = parsePolicyText(text);
  if (parsed.type === 'invalid') return parsed;
  const digest = policyDigest(text);
  const prefix = `gatehouse-policy-${digest}`;
  const enforced = parsed.policies.filter((policy) => !policy.shadow);
  const prepared = preparePolicyGroups(prefix, enforced, options.copyBudget);
  if (prepared.type === 'failure') return { type: 'invalid', message: describeErrors(prepared.errors, text) };
  // With shadow policies, the whole set is kept beside the enforced one, to report what it would say.
  const observed =
    enforced.length === parsed.policies.length
      ? undefined
      : preparePolicyGroups(`${prefix}-observed`, parsed.policies, options.copyBudget);
  if (observed?.type === 'failure')
    return { type: 'invalid', message: describeErrors(observed.errors, text) };
  const policies = positionedPolicies(parsed.policies);
  const { groups } = prepared;
  const evaluate =
    observed === undefined
      ? (request: PolicyRequest) => evaluateGrouped(groups, policies, request)
      : (request: PolicyRequest) => withShadowed(groups, observed.groups, policies, request);
  const snapshot: PolicySnapshot = { digest, version, evaluate };
  return { type: 'compiled', snapshot, policyIds: [...policies.keys()] };
}

function withShadowed(
  enforced: PolicyGroups,
  observed: PolicyGroups,
  policies: ReadonlyMap<string, PositionedPolicy>,
  request: PolicyRequest,
): PolicyVerdict {
  const verdict = evaluateGrouped(enforced, policies, request);
  const shadowed = evaluateGrouped(observed, policies, request);
  return shadowed.decision === verdict.decision ? verdict : { ...verdict, shadowed };
}

/**
 * With no policy able to apply to the action, Cedar's answer is known without asking it: the
 * default deny, no policy having run to fail (a request always converts to valid Cedar values).
 * A route whose policies all lie within the compiled evaluator's subset is decided by it, with
 * Cedar's answer (evaluator/, verified against Cedar by evaluator/differential.test.ts); any
 * other route, or a request Cedar itself would refuse to read, is decided by Cedar.
 */
function isDelegation(request: PolicyRequest): boolean {
  return request.resourceType === 'Agent' || request.context.delegation !== undefined;
}

function evaluateGrouped(
  groups: PolicyGroups,
  policies: ReadonlyMap<string, PositionedPolicy>,
  request: PolicyRequest,
): PolicyVerdict {
  const route = routeForAction(groups, request.action);
  if (route.setIds.length === 0) return verdictOf([], policies);
  // A delegation's request (resource `Agent::…`, its terms in the context) is rare and outside what
  // the compiled evaluator is proven against Cedar on: Cedar decides it.
  const compiled = isDelegation(request) ? undefined : route.evaluator?.(request);
  if (compiled !== undefined) return verdictOf([compiled], policies);
  const cedar = toCedarRequest(request, route.context);
  return verdictOf(
    route.setIds.map((setId) => authorize(setId, cedar)),
    policies,
  );
}

export function authorize(setId: string, cedar: CedarRequest): AuthorizationAnswer {
  return statefulIsAuthorized({
    principal: cedar.principal,
    action: cedar.action,
    resource: cedar.resource,
    context: cedar.context,
    entities: cedar.entities,
    preparsedPolicySetId: setId,
  });
}
