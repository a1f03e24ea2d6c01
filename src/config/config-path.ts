/**
 * A position inside the configuration tree: object keys and array indexes, outermost first.
 * Problems and value sources are keyed by path, so the same helpers serve the file, the
 * environment, the flags and the schema's issues.
 */
export type ConfigPath = readonly (string | number)[];

/** `models.gpt-4o.targets[0].weight`: what a person reads, not necessarily unambiguous. */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** An unambiguous map key for a path (model names may contain dots). */
export function pathKey(path: ConfigPath): string {
  return JSON.stringify(path);
}

/** `server.tls.cert_path` → `['server', 'tls', 'cert_path']`; for tables written by hand. */
export function parseDottedPath(dotted: string): readonly string[] {
  return dotted.split('.');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function valueAt(root: unknown, path: ConfigPath): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment] as unknown;
    } else {
      if (!isPlainObject(current)) return undefined;
      current = current[segment];
    }
  }
  return current;
}

/**
 * Sets a value at an object path, creating the objects on the way. Returns false (and changes
 * nothing) when something on the way is not an object: the file's own shape error is then
 * reported by the schema instead of being silently replaced.
 */
export function setObjectPath(
  root: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): boolean {
  let current = root;
  for (const [index, segment] of path.entries()) {
    if (index === path.length - 1) {
      current[segment] = value;
      return true;
    }
    const next = current[segment] ?? {};
    if (!isPlainObject(next)) return false;
    current[segment] = next;
    current = next;
  }
  return false;
}

export function isSameOrDescendant(path: ConfigPath, ancestor: ConfigPath): boolean {
  return ancestor.length <= path.length && ancestor.every((segment, index) => path[index] === segment);
}
