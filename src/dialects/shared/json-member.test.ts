import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonObjectMember } from './json-member.js';

const bytes = (text: string): Buffer => Buffer.from(text);

describe('jsonObjectMember', () => {
  it('finds a top-level object member, nested objects and arrays included', () => {
    const body = bytes('{"id":"x","usage":{"a":1,"details":{"b":[1,{"c":2}]}},"tail":true}\n');
    expect(jsonObjectMember(body, 'usage')).toEqual({
      type: 'found',
      value: { a: 1, details: { b: [1, { c: 2 }] } },
    });
  });

  it('is not fooled by the key written inside text, or by braces inside strings', () => {
    const body = bytes(
      JSON.stringify({ content: 'say "usage": {"a": 9} and }}} {{', usage: { a: 1, note: '}{"usage":' } }),
    );
    expect(jsonObjectMember(body, 'usage')).toEqual({ type: 'found', value: { a: 1, note: '}{"usage":' } });
    const onlyInText = bytes(JSON.stringify({ content: '"usage": {"a": 9}' }));
    expect(jsonObjectMember(onlyInText, 'usage')).toEqual({ type: 'absent' });
  });

  it('skips a key of the same name in a nested object after the top-level one', () => {
    const body = bytes('{"usage":{"a":1},"choices":[{"usage":{"a":2}}],"x":{"usage":{"a":3}}}');
    expect(jsonObjectMember(body, 'usage')).toEqual({ type: 'found', value: { a: 1 } });
    expect(jsonObjectMember(bytes('{"x":{"usage":{"a":3}}}'), 'usage')).toEqual({ type: 'absent' });
  });

  it('allows whitespace around the colon', () => {
    expect(jsonObjectMember(bytes('{\n  "usage" :\n {"a": 1}\n}'), 'usage')).toEqual({
      type: 'found',
      value: { a: 1 },
    });
  });

  it('reports an absent or non-object member as absent', () => {
    expect(jsonObjectMember(bytes('{"id":"x"}'), 'usage')).toEqual({ type: 'absent' });
    expect(jsonObjectMember(bytes('{"usage":null}'), 'usage')).toEqual({ type: 'absent' });
  });

  it('reports empty, truncated and non-object bodies as malformed', () => {
    for (const text of [
      '',
      '   ',
      '[1,2]',
      '"usage"',
      '{"id":"x","usage":{"a":1}',
      '{"usage":{"a":1}',
      'null',
    ]) {
      expect(jsonObjectMember(bytes(text), 'usage'), text).toEqual({ type: 'malformed' });
    }
    expect(jsonObjectMember(bytes('{"usage":{"a":}}'), 'usage')).toEqual({ type: 'malformed' });
  });

  it('agrees with JSON.parse on any object with a usage member', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.object(),
        // Values after usage may hold objects with a usage key of their own.
        fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.record({ usage: fc.object() }))),
        (before, usage, after) => {
          const body = { ...before, usage, ...after };
          const parsedUsage = (JSON.parse(JSON.stringify(body)) as { usage: unknown }).usage;
          expect(jsonObjectMember(Buffer.from(JSON.stringify(body)), 'usage')).toEqual({
            type: 'found',
            value: parsedUsage,
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
