import { Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest, type RawResponse } from './support/http.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';

/**
 * SPEC section 15: every malformed request gets a 4xx in the caller's dialect, with a message that
 * says what is wrong, without a stack trace, and without reaching a provider. The only provider
 * behind the configured models is a scripted upstream that counts what reaches it.
 */

type Dialect = 'openai' | 'anthropic';

interface Route {
  readonly name: string;
  readonly path: string;
  readonly dialect: Dialect;
  readonly valid: Readonly<Record<string, unknown>>;
}

const bodyLimitBytes = 200_000;

const openaiChat: Route = {
  name: 'POST /v1/chat/completions',
  path: '/v1/chat/completions',
  dialect: 'openai',
  valid: { model: 'test-model', messages: [{ role: 'user', content: 'Hello' }] },
};
const anthropicMessages: Route = {
  name: 'POST /v1/messages',
  path: '/v1/messages',
  dialect: 'anthropic',
  valid: { model: 'test-claude', max_tokens: 16, messages: [{ role: 'user', content: 'Hello' }] },
};
const embeddings: Route = {
  name: 'POST /v1/embeddings',
  path: '/v1/embeddings',
  dialect: 'openai',
  valid: { model: 'test-model', input: 'Hello' },
};
const chatRoutes = [openaiChat, anthropicMessages];
const allRoutes = [openaiChat, anthropicMessages, embeddings];

let upstream: ScriptedUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  gateway = await startTestGateway({
    server: { body_limit_bytes: bodyLimitBytes },
    // Only the scripted upstream can answer, so the counter sees every request that got through.
    mock: { enabled: false },
    providers: {
      scripted: { type: 'openai-compatible', base_url: `${upstream.url}/v1` },
      'scripted-anthropic': { type: 'anthropic', base_url: upstream.url, api_key: 'x' },
    },
    models: {
      'test-model': { targets: [{ provider: 'scripted', model: 'upstream-model' }] },
      'test-claude': { targets: [{ provider: 'scripted-anthropic', model: 'upstream-claude' }] },
    },
  });
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

interface Send {
  readonly body?: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string | number | undefined>>;
}

function send(route: Route, { body, headers }: Send): Promise<RawResponse> {
  return rawRequest(`${gateway.url}${route.path}`, {
    headers: {
      authorization: `Bearer ${gateway.masterKey}`,
      'content-type': 'application/json',
      ...headers,
    },
    ...(body === undefined ? {} : { body }),
  });
}

function json(
  route: Route,
  changes: Readonly<Record<string, unknown>>,
  remove: readonly string[] = [],
): string {
  const body: Record<string, unknown> = { ...route.valid, ...changes };
  for (const field of remove) Reflect.deleteProperty(body, field);
  return JSON.stringify(body);
}

/** Text that only a leaked stack trace or internal path would contain. */
const leakPatterns = [
  /\n\s+at /,
  /\bat [\w.<>]+ \(/,
  /\.(?:ts|js|mjs):\d+/,
  /node_modules/,
  /file:\/\//,
  /\/work\//,
];

/** The message, after checking every rule a rejected request's answer must follow. */
function expectRejected(response: RawResponse, route: Route, status: number, mention: RegExp): string {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.headers['x-request-id']).toMatch(/^\S+$/);
  for (const pattern of leakPatterns) expect(response.text).not.toMatch(pattern);
  const body = JSON.parse(response.text) as Record<string, unknown>;
  let message: unknown;
  if (route.dialect === 'openai') {
    expect(Object.keys(body)).toEqual(['error']);
    const error = body.error as Record<string, unknown>;
    expect(error).toEqual({
      message: expect.any(String),
      type: expect.any(String),
      param: error.param === null ? null : expect.any(String),
      code: error.code === null ? null : expect.any(String),
    });
    message = error.message;
  } else {
    expect(body.type).toBe('error');
    const error = body.error as Record<string, unknown>;
    expect(error).toEqual({ type: expect.any(String), message: expect.any(String) });
    message = error.message;
  }
  expect(message).toMatch(mention);
  return message as string;
}

/** Runs `action` and checks that no request reached the upstream meanwhile. */
async function withoutUpstream<T>(action: () => Promise<T>): Promise<T> {
  const before = upstream.count();
  const result = await action();
  expect(upstream.count(), 'a rejected request reached the upstream').toBe(before);
  return result;
}

async function expectBadRequest(
  route: Route,
  request: Send,
  status: number,
  mention: RegExp,
): Promise<string> {
  return withoutUpstream(async () => expectRejected(await send(route, request), route, status, mention));
}

