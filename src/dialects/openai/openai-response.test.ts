import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import type { ChatResponse } from '../../llm/index.js';
import { encodeOpenaiError, encodeOpenaiStreamError } from './openai-errors.js';
import {
  decodeOpenaiChatResponse,
  encodeOpenaiChatResponse,
  usageOfOpenaiChatResponse,
} from './openai-response.js';

const completion = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o',
  choices: [{ index: 0, logprobs: null, ...choice }],
  ...extra,
});

describe('decodeOpenaiChatResponse', () => {
  it.each([
    ['stop', 'end'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'content_filter'],
    [null, null],
  ])('maps finish_reason %j to %j', (finishReason, expected) => {
    const response = decodeOpenaiChatResponse(
      completion({ message: { role: 'assistant', content: 'x' }, finish_reason: finishReason }),
    );
    expect(response.choices[0]?.finishReason).toBe(expected);
  });

  it('keeps a refusal and every choice', () => {
    const body = completion({
      message: { role: 'assistant', content: null, refusal: 'No.' },
      finish_reason: 'stop',
    });
    body.choices.push({
      index: 1,
      logprobs: null,
      message: { role: 'assistant', content: 'Yes.' },
      finish_reason: 'stop',
    } as never);
    const response = decodeOpenaiChatResponse(body);
    expect(response.choices).toEqual([
      { index: 0, content: [], finishReason: 'end', refusal: 'No.' },
      { index: 1, content: [{ type: 'text', text: 'Yes.' }], finishReason: 'end' },
    ]);
  });

  it.each([[null], ['text'], [{ choices: 'none' }]])('throws upstream_invalid_response on %j', (body) => {
    expect(() => decodeOpenaiChatResponse(body)).toThrow(
      expect.objectContaining({ code: 'upstream_invalid_response' }),
    );
  });
});

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('usage', () => {
  it('reads cached and cache-write tokens as parts of the prompt tokens', () => {
    const usage = {
      prompt_tokens: 100,
      completion_tokens: 5,
      total_tokens: 105,
      prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 30 },
    };
    expect(usageOfOpenaiChatResponse(json({ usage }))).toEqual({
      ok: true,
      usage: { inputTokens: 100, outputTokens: 5, cachedInputTokens: 60, cacheCreationInputTokens: 30 },
    });
  });

  it('is undefined when absent, counts garbage as zero, and refuses a body that is no object', () => {
    expect(usageOfOpenaiChatResponse(json({}))).toEqual({ ok: true, usage: undefined });
    expect(usageOfOpenaiChatResponse(json('x'))).toEqual({ ok: false });
    expect(usageOfOpenaiChatResponse(json({ usage: { prompt_tokens: -1, completion_tokens: '3' } }))).toEqual(
      {
        ok: true,
        usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheCreationInputTokens: 0 },
      },
    );
  });
});

describe('encodeOpenaiChatResponse', () => {
  const response: ChatResponse = {
    id: 'msg_01abc',
    model: 'claude-sonnet-4-5',
    created: 1700000000,
    choices: [
      {
        index: 0,
        content: [
          { type: 'text', text: 'Stopped ' },
          { type: 'text', text: 'here.' },
        ],
        finishReason: 'stop_sequence',
        stopSequence: '</a>',
      },
    ],
    usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 4, cacheCreationInputTokens: 0 },
  };

  it('writes the documented chat.completion shape', () => {
    expect(encodeOpenaiChatResponse(response)).toEqual({
      id: 'chatcmpl-01abc',
      object: 'chat.completion',
      created: 1700000000,
      model: 'claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Stopped here.', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 2,
        total_tokens: 12,
        prompt_tokens_details: { cached_tokens: 4 },
      },
    });
  });

  it('reports an Anthropic refusal as content_filter', () => {
    const refused = encodeOpenaiChatResponse({
      ...response,
      choices: [{ index: 0, content: [], finishReason: 'refusal' }],
    });
    expect(refused.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null },
        logprobs: null,
        finish_reason: 'content_filter',
      },
    ]);
  });
});

describe('OpenAI error bodies', () => {
  it('uses the table type and the code, and keeps an upstream type', () => {
    const error = new GatewayError('invalid_request', 'messages must not be empty', { param: 'messages' });
    expect(encodeOpenaiError(error)).toEqual({
      error: {
        message: 'messages must not be empty',
        type: 'invalid_request_error',
        param: 'messages',
        code: 'invalid_request',
      },
    });
    const upstream = new GatewayError('upstream_error', 'boom', { upstreamType: 'server_error' });
    expect(encodeOpenaiError(upstream)).toEqual({
      error: { message: 'boom', type: 'server_error', param: null, code: 'upstream_error' },
    });
  });

  it('writes an in-band stream error as one data frame', () => {
    const frame = encodeOpenaiStreamError(new GatewayError('upstream_timeout', 'The upstream stalled'));
    expect(frame).toBe(
      'data: {"error":{"message":"The upstream stalled","type":"timeout_error","param":null,"code":"upstream_timeout"}}\n\n',
    );
  });
});
