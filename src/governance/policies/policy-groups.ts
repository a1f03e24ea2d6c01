import { preparsePolicySet, type DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
import type { ParsedPolicy } from './cedar-policy-text.js';
import { noContextNeeds, unionOfNeeds, type ContextNeeds } from './context-needs.js';
import { compilePolicyJson, type PolicyCompilation } from './evaluator/compile-policy.js';
import { routeEvaluator, type RouteEvaluator } from './evaluator/route-evaluator.js';

/**
 * A policy text split by action, so that a request is evaluated against only the policies that
 * can apply to its action: Cedar checks every policy of a set on every request, and a 100-rule
 * policy then costs hundreds of microseconds where the request's two or three rules cost tens.
 *
 * Each action named in some policy's scope gets one pre-parsed set of the policies naming it; the
 * policies whose scope leaves the action open form one more set, asked for actions no scope names.
 * The open policies are copied into every action's set too, so a request costs one Cedar call
 * (each call converts the request again: half the time of a decision with two); but only while
 * the copies stay within `copyBudget` (4) times the policy count, so memory stays linear in the text
 * (Cedar cannot free a parsed set; each version's sets stay, as its single set did before). Past
 * that budget a request asks its action's set and the open set, and the answers are combined.
 */
/** What a request for one action is evaluated against, and the context attributes they read. */
export interface PolicyRoute {
  /** Zero, one or two pre-parsed sets; their answers combine into the whole set's verdict. */
  readonly setIds: readonly string[];
  readonly context: ContextNeeds;
  /**
   * The route's policies compiled to JavaScript (evaluator/), when all of them are within the
   * subset it evaluates; then it decides instead of Cedar, with Cedar's answer.
   */
  readonly evaluator: RouteEvaluator | undefined;
}

export interface PolicyGroups {
  /** For each action named in a scope. */
  readonly byAction: ReadonlyMap<string, PolicyRoute>;
  /** For every other action: the open policies alone, if any. */
  readonly otherActions: PolicyRoute;
}

/** Copies of open policies allowed into action sets, per policy of the text. */
export const defaultCopyBudget = 4;

export type PolicyGroupsResult =
  | { readonly type: 'prepared'; readonly groups: PolicyGroups }
  | { readonly type: 'failure'; readonly errors: readonly DetailedError[] };

export function preparePolicyGroups(
  setPrefix: string,
  policies: readonly ParsedPolicy[],
  copyBudget = defaultCopyBudget,
): PolicyGroupsResult {
  const { byAction, unconstrained } = groupByAction(policies);
  const complete = byAction.size * unconstrained.length <= copyBudget * policies.length;
  // Each policy is compiled once, whichever routes it belongs to.
  const compilations = new Map(policies.map((policy) => [policy, compilePolicyJson(policy.id, policy.json)]));
  const evaluatorOf = (members: readonly ParsedPolicy[], needs: ContextNeeds) =>
    routeEvaluator(
      members.map((policy) => compilations.get(policy) ?? unlisted),
      needs,
    );
  let otherActions: PolicyRoute = { setIds: [], context: noContextNeeds, evaluator: undefined };
  if (unconstrained.length > 0) {
    const setId = `${setPrefix}-any`;
    const failure = preparse(setId, unconstrained);
    if (failure !== undefined) return failure;
    const context = needsOf(unconstrained);
    otherActions = { setIds: [setId], context, evaluator: evaluatorOf(unconstrained, context) };
  }
  const routes = new Map<string, PolicyRoute>();
  for (const [index, [action, members]] of [...byAction].entries()) {
    // The layout is part of the id: the same text compiled with another budget must not
    // overwrite the sets a snapshot still reads.
    const setId = `${setPrefix}-action-${index}-${complete ? 'with-open' : 'own'}`;
    const failure = preparse(setId, complete ? [...members, ...unconstrained] : members);
    if (failure !== undefined) return failure;
    const context = needsOf([...members, ...unconstrained]);
    routes.set(action, {
      setIds: complete ? [setId] : [setId, ...otherActions.setIds],
      context,
      evaluator: evaluatorOf([...members, ...unconstrained], context),
    });
  }
  return { type: 'prepared', groups: { byAction: routes, otherActions } };
}

const unlisted: PolicyCompilation = { type: 'unsupported', reason: 'not compiled' };

export function routeForAction(groups: PolicyGroups, action: string): PolicyRoute {
  return groups.byAction.get(action) ?? groups.otherActions;
}

function needsOf(policies: readonly ParsedPolicy[]): ContextNeeds {
  return unionOfNeeds(policies.map((policy) => policy.contextNeeds));
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
