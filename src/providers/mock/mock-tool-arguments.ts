/**
 * Deterministic values that fit a JSON Schema (the subset tool definitions use: types, enum,
 * const, bounds, formats, arrays, nested objects, anyOf / oneOf / allOf and local `$ref`s), so a
 * mock tool call's arguments pass the caller's own validation. Every property is filled in, not
 * only the required ones, down to a depth where only required properties are kept so recursive
 * schemas terminate.
 */

type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberField(schema: Schema, name: string): number | undefined {
  const value = schema[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Below this depth all properties are filled in; at or beyond it only required ones. */
const fullDepth = 4;
/** Beyond this depth a value is cut short, whatever the schema says (cyclic `$ref`s). */
const deepest = 12;

interface Context {
  readonly root: Schema;
  readonly depth: number;
  /** The property name the value is for, used to make strings read naturally. */
  readonly label: string;
  /** Distinguishes array items from each other (`uniqueItems`). */
  readonly ordinal: number;
}

export function generateArguments(schema: Readonly<Record<string, unknown>>): unknown {
  return generate(schema, { root: schema, depth: 0, label: 'value', ordinal: 0 });
}

function resolveReference(reference: string, root: Schema): Schema | undefined {
  if (!reference.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const rawSegment of reference.slice(1).split('/')) {
    if (rawSegment === '') continue;
    const segment = decodeURIComponent(rawSegment).replaceAll('~1', '/').replaceAll('~0', '~');
    node = isSchema(node) ? node[segment] : undefined;
  }
  return isSchema(node) ? node : undefined;
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const first = type.find((item) => item !== 'null') as unknown;
    return typeof first === 'string' ? first : 'null';
  }
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined || schema.prefixItems !== undefined) return 'array';
  return undefined;
}

/** `allOf` as one schema: the object parts' properties and required lists combined. */
function mergeAll(schema: Schema, parts: readonly unknown[], root: Schema): Schema {
  const properties: Record<string, unknown> = isSchema(schema.properties) ? { ...schema.properties } : {};
  const required = new Set<string>(Array.isArray(schema.required) ? schema.required.map(String) : []);
  let merged: Record<string, unknown> = { ...schema };
  delete merged.allOf;
  for (const rawPart of parts) {
    const part =
      isSchema(rawPart) && typeof rawPart.$ref === 'string' ? resolveReference(rawPart.$ref, root) : rawPart;
    if (!isSchema(part)) continue;
    merged = { ...part, ...merged };
    if (isSchema(part.properties)) Object.assign(properties, part.properties);
    if (Array.isArray(part.required)) for (const name of part.required) required.add(String(name));
  }
  return { ...merged, properties, required: [...required] };
}

function generate(schema: Schema, context: Context): unknown {
  if (context.depth > deepest) return null;
  if (typeof schema.$ref === 'string') {
    const target = resolveReference(schema.$ref, context.root);
    return target === undefined ? {} : generate(target, { ...context, depth: context.depth + 1 });
  }
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as unknown;
  if (Array.isArray(schema.allOf)) return generate(mergeAll(schema, schema.allOf, context.root), context);
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : schema.oneOf;
  if (Array.isArray(alternatives)) {
    const first = alternatives.find((item) => isSchema(item) && item.type !== 'null') as unknown;
    if (isSchema(first)) return generate(first, context);
  }
  switch (typeOf(schema)) {
    case 'string':
      return generateString(schema, context);
    case 'integer':
      return generateNumber(schema, context, true);
    case 'number':
      return generateNumber(schema, context, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return generateArray(schema, context);
    case 'object':
      return generateObject(schema, context);
    default:
      return `mock ${context.label}`;
  }
}

const formatted: Readonly<Record<string, string>> = {
  'date-time': '2025-01-01T00:00:00Z',
  date: '2025-01-01',
  time: '12:00:00Z',
  email: 'mock@example.com',
  'idn-email': 'mock@example.com',
  hostname: 'mock.example.com',
  'idn-hostname': 'mock.example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com/mock',
  'uri-reference': 'https://example.com/mock',
  iri: 'https://example.com/mock',
  url: 'https://example.com/mock',
  duration: 'PT1M',
};

function generateString(schema: Schema, context: Context): string {
  const format = typeof schema.format === 'string' ? schema.format : '';
  if (format === 'uuid') {
    const digits = (context.ordinal + 1).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${digits}`;
  }
  let text = Object.hasOwn(formatted, format) ? (formatted[format] ?? '') : `mock ${context.label}`;
  if (context.ordinal > 0 && !Object.hasOwn(formatted, format)) text += ` ${context.ordinal + 1}`;
  const minimum = numberField(schema, 'minLength') ?? 0;
  const maximum = numberField(schema, 'maxLength');
  while (text.length < minimum) text += 'x';
  if (maximum !== undefined && text.length > maximum) text = text.slice(0, Math.max(0, maximum));
  return text;
}

function generateNumber(schema: Schema, context: Context, integer: boolean): number {
  let low = numberField(schema, 'minimum') ?? -Infinity;
  let high = numberField(schema, 'maximum') ?? Infinity;
  const exclusiveLow = numberField(schema, 'exclusiveMinimum');
  const exclusiveHigh = numberField(schema, 'exclusiveMaximum');
  const step = integer ? 1 : 0.5;
  if (exclusiveLow !== undefined)
    low = Math.max(low, integer ? Math.floor(exclusiveLow) + 1 : exclusiveLow + step);
  if (exclusiveHigh !== undefined)
    high = Math.min(high, integer ? Math.ceil(exclusiveHigh) - 1 : exclusiveHigh - step);
  if (integer) {
    low = Math.ceil(low);
    high = Math.floor(high);
  }
  let value = (integer ? 1 : 1.5) + context.ordinal;
  if (value < low) value = low;
  if (value > high) value = Number.isFinite(low) ? low : high;
  const multipleOf = numberField(schema, 'multipleOf');
  if (multipleOf !== undefined && multipleOf > 0) {
    const up = Math.ceil(value / multipleOf) * multipleOf;
    const down = Math.floor(value / multipleOf) * multipleOf;
    value = up <= high ? up : down;
    // Multiplying back can leave binary noise (0.1 * 3); round to the step's decimals.
    value = Number(value.toFixed(12));
  }
  return value;
}

function generateArray(schema: Schema, context: Context): unknown[] {
  const minimum = numberField(schema, 'minItems') ?? 1;
  const maximum = numberField(schema, 'maxItems') ?? Infinity;
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  const count = Math.min(Math.max(minimum, prefix.length === 0 ? 1 : prefix.length), maximum);
  const items = isSchema(schema.items) ? schema.items : {};
  const values: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const itemSchema = prefix[index] as unknown;
    values.push(
      generate(isSchema(itemSchema) ? itemSchema : items, {
        root: context.root,
        depth: context.depth + 1,
        label: context.label,
        ordinal: index,
      }),
    );
  }
  return values;
}

function generateObject(schema: Schema, context: Context): Record<string, unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const value: Record<string, unknown> = {};
  for (const name of Object.keys(properties)) {
    if (context.depth >= fullDepth && !required.has(name)) continue;
    const property = properties[name];
    value[name] = generate(isSchema(property) ? property : {}, {
      root: context.root,
      depth: context.depth + 1,
      label: name,
      ordinal: 0,
    });
  }
  // A required name without a property schema (allowed by JSON Schema) still gets a value.
  for (const name of required) if (!(name in value)) value[name] = `mock ${name}`;
  return value;
}
