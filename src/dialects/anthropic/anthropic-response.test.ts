import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import type { ChatResponse } from '../../llm/index.js';
import { encodeAnthropicError, encodeAnthropicStreamError } from './anthropic-errors.js';
import {
  decodeAnthropicChatResponse,
  encodeAnthropicChatResponse,
  usageOfAnthropicChatResponse,
} from './anthropic-response.js';

const message = (extra: Record<string, unknown>) => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [{ type: 'text', text: 'Hi' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 1 },
  ...extra,
});

describe('decodeAnthropicChatResponse', () => {
  it.each([
    ['end_turn', 'end'],
    ['pause_turn', 'end'],
    ['max_tokens', 'max_tokens'],
    ['stop_sequence', 'stop_sequence'],
    ['tool_use', 'tool_use'],
    ['refusal', 'refusal'],
    [null, null],
  ])('maps stop_reason %j to %j', (stopReason, expected) => {
    expect(decodeAnthropicChatResponse(message({ stop_reason: stopReason })).choices[0]?.finishReason).toBe(
      expected,
    );
  });

  it('keeps the stop sequence, turns input into argument text and skips thinking', () => {
    const response = decodeAnthropicChatResponse(
      message({
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 's' },
          { type: 'text', text: 'Done' },
          { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: [1, 'ü'] } },
        ],
        stop_reason: 'stop_sequence',
        stop_sequence: '</a>',
      }),
    );
    expect(response.choices).toEqual([
      {
        index: 0,
        content: [
          { type: 'text', text: 'Done' },
          { type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{"a":[1,"ü"]}' },
        ],
        finishReason: 'stop_sequence',
        stopSequence: '</a>',
      },
    ]);
  });

  it('throws upstream_invalid_response on a body without content', () => {
    expect(() => decodeAnthropicChatResponse({ type: 'message' })).toThrow(
      expect.objectContaining({ code: 'upstream_invalid_response' }),
    );
  });
});

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('usage', () => {
  it('adds cache reads and writes to input tokens', () => {
    const usage = {
      input_tokens: 5,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 20,
      output_tokens: 7,
    };
    expect(usageOfAnthropicChatResponse(json({ usage }))).toEqual({
      ok: true,
      usage: { inputTokens: 125, outputTokens: 7, cachedInputTokens: 100, cacheCreationInputTokens: 20 },
    });
  });

  it('reads null cache fields as zero and a missing usage as unknown', () => {
    const usage = {
      input_tokens: 5,
      cache_read_input_tokens: null,
      cache_creation_input_tokens: null,
      output_tokens: 7,
    };
    expect(usageOfAnthropicChatResponse(json({ usage }))).toMatchObject({
      ok: true,
      usage: { inputTokens: 5 },
    });
    expect(usageOfAnthropicChatResponse(json({}))).toEqual({ ok: true, usage: undefined });
  });
});

describe('encodeAnthropicChatResponse', () => {
  const response: ChatResponse = {
    id: 'chatcmpl-xyz',
    model: 'gpt-4o',
    created: 1,
    choices: [
      { index: 0, content: [{ type: 'text', text: 'first' }], finishReason: 'content_filter' },
      { index: 1, content: [{ type: 'text', text: 'second' }], finishReason: 'end' },
    ],
    usage: { inputTokens: 50, outputTokens: 3, cachedInputTokens: 30, cacheCreationInputTokens: 0 },
  };

  it('writes choice 0 in the documented Message shape, splitting cached tokens out of input', () => {
    expect(encodeAnthropicChatResponse(response)).toEqual({
      id: 'msg_xyz',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [{ type: 'text', text: 'first', citations: null }],
      stop_reason: 'refusal',
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 30,
        output_tokens: 3,
        cache_creation: null,
        server_tool_use: null,
        service_tier: null,
      },
    });
  });

  it('shows an OpenAI refusal as text with the refusal stop reason', () => {
    const refused = encodeAnthropicChatResponse({
      ...response,
      choices: [{ index: 0, content: [], finishReason: 'end', refusal: 'I cannot.' }],
    });
    expect(refused).toMatchObject({ content: [{ type: 'text', text: 'I cannot.' }], stop_reason: 'refusal' });
  });

  it('refuses tool arguments from an upstream that are not a JSON object', () => {
    const broken: ChatResponse = {
      ...response,
      choices: [
        {
          index: 0,
          content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{"a":' }],
          finishReason: 'tool_use',
        },
      ],
    };
    expect(() => encodeAnthropicChatResponse(broken)).toThrow(
      expect.objectContaining({ code: 'upstream_invalid_response' }),
    );
  });
});

describe('Anthropic error bodies', () => {
  it('writes type, message and request id, keeping only Anthropic upstream types', () => {
    const overloaded = new GatewayError('upstream_unavailable', 'Overloaded', {
      upstreamType: 'overloaded_error',
    });
    expect(encodeAnthropicError(overloaded, 'req_1')).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
      request_id: 'req_1',
    });
    const fromOpenai = new GatewayError('upstream_error', 'boom', { upstreamType: 'server_error' });
    expect(encodeAnthropicError(fromOpenai, 'req_2')).toMatchObject({ error: { type: 'api_error' } });
  });

  it('writes an in-band stream error as an error event', () => {
    const frame = encodeAnthropicStreamError(new GatewayError('budget_exceeded', 'Budget spent'));
    expect(frame).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"Budget spent"}}\n\n',
    );
  });
});
