import type {
  ActionConstraint,
  EntityUidJson,
  PolicyJson,
  PrincipalConstraint,
  ResourceConstraint,
} from '@cedar-policy/cedar-wasm/nodejs';
import { isIn } from './compile-access.js';
import { UnsupportedExpression, compileExpression } from './compile-expression.js';
import type { Evaluate } from './evaluate.js';
import { asBool, asEntity } from './operators.js';
import type { RequestEnvironment } from './request-values.js';
import { EntityValue, cedarEquals } from './values.js';

/**
 * A policy compiled from Cedar's own parse of it (its JSON form, `policyToJson`) into a function
 * of the request, for the subset of Cedar listed in docs/governance.md. It decides exactly as
 * Cedar's evaluator does: the condition is the scope (principal, then action, then resource)
 * and then each `when` / `unless` clause in order, all joined by a short-circuiting `&&`, and it
 * holds only if that is `true`. `holds` throws `EvaluationFailure` where Cedar's evaluation of
 * the policy errs; the route evaluator (route-evaluator.ts) reports it as Cedar does.
 *
 * Cedar remains the parser, the validator and the reference: a policy outside the subset is
 * `unsupported`, and every route holding one is evaluated by Cedar itself.
 */
export interface CompiledPolicy {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  holds(environment: RequestEnvironment): boolean;
}

export type PolicyCompilation =
  | { readonly type: 'compiled'; readonly policy: CompiledPolicy }
  | { readonly type: 'unsupported'; readonly reason: string };

export function compilePolicyJson(id: string, json: PolicyJson): PolicyCompilation {
  try {
    const parts = [
      scopeOf('principal', json.principal),
      actionScopeOf(json.action),
      scopeOf('resource', json.resource),
      ...json.conditions.map(clauseOf),
    ].filter((part) => part !== undefined);
    const holds = (environment: RequestEnvironment) => parts.every((part) => part(environment));
    return { type: 'compiled', policy: { id, effect: json.effect, holds } };
  } catch (error) {
    if (error instanceof UnsupportedExpression) return { type: 'unsupported', reason: error.message };
    // Compiling recurses over the expression; a stack overflow means "too deep for this path".
    if (error instanceof RangeError) return { type: 'unsupported', reason: 'an expression nested too deep' };
    throw error;
  }
}

/** A part of the condition: true lets the next part decide, false ends it (the policy does not hold). */
type ConditionPart = (environment: RequestEnvironment) => boolean;

function clauseOf(clause: PolicyJson['conditions'][number]): ConditionPart {
  const body: Evaluate = compileExpression(clause.body);
  return clause.kind === 'when'
    ? (environment) => asBool(body(environment))
    : (environment) => !asBool(body(environment));
}

function entityOf(uid: EntityUidJson): EntityValue {
  const { type, id } = '__entity' in uid ? uid.__entity : uid;
  return new EntityValue(type, id);
}

function variableOf(name: 'principal' | 'resource', environment: RequestEnvironment): EntityValue {
  return name === 'principal' ? environment.principal : environment.resource;
}

/** A scope constraint never errs: the variable is always an entity and the target a literal. */
function scopeOf(
  name: 'principal' | 'resource',
  constraint: PrincipalConstraint | ResourceConstraint,
): ConditionPart | undefined {
  if ('slot' in constraint) throw new UnsupportedExpression('a template slot');
  switch (constraint.op) {
    case 'All':
      return undefined;
    case '==': {
      const entity = entityOf(constraint.entity);
      return (environment) => cedarEquals(variableOf(name, environment), entity);
    }
    case 'in': {
      const entity = entityOf(constraint.entity);
      return (environment) => isIn(environment, variableOf(name, environment), entity);
    }
    case 'is': {
      const { entity_type: type } = constraint;
      const within = constraint.in;
      if (within !== undefined && 'slot' in within) throw new UnsupportedExpression('a template slot');
      const ancestor = within === undefined ? undefined : entityOf(within.entity);
      return (environment) => {
        const entity = asEntity(variableOf(name, environment));
        if (entity.type !== type) return false;
        return ancestor === undefined || isIn(environment, entity, ancestor);
      };
    }
    default:
      throw new UnsupportedExpression('an unknown scope constraint');
  }
}

function actionScopeOf(constraint: ActionConstraint): ConditionPart | undefined {
  switch (constraint.op) {
    case 'All':
      return undefined;
    case '==': {
      if ('slot' in constraint) throw new UnsupportedExpression('a template slot');
      const entity = entityOf(constraint.entity);
      return (environment) => cedarEquals(environment.action, entity);
    }
    case 'in': {
      const entities = 'entity' in constraint ? [constraint.entity] : constraint.entities;
      const targets = entities.map(entityOf);
      return (environment) => targets.some((target) => isIn(environment, environment.action, target));
    }
    default:
      throw new UnsupportedExpression('an unknown action constraint');
  }
}
