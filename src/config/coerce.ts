import type { ValueKind } from './schema-introspection.js';

/**
 * Turns text (an environment variable, or a whole-string `${VAR}` reference in the file) into the
 * kind of value the schema expects there. Text where a string is expected stays text; the schema
 * then checks it like any other value.
 */

export type Coercion =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly expected: string };

// Decimal only: hex, octal and digit separators are not what anyone means by PORT=0x1F90.
const decimalNumber = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const trueWords = new Set(['true', '1', 'yes', 'on']);
const falseWords = new Set(['false', '0', 'no', 'off']);

export function coerceText(text: string, expected: ValueKind | undefined): Coercion {
  const trimmed = text.trim();
  switch (expected?.kind) {
    case 'number':
      return decimalNumber.test(trimmed)
        ? { ok: true, value: Number(trimmed) }
        : { ok: false, expected: 'a number' };
    case 'boolean': {
      const word = trimmed.toLowerCase();
      if (trueWords.has(word)) return { ok: true, value: true };
      if (falseWords.has(word)) return { ok: true, value: false };
      return { ok: false, expected: 'true or false' };
    }
    case 'enum': {
      // LOG_LEVEL=INFO is common in deployment manifests; the schema's values are lower case.
      const match = expected.values.find((value) => value.toLowerCase() === trimmed.toLowerCase());
      return { ok: true, value: match ?? text };
    }
    default:
      return { ok: true, value: text };
  }
}
