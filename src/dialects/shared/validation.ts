import { GatewayError } from '../../errors/index.js';
import type { RequestSummary, Validation } from '../codec.js';

/**
 * Structural checks shared by both dialects. A check throws a `FieldProblem` that `validate`
 * turns into a value; throwing keeps deeply nested checks short, and `validate` is the only exit,
 * so no problem escapes as an exception.
 */
class FieldProblem extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

export function reject(param: string, message: string): never {
  throw new FieldProblem(param, message);
}

/**
 * Runs checks that end with the request's summary; the first problem becomes an
 * `invalid_request` error naming the field.
 */
export function validate(check: () => RequestSummary): Validation {
  try {
    return { ok: true, summary: check() };
  } catch (error) {
    if (error instanceof FieldProblem) {
      return { ok: false, error: new GatewayError('invalid_request', error.message, { param: error.param }) };
    }
    throw error;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional fields: absent and JSON `null` both mean "not set" (most OpenAI fields are nullable). */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

export function expectString(value: unknown, param: string): string {
  if (typeof value !== 'string') reject(param, `${param} must be a string, got ${describe(value)}`);
  return value;
}

export function expectNonEmptyString(value: unknown, param: string): string {
  const text = expectString(value, param);
  if (text === '') reject(param, `${param} must not be empty`);
  return text;
}

/**
 * The longest model name accepted. A model name is kept (metric labels, routing state, logs,
 * usage records) and echoed in `x-gatehouse-model`; no provider's names come near this length.
 */
export const maximumModelNameLength = 256;

/** Printable ASCII (U+0020 to U+007E): what an HTTP header, a log line and a metric label carry as is. */
const printableAscii = /^[\x20-\x7e]*$/;

/** A model name: 1 to 256 characters of printable ASCII, checked before the name is used at all. */
export function expectModelName(value: unknown, param: string): string {
  const name = expectNonEmptyString(value, param);
  if (name.length > maximumModelNameLength) {
    reject(
      param,
      `${param} must be at most ${maximumModelNameLength} characters long, got ${name.length} characters`,
    );
  }
  if (!printableAscii.test(name)) {
    reject(param, `${param} must contain only printable ASCII characters (U+0020 to U+007E)`);
  }
  return name;
}

/**
 * How deep a JSON Schema a caller sends (tool parameters, `response_format`) may nest, counting
 * every object and array. Real schemas stay far below it (OpenAI's strict mode allows 10 levels of
 * object nesting, about 20 here); deeper is refused before anything walks the schema recursively.
 */
export const maximumSchemaDepth = 64;

/** A JSON Schema: an object nested at most `maximumSchemaDepth` levels. */
export function expectSchema(value: unknown, param: string): Record<string, unknown> {
  const schema = expectRecord(value, param);
  if (nestingExceeds(schema, maximumSchemaDepth)) {
    reject(
      param,
      `${param} is nested more than ${maximumSchemaDepth} levels deep; a JSON Schema may nest at most ${maximumSchemaDepth} levels`,
    );
  }
  return schema;
}

/**
 * Whether objects and arrays nest deeper than `maximum` levels (the value itself is level 1).
 * Iterative, so a value of any depth is measured without growing the call stack; it stops at the
 * first level past the bound.
 */
export function nestingExceeds(value: unknown, maximum: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const pending: [object, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [container, depth] = next;
    if (depth > maximum) return true;
    const children: readonly unknown[] = Array.isArray(container) ? container : Object.values(container);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

export function expectBoolean(value: unknown, param: string): boolean {
  if (typeof value !== 'boolean') reject(param, `${param} must be a boolean, got ${describe(value)}`);
  return value;
}

export function expectRecord(value: unknown, param: string): Record<string, unknown> {
  if (!isRecord(value)) reject(param, `${param} must be an object, got ${describe(value)}`);
  return value;
}

export function expectArray(value: unknown, param: string): readonly unknown[] {
  if (!Array.isArray(value)) reject(param, `${param} must be an array, got ${describe(value)}`);
  return value as readonly unknown[];
}

export function expectNonEmptyArray(value: unknown, param: string): readonly unknown[] {
  const items = expectArray(value, param);
  if (items.length === 0) reject(param, `${param} must not be empty`);
  return items;
}

export function expectNumberInRange(value: unknown, param: string, minimum: number, maximum: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || value > maximum) {
    reject(param, `${param} must be a number from ${minimum} to ${maximum}, got ${show(value)}`);
  }
  return value;
}

export function expectIntegerInRange(
  value: unknown,
  param: string,
  minimum: number,
  maximum: number,
): number {
  if (!Number.isSafeInteger(value) || (value as number) < minimum || (value as number) > maximum) {
    reject(param, `${param} must be an integer from ${minimum} to ${maximum}, got ${show(value)}`);
  }
  return value as number;
}

export function expectOneOf<const T extends string>(value: unknown, param: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    reject(param, `${param} must be one of ${allowed.join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

export function expectStringArray(value: unknown, param: string): readonly string[] {
  const items = expectArray(value, param);
  items.forEach((item, index) => expectString(item, `${param}[${index}]`));
  return items as readonly string[];
}

/** The largest max_tokens accepted: far above any model's limit, low enough to catch nonsense. */
export const maximumOutputTokens = 1_000_000;

/** A value for an error message: short scalars shown as JSON, everything else by its kind. */
function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string' && value.length <= 40) return JSON.stringify(value);
  return describe(value);
}

/** `stream_options.include_usage` of a streaming request (an unknown field passes through in either dialect). */
export function includesUsage(body: Readonly<Record<string, unknown>>, stream: boolean): boolean {
  if (!stream) return false;
  const options = body.stream_options;
  return isRecord(options) && options.include_usage === true;
}
