import { describe, expect, it } from 'vitest';
import type { ChatStreamEvent } from '../../llm/index.js';
import { OpenaiStreamDecoder } from './openai-stream-decoder.js';
import { OpenaiStreamEncoder } from './openai-stream-encoder.js';

const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
  data: JSON.stringify({
    id: 'chatcmpl-9',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o',
    choices,
    ...extra,
  }),
});

describe('OpenaiStreamDecoder', () => {
  it('announces the stream on its first chunk, then text, finish, usage and the end', () => {
    const decoder = new OpenaiStreamDecoder();
    const events = [
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'Hé' }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'length' }]),
      chunk([], { usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } }),
      { data: '[DONE]' },
    ].flatMap((event) => decoder.decode(event));
    expect(events).toEqual([
      { type: 'start', id: 'chatcmpl-9', model: 'gpt-4o', created: 1700000000 },
      { type: 'text', choice: 0, text: 'Hé' },
      { type: 'finish', choice: 0, reason: 'max_tokens' },
      {
        type: 'usage',
        usage: { inputTokens: 9, outputTokens: 2, cachedInputTokens: 0, cacheCreationInputTokens: 0 },
      },
      { type: 'end' },
    ]);
  });

  it('skips Azure content-filter chunks and keep-alive events', () => {
    const decoder = new OpenaiStreamDecoder();
    expect(
      decoder.decode({ data: JSON.stringify({ id: '', choices: [], prompt_filter_results: [] }) }),
    ).toEqual([]);
    expect(decoder.decode({ data: '' })).toEqual([]);
  });

  it('announces each tool call once and streams its arguments, also for calls sent whole without index', () => {
    const decoder = new OpenaiStreamDecoder();
    const events = [
      chunk([
        {
          index: 0,
          delta: {
            tool_calls: [
              { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } },
            ],
          },
        },
      ]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"x"' } }] } }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }]),
      chunk([
        { index: 0, delta: { tool_calls: [{ id: 'call_b', function: { name: 'g', arguments: '{}' } }] } },
      ]),
    ].flatMap((event) => decoder.decode(event));
    expect(events.slice(1)).toEqual([
      { type: 'tool_call_start', choice: 0, index: 0, id: 'call_a', name: 'f' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"x"' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: ':1}' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'call_b', name: 'g' },
      { type: 'tool_call_delta', choice: 0, index: 1, arguments: '{}' },
    ]);
  });

  it('throws upstream_invalid_response on malformed JSON', () => {
    expect(() => new OpenaiStreamDecoder().decode({ data: '{"id":' })).toThrow(
      expect.objectContaining({ code: 'upstream_invalid_response' }),
    );
  });

  it('throws the upstream error sent in-band, keeping its type and message', () => {
    const data = JSON.stringify({
      error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
    });
    expect(() => new OpenaiStreamDecoder().decode({ data })).toThrow(
      expect.objectContaining({
        code: 'upstream_rate_limited',
        upstreamType: 'rate_limit_error',
        message: 'Rate limit reached',
      }),
    );
  });
});

function frames(output: string): unknown[] {
  return output
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      const data = frame.slice('data: '.length);
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });
}

const usage = { inputTokens: 20, outputTokens: 4, cachedInputTokens: 8, cacheCreationInputTokens: 0 };

describe('OpenaiStreamEncoder', () => {
  const events: ChatStreamEvent[] = [
    { type: 'start', id: 'msg_01x', model: 'claude', created: 1700000000 },
    { type: 'text', choice: 0, text: 'Ok' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'toolu_1', name: 'f' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"a":1}' },
    { type: 'finish', choice: 0, reason: 'tool_use' },
    { type: 'usage', usage },
    { type: 'end' },
  ];

  it('writes chunks with one id, the role first, and usage last before [DONE]', () => {
    const encoder = new OpenaiStreamEncoder({ includeUsage: true, model: 'my-model' });
    const output = events.map((event) => encoder.encode(event));
    expect(output[5]).toBe('');
    const envelope = {
      id: 'chatcmpl-01x',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'my-model',
    };
    const choice = (delta: unknown, finish: string | null = null) => ({
      ...envelope,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      usage: null,
    });
    expect(frames(output.join(''))).toEqual([
      choice({ role: 'assistant', content: '' }),
      choice({ content: 'Ok' }),
      choice({
        tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '' } }],
      }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }),
      choice({}, 'tool_calls'),
      {
        ...envelope,
        choices: [],
        usage: {
          prompt_tokens: 20,
          completion_tokens: 4,
          total_tokens: 24,
          prompt_tokens_details: { cached_tokens: 8 },
        },
      },
      '[DONE]',
    ]);
  });

  it('sends no usage chunk unless the caller asked for one', () => {
    const encoder = new OpenaiStreamEncoder({ includeUsage: false, model: 'm' });
    const output = frames(events.map((event) => encoder.encode(event)).join(''));
    expect(output.at(-1)).toBe('[DONE]');
    expect(output.slice(0, -1).every((frame) => (frame as { choices: unknown[] }).choices.length === 1)).toBe(
      true,
    );
    expect(output.some((frame) => typeof frame === 'object' && 'usage' in (frame as object))).toBe(false);
  });

  it('gives every choice its own first role delta', () => {
    const encoder = new OpenaiStreamEncoder({ includeUsage: false, model: 'm' });
    encoder.encode({ type: 'start', id: 'x', model: 'm', created: 1 });
    const second = frames(encoder.encode({ type: 'text', choice: 1, text: 'B' }))[0] as {
      choices: unknown[];
    };
    expect(second.choices).toEqual([
      { index: 1, delta: { role: 'assistant', content: 'B' }, logprobs: null, finish_reason: null },
    ]);
  });
});
