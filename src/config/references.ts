import { resolve } from 'node:path';

/**
 * `${VAR}`, `${VAR:-default}` and `${file:/path}` inside configuration strings. The forms follow
 * the shell and Docker Compose, which is what people already write: `:-` applies the default
 * when the variable is unset or empty, and `$${` writes a literal `${`. File references read
 * mounted secrets (Kubernetes, Docker), whose trailing newline is never part of the secret.
 */

export interface ReferenceContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => string;
  /** Relative `${file:...}` paths are resolved against the configuration file's directory. */
  readonly baseDirectory: string;
}

export type ReferenceResolution =
  | {
      readonly ok: true;
      readonly value: string;
      /** The references as written, in order. */
      readonly references: readonly string[];
      /** The string was exactly one reference, so its value may become a number or boolean. */
      readonly whole: boolean;
    }
  | { readonly ok: false; readonly messages: readonly string[] };

const variableReference = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

type Expansion = { ok: true; value: string } | { ok: false; message: string };

function describeReadError(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}

function expand(written: string, expression: string, context: ReferenceContext): Expansion {
  if (expression.startsWith('file:')) {
    const filePath = resolve(context.baseDirectory, expression.slice('file:'.length));
    try {
      return { ok: true, value: context.readFile(filePath).trim() };
    } catch (error) {
      return { ok: false, message: `cannot read ${filePath} for ${written} (${describeReadError(error)})` };
    }
  }
  const match = variableReference.exec(expression);
  if (match === null) {
    return {
      ok: false,
      message: `unsupported reference ${written}: write \${VAR}, \${VAR:-default} or \${file:/path}`,
    };
  }
  const [, name = '', fallback] = match;
  const value = context.env[name];
  if (fallback !== undefined && (value === undefined || value === '')) return { ok: true, value: fallback };
  if (value === undefined) {
    return {
      ok: false,
      message: `environment variable ${name} is not set (referenced as ${written}); set it, or give a default with \${${name}:-value}`,
    };
  }
  return { ok: true, value };
}

/** Replaces every reference in a string; strings without one come back unchanged. */
export function resolveReferences(text: string, context: ReferenceContext): ReferenceResolution {
  if (!text.includes('${')) return { ok: true, value: text, references: [], whole: false };
  let value = '';
  const references: string[] = [];
  const messages: string[] = [];
  let index = 0;
  while (index < text.length) {
    if (text.startsWith('$${', index)) {
      value += '${';
      index += 3;
      continue;
    }
    if (!text.startsWith('${', index)) {
      value += text.charAt(index);
      index += 1;
      continue;
    }
    const close = text.indexOf('}', index + 2);
    if (close === -1) {
      messages.push(`unclosed reference ${text.slice(index)}: a reference ends with }`);
      break;
    }
    const written = text.slice(index, close + 1);
    references.push(written);
    const expansion = expand(written, text.slice(index + 2, close), context);
    if (expansion.ok) value += expansion.value;
    else messages.push(expansion.message);
    index = close + 1;
  }
  if (messages.length > 0) return { ok: false, messages };
  const whole = references.length === 1 && references[0] === text;
  return { ok: true, value, references, whole };
}
