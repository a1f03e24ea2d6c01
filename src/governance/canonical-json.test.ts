import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

/** RFC 8785 written the plain way, member by member, to hold the fast serialiser to. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const record = value as Record<string, unknown>;
  const names = Object.keys(record).filter((name) => record[name] !== undefined);
  names.sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  return `{${names.map((name) => `${JSON.stringify(name)}:${reference(record[name])}`).join(',')}}`;
}

describe('canonical JSON', () => {
  it('writes what a member-by-member RFC 8785 serialiser writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('orders members by UTF-16 code units, including array-index and __proto__ names', () => {
    const value = JSON.parse(
      '{"b":1,"10":2,"2":3,"__proto__":{"z":1,"a":[{"y":1,"x":2}]},"A":null}',
    ) as unknown;
    expect(canonicalJson(value)).toBe(
      '{"10":2,"2":3,"A":null,"__proto__":{"a":[{"x":2,"y":1}],"z":1},"b":1}',
    );
  });

  it('leaves out undefined members and writes the same text however the input was ordered', () => {
    expect(canonicalJson({ b: [1, 'x'], a: undefined, c: { e: true, d: 1.5 } })).toBe(
      canonicalJson(JSON.parse('{"c":{"d":1.5,"e":true},"b":[1,"x"]}')),
    );
  });
});
