import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import { validateAnthropicChatRequest } from './anthropic-request-validation.js';

const valid = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
        { type: 'tool_use', id: 'toolu_1', name: 'look', input: {} },
      ],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [{ type: 'text', text: 'a cat' }],
          is_error: false,
        },
        { type: 'tool_result', tool_use_id: 'toolu_2' },
      ],
    },
  ],
  stream: false,
  temperature: 1,
  top_p: 0.5,
  top_k: 40,
  stop_sequences: ['</answer>'],
  tools: [
    {
      name: 'look',
      description: 'Look',
      input_schema: { type: 'object' },
      cache_control: { type: 'ephemeral' },
    },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
  ],
  tool_choice: { type: 'tool', name: 'look', disable_parallel_tool_use: true },
  metadata: { user_id: 'u-1' },
  thinking: { type: 'enabled', budget_tokens: 1024 },
};

function problem(patch: Record<string, unknown>): { param: string | undefined; message: string } {
  const result = validateAnthropicChatRequest({ ...valid, ...patch });
  if (result.ok) throw new Error('expected a problem');
  return { param: result.error.param, message: result.error.message };
}

const withContent = (content: unknown) => ({ messages: [{ role: 'user', content }] });

describe('validateAnthropicChatRequest', () => {
  it('accepts a request using the documented fields, server tools and unknown extra fields', () => {
    expect(validateAnthropicChatRequest(valid)).toMatchObject({ ok: true });
  });

  it('summarises a valid request, the system prompt not counted as a message', () => {
    expect(validateAnthropicChatRequest(valid)).toEqual({
      ok: true,
      summary: {
        model: 'claude-sonnet-4-5',
        stream: false,
        includeUsage: false,
        maxOutputTokens: 1024,
        choices: 1,
        hasTools: true,
        messageCount: 3,
      },
    });
    const streamed = validateAnthropicChatRequest({ ...valid, stream: true, tools: undefined });
    expect(streamed.ok && streamed.summary).toMatchObject({ stream: true, hasTools: false });
  });

  it('accepts a string system prompt and string content', () => {
    const body = { ...valid, system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] };
    expect(validateAnthropicChatRequest(body)).toMatchObject({ ok: true });
  });

  it.each([
    [{ model: 7 }, 'model', 'model must be a string, got a number'],
    [{ max_tokens: undefined }, 'max_tokens', 'max_tokens must be an integer from 1 to 1000000, got nothing'],
    [{ max_tokens: 0 }, 'max_tokens', 'got 0'],
    [{ messages: [] }, 'messages', 'messages must not be empty'],
    [
      { messages: [{ role: 'system', content: 'x' }] },
      'messages[0].role',
      'messages[0].role must be one of user, assistant, got "system"',
    ],
    [withContent(5), 'messages[0].content', 'must be a string or an array of content blocks, got a number'],
    [withContent([{ type: 'video' }]), 'messages[0].content[0].type', 'must be one of text, image'],
    [withContent([{ type: 'text', text: 1 }]), 'messages[0].content[0].text', 'must be a string'],
    [
      withContent([{ type: 'text', text: 'x', cache_control: { type: 'forever' } }]),
      'messages[0].content[0].cache_control.type',
      'must be one of ephemeral',
    ],
    [
      withContent([{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '2d' } }]),
      'messages[0].content[0].cache_control.ttl',
      'must be one of 5m, 1h',
    ],
    [
      withContent([{ type: 'image', source: { type: 'ftp' } }]),
      'messages[0].content[0].source.type',
      'base64, url',
    ],
    [
      withContent([{ type: 'image', source: { type: 'base64', data: 'x' } }]),
      'messages[0].content[0].source.media_type',
      'must be a string',
    ],
    [
      withContent([{ type: 'tool_use', id: 't', name: 'f', input: '{}' }]),
      'messages[0].content[0].input',
      'object',
    ],
    [withContent([{ type: 'tool_result' }]), 'messages[0].content[0].tool_use_id', 'must be a string'],
    [
      withContent([{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'tool_use' }] }]),
      'messages[0].content[0].content[0].type',
      'must be one of text, image',
    ],
    [{ system: [{ type: 'image' }] }, 'system[0].type', 'system[0].type must be one of text'],
    [{ system: 3 }, 'system', 'system must be an array'],
    [{ temperature: 1.5 }, 'temperature', 'temperature must be a number from 0 to 1, got 1.5'],
    [{ top_p: -0.1 }, 'top_p', 'from 0 to 1'],
    [{ top_k: -1 }, 'top_k', 'integer'],
    [{ stop_sequences: 'END' }, 'stop_sequences', 'stop_sequences must be an array, got a string'],
    [{ stop_sequences: ['a', 2] }, 'stop_sequences[1]', 'must be a string'],
    [{ stream: 1 }, 'stream', 'must be a boolean'],
    [{ tools: [{ name: 'f' }] }, 'tools[0].input_schema', 'must be an object, got nothing'],
    [{ tools: [{ input_schema: {} }] }, 'tools[0].name', 'must be a string'],
    [{ tool_choice: 'auto' }, 'tool_choice', 'tool_choice must be an object, got a string'],
    [{ tool_choice: { type: 'required' } }, 'tool_choice.type', 'must be one of auto, any, tool, none'],
    [{ tool_choice: { type: 'tool' } }, 'tool_choice.name', 'must be a string'],
    [{ metadata: { user_id: 5 } }, 'metadata.user_id', 'must be a string'],
  ])('refuses %j naming %s', (patch, param, message) => {
    const found = problem(patch);
    expect(found.param).toBe(param);
    expect(found.message).toContain(message);
  });

  it('never throws on random JSON, answering ok or an invalid_request error', () => {
    const block = fc.record(
      {
        type: fc.constantFrom('text', 'image', 'tool_use', 'tool_result', 'thinking', 'document', 'video'),
        text: fc.jsonValue(),
        source: fc.oneof(
          fc.record({ type: fc.constantFrom('base64', 'url', 'file'), url: fc.jsonValue() }),
          fc.jsonValue(),
        ),
        input: fc.jsonValue(),
        tool_use_id: fc.jsonValue(),
        content: fc.jsonValue(),
        cache_control: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const message = fc.record(
      {
        role: fc.constantFrom('user', 'assistant', 'system'),
        content: fc.oneof(fc.string(), fc.array(block), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    const nearMiss = fc.record(
      {
        model: fc.oneof(fc.string(), fc.jsonValue()),
        max_tokens: fc.oneof(fc.integer(), fc.jsonValue()),
        messages: fc.oneof(fc.array(message), fc.jsonValue()),
        system: fc.oneof(fc.array(block), fc.jsonValue()),
        tools: fc.jsonValue(),
        tool_choice: fc.oneof(
          fc.record({ type: fc.constantFrom('auto', 'any', 'tool', 'none'), name: fc.jsonValue() }),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearMiss), (body) => {
        const result = validateAnthropicChatRequest(body as Record<string, unknown>);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(GatewayError);
          expect(result.error.code).toBe('invalid_request');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
