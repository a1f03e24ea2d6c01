/**
 * Cedar's values, as the compiled evaluator holds them (see compile-policy.ts for why it exists):
 * booleans and strings are JavaScript's own; a Long (Cedar's 64-bit integer) is a `number` while
 * it is a safe integer and a `bigint` only beyond that, so that plain arithmetic stays fast and
 * `===` stays exact (the two forms never hold the same value); entities, decimals, sets and
 * records are the classes below.
 */
export type Long = number | bigint;

export type CedarValue = boolean | string | Long | EntityValue | DecimalValue | SetValue | RecordValue;

export class EntityValue {
  constructor(
    readonly type: string,
    readonly id: string,
  ) {}
}

/** A Cedar `decimal`: its value times 10^4, exact, a `Long` in range -2^63 … 2^63-1. */
export class DecimalValue {
  constructor(readonly scaled: Long) {}
}

/** Cedar sets are sets: equality and membership ignore order and repeats. */
export class SetValue {
  private keys: ReadonlySet<string> | undefined;

  constructor(readonly elements: readonly CedarValue[]) {}

  /** The canonical keys of its elements (computed once, on first need). */
  elementKeys(): ReadonlySet<string> {
    this.keys ??= new Set(this.elements.map(canonicalKey));
    return this.keys;
  }

  isEmpty(): boolean {
    return this.elements.length === 0;
  }
}

export class RecordValue {
  constructor(readonly fields: ReadonlyMap<string, CedarValue>) {}
}

export function isLong(value: CedarValue): value is Long {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** Keeps the invariant: a Long is a `number` exactly when it is a safe integer. */
export function normalLong(value: bigint): Long {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

export const longMin = -(2n ** 63n);
export const longMax = 2n ** 63n - 1n;

/**
 * Cedar's equality: by value, deep for sets (order-insensitive) and records; values of
 * different types are unequal (never an error), so a Long never equals a decimal.
 */
export function cedarEquals(left: CedarValue, right: CedarValue): boolean {
  if (typeof left !== 'object' || typeof right !== 'object') return left === right;
  if (left instanceof EntityValue) {
    return right instanceof EntityValue && left.type === right.type && left.id === right.id;
  }
  if (left instanceof DecimalValue) return right instanceof DecimalValue && left.scaled === right.scaled;
  if (left.constructor !== right.constructor) return false;
  return canonicalKey(left) === canonicalKey(right);
}

/**
 * A text that two values share exactly when Cedar holds them equal: a type tag, strings quoted
 * (so no two values' keys run together), sets as their sorted distinct element keys, records as
 * their fields sorted by name.
 */
export function canonicalKey(value: CedarValue): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'bigint':
      return `l${String(value)}`;
    default:
      return objectKey(value);
  }
}

function objectKey(value: EntityValue | DecimalValue | SetValue | RecordValue): string {
  if (value instanceof EntityValue) return `e${JSON.stringify(value.type)}${JSON.stringify(value.id)}`;
  if (value instanceof DecimalValue) return `d${String(value.scaled)}`;
  if (value instanceof SetValue) return `[${[...value.elementKeys()].sort().join(',')}]`;
  const fields = [...value.fields.keys()].sort();
  return `{${fields.map((name) => `${JSON.stringify(name)}:${canonicalKey(value.fields.get(name) ?? false)}`).join(',')}}`;
}

/** The Cedar type of a value, for error messages (in Cedar's words). */
export function typeName(value: CedarValue): string {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'long';
    default:
      if (value instanceof EntityValue) return `(entity of type \`${value.type}\`)`;
      if (value instanceof DecimalValue) return 'decimal';
      return value instanceof SetValue ? 'set' : 'record';
  }
}

/** An entity as Cedar writes it: `Type::"id"`. */
export function entityText(entity: EntityValue): string {
  return `${entity.type}::${JSON.stringify(entity.id)}`;
}
