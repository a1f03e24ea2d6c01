import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateArguments } from './mock-tool-arguments.js';

function expectValid(schema: Record<string, unknown>): unknown {
  const value = generateArguments(schema);
  const result = z.fromJSONSchema(schema).safeParse(value);
  expect(result.success, `${JSON.stringify(value)}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
  return value;
}

describe('tool-call arguments fit the tool schema', () => {
  it('fills every type with values inside the bounds', () => {
    const value = expectValid({
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 12, maxLength: 20 },
        code: { type: 'string', maxLength: 3 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 3, maximum: 7 },
        below: { type: 'integer', maximum: -10 },
        ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        step: { type: 'number', minimum: 0.25, multipleOf: 0.25 },
        strict: { type: 'boolean' },
        kind: { const: 'forecast' },
        nothing: { type: 'null' },
        maybe: { type: ['string', 'null'] },
      },
      required: ['city', 'unit', 'days'],
      additionalProperties: false,
    });
    expect(value).toMatchObject({ unit: 'celsius', strict: true, kind: 'forecast' });
  });

  it('handles arrays, nested objects and formats', () => {
    const value = expectValid({
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4, uniqueItems: true },
        when: { type: 'string', format: 'date-time' },
        contact: { type: 'string', format: 'email' },
        id: { type: 'string', format: 'uuid' },
        site: { type: 'string', format: 'uri' },
        address: {
          type: 'object',
          properties: { street: { type: 'string' }, number: { type: 'integer', minimum: 1 } },
          required: ['street'],
          additionalProperties: false,
        },
      },
      required: ['tags', 'address'],
    }) as { tags: string[] };
    expect(value.tags).toHaveLength(2);
  });

  it('follows local references, anyOf and allOf', () => {
    expectValid({
      type: 'object',
      $defs: { point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
      properties: {
        origin: { $ref: '#/$defs/point' },
        either: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 10 }] },
        both: {
          allOf: [
            { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
            { type: 'object', properties: { b: { type: 'boolean' } }, required: ['b'] },
          ],
        },
      },
      required: ['origin', 'either', 'both'],
    });
  });

  it('terminates on recursive schemas and is deterministic', () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, child: { $ref: '#' } },
      required: ['name'],
    };
    const first = generateArguments(schema);
    expect(JSON.stringify(first).length).toBeLessThan(2000);
    expect(generateArguments(schema)).toEqual(first);
  });

  it('gives an empty schema an object', () => {
    expect(generateArguments({ type: 'object' })).toEqual({});
  });
});
