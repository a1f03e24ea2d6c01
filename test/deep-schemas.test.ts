import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest, type RawResponse } from './support/http.js';

/**
 * JSON Schemas a caller sends (tool parameters, Anthropic's `input_schema`, `response_format`'s
 * schema) nest at most 64 levels: deeper is a 400 that names the field and says why, never a 500
 * from counting its tokens. The body is written by hand, as JSON.stringify could not write it.
 */

let gateway: TestGateway;

/** A schema `depth` levels deep: each level an object schema with one property. */
function nestedSchema(depth: number): string {
  return `${'{"type":"object","properties":{"a":'.repeat(depth - 1)}{"type":"string"}${'}}'.repeat(depth - 1)}`;
}

function post(path: string, body: string): Promise<RawResponse> {
  const headers =
    path === '/v1/messages'
      ? { 'x-api-key': gateway.masterKey, 'anthropic-version': '2023-06-01' }
      : { authorization: `Bearer ${gateway.masterKey}` };
  return rawRequest(`${gateway.url}${path}`, {
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
}

function errorOf(response: RawResponse): { message: string; param?: string } {
  return (JSON.parse(response.text) as { error: { message: string; param?: string } }).error;
}

const messages = '[{"role":"user","content":"Hello"}]';
const cases = {
  'OpenAI tool parameters': {
    path: '/v1/chat/completions',
    body: (schema: string) =>
      `{"model":"mock","messages":${messages},"tools":[{"type":"function","function":{"name":"f","parameters":${schema}}}]}`,
    param: 'tools[0].function.parameters',
  },
  'OpenAI response_format schema': {
    path: '/v1/chat/completions',
    body: (schema: string) =>
      `{"model":"mock","messages":${messages},"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":${schema}}}}`,
    param: 'response_format.json_schema.schema',
  },
  'Anthropic tool input_schema': {
    path: '/v1/messages',
    body: (schema: string) =>
      `{"model":"mock","max_tokens":16,"messages":${messages},"tools":[{"name":"f","input_schema":${schema}}]}`,
    param: 'tools[0].input_schema',
  },
} as const;

describe('deeply nested JSON Schemas', () => {
  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway.close();
  });

  it.each(Object.keys(cases) as (keyof typeof cases)[])(
    'refuses a schema nested 100,000 deep with a 400 that says why (%s)',
    async (name) => {
      const { path, body } = cases[name];
      // Each level of nestedSchema is two JSON levels (the schema and its `properties`).
      const response = await post(path, body(nestedSchema(50_000)));
      expect(response.status, response.text).toBe(400);
      // The body parser's depth cap (server.max_json_depth) refuses it before any schema is read.
      expect(errorOf(response).message).toMatch(/nests arrays and objects more than \d+ levels deep/);
    },
  );

  it.each(Object.keys(cases) as (keyof typeof cases)[])(
    'accepts a schema nested 64 deep and refuses one nested 65 deep (%s)',
    async (name) => {
      const { path, body, param } = cases[name];
      // 32 levels of nestedSchema are 63 JSON levels (the innermost schema has no `properties`).
      const accepted = await post(path, body(nestedSchema(32)));
      expect(accepted.status, accepted.text).toBe(200);
      const refused = await post(path, body(`{"type":"object","properties":{"a":${nestedSchema(32)}}}`));
      expect(refused.status, refused.text).toBe(400);
      const error = errorOf(refused);
      expect(error.message).toContain(param);
      expect(error.message).toMatch(/nest/);
      if (path !== '/v1/messages') expect(error.param).toBe(param);
    },
  );
});
