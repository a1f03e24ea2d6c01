/**
 * Bounds on a caller's free-form JSON (an authorize request's `args`), checked by an iterative
 * walk so that no input, however deep, can overflow the stack, and stopping at the first problem
 * so that a huge value costs no more than the bound it breaks.
 */
export interface JsonBounds {
  /** Nesting of arrays and objects; the value itself is depth 0. */
  readonly maxDepth: number;
  /** Values of every kind, containers and their members included. */
  readonly maxValues: number;
  /** UTF-8 bytes of every string and object key together. */
  readonly maxStringBytes: number;
}

/** Where the problem is (`args.items[3].note`) and what it is. */
export interface JsonBoundsProblem {
  readonly path: string;
  readonly message: string;
}

interface Pending {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function memberPath(parent: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * JSON's `\ud800` escape can carry half a UTF-16 pair, which no UTF-8 encoding, hash input or
 * policy engine can take: refused like any other malformed value.
 */
export const unpairedSurrogate = 'contains an unpaired UTF-16 surrogate (not valid Unicode text)';

/** A scalar's problem, if any: only JSON's scalars (well-formed text), and only finite numbers. */
function scalarProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? undefined : unpairedSurrogate;
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `is not a finite number (${String(value)})`;
    case 'object':
      return value === null ? undefined : 'is not a JSON value';
    default:
      return `is not a JSON value (${typeof value})`;
  }
}

/** Members of a container as pending values, or a problem when it is not a JSON container. */
function membersOf(item: Pending): Pending[] | string {
  const { value, path, depth } = item;
  const members: Pending[] = [];
  if (Array.isArray(value)) {
    // By index, not `map`: a hole in a sparse array is `undefined`, which is not JSON.
    for (let index = 0; index < value.length; index += 1)
      members.push({ value: value[index] as unknown, path: `${path}[${index}]`, depth: depth + 1 });
    return members;
  }
  if (!isPlainObject(value as object)) return 'is not a JSON value (an object that is not plain data)';
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!key.isWellFormed()) return `has a key that ${unpairedSurrogate}`;
    members.push({ value: record[key], path: memberPath(path, key), depth: depth + 1 });
  }
  return members;
}

function sizeOf(container: object): number {
  return Array.isArray(container) ? container.length : Object.keys(container).length;
}

export function checkJsonBounds(
  value: unknown,
  root: string,
  bounds: JsonBounds,
): JsonBoundsProblem | undefined {
  const pending: Pending[] = [{ value, path: root, depth: 0 }];
  let values = 0;
  let stringBytes = 0;
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    values += 1;
    if (values > bounds.maxValues) return { path: root, message: `has more than ${bounds.maxValues} values` };
    if (typeof item.value === 'string') stringBytes += Buffer.byteLength(item.value, 'utf8');
    if (typeof item.value !== 'object' || item.value === null) {
      const problem = scalarProblem(item.value);
      if (problem !== undefined) return { path: item.path, message: problem };
    } else {
      if (item.depth >= bounds.maxDepth)
        return { path: item.path, message: `nests deeper than ${bounds.maxDepth} levels` };
      // Counted before expanding, so a container of millions of members is refused unexpanded.
      if (values + pending.length + sizeOf(item.value) > bounds.maxValues)
        return { path: root, message: `has more than ${bounds.maxValues} values` };
      const members = membersOf(item);
      if (typeof members === 'string') return { path: item.path, message: members };
      if (!Array.isArray(item.value))
        for (const key of Object.keys(item.value)) stringBytes += Buffer.byteLength(key, 'utf8');
      pending.push(...members.reverse());
    }
    if (stringBytes > bounds.maxStringBytes)
      return { path: root, message: `holds more than ${bounds.maxStringBytes} bytes of text` };
  }
  return undefined;
}
