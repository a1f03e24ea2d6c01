import type { CedarValueJson, Expr, PatternElem } from '@cedar-policy/cedar-wasm/nodejs';
import { likePattern, matchesLike } from './like-pattern.js';
import {
  EvaluationFailure,
  arithmetic,
  asBool,
  asEntity,
  asRecordOrEntity,
  asSet,
  asString,
  compare,
  compareDecimals,
  contains,
  containsAll,
  containsAny,
  decimalOf,
  inHierarchy,
  negate,
  recordField,
  type ArithmeticOperator,
  type ComparisonOperator,
  type DecimalMethod,
} from './operators.js';
import type { RequestEnvironment } from './request-values.js';
import { EntityValue, RecordValue, SetValue, cedarEquals, entityText, type CedarValue } from './values.js';

/** An expression compiled to a function of the request; it throws `EvaluationFailure` where Cedar errs. */
export type Evaluate = (environment: RequestEnvironment) => CedarValue;

/**
 * Thrown while compiling, caught in compile-policy.ts: the expression uses something outside the
 * subset (another extension, tags, a slot, a Long literal beyond 2^53 that Cedar's JSON form cannot
 * carry exactly, nesting too deep to evaluate safely), so its policy is left to Cedar.
 */
export class UnsupportedExpression extends Error {}

function unsupported(what: string): never {
  throw new UnsupportedExpression(what);
}

/** Cedar stops evaluating at a recursion limit; deeper expressions stay with Cedar. */
const maxDepth = 64;

interface Binary {
  readonly left: Expr;
  readonly right: Expr;
}

const constants = new WeakMap<Evaluate, CedarValue>();

function constant(value: CedarValue): Evaluate {
  const evaluate: Evaluate = () => value;
  constants.set(evaluate, value);
  return evaluate;
}

export function compileExpression(expression: Expr, depth = 0): Evaluate {
  if (depth > maxDepth) unsupported('an expression nested too deep');
  const node = expression as Record<string, unknown>;
  const operators = Object.keys(node);
  const operator = operators[0];
  if (operator === undefined || operators.length !== 1) unsupported('an unknown expression form');
  const body = node[operator];
  const compile = (child: Expr) => compileExpression(child, depth + 1);
  const binary = (combine: (left: CedarValue, right: CedarValue, environment: RequestEnvironment) => CedarValue) => {
    const { left, right } = body as Binary;
    return binaryEvaluate(compile(left), compile(right), combine);
  };
  switch (operator) {
    case 'Value':
      return constant(literal(body as CedarValueJson));
    case 'Var':
      return variable(body as string);
    case '!': {
      const argument = compile((body as { arg: Expr }).arg);
      return (environment) => !asBool(argument(environment));
    }
    case 'neg': {
      const argument = compile((body as { arg: Expr }).arg);
      return (environment) => negate(argument(environment));
    }
    case 'isEmpty': {
      const argument = compile((body as { arg: Expr }).arg);
      return (environment) => asSet(argument(environment)).isEmpty();
    }
    case '==':
      return binary(cedarEquals);
    case '!=':
      return binary((left, right) => !cedarEquals(left, right));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return binary((left, right) => compare(operator as ComparisonOperator, left, right));
    case '+':
    case '-':
    case '*':
      return binary((left, right) => arithmetic(operator as ArithmeticOperator, left, right));
    case 'in':
      return binary((left, right, environment) => isIn(environment, left, right));
    case 'contains':
      return binary(contains);
    case 'containsAll':
      return binary(containsAll);
    case 'containsAny':
      return binary(containsAny);
    case '&&':
    case '||':
      return shortCircuit(operator, compile((body as Binary).left), compile((body as Binary).right));
    case '.': {
      const { left, attr } = body as { left: Expr; attr: string };
      const target = compile(left);
      return (environment) => attributeOf(environment, target(environment), attr);
    }
    case 'has':
      return compileHas(body as { left: Expr; attr: string | string[] }, compile);
    case 'like': {
      const { left, pattern } = body as { left: Expr; pattern: PatternElem[] };
      const [text, compiled] = [compile(left), likePattern(pattern)];
      return (environment) => matchesLike(compiled, asString(text(environment)));
    }
    case 'is':
      return compileIs(body as { left: Expr; entity_type: string; in?: Expr }, compile);
    case 'if-then-else': {
      const branches = body as { if: Expr; then: Expr; else: Expr };
      const [test, then, otherwise] = [compile(branches.if), compile(branches.then), compile(branches.else)];
      return (environment) => (asBool(test(environment)) ? then(environment) : otherwise(environment));
    }
    case 'Set':
      return compileSet((body as Expr[]).map(compile));
    case 'Record':
      return compileRecord(Object.entries(body as Record<string, Expr>).map(([name, value]) => [name, compile(value)]));
    default:
      return compileExtensionCall(operator, body, compile);
  }
}

