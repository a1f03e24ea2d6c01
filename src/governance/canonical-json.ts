import { hash } from 'node:crypto';

/**
 * Canonical JSON (RFC 8785, JCS, for the values JSON.parse yields): object members sorted by
 * their names' UTF-16 code units, no whitespace, strings and numbers as ECMAScript serialises
 * them. The same request therefore hashes the same however its sender spaced or ordered it, and a
 * client can recompute `input_hash` and `output_hash` with any JCS library.
 */
export function canonicalJson(value: unknown): string {
  const sorted = sortedCopy(value);
  return sorted === unsortable ? memberByMember(value) : (JSON.stringify(sorted) ?? 'null');
}

/** The same text written member by member: for the objects `sortedCopy` cannot order. */
function memberByMember(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(memberByMember).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((name) => record[name] !== undefined)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${memberByMember(record[name])}`);
  return `{${members.join(',')}}`;
}

/** Member names JavaScript objects list first whatever their insertion order (array indices). */
const arrayIndex = /^(?:0|[1-9]\d*)$/;

export const unsortable: unique symbol = Symbol('unsortable');

/**
 * A copy of a JSON value with every object's members inserted in RFC 8785 order, so that one native
 * `JSON.stringify` writes its canonical form; `unsortable` for a member name that an object cannot
 * keep in that order (an array index, listed first whatever the insertion order) or at all
 * (`__proto__`, which sets the copy's prototype).
 */
export function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (const element of value as unknown[]) {
      const sorted = sortedCopy(element);
      if (sorted === unsortable) return unsortable;
      copy.push(sorted);
    }
    return copy;
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const name of Object.keys(record).sort()) {
    if (name === '__proto__' || arrayIndex.test(name)) return unsortable;
    const sorted = sortedCopy(record[name]);
    if (sorted === unsortable) return unsortable;
    copy[name] = sorted;
  }
  return copy;
}

/** SHA-256 of a value's canonical JSON (UTF-8), hex. */
export function canonicalHash(value: unknown): string {
  // The one-shot `hash` allocates no Hash object: twice per decision, on the request path.
  return hash('sha256', canonicalJson(value), 'hex');
}
