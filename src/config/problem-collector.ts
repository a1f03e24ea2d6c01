import type { ConfigProblem, ValueSource } from './config-error.js';
import { formatPath, isPlainObject, isSameOrDescendant, type ConfigPath } from './config-path.js';
import { isSecretField, isSecretSource, maskForField, maskSecret } from './mask.js';

/**
 * The problems of one load, in the order found. A field reported once (an unset `${VAR}`, an
 * unparseable PORT) is not reported again by the schema as "required" or "wrong type".
 */
export class ProblemCollector {
  #entries: { path: ConfigPath; problem: ConfigProblem }[] = [];

  get problems(): ConfigProblem[] {
    return this.#entries.map(({ problem }) => problem);
  }

  add(path: ConfigPath, source: ValueSource, message: string): void {
    this.#entries.push({ path, problem: { path: formatPath(path), source, message } });
  }

  /** Forgets the problems of a value that a higher layer replaces (PORT over `port: ${PORT}`). */
  discard(path: ConfigPath): void {
    this.#entries = this.#entries.filter((entry) => !isSameOrDescendant(entry.path, path));
  }

  /** Whether a problem was already reported for this path or a path enclosing it. */
  covers(path: ConfigPath): boolean {
    return this.#entries.some((entry) => isSameOrDescendant(path, entry.path));
  }
}

const longestShown = 80;

/** A value as quoted in a problem (`-1`, `"abc"`, `a list`), with secrets masked. */
export function describeValue(value: unknown, path: ConfigPath, source: ValueSource): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  const secret = isSecretSource(source) || isSecretField(path);
  // An unquoted key in YAML (`api_key: 1234…`) reads as a number, and is a secret all the same.
  if (secret && typeof value !== 'string') return `a ${typeof value}`;
  if (typeof value === 'string') {
    const shown = secret ? maskSecret(value) : maskForField(path, value);
    const clipped = shown.length > longestShown ? `${shown.slice(0, longestShown)}…` : shown;
    return JSON.stringify(clipped);
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}