describe('a well-formed request is answered (so the rejections below mean something)', () => {
  it.each(allRoutes)('$name reaches the upstream once', async (route) => {
    const before = upstream.count();
    const response = await send(route, { body: JSON.stringify(route.valid) });
    expect(response.status, response.text).toBe(200);
    expect(upstream.count()).toBe(before + 1);
  });

  describe.each(allRoutes)('$name accepts every spelling of a JSON content type', (route) => {
    it.each(['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON'])(
      '%s',
      async (contentType) => {
        const response = await send(route, {
          body: JSON.stringify(route.valid),
          headers: { 'content-type': contentType },
        });
        expect(response.status, response.text).toBe(200);
      },
    );
  });
});

describe.each(allRoutes)('$name rejects a malformed body', (route) => {
  it('invalid JSON', async () => {
    await expectBadRequest(route, { body: '{"model": "test-model", "messages": [' }, 400, /JSON/);
  });

  it('an empty body', async () => {
    await expectBadRequest(route, { body: '' }, 400, /empty|JSON/i);
  });

  it('no body at all', async () => {
    await expectBadRequest(route, { headers: { 'content-length': 0 } }, 400, /empty|JSON|body/i);
  });

  it.each([
    ['an array', '[{"model":"test-model"}]'],
    ['a number', '42'],
    ['a string', '"hello"'],
    ['null', 'null'],
    ['true', 'true'],
  ])('%s instead of an object', async (_name, body) => {
    await expectBadRequest(route, { body }, 400, /object/);
  });

  it('a missing model', async () => {
    await expectBadRequest(route, { body: json(route, {}, ['model']) }, 400, /model/);
  });

  it.each([
    ['a number', 42],
    ['an empty string', ''],
    ['an object', { name: 'test-model' }],
    ['null', null],
  ])('a model that is %s', async (_name, model) => {
    await expectBadRequest(route, { body: json(route, { model }) }, 400, /model/);
  });

  it('an unknown model (404, naming it)', async () => {
    const message = await expectBadRequest(
      route,
      { body: json(route, { model: 'no-such-model-xyz' }) },
      404,
      /model/,
    );
    expect(message).toContain('no-such-model-xyz');
  });

  it('invalid UTF-8 bytes', async () => {
    const valid = json(route, {});
    const cut = valid.lastIndexOf('Hello');
    const body = Buffer.concat([
      Buffer.from(valid.slice(0, cut)),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from(valid.slice(cut)),
    ]);
    await expectBadRequest(route, { body }, 400, /UTF-8/);
  });

  it('a body over the configured limit (413)', async () => {
    const padding = 'x'.repeat(bodyLimitBytes + 10_000);
    await expectBadRequest(route, { body: json(route, { padding }) }, 413, /limit|large/i);
  });

  it('JSON nested absurdly deep', async () => {
    const depth = 40_000;
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body = `{"model":"${String(route.valid.model)}","messages":${nested},"input":${nested},"max_tokens":16}`;
    const response = await withoutUpstream(() => send(route, { body }));
    // Refused before parsing, naming the limit (server.max_json_depth, 128 by default).
    expectRejected(response, route, 400, /nests .*128 levels/);
  });
});

