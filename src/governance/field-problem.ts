/**
 * Helpers of the request validators: a field that fails validation (its wire name, dotted into
 * nested objects, and what is wrong with it) is a value, returned rather than thrown.
 */
export class FieldProblem {
  constructor(
    readonly field: string,
    readonly message: string,
  ) {}
}

/** A value's kind, for messages: never the value itself, which may be large or sensitive. */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: a body's prototype chain is not part of what the caller sent. */
export function ownField(body: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(body, key) ? body[key] : undefined;
}

export function finiteNumber(value: unknown, field: string): number | FieldProblem {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return new FieldProblem(field, `${field} must be a finite number, got ${describeKind(value)}`);
}

export function unitNumber(value: unknown, field: string): number | FieldProblem {
  const number = finiteNumber(value, field);
  if (number instanceof FieldProblem) return number;
  if (number < 0 || number > 1) return new FieldProblem(field, `${field} must be in [0, 1], got ${number}`);
  return number;
}
