import { createHash } from 'node:crypto';
import {
  preparsePolicySet,
  statefulIsAuthorized,
  type AuthorizationAnswer,
  type Response,
} from '@cedar-policy/cedar-wasm/nodejs';
import {
  decisionKinds,
  type DecisionKind,
  type PolicyRequest,
  type PolicySnapshot,
  type PolicyVerdict,
} from '../contract.js';
import { describeErrors, parsePolicyText, type ParsedPolicy } from './cedar-policy-text.js';
import { toCedarRequest } from './cedar-values.js';

export type PolicyCompilation =
  | { readonly type: 'compiled'; readonly snapshot: PolicySnapshot; readonly policyIds: readonly string[] }
  | { readonly type: 'invalid'; readonly message: string };

export function policyDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Parses a policy text once into a snapshot that decides without parsing again: Cedar keeps the
 * parsed set inside its WASM module under an id, and `evaluate` names it. The id is the text's
 * digest, so compiling the same text again (a rollback, another replica in this process) reuses
 * the slot with identical contents, and a snapshot still held by someone keeps deciding by its
 * own text. Cedar offers no way to drop a parsed set: each distinct text a process has compiled
 * stays (a few kB per version), which bounds memory by the policy history, not by traffic.
 */
export function compilePolicy(text: string, version: number): PolicyCompilation {
  const parsed = parsePolicyText(text);
  if (parsed.type === 'invalid') return parsed;
  const digest = policyDigest(text);
  const setId = `gatehouse-policy-${digest}`;
  const staticPolicies = Object.fromEntries(parsed.policies.map((policy) => [policy.id, policy.text]));
  const prepared = preparsePolicySet(setId, { staticPolicies });
  if (prepared.type === 'failure') return { type: 'invalid', message: describeErrors(prepared.errors, text) };
  const byId = new Map(parsed.policies.map((policy) => [policy.id, policy]));
  const snapshot: PolicySnapshot = {
    digest,
    version,
    evaluate: (request) => verdictOf(authorize(setId, request), byId),
  };
  return { type: 'compiled', snapshot, policyIds: [...byId.keys()] };
}

function authorize(setId: string, request: PolicyRequest): AuthorizationAnswer {
  const cedar = toCedarRequest(request);
  return statefulIsAuthorized({
    principal: cedar.principal,
    action: cedar.action,
    resource: cedar.resource,
    context: cedar.context,
    entities: cedar.entities,
    preparsedPolicySetId: setId,
  });
}

function verdictOf(answer: AuthorizationAnswer, policies: ReadonlyMap<string, ParsedPolicy>): PolicyVerdict {
  if (answer.type === 'failure') {
    return {
      decision: 'deny',
      reason: `the policy could not be evaluated: ${answer.errors.map((error) => error.message).join('; ')}`,
      policyIds: [],
    };
  }
  const { response } = answer;
  const determining = response.diagnostics.reason;
  if (response.decision === 'deny') {
    return determining.length > 0
      ? { decision: 'deny', reason: `denied by policy ${determining.join(', ')}`, policyIds: determining }
      : { decision: 'deny', reason: noPermitReason(response), policyIds: [] };
  }
  return permitVerdict(determining, policies);
}

/** Cedar's default: nothing permits, so deny; policies that failed on this request are named. */
function noPermitReason(response: Response): string {
  const base = 'no policy permits this request (default deny)';
  const { errors } = response.diagnostics;
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
  policies: ReadonlyMap<string, ParsedPolicy>,
): PolicyVerdict {
  let decision: DecisionKind = 'allow';
  for (const id of determining) decision = stricter(decision, policies.get(id)?.decision ?? 'allow');
  const policyIds = determining.filter((id) => (policies.get(id)?.decision ?? 'allow') === decision);
  const names = policyIds.join(', ');
  return { decision, reason: permitReason(decision, names), policyIds };
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