describe.each(allRoutes)('$name rejects a bad header', (route) => {
  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['XML', 'application/xml'],
  ])('a %s content type (415)', async (_name, contentType) => {
    await expectBadRequest(
      route,
      { body: JSON.stringify(route.valid), headers: { 'content-type': contentType } },
      415,
      /JSON|Content-Type/i,
    );
  });

  it('no content type (415)', async () => {
    await expectBadRequest(
      route,
      { body: JSON.stringify(route.valid), headers: { 'content-type': undefined } },
      415,
      /JSON|Content-Type/i,
    );
  });

  it.each([
    ['no key', { authorization: undefined }],
    ['a wrong key', { authorization: 'Bearer gh-wrong-key-0000000000000000' }],
    ['a wrong x-api-key', { authorization: undefined, 'x-api-key': 'sk-ant_not_the_master_key_000' }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a bare token without a scheme', { authorization: 'gh-test-master-key-0123456789abcdef' }],
  ])('%s (401)', async (_name, headers) => {
    await expectBadRequest(route, { body: JSON.stringify(route.valid), headers }, 401, /API key|key/i);
  });

  it.each([
    ['too long', 'r'.repeat(500)],
    ['with spaces', 'my request id'],
    ['with markup', '<script>alert(1)</script>'],
    ['with a header injection attempt', 'abc%0d%0aSet-Cookie:x=1'],
  ])('an x-request-id %s is replaced, not echoed', async (_name, offered) => {
    const response = await send(route, { body: '[]', headers: { 'x-request-id': offered } });
    expect(response.status).toBe(400);
    const id = response.headers['x-request-id'];
    expect(id).toBeDefined();
    expect(id).not.toBe(offered);
    expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(response.text).not.toContain(offered);
  });

  it('a sensible x-request-id is echoed on an error', async () => {
    const response = await send(route, { body: '[]', headers: { 'x-request-id': 'client-req-42' } });
    expect(response.status).toBe(400);
    expect(response.headers['x-request-id']).toBe('client-req-42');
  });

  it('an oversized header block gets 431 in the caller dialect, and the connection is closed', async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      const response = await withoutUpstream(() =>
        rawRequest(`${gateway.url}${route.path}`, {
          agent,
          headers: { 'content-type': 'application/json', 'x-padding': 'p'.repeat(20_000) },
          body: JSON.stringify(route.valid),
        }),
      );
      // A keep-alive client must be told the server closes the connection, or its next request
      // on that pooled socket fails with "socket hang up".
      expect(response.headers.connection).toBe('close');
      expectRejected(response, route, 431, /header/i);
    } finally {
      agent.destroy();
    }
  });
});

describe('POST /v1/chat/completions rejects wrong types and absurd parameters', () => {
  it.each([
    ['messages missing', {}, ['messages'], /messages/],
    ['messages a string', { messages: 'Hello' }, [], /messages/],
    ['messages empty', { messages: [] }, [], /messages/],
    ['a message without a role', { messages: [{ content: 'Hello' }] }, [], /role/],
    ['a message with an unknown role', { messages: [{ role: 'wizard', content: 'Hello' }] }, [], /role/],
    ['content a number', { messages: [{ role: 'user', content: 42 }] }, [], /content/],
    ['stream "yes"', { stream: 'yes' }, [], /stream/],
    ['stream_options a string', { stream: true, stream_options: 'usage' }, [], /stream_options/],
    ['temperature "hot"', { temperature: 'hot' }, [], /temperature/],
    ['temperature 5', { temperature: 5 }, [], /temperature/],
    ['top_p -1', { top_p: -1 }, [], /top_p/],
    ['max_tokens -1', { max_tokens: -1 }, [], /max_tokens/],
    ['max_tokens 1.5', { max_tokens: 1.5 }, [], /max_tokens/],
    ['max_tokens 1e308', { max_tokens: 1e308 }, [], /max_tokens/],
    ['max_completion_tokens "many"', { max_completion_tokens: 'many' }, [], /max_completion_tokens/],
    ['n 1000', { n: 1000 }, [], /\bn\b/],
    ['n 0', { n: 0 }, [], /\bn\b/],
    ['tools an object', { tools: { name: 'x' } }, [], /tools/],
    ['stop with 50 sequences', { stop: Array.from({ length: 50 }, (_, index) => `s${index}`) }, [], /stop/],
    ['response_format unknown', { response_format: { type: 'yaml' } }, [], /response_format/],
  ])('%s', async (_name, changes, remove, mention) => {
    await expectBadRequest(openaiChat, { body: json(openaiChat, changes, remove) }, 400, mention);
  });
});

describe('POST /v1/messages rejects wrong types and absurd parameters', () => {
  it.each([
    ['messages missing', {}, ['messages'], /messages/],
    ['messages a string', { messages: 'Hello' }, [], /messages/],
    ['messages empty', { messages: [] }, [], /messages/],
    ['a system role inside messages', { messages: [{ role: 'system', content: 'Hello' }] }, [], /role/],
    ['max_tokens missing', {}, ['max_tokens'], /max_tokens/],
    ['max_tokens -1', { max_tokens: -1 }, [], /max_tokens/],
    ['max_tokens "lots"', { max_tokens: 'lots' }, [], /max_tokens/],
    ['stream "yes"', { stream: 'yes' }, [], /stream/],
    ['temperature "hot"', { temperature: 'hot' }, [], /temperature/],
    ['temperature 1.5', { temperature: 1.5 }, [], /temperature/],
    ['system a number', { system: 42 }, [], /system/],
    ['stop_sequences a string', { stop_sequences: 'END' }, [], /stop_sequences/],
    ['tool_choice unknown', { tool_choice: { type: 'whatever' } }, [], /tool_choice/],
  ])('%s', async (_name, changes, remove, mention) => {
    await expectBadRequest(
      anthropicMessages,
      { body: json(anthropicMessages, changes, remove) },
      400,
      mention,
    );
  });
});

