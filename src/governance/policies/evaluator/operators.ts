import {
  DecimalValue,
  EntityValue,
  RecordValue,
  SetValue,
  cedarEquals,
  isLong,
  longMax,
  longMin,
  normalLong,
  typeName,
  type CedarValue,
  type Long,
} from './values.js';

/**
 * Cedar's operators over evaluator values, each failing exactly where Cedar fails. A failure
 * aborts the whole policy condition (Cedar reports the policy as erroring and skips it), so it
 * travels as an exception from the operator to the policy's boundary (compile-policy.ts) and no
 * further; it never leaves the evaluator.
 */
export class EvaluationFailure extends Error {}

function fail(message: string): never {
  throw new EvaluationFailure(message);
}

function wrongType(expected: string, value: CedarValue): never {
  return fail(`type error: expected ${expected}, got ${typeName(value)}`);
}

export function asBool(value: CedarValue): boolean {
  return typeof value === 'boolean' ? value : wrongType('bool', value);
}

export function asLong(value: CedarValue): Long {
  return isLong(value) ? value : wrongType('long', value);
}

export function asString(value: CedarValue): string {
  return typeof value === 'string' ? value : wrongType('string', value);
}

export function asSet(value: CedarValue): SetValue {
  return value instanceof SetValue ? value : wrongType('set', value);
}

export function asEntity(value: CedarValue): EntityValue {
  return value instanceof EntityValue ? value : wrongType('an entity', value);
}

export function asDecimal(value: CedarValue): DecimalValue {
  return value instanceof DecimalValue ? value : wrongType('decimal', value);
}

export type ArithmeticOperator = '+' | '-' | '*';

/** Long arithmetic, checked: a result outside the 64-bit range is an overflow error, as in Cedar. */
export function arithmetic(
  operator: ArithmeticOperator,
  leftValue: CedarValue,
  rightValue: CedarValue,
): Long {
  const left = asLong(leftValue);
  const right = asLong(rightValue);
  if (typeof left === 'number' && typeof right === 'number') {
    const result = operator === '+' ? left + right : operator === '-' ? left - right : left * right;
    // Exact whenever the result is a safe integer; otherwise redone in BigInt.
    if (Number.isSafeInteger(result)) return result === 0 ? 0 : result;
  }
  const [big, other] = [BigInt(left), BigInt(right)];
  const result = operator === '+' ? big + other : operator === '-' ? big - other : big * other;
  if (result < longMin || result > longMax) {
    const verb = operator === '+' ? 'add' : operator === '-' ? 'subtract' : 'multiply';
    fail(
      `integer overflow while attempting to ${verb} the values \`${String(left)}\` and \`${String(right)}\``,
    );
  }
  return normalLong(result);
}

export function negate(value: CedarValue): Long {
  const long = asLong(value);
  if (typeof long === 'number') return long === 0 ? 0 : -long;
  if (long === longMin) fail(`integer overflow while attempting to negate the value \`${String(long)}\``);
  return normalLong(-long);
}

export type ComparisonOperator = '<' | '<=' | '>' | '>=';

/** `<`, `<=`, `>`, `>=` compare Longs only; anything else (a decimal too) is a type error. */
export function compare(
  operator: ComparisonOperator,
  leftValue: CedarValue,
  rightValue: CedarValue,
): boolean {
  const left = asLong(leftValue);
  const right = asLong(rightValue);
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    default:
      return left >= right;
  }
}

export type DecimalMethod = 'lessThan' | 'lessThanOrEqual' | 'greaterThan' | 'greaterThanOrEqual';

export function compareDecimals(
  method: DecimalMethod,
  leftValue: CedarValue,
  rightValue: CedarValue,
): boolean {
  const left = asDecimal(leftValue).scaled;
  const right = asDecimal(rightValue).scaled;
  switch (method) {
    case 'lessThan':
      return left < right;
    case 'lessThanOrEqual':
      return left <= right;
    case 'greaterThan':
      return left > right;
    default:
      return left >= right;
  }
}

const decimalPattern = /^(-?)(\d+)\.(\d+)$/;

/**
 * `decimal("…")` as Cedar reads it: digits, a point and one to four digits, within the 64-bit
 * range of ten-thousandths; undefined otherwise (Cedar's extension error). Cedar also accepts
 * leading zeros and "-0.5"; it matches non-ASCII digits but then fails to convert them, so only
 * ASCII digits make a decimal either way.
 */
export function parseDecimal(text: string): DecimalValue | undefined {
  const match = decimalPattern.exec(text);
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > 4) return undefined;
  const digits = fraction.padEnd(4, '0');
  // Up to eleven whole digits the scaled value stays below 2^53: plain numbers are exact.
  if (whole.length <= 11) {
    const magnitude = Number(whole) * 10_000 + Number(digits);
    return new DecimalValue(sign === '-' && magnitude !== 0 ? -magnitude : magnitude);
  }
  const magnitude = BigInt(whole) * 10_000n + BigInt(digits);
  const scaled = sign === '-' ? -magnitude : magnitude;
  return scaled < longMin || scaled > longMax ? undefined : new DecimalValue(normalLong(scaled));
}

export function decimalOf(value: CedarValue): DecimalValue {
  const text = asString(value);
  return (
    parseDecimal(text) ??
    fail(
      `error while evaluating \`decimal\` extension function: \`${text}\` is not a well-formed decimal value within range (digits, a point, one to four digits)`,
    )
  );
}

/** `in`: the right side is an entity or a set of entities (all of them, else a type error). */
export function inHierarchy(
  entity: EntityValue,
  ancestors: readonly EntityValue[],
  target: CedarValue,
): boolean {
  const candidates: readonly CedarValue[] =
    target instanceof SetValue
      ? target.elements
      : [target instanceof EntityValue ? target : wrongType('one of [set, entity]', target)];
  const entities = candidates.map(asEntity);
  return entities.some(
    (candidate) =>
      cedarEquals(entity, candidate) || ancestors.some((ancestor) => cedarEquals(ancestor, candidate)),
  );
}

export function contains(set: CedarValue, element: CedarValue): boolean {
  const members = asSet(set);
  if (typeof element !== 'object') return members.elements.some((member) => member === element);
  return members.elements.some((member) => cedarEquals(member, element));
}

export function containsAll(left: CedarValue, right: CedarValue): boolean {
  const [whole, part] = [asSet(left).elementKeys(), asSet(right).elementKeys()];
  for (const key of part) if (!whole.has(key)) return false;
  return true;
}

export function containsAny(left: CedarValue, right: CedarValue): boolean {
  const [first, second] = [asSet(left).elementKeys(), asSet(right).elementKeys()];
  for (const key of second) if (first.has(key)) return true;
  return false;
}

/** A record's field; a missing one is an error (Cedar's: use `has` first). */
export function recordField(record: RecordValue, name: string): CedarValue {
  return record.fields.get(name) ?? fail(`record does not have the attribute \`${name}\``);
}

export function asRecordOrEntity(value: CedarValue): RecordValue | EntityValue {
  return value instanceof RecordValue || value instanceof EntityValue
    ? value
    : wrongType('one of [record, entity]', value);
}
