import type { z } from 'zod';
import type { ConfigPath } from './config-path.js';
import { configSchema } from './schema.js';

/**
 * Questions asked of the schema by path: what kind of value lives there (so text from an
 * environment variable or a `${VAR}` reference becomes a number or a boolean where one is
 * expected), which keys an object accepts (for "did you mean"), and every documented path.
 * Only the schema constructs used by schema.ts are understood; anything else is 'other'.
 */

export type ValueKind =
  | { readonly kind: 'number' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'string' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'object'; readonly keys: readonly string[] }
  | { readonly kind: 'record' }
  | { readonly kind: 'array' }
  | { readonly kind: 'other' };

type Schema = z.core.$ZodType;

/** Looks through optional, default and prefault wrappers to the schema that validates the value. */
function unwrap(schema: Schema): z.core.$ZodTypes {
  const typed = schema as z.core.$ZodTypes;
  const definition = typed._zod.def;
  switch (definition.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return unwrap(definition.innerType);
    case 'pipe':
      return unwrap(definition.in);
    default:
      return typed;
  }
}

function child(schema: Schema, segment: string | number): Schema | undefined {
  const definition = unwrap(schema)._zod.def;
  switch (definition.type) {
    case 'object':
      return typeof segment === 'string' ? definition.shape[segment] : undefined;
    case 'record':
      return typeof segment === 'string' ? definition.valueType : undefined;
    case 'array':
      return typeof segment === 'number' ? definition.element : undefined;
    default:
      return undefined;
  }
}

function schemaAt(path: ConfigPath, root: Schema = configSchema): Schema | undefined {
  let current: Schema | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    current = child(current, segment);
  }
  return current;
}

function kindOf(schema: Schema): ValueKind {
  const definition = unwrap(schema)._zod.def;
  switch (definition.type) {
    case 'number':
      return { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'string':
      return { kind: 'string' };
    case 'enum':
      return { kind: 'enum', values: Object.values(definition.entries).map(String) };
    case 'object':
      return { kind: 'object', keys: Object.keys(definition.shape) };
    case 'record':
      return { kind: 'record' };
    case 'array':
      return { kind: 'array' };
    default:
      return { kind: 'other' };
  }
}

/** The kind of value expected at a path, or undefined when the schema has no such path. */
export function valueKindAt(path: ConfigPath): ValueKind | undefined {
  const schema = schemaAt(path);
  return schema === undefined ? undefined : kindOf(schema);
}

/**
 * Every path a person can write, with `<name>` for a record entry and `[]` for an array item:
 * `providers.<name>.api_key`, `models.<name>.targets[].weight`. Objects are listed as well as
 * their leaves, so documentation can be checked for every key.
 */
export function documentedPaths(): string[] {
  const paths: string[] = [];
  const visit = (schema: Schema, prefix: string): void => {
    const definition = unwrap(schema)._zod.def;
    // `targets[]` is documented through its fields (`targets[].model`), not as a path of its own.
    if (prefix !== '' && !prefix.endsWith('[]')) paths.push(prefix);
    switch (definition.type) {
      case 'object':
        for (const [key, value] of Object.entries(definition.shape)) {
          visit(value, prefix === '' ? key : `${prefix}.${key}`);
        }
        return;
      case 'record':
        // A record of plain strings (headers) is documented as one key, not per entry.
        if (kindOf(definition.valueType).kind === 'object') visit(definition.valueType, `${prefix}.<name>`);
        return;
      case 'array':
        // A list of plain values (`fallbacks`, `retry.on`) is documented as one key.
        if (kindOf(definition.element).kind === 'object') visit(definition.element, `${prefix}[]`);
        return;
      default:
        return;
    }
  };
  visit(configSchema, '');
  return paths;
}
