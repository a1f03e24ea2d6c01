import { preparsePolicySet, type DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
import type { ParsedPolicy } from './cedar-policy-text.js';

/**
 * A policy text split by action, so that a request is evaluated against only the policies that
 * can apply to its action: Cedar checks every policy of a set on every request, and a 100-rule
 * policy then costs hundreds of microseconds where the request's two or three rules cost tens.
 *
 * Each action named in some policy's scope gets one pre-parsed set of the policies naming it; the
 * policies whose scope leaves the action open form one more set, asked on every request. A policy
 * is parsed into as many sets as its scope names actions, so memory stays linear in the text
 * (Cedar cannot free a parsed set; each version's sets stay, as its single set did before).
 */
export interface PolicyGroups {
  /** The pre-parsed set for each action named in a scope. */
  readonly byAction: ReadonlyMap<string, string>;
  /** The pre-parsed set of the action-unconstrained policies; undefined when there are none. */
  readonly unconstrained: string | undefined;
}

export type PolicyGroupsResult =
  | { readonly type: 'prepared'; readonly groups: PolicyGroups }
  | { readonly type: 'failure'; readonly errors: readonly DetailedError[] };

export function preparePolicyGroups(
  setPrefix: string,
  policies: readonly ParsedPolicy[],
): PolicyGroupsResult {
  const { byAction, unconstrained } = groupByAction(policies);
  const setIds = new Map<string, string>();
  for (const [index, [action, members]] of [...byAction].entries()) {
    const setId = `${setPrefix}-action-${index}`;
    const failure = preparse(setId, members);
    if (failure !== undefined) return failure;
    setIds.set(action, setId);
  }
  if (unconstrained.length === 0)
    return { type: 'prepared', groups: { byAction: setIds, unconstrained: undefined } };
  const unconstrainedId = `${setPrefix}-any`;
  const failure = preparse(unconstrainedId, unconstrained);
  if (failure !== undefined) return failure;
  return { type: 'prepared', groups: { byAction: setIds, unconstrained: unconstrainedId } };
}

/** The pre-parsed sets a request for `action` must be evaluated against (zero, one or two). */
export function setsForAction(groups: PolicyGroups, action: string): readonly string[] {
  const named = groups.byAction.get(action);
  if (named === undefined) return groups.unconstrained === undefined ? [] : [groups.unconstrained];
  return groups.unconstrained === undefined ? [named] : [named, groups.unconstrained];
}

function groupByAction(policies: readonly ParsedPolicy[]): {
  byAction: Map<string, ParsedPolicy[]>;
  unconstrained: ParsedPolicy[];
} {
  const byAction = new Map<string, ParsedPolicy[]>();
  const unconstrained: ParsedPolicy[] = [];
  for (const policy of policies) {
    if (policy.actionScope.type === 'any') {
      unconstrained.push(policy);
      continue;
    }
    for (const action of new Set(policy.actionScope.actionIds)) {
      const members = byAction.get(action) ?? [];
      members.push(policy);
      byAction.set(action, members);
    }
  }
  return { byAction, unconstrained };
}

function preparse(
  setId: string,
  policies: readonly ParsedPolicy[],
): { readonly type: 'failure'; readonly errors: readonly DetailedError[] } | undefined {
  const staticPolicies = Object.fromEntries(policies.map((policy) => [policy.id, policy.text]));
  const prepared = preparsePolicySet(setId, { staticPolicies });
  return prepared.type === 'failure' ? { type: 'failure', errors: prepared.errors } : undefined;
}
