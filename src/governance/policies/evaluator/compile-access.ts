import type { Expr } from '@cedar-policy/cedar-wasm/nodejs';
import type { Compile, Evaluate } from './evaluate.js';
import { EvaluationFailure, asEntity, asRecordOrEntity, inHierarchy, recordField } from './operators.js';
import type { RequestEnvironment } from './request-values.js';
import { RecordValue, entityText, type CedarValue } from './values.js';

/**
 * Reading records and entities: `.attr` / `["attr"]`, `has`, `is`, `in`. An entity's attributes
 * and ancestors are those the request carries (request-values.ts); any other entity exists for
 * `==`, `in` (itself only) and `has` (false), and reading its attributes is an error, as in Cedar.
 */

export function isIn(environment: RequestEnvironment, left: CedarValue, right: CedarValue): boolean {
  const entity = asEntity(left);
  return inHierarchy(entity, environment.entity(entity)?.ancestors ?? [], right);
}

function attributeOf(environment: RequestEnvironment, value: CedarValue, name: string): CedarValue {
  const target = asRecordOrEntity(value);
  if (target instanceof RecordValue) return recordField(target, name);
  const stored = environment.entity(target);
  if (stored === undefined) throw new EvaluationFailure(`entity \`${entityText(target)}\` does not exist`);
  const attribute = stored.attributes.get(name);
  if (attribute === undefined) {
    throw new EvaluationFailure(`\`${entityText(target)}\` does not have the attribute \`${name}\``);
  }
  return attribute;
}

function hasAttribute(environment: RequestEnvironment, value: CedarValue, name: string): boolean {
  const target = asRecordOrEntity(value);
  if (target instanceof RecordValue) return target.fields.has(name);
  return environment.entity(target)?.attributes.has(name) ?? false;
}

export function compileAttribute(body: { left: Expr; attr: string }, compile: Compile): Evaluate {
  const target = compile(body.left);
  const name = body.attr;
  return (environment) => attributeOf(environment, target(environment), name);
}

/** `e has a.b.c` is Cedar's `e has a && e.a has b && e.a.b has c`. */
export function compileHas(body: { left: Expr; attr: string | string[] }, compile: Compile): Evaluate {
  const target = compile(body.left);
  const path = typeof body.attr === 'string' ? [body.attr] : body.attr;
  return (environment) => {
    let value = target(environment);
    for (const [index, name] of path.entries()) {
      if (!hasAttribute(environment, value, name)) return false;
      if (index < path.length - 1) value = attributeOf(environment, value, name);
    }
    return true;
  };
}

/** `e is T in x` is Cedar's `e is T && e in x`. */
export function compileIs(body: { left: Expr; entity_type: string; in?: Expr }, compile: Compile): Evaluate {
  const target = compile(body.left);
  const type = body.entity_type;
  const ancestor = body.in === undefined ? undefined : compile(body.in);
  return (environment) => {
    const entity = asEntity(target(environment));
    if (entity.type !== type) return false;
    return ancestor === undefined || isIn(environment, entity, ancestor(environment));
  };
}
