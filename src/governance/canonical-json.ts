import { hash } from 'node:crypto';

/**
 * Canonical JSON (RFC 8785, JCS, for the values JSON.parse yields): object members sorted by
 * their names' UTF-16 code units, no whitespace, strings and numbers as ECMAScript serialises
 * them. The same request therefore hashes the same however its sender spaced or ordered it, and a
 * client can recompute `input_hash` and `output_hash` with any JCS library.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((name) => record[name] !== undefined)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
  return `{${members.join(',')}}`;
}

/** SHA-256 of a value's canonical JSON (UTF-8), hex. */
export function canonicalHash(value: unknown): string {
  // The one-shot `hash` allocates no Hash object: twice per decision, on the request path.
  return hash('sha256', canonicalJson(value), 'hex');
}
