import {
  policySetTextToParts,
  policyToJson,
  type ActionConstraint,
  type DetailedError,
  type EntityUidJson,
  type PolicyJson,
  type PolicySetTextToPartsAnswer,
} from '@cedar-policy/cedar-wasm/nodejs';
import { decisionKinds, type DecisionKind } from '../contract.js';
import { contextNeedsOf, type ContextNeeds } from './context-needs.js';

/**
 * A policy text taken apart: each policy with its id and what it concludes when it matches. The
 * conventions (docs/governance.md): a policy's id is its `@id("…")` annotation, else `policy<n>`
 * by its position in the text (Cedar's own naming); a `permit` may carry
 * `@decision("human_review")` or `@decision("read_only")` to grant less than a plain allow
 * (`@decision("allow")` is the default); a `forbid` denies and takes no `@decision`.
 */
export interface ParsedPolicy {
  readonly id: string;
  readonly text: string;
  readonly effect: 'permit' | 'forbid';
  /** What a matching permit grants; `deny` for a forbid. */
  readonly decision: DecisionKind;
  /** Which actions the policy's scope lets it apply to (see `actionScopeOf`). */
  readonly actionScope: ActionScope;
  /** Which context attributes its conditions read. */
  readonly contextNeeds: ContextNeeds;
  /**
   * `@mode("shadow")`: evaluated and reported (`would_have_*`), never enforced, so a new rule can be
   * watched before it decides anything.
   */
  readonly shadow: boolean;
  /** Cedar's JSON form of the policy (its parse), which the compiled evaluator is built from. */
  readonly json: PolicyJson;
}

/**
 * The actions a policy can apply to, read from its scope: `any` for an unconstrained scope (or one
 * we cannot read), else the ids of the `Action::"…"` entities it names. Exact because a request's
 * action is always `Action::"<action>"` and no request carries action entities, so an action has
 * no parents: `action in Action::"x"` holds only for `x` itself, and a scope naming another entity
 * type never holds (Cedar then skips the policy's conditions, so it cannot even fail).
 */
export type ActionScope =
  { readonly type: 'any' } | { readonly type: 'named'; readonly actionIds: readonly string[] };

export type PolicyTextParse =
  | { readonly type: 'parsed'; readonly policies: readonly ParsedPolicy[] }
  | { readonly type: 'invalid'; readonly message: string };

const permitDecisions: readonly DecisionKind[] = decisionKinds.filter((kind) => kind !== 'deny');

export function parsePolicyText(text: string): PolicyTextParse {
  const parts: PolicySetTextToPartsAnswer = policySetTextToParts(text);
  if (parts.type === 'failure') return { type: 'invalid', message: describeErrors(parts.errors, text) };
  if (parts.policy_templates.length > 0) {
    return { type: 'invalid', message: 'policy templates (?principal or ?resource slots) are not supported' };
  }
  const autoIds = cedarAutoIds(parts.policies.length);
  const policies: ParsedPolicy[] = [];
  const seen = new Set<string>();
  for (const [index, policyText] of parts.policies.entries()) {
    const parsed = describePolicy(policyText, autoIds[index] ?? `policy${index}`);
    if (parsed.type === 'invalid') return parsed;
    if (seen.has(parsed.policy.id)) {
      return {
        type: 'invalid',
        message: `two policies have the id "${parsed.policy.id}"; ids must be unique`,
      };
    }
    seen.add(parsed.policy.id);
    policies.push(parsed.policy);
  }
  return { type: 'parsed', policies };
}

/**
 * Cedar names unannotated policies `policy0`, `policy1`, … in text order and returns the parts
 * sorted by that name as a string (`policy10` before `policy2`), so the i-th part is the i-th
 * name in that order.
 */
function cedarAutoIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `policy${index}`).sort();
}

function describePolicy(
  text: string,
  autoId: string,
):
  | { readonly type: 'ok'; readonly policy: ParsedPolicy }
  | { readonly type: 'invalid'; readonly message: string } {
  const json = policyToJson(text);
  if (json.type === 'failure') return { type: 'invalid', message: describeErrors(json.errors, text) };
  const { effect } = json.json;
  const actionScope = actionScopeOf(json.json.action);
  const contextNeeds = contextNeedsOf(json.json.conditions);
  const annotations = json.json.annotations ?? {};
  const id = annotations.id ?? autoId;
  if (id.trim() === '') return { type: 'invalid', message: `${autoId}: the @id annotation is empty` };
  const mode = annotations.mode;
  if (mode !== undefined && mode !== 'enforce' && mode !== 'shadow') {
    return { type: 'invalid', message: `${id}: @mode("${mode}") is not one of enforce, shadow` };
  }
  const shared = { id, text, effect, actionScope, contextNeeds, shadow: mode === 'shadow', json: json.json };
  const decisionAnnotation = annotations.decision;
  if (decisionAnnotation === undefined) {
    return { type: 'ok', policy: { ...shared, decision: effect === 'forbid' ? 'deny' : 'allow' } };
  }
  if (effect === 'forbid') {
    return {
      type: 'invalid',
      message: `${id}: @decision applies to permit policies; a forbid always denies`,
    };
  }
  const decision = permitDecisions.find((kind) => kind === decisionAnnotation);
  if (decision === undefined) {
    return {
      type: 'invalid',
      message: `${id}: @decision("${decisionAnnotation}") is not one of ${permitDecisions.join(', ')}`,
    };
  }
  return { type: 'ok', policy: { ...shared, decision } };
}

function actionScopeOf(constraint: ActionConstraint): ActionScope {
  if (constraint.op === 'All') return { type: 'any' };
  if ('entity' in constraint) return namedActions([constraint.entity]);
  if ('entities' in constraint) return namedActions(constraint.entities);
  return { type: 'any' };
}

/** Only `Action` entities can equal a request's action; other types are left out. */
function namedActions(entities: readonly EntityUidJson[]): ActionScope {
  const actionIds: string[] = [];
  for (const entity of entities) {
    const uid = '__entity' in entity ? entity.__entity : entity;
    if (uid.type === 'Action') actionIds.push(uid.id);
  }
  return { type: 'named', actionIds };
}
/** Cedar's parser errors with their line and column in `text`. */
export function describeErrors(errors: readonly DetailedError[], text: string): string {
  if (errors.length === 0) return 'the policy could not be parsed';
  return errors.map((error) => describeError(error, text)).join('; ');
}

function describeError(error: DetailedError, text: string): string {
  const location = error.sourceLocations?.[0];
  const label = location?.label === null || location?.label === undefined ? '' : ` (${location.label})`;
  const where = location === undefined ? '' : ` at ${lineAndColumn(text, location.start)}`;
  const help = error.help === null ? '' : `; ${error.help}`;
  return `${error.message}${label}${where}${help}`;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
