import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../llm/index.js';
import { decodeAnthropicChatRequest } from './anthropic-request-decoding.js';
import { defaultMaxTokens, encodeAnthropicChatRequest } from './anthropic-request-encoding.js';

const base: ChatRequest = {
  model: 'canonical',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  stream: false,
};

describe('encodeAnthropicChatRequest', () => {
  it(`uses ${defaultMaxTokens} max_tokens when the caller set none, and sends string content`, () => {
    expect(encodeAnthropicChatRequest(base, 'claude')).toEqual({
      model: 'claude',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 4096,
      stream: false,
    });
  });

  it.each([
    [{ type: 'auto' }, undefined, { type: 'auto' }],
    [{ type: 'none' }, false, { type: 'none' }],
    [{ type: 'required' }, undefined, { type: 'any' }],
    [{ type: 'required' }, false, { type: 'any', disable_parallel_tool_use: true }],
    [{ type: 'tool', name: 'f' }, true, { type: 'tool', name: 'f' }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    [undefined, undefined, undefined],
  ] as const)('maps tool choice %j with parallel %j to %j', (toolChoice, parallelToolCalls, expected) => {
    const request: ChatRequest = {
      ...base,
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      ...(toolChoice === undefined ? {} : { toolChoice }),
      ...(parallelToolCalls === undefined ? {} : { parallelToolCalls }),
    };
    expect(encodeAnthropicChatRequest(request, 'claude').tool_choice).toEqual(expected);
  });

  it('clamps OpenAI temperatures above 1, and drops what Anthropic has no field for', () => {
    const body = encodeAnthropicChatRequest(
      {
        ...base,
        temperature: 1.6,
        seed: 4,
        n: 1,
        responseFormat: { type: 'text' },
        includeUsage: true,
        toolChoice: { type: 'auto' },
      },
      'claude',
    );
    expect(body).toEqual({
      model: 'claude',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 4096,
      temperature: 1,
      stream: false,
    });
  });

  it('refuses n > 1, which Anthropic cannot answer', () => {
    expect(() => encodeAnthropicChatRequest({ ...base, n: 2 }, 'claude')).toThrow(
      expect.objectContaining({ code: 'invalid_request', param: 'n' }),
    );
  });

  it('turns tool-call arguments into input objects, reading "" as no arguments', () => {
    const body = encodeAnthropicChatRequest(
      {
        ...base,
        messages: [
          {
            role: 'assistant',
            content: [
              { type: 'text', text: '' },
              { type: 'tool_call', id: 'call.1', name: 'now', arguments: '' },
              { type: 'tool_call', id: 'call_2', name: 'add', arguments: '{"a":1}' },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call.1', content: [] }] },
        ],
      },
      'claude',
    );
    expect(body.messages).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'now', input: {} },
          { type: 'tool_use', id: 'call_2', name: 'add', input: { a: 1 } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1' }] },
    ]);
  });

  it('refuses tool-call arguments that are not a JSON object', () => {
    const request: ChatRequest = {
      ...base,
      messages: [
        { role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '[1,2]' }] },
      ],
    };
    expect(() => encodeAnthropicChatRequest(request, 'claude')).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });
});

describe('decodeAnthropicChatRequest', () => {
  const decode = (body: Record<string, unknown>) =>
    decodeAnthropicChatRequest({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'x' }],
      ...body,
    });

  it('maps sampling parameters, stop sequences, metadata and parallel tool use', () => {
    const request = decode({
      temperature: 0.3,
      top_p: 0.8,
      top_k: 12,
      stop_sequences: ['</a>'],
      metadata: { user_id: 'acct' },
      stream: true,
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: false },
    });
    expect(request).toEqual({
      model: 'claude',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      toolChoice: { type: 'required' },
      parallelToolCalls: true,
      maxTokens: 100,
      temperature: 0.3,
      topP: 0.8,
      topK: 12,
      stop: ['</a>'],
      stream: true,
      user: 'acct',
    });
  });

  it('drops thinking blocks, which models of the other dialect cannot read', () => {
    const request = decode({
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'redacted_thinking', data: 'x' },
            { type: 'text', text: 'Answer' },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([{ role: 'assistant', content: [{ type: 'text', text: 'Answer' }] }]);
  });

  it.each([
    [{ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages[0].content[0]'],
    [
      { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] },
      'messages[0].content[0].source',
    ],
    [{ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools[0]'],
  ])('refuses what the other dialect cannot express: %j', (body, param) => {
    expect(() => decode(body)).toThrow(expect.objectContaining({ code: 'invalid_request', param }));
  });
});