describe('POST /v1/embeddings rejects wrong types and absurd parameters', () => {
  it.each([
    ['input missing', {}, ['input'], /input/],
    ['input a number', { input: 42 }, [], /input/],
    ['input empty', { input: '' }, [], /input/],
    ['input an empty list', { input: [] }, [], /input/],
    ['input a list of objects', { input: [{ text: 'x' }] }, [], /input/],
    ['input with 5000 items', { input: Array.from({ length: 5_000 }, () => 'x') }, [], /input/],
    ['encoding_format "hex"', { encoding_format: 'hex' }, [], /encoding_format/],
    ['dimensions 0', { dimensions: 0 }, [], /dimensions/],
  ])('%s', async (_name, changes, remove, mention) => {
    await expectBadRequest(embeddings, { body: json(embeddings, changes, remove) }, 400, mention);
  });
});

describe('Anthropic-route errors carry request-id as well as x-request-id', () => {
  it.each([
    ['invalid JSON', { body: '{' }],
    ['a wrong content type', { body: '{}', headers: { 'content-type': 'text/plain' } }],
    ['a body over the limit', { body: json(anthropicMessages, { padding: 'x'.repeat(bodyLimitBytes) }) }],
    ['no key', { body: '{}', headers: { authorization: undefined } }],
    ['a missing field', { body: json(anthropicMessages, {}, ['max_tokens']) }],
  ] as const)('%s', async (_name, request) => {
    const response = await send(anthropicMessages, request);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.headers['x-request-id']).toMatch(/^\S+$/);
    expect(response.headers['request-id']).toBe(response.headers['x-request-id']);
  });
});

describe('property: random input never produces a 5xx and never reaches the upstream when rejected', () => {
  const numRuns = 200;

  /** One request; checks the invariants and returns nothing (fast-check reports the failing input). */
  async function check(route: Route, body: string | Uint8Array): Promise<void> {
    const before = upstream.count();
    const response = await send(route, { body });
    expect(response.status, response.text).toBeLessThan(500);
    if (response.status >= 400) {
      expect(upstream.count(), `rejected with ${response.status} but reached the upstream`).toBe(before);
      expectRejected(response, route, response.status, /\S/);
    } else {
      expect(response.status).toBe(200);
    }
  }

  const validMessages = fc.array(
    fc.record({
      role: fc.constantFrom('user', 'assistant', 'system'),
      content: fc.string({ maxLength: 20 }),
    }),
    { minLength: 1, maxLength: 3 },
  );
  const randomRequest = (route: Route) =>
    fc.record(
      {
        model: fc.oneof(
          fc.constant(route.valid.model),
          fc.string({ maxLength: 20 }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        messages: fc.oneof(validMessages, fc.jsonValue({ maxDepth: 3 })),
        stream: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
        max_tokens: fc.oneof(fc.integer({ min: -10, max: 100 }), fc.jsonValue({ maxDepth: 1 })),
        temperature: fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      },
      { requiredKeys: [] },
    );

  it.each(chatRoutes)('$name: random JSON values', async (route) => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => check(route, JSON.stringify(value) ?? 'null')),
      { numRuns },
    );
  });

  it.each(chatRoutes)('$name: random objects with random model/messages/stream/max_tokens', async (route) => {
    await fc.assert(
      fc.asyncProperty(randomRequest(route), async (value) => check(route, JSON.stringify(value))),
      { numRuns },
    );
  });

  it.each(chatRoutes)('$name: random byte strings', async (route) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => check(route, bytes)),
      { numRuns },
    );
  });

  it.each(chatRoutes)('$name: random text, including lone surrogates', async (route) => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 100 }), async (text) => check(route, text)),
      { numRuns },
    );
  });

  it('random x-request-id values are echoed only when header-safe', async () => {
    const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 200 }),
        async (offered) => {
          const response = await send(openaiChat, { body: '[]', headers: { 'x-request-id': offered } });
          const id = response.headers['x-request-id'];
          expect(id).toMatch(acceptable);
          const trimmed = offered.trim();
          if (acceptable.test(trimmed)) expect(id).toBe(trimmed);
          else expect(id).not.toBe(trimmed);
        },
      ),
      { numRuns },
    );
  });
});
