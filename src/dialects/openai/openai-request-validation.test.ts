import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import { validateEmbeddingsRequest } from './openai-embeddings-validation.js';
import { validateOpenaiChatRequest } from './openai-request-validation.js';

const valid = {
  model: 'gpt-4o',
  messages: [
    { role: 'developer', content: 'Be brief.' },
    { role: 'system', content: [{ type: 'text', text: 'Answer in English.' }] },
    {
      role: 'user',
      name: 'ada',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
        { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
        { type: 'file', file: { file_id: 'file-abc' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
    { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }], refusal: 'No.' },
  ],
  stream: true,
  stream_options: { include_usage: true },
  temperature: 2,
  top_p: 0,
  n: 128,
  max_tokens: 1_000_000,
  max_completion_tokens: 1,
  seed: -7,
  stop: ['a', 'b', 'c', 'd'],
  tools: [
    { type: 'function', function: { name: 'look', description: 'Look', parameters: {}, strict: true } },
  ],
  tool_choice: { type: 'function', function: { name: 'look' } },
  parallel_tool_calls: false,
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
  },
  user: 'u-1',
  logit_bias: { '50256': -100 },
  a_future_parameter: { anything: true },
};

function problem(patch: Record<string, unknown>): { param: string | undefined; message: string } {
  const result = validateOpenaiChatRequest({ ...valid, ...patch });
  if (result.ok) throw new Error('expected a problem');
  expect(result.error.code).toBe('invalid_request');
  return { param: result.error.param, message: result.error.message };
}

const withMessage = (message: unknown) => ({ messages: [{ role: 'user', content: 'hi' }, message] });

describe('validateOpenaiChatRequest', () => {
  it('accepts a request using every documented field, and unknown extra fields', () => {
    expect(validateOpenaiChatRequest(valid)).toMatchObject({ ok: true });
  });

  it('treats null optional fields as absent, as OpenAI does', () => {
    const nulls = {
      temperature: null,
      top_p: null,
      n: null,
      max_tokens: null,
      stop: null,
      stream: null,
      tools: null,
    };
    expect(validateOpenaiChatRequest({ ...valid, ...nulls })).toMatchObject({ ok: true });
  });

  it('accepts a plain stop string and an assistant turn made only of tool calls', () => {
    expect(validateOpenaiChatRequest({ ...valid, stop: 'END' })).toMatchObject({ ok: true });
  });

  it.each([
    [{ model: undefined }, 'model', 'model must be a string, got nothing'],
    [{ model: '' }, 'model', 'model must not be empty'],
    [{ messages: [] }, 'messages', 'messages must not be empty'],
    [{ messages: 'hello' }, 'messages', 'messages must be an array, got a string'],
    [withMessage(42), 'messages[1]', 'messages[1] must be an object, got a number'],
    [
      withMessage({ role: 'robot', content: 'x' }),
      'messages[1].role',
      'messages[1].role must be one of system, developer, user, assistant, tool, function, got "robot"',
    ],
    [
      withMessage({ role: 'user' }),
      'messages[1].content',
      'must be a string or an array of content parts, got nothing',
    ],
    [withMessage({ role: 'user', content: [] }), 'messages[1].content', 'must not be empty'],
    [
      withMessage({ role: 'user', content: [{ type: 'video' }] }),
      'messages[1].content[0].type',
      'must be one of',
    ],
    [
      withMessage({ role: 'system', content: [{ type: 'image_url' }] }),
      'messages[1].content[0].type',
      'one of text',
    ],
    [
      withMessage({ role: 'user', content: [{ type: 'text' }] }),
      'messages[1].content[0].text',
      'must be a string',
    ],
    [
      withMessage({ role: 'user', content: [{ type: 'image_url', image_url: {} }] }),
      'messages[1].content[0].image_url.url',
      'must be a string',
    ],
    [withMessage({ role: 'tool', content: 'x' }), 'messages[1].tool_call_id', 'must be a string'],
    [withMessage({ role: 'assistant' }), 'messages[1].content', 'got nothing'],
    [
      withMessage({
        role: 'assistant',
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }],
      }),
      'messages[1].tool_calls[0].function.arguments',
      'must be a string, got an object',
    ],
    [withMessage({ role: 'function', content: 'x' }), 'messages[1].name', 'must be a string'],
    [{ stream: 'yes' }, 'stream', 'stream must be a boolean, got a string'],
    [{ temperature: 2.5 }, 'temperature', 'temperature must be a number from 0 to 2, got 2.5'],
    [{ temperature: '1' }, 'temperature', 'got "1"'],
    [{ top_p: 1.5 }, 'top_p', 'top_p must be a number from 0 to 1'],
    [{ n: 0 }, 'n', 'n must be an integer from 1 to 128, got 0'],
    [{ n: 1.5 }, 'n', 'integer'],
    [{ n: 129 }, 'n', 'integer'],
    [{ max_tokens: 0 }, 'max_tokens', 'max_tokens must be an integer from 1 to 1000000'],
    [{ max_completion_tokens: 1_000_001 }, 'max_completion_tokens', 'from 1 to 1000000'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'stop may hold at most 4 sequences, got 5'],
    [{ stop: [1] }, 'stop[0]', 'stop[0] must be a string'],
    [{ tools: {} }, 'tools', 'tools must be an array'],
    [{ tools: [{ type: 'browser' }] }, 'tools[0].type', 'must be one of function, custom'],
    [
      { tools: [{ type: 'function', function: { name: '' } }] },
      'tools[0].function.name',
      'must not be empty',
    ],
    [
      { tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] },
      'tools[0].function.parameters',
      'must be an object',
    ],
    [{ tool_choice: 'sometimes' }, 'tool_choice', 'tool_choice must be one of none, auto, required'],
    [{ tool_choice: { type: 'function' } }, 'tool_choice.function', 'must be an object'],
    [{ parallel_tool_calls: 'no' }, 'parallel_tool_calls', 'must be a boolean'],
    [{ stream_options: 'usage' }, 'stream_options', 'stream_options must be an object'],
    [
      { response_format: { type: 'xml' } },
      'response_format.type',
      'must be one of text, json_object, json_schema',
    ],
    [
      { response_format: { type: 'json_schema', json_schema: {} } },
      'response_format.json_schema.name',
      'must be a string',
    ],
  ])('refuses %j naming %s', (patch, param, message) => {
    const found = problem(patch);
    expect(found.param).toBe(param);
    expect(found.message).toContain(message);
  });

  it('never throws on random JSON, answering ok or an invalid_request error', () => {
    const roles = ['system', 'developer', 'user', 'assistant', 'tool', 'function', 'robot'];
    const part = fc.record(
      {
        type: fc.constantFrom('text', 'image_url', 'input_audio', 'file', 'refusal', 'video'),
        text: fc.jsonValue(),
        image_url: fc.oneof(fc.record({ url: fc.jsonValue(), detail: fc.jsonValue() }), fc.jsonValue()),
        input_audio: fc.jsonValue(),
        refusal: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const message = fc.record(
      {
        role: fc.constantFrom(...roles),
        content: fc.oneof(fc.string(), fc.array(part), fc.jsonValue()),
        tool_calls: fc.oneof(
          fc.array(fc.record({ id: fc.jsonValue(), type: fc.jsonValue(), function: fc.jsonValue() })),
          fc.jsonValue(),
        ),
        tool_call_id: fc.jsonValue(),
        name: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const nearMiss = fc.record(
      {
        model: fc.oneof(fc.string(), fc.jsonValue()),
        messages: fc.oneof(fc.array(message), fc.jsonValue()),
        temperature: fc.jsonValue(),
        n: fc.jsonValue(),
        stop: fc.jsonValue(),
        tools: fc.oneof(
          fc.array(fc.record({ type: fc.constant('function'), function: fc.jsonValue() })),
          fc.jsonValue(),
        ),
        tool_choice: fc.jsonValue(),
        response_format: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearMiss), (body) => {
        const result = validateOpenaiChatRequest(body as Record<string, unknown>);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(GatewayError);
          expect(result.error.code).toBe('invalid_request');
          expect(typeof result.error.param).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the summary of a valid chat request', () => {
  it('summarises a valid request: max_completion_tokens wins over max_tokens, n answers', () => {
    expect(validateOpenaiChatRequest(valid)).toEqual({
      ok: true,
      summary: {
        model: 'gpt-4o',
        stream: true,
        includeUsage: true,
        maxOutputTokens: 1,
        choices: 128,
        hasTools: true,
        messageCount: 6,
      },
    });
  });

  it('summarises what a request leaves unset: no stream, no usage chunk, no tools', () => {
    const plain = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, tools: [] };
    const unstreamed = { ...plain, stream_options: { include_usage: true } };
    expect(validateOpenaiChatRequest(unstreamed)).toEqual({
      ok: true,
      summary: {
        model: 'm',
        stream: false,
        includeUsage: false,
        maxOutputTokens: 5,
        choices: 1,
        hasTools: false,
        messageCount: 1,
      },
    });
    const nothing = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: null };
    const summary = validateOpenaiChatRequest(nothing);
    expect(summary.ok && summary.summary.maxOutputTokens).toBeUndefined();
  });
});

describe('validateEmbeddingsRequest', () => {
  it.each([
    { model: 'text-embedding-3-small', input: 'hello' },
    { model: 'm', input: ['a', 'b'], encoding_format: 'base64', dimensions: 256, user: 'u' },
    { model: 'm', input: [1212, 318] },
    { model: 'm', input: [[1212, 318], [257]] },
  ])('accepts %j', (body) => {
    expect(validateEmbeddingsRequest(body)).toMatchObject({ ok: true });
  });

  it('summarises an embeddings request as one that never streams', () => {
    expect(validateEmbeddingsRequest({ model: 'e', input: 'hello', stream: true })).toEqual({
      ok: true,
      summary: {
        model: 'e',
        stream: false,
        includeUsage: false,
        maxOutputTokens: undefined,
        choices: 1,
        hasTools: false,
        messageCount: 0,
      },
    });
  });

  it.each([
    [{ input: 'x' }, 'model'],
    [{ model: 'm' }, 'input'],
    [{ model: 'm', input: '' }, 'input'],
    [{ model: 'm', input: [] }, 'input'],
    [{ model: 'm', input: ['a', 2] }, 'input[1]'],
    [{ model: 'm', input: [[1], []] }, 'input[1]'],
    [{ model: 'm', input: [1.5] }, 'input[0]'],
    [{ model: 'm', input: 'x', encoding_format: 'hex' }, 'encoding_format'],
    [{ model: 'm', input: 'x', dimensions: 0 }, 'dimensions'],
  ])('refuses %j naming %s', (body, param) => {
    const result = validateEmbeddingsRequest(body);
    expect(result.ok ? undefined : result.error.param).toBe(param);
  });

  it('never throws on random JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const result = validateEmbeddingsRequest(body as Record<string, unknown>);
        expect(result.ok || result.error.code === 'invalid_request').toBe(true);
      }),
    );
  });
});
