import type { CedarValueJson, Expr, PatternElem } from '@cedar-policy/cedar-wasm/nodejs';
import { compileAttribute, compileHas, compileIs, isIn } from './compile-access.js';
import type { Compile, Evaluate } from './evaluate.js';
import { likePattern, matchesLike } from './like-pattern.js';
import {
  arithmetic,
  asBool,
  asSet,
  asString,
  compare,
  compareDecimals,
  contains,
  containsAll,
  containsAny,
  decimalOf,
  negate,
  type DecimalMethod,
} from './operators.js';
import type { RequestEnvironment } from './request-values.js';
import { EntityValue, RecordValue, SetValue, cedarEquals, type CedarValue } from './values.js';

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

/** Cedar's JSON form: each expression node is an object with one key naming its operator. */
export function compileExpression(expression: Expr, depth = 0): Evaluate {
  if (depth > maxDepth) unsupported('an expression nested too deep');
  const node = expression as Record<string, unknown>;
  const operators = Object.keys(node);
  const operator = operators[0];
  if (operator === undefined || operators.length !== 1) unsupported('an unknown expression form');
  const compile: Compile = (child) => compileExpression(child, depth + 1);
  const nodeCompiler = Object.hasOwn(nodeCompilers, operator) ? nodeCompilers[operator] : undefined;
  return (nodeCompiler ?? extensionCall(operator))(node[operator], compile);
}

type NodeCompiler = (body: unknown, compile: Compile) => Evaluate;

const constants = new WeakMap<Evaluate, CedarValue>();

function constant(value: CedarValue): Evaluate {
  const evaluate: Evaluate = () => value;
  constants.set(evaluate, value);
  return evaluate;
}

function unary(apply: (value: CedarValue) => CedarValue): NodeCompiler {
  return (body, compile) => {
    const argument = compile((body as { arg: Expr }).arg);
    return (environment) => apply(argument(environment));
  };
}

/** Both sides are evaluated (an error in either is the expression's), then combined. */
function binary(
  combine: (left: CedarValue, right: CedarValue, environment: RequestEnvironment) => CedarValue,
): NodeCompiler {
  return (body, compile) => {
    const { left, right } = body as { left: Expr; right: Expr };
    const [first, second] = [compile(left), compile(right)];
    return (environment) => combine(first(environment), second(environment), environment);
  };
}

/** `&&` and `||` evaluate their right side only when needed: an error there otherwise is none. */
const shortCircuit =
  (operator: '&&' | '||'): NodeCompiler =>
  (body, compile) => {
    const { left, right } = body as { left: Expr; right: Expr };
    const [first, second] = [compile(left), compile(right)];
    return operator === '&&'
      ? (environment) => asBool(first(environment)) && asBool(second(environment))
      : (environment) => asBool(first(environment)) || asBool(second(environment));
  };

const nodeCompilers: Readonly<Record<string, NodeCompiler>> = {
  Value: (body) => constant(literal(body as CedarValueJson)),
  Var: (body) => variable(body as string),
  '!': unary((value) => !asBool(value)),
  neg: unary(negate),
  isEmpty: unary((value) => asSet(value).isEmpty()),
  '==': binary(cedarEquals),
  '!=': binary((left, right) => !cedarEquals(left, right)),
  '<': binary((left, right) => compare('<', left, right)),
  '<=': binary((left, right) => compare('<=', left, right)),
  '>': binary((left, right) => compare('>', left, right)),
  '>=': binary((left, right) => compare('>=', left, right)),
  '+': binary((left, right) => arithmetic('+', left, right)),
  '-': binary((left, right) => arithmetic('-', left, right)),
  '*': binary((left, right) => arithmetic('*', left, right)),
  in: binary((left, right, environment) => isIn(environment, left, right)),
  contains: binary(contains),
  containsAll: binary(containsAll),
  containsAny: binary(containsAny),
  '&&': shortCircuit('&&'),
  '||': shortCircuit('||'),
  '.': (body, compile) => compileAttribute(body as { left: Expr; attr: string }, compile),
  has: (body, compile) => compileHas(body as { left: Expr; attr: string | string[] }, compile),
  is: (body, compile) => compileIs(body as { left: Expr; entity_type: string; in?: Expr }, compile),
  like: (body, compile) => {
    const { left, pattern } = body as { left: Expr; pattern: PatternElem[] };
    const [text, compiled] = [compile(left), likePattern(pattern)];
    return (environment) => matchesLike(compiled, asString(text(environment)));
  },
  'if-then-else': (body, compile) => {
    const branches = body as { if: Expr; then: Expr; else: Expr };
    const [test, then, otherwise] = [compile(branches.if), compile(branches.then), compile(branches.else)];
    return (environment) => (asBool(test(environment)) ? then(environment) : otherwise(environment));
  },
  Set: (body, compile) => compileSet((body as Expr[]).map(compile)),
  Record: (body, compile) =>
    compileRecord(
      Object.entries(body as Record<string, Expr>).map(([name, value]) => [name, compile(value)]),
    ),
};

function literal(value: CedarValueJson): CedarValue {
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number')
    return Number.isSafeInteger(value) ? value : unsupported(`the Long ${value}`);
  return entityLiteral(value) ?? unsupported('a literal of this form');
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

/** A literal made of literals is built once, at compile time. */
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

const decimalMethods: ReadonlySet<string> = new Set([
  'lessThan',
  'lessThanOrEqual',
  'greaterThan',
  'greaterThanOrEqual',
]);

/** `decimal("…")` and its four comparison methods; any other extension stays with Cedar. */
function extensionCall(name: string): NodeCompiler {
  return (body, compile) => {
    if (!Array.isArray(body)) return unsupported(`the expression ${name}`);
    const argumentList = (body as Expr[]).map(compile);
    const [first, second] = argumentList;
    if (name === 'decimal' && first !== undefined && argumentList.length === 1) return decimalCall(first);
    if (
      decimalMethods.has(name) &&
      first !== undefined &&
      second !== undefined &&
      argumentList.length === 2
    ) {
      const method = name as DecimalMethod;
      return (environment) => compareDecimals(method, first(environment), second(environment));
    }
    return unsupported(`the function ${name}`);
  };
}

function decimalCall(argument: Evaluate): Evaluate {
  const text = constants.get(argument);
  if (typeof text === 'string') {
    try {
      return constant(decimalOf(text));
    } catch {
      // An invalid literal fails where it is evaluated, not when compiled: `&&` may skip it.
    }
  }
  return (environment) => decimalOf(argument(environment));
}
