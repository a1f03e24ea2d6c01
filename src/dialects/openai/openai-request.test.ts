import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../llm/index.js';
import { decodeOpenaiChatRequest } from './openai-request-decoding.js';
import { encodeOpenaiChatRequest } from './openai-request-encoding.js';

const decode = (body: Record<string, unknown>) => decodeOpenaiChatRequest({ model: 'gpt-4o', ...body });

describe('decodeOpenaiChatRequest', () => {
  it('hoists system and developer messages, wherever they are, into the system prompt', () => {
    const request = decode({
      messages: [
        { role: 'system', content: 'One.' },
        { role: 'user', content: 'Hi' },
        { role: 'developer', content: [{ type: 'text', text: 'Two.' }] },
      ],
    });
    expect(request.system).toEqual([
      { type: 'text', text: 'One.' },
      { type: 'text', text: 'Two.' },
    ]);
    expect(request.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
  });

  it('merges consecutive tool messages into one user turn of tool results', () => {
    const request = decode({
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'w', arguments: '{"city":"Oslo"}' } },
            { id: 'call_b', type: 'function', function: { name: 'w', arguments: '{"city":"Bern"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '3°' },
        { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: '9°' }] },
        { role: 'user', content: 'Thanks' },
        { role: 'tool', tool_call_id: 'call_c', content: 'late' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: '' },
          { type: 'tool_call', id: 'call_a', name: 'w', arguments: '{"city":"Oslo"}' },
          { type: 'tool_call', id: 'call_b', name: 'w', arguments: '{"city":"Bern"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'call_a', content: [{ type: 'text', text: '3°' }] },
          { type: 'tool_result', toolCallId: 'call_b', content: [{ type: 'text', text: '9°' }] },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', toolCallId: 'call_c', content: [{ type: 'text', text: 'late' }] }],
      },
    ]);
  });

  it('reads data URLs as inline images and other URLs as links, keeping detail', () => {
    const request = decode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklGRg==', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      {
        type: 'image',
        source: { kind: 'base64', mediaType: 'image/webp', data: 'UklGRg==' },
        detail: 'high',
      },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('maps parameters, preferring max_completion_tokens and reading include_usage', () => {
    const request = decode({
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 10,
      max_completion_tokens: 20,
      stop: 'END',
      stream: true,
      stream_options: { include_usage: true },
      tool_choice: 'required',
      tools: [{ type: 'function', function: { name: 'f' } }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'r', schema: { type: 'object' }, strict: true },
      },
      seed: 3,
      n: 2,
      safety_identifier: 'hashed-user',
    });
    expect(request).toMatchObject({
      maxTokens: 20,
      stop: ['END'],
      stream: true,
      includeUsage: true,
      toolChoice: { type: 'required' },
      tools: [{ name: 'f', parameters: { type: 'object', properties: {} } }],
      responseFormat: { type: 'json_schema', name: 'r', schema: { type: 'object' }, strict: true },
      seed: 3,
      n: 2,
      user: 'hashed-user',
    });
  });

  it('keeps an assistant refusal from the history as text, and a cache breakpoint as cache control', () => {
    const request = decode({
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'Long prefix', prompt_cache_breakpoint: { mode: 'explicit' } }],
        },
        { role: 'assistant', content: null, refusal: 'I cannot help with that.' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Long prefix', cacheControl: { type: 'ephemeral' } }] },
      { role: 'assistant', content: [{ type: 'text', text: 'I cannot help with that.' }] },
    ]);
  });

  it.each([
    [{ functions: [{ name: 'f' }] }, 'functions'],
    [{ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role'],
    [
      { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      'messages[0].content[0]',
    ],
    [
      { messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom', custom: { name: 'g' } }] },
      'tools[0]',
    ],
    [{ messages: [{ role: 'user', content: 'x' }], tool_choice: { type: 'allowed_tools' } }, 'tool_choice'],
  ])('refuses what the other dialect cannot express: %j', (body, param) => {
    expect(() => decode({ messages: [{ role: 'user', content: 'x' }], ...body })).toThrow(
      expect.objectContaining({ code: 'invalid_request', param }),
    );
  });
});

const base: ChatRequest = { model: 'canonical', system: [], messages: [], stream: false };

describe('encodeOpenaiChatRequest', () => {
  it('sends tool results first as tool messages, and their images after them in a user message', () => {
    const body = encodeOpenaiChatRequest(
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Also this:' },
              {
                type: 'tool_result',
                toolCallId: 'toolu_1',
                isError: true,
                content: [
                  { type: 'text', text: 'page' },
                  { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA==' } },
                ],
              },
              { type: 'tool_result', toolCallId: 'toolu_2', content: [] },
            ],
          },
        ],
      },
      'gpt-4o',
    );
    expect(body.messages).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'page' },
      { role: 'tool', tool_call_id: 'toolu_2', content: '' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Also this:' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } },
        ],
      },
    ]);
  });

  it('leaves out tool_choice and parallel_tool_calls without tools, and top_k always', () => {
    const body = encodeOpenaiChatRequest(
      { ...base, toolChoice: { type: 'auto' }, parallelToolCalls: false, topK: 5, tools: [] },
      'gpt-4o',
    );
    expect(body).toEqual({ model: 'gpt-4o', messages: [], stream: false });
  });

  it('always asks a streaming upstream for usage, which the gateway accounts', () => {
    const body = encodeOpenaiChatRequest({ ...base, stream: true, includeUsage: false }, 'gpt-4o');
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it('maps a named tool choice and a multi-part system prompt', () => {
    const body = encodeOpenaiChatRequest(
      {
        ...base,
        system: [
          { type: 'text', text: 'A', cacheControl: { type: 'ephemeral' } },
          { type: 'text', text: 'B' },
        ],
        tools: [{ name: 'f', parameters: { type: 'object' }, cacheControl: { type: 'ephemeral' } }],
        toolChoice: { type: 'tool', name: 'f' },
      },
      'gpt-4o',
    );
    expect(body.messages).toEqual([
      {
        role: 'system',
        content: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B' },
        ],
      },
    ]);
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'f', parameters: { type: 'object' } } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
  });
});