function literal(value: CedarValueJson): CedarValue {
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : unsupported(`the Long ${value}`);
  const entity = entityLiteral(value);
  return entity ?? unsupported('a literal of this form');
}

function entityLiteral(value: CedarValueJson): EntityValue | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (Object.keys(value).length !== 1) return undefined;
  const uid = (value as { __entity?: { type?: unknown; id?: unknown } }).__entity;
  if (typeof uid?.type !== 'string' || typeof uid.id !== 'string') return undefined;
  return new EntityValue(uid.type, uid.id);
}

function variable(name: string): Evaluate {
  switch (name) {
    case 'principal':
      return (environment) => environment.principal;
    case 'action':
      return (environment) => environment.action;
    case 'resource':
      return (environment) => environment.resource;
    case 'context':
      return (environment) => environment.context;
    default:
      return unsupported(`the variable ${name}`);
  }
}

/** Both sides are evaluated (an error in either is the expression's), then combined. */
function binaryEvaluate(
  left: Evaluate,
  right: Evaluate,
  combine: (left: CedarValue, right: CedarValue, environment: RequestEnvironment) => CedarValue,
): Evaluate {
  return (environment) => combine(left(environment), right(environment), environment);
}

/** `&&` and `||` evaluate their right side only when needed: an error there otherwise is none. */
function shortCircuit(operator: '&&' | '||', left: Evaluate, right: Evaluate): Evaluate {
  return operator === '&&'
    ? (environment) => asBool(left(environment)) && asBool(right(environment))
    : (environment) => asBool(left(environment)) || asBool(right(environment));
}

export function isIn(environment: RequestEnvironment, left: CedarValue, right: CedarValue): boolean {
  const entity = asEntity(left);
  return inHierarchy(entity, environment.entity(entity)?.ancestors ?? [], right);
}

function attributeOf(environment: RequestEnvironment, value: CedarValue, name: string): CedarValue {
  const target = asRecordOrEntity(value);
  if (target instanceof RecordValue) return recordField(target, name);
  const stored = environment.entity(target);
  if (stored === undefined) {
    throw new EvaluationFailure(`entity \`${entityText(target)}\` does not exist`);
  }
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

/** `e has a.b.c` is Cedar's `e has a && e.a has b && e.a.b has c`. */
function compileHas(body: { left: Expr; attr: string | string[] }, compile: (child: Expr) => Evaluate): Evaluate {
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
function compileIs(
  body: { left: Expr; entity_type: string; in?: Expr },
  compile: (child: Expr) => Evaluate,
): Evaluate {
  const target = compile(body.left);
  const type = body.entity_type;
  const ancestor = body.in === undefined ? undefined : compile(body.in);
  return (environment) => {
    const entity = asEntity(target(environment));
    if (entity.type !== type) return false;
    return ancestor === undefined || isIn(environment, entity, ancestor(environment));
  };
}

function compileSet(elements: readonly Evaluate[]): Evaluate {
  const values = elements.map((element) => constants.get(element));
  if (values.every((value) => value !== undefined)) return constant(new SetValue(values));
  return (environment) => new SetValue(elements.map((element) => element(environment)));
}

function compileRecord(fields: readonly (readonly [string, Evaluate])[]): Evaluate {
  const values = fields.map(([name, field]) => [name, constants.get(field)] as const);
  if (values.every(([, value]) => value !== undefined)) {
    return constant(new RecordValue(new Map(values as (readonly [string, CedarValue])[])));
  }
  return (environment) => new RecordValue(new Map(fields.map(([name, field]) => [name, field(environment)])));
}

const decimalMethods: ReadonlySet<string> = new Set(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual']);

/** `decimal("…")` and its four comparison methods; any other extension stays with Cedar. */
function compileExtensionCall(name: string, body: unknown, compile: (child: Expr) => Evaluate): Evaluate {
  if (!Array.isArray(body)) return unsupported(`the expression ${name}`);
  const argumentList = (body as Expr[]).map(compile);
  const [first, second] = argumentList;
  if (name === 'decimal' && first !== undefined && argumentList.length === 1) {
    const text = constants.get(first);
    if (typeof text === 'string') {
      try {
        return constant(decimalOf(text));
      } catch {
        // An invalid literal fails where it is evaluated, not when compiled: `&&` may skip it.
      }
    }
    return (environment) => decimalOf(first(environment));
  }
  if (decimalMethods.has(name) && first !== undefined && second !== undefined && argumentList.length === 2) {
    const method = name as DecimalMethod;
    return (environment) => compareDecimals(method, first(environment), second(environment));
  }
  return unsupported(`the function ${name}`);
}
