import { describe, expect, it } from 'vitest';
import type { ChatStreamEvent } from '../../llm/index.js';
import { AnthropicStreamDecoder } from './anthropic-stream-decoder.js';
import { AnthropicStreamEncoder } from './anthropic-stream-encoder.js';

const event = (data: Record<string, unknown>) => ({ event: String(data.type), data: JSON.stringify(data) });

describe('AnthropicStreamDecoder', () => {
  it('decodes a stream of text and a tool call, numbering tool calls among themselves', () => {
    const decoder = new AnthropicStreamDecoder();
    const usage = {
      input_tokens: 10,
      cache_read_input_tokens: 90,
      cache_creation_input_tokens: 0,
      output_tokens: 1,
    };
    const events = [
      event({ type: 'message_start', message: { id: 'msg_1', model: 'claude', content: [], usage } }),
      event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      event({ type: 'ping' }),
      event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Sí' } }),
      event({ type: 'content_block_stop', index: 0 }),
      event({
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
      }),
      event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
      event({
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"a":1}' },
      }),
      event({ type: 'content_block_stop', index: 1 }),
      event({
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 12 },
      }),
      event({ type: 'message_stop' }),
    ].flatMap((item) => decoder.decode(item));
    const [start, ...rest] = events;
    expect(start).toMatchObject({
      type: 'start',
      id: 'msg_1',
      model: 'claude',
      usage: { inputTokens: 100, cachedInputTokens: 90, outputTokens: 1 },
    });
    expect(rest).toEqual([
      { type: 'text', choice: 0, text: 'Sí' },
      { type: 'tool_call_start', choice: 0, index: 0, id: 'toolu_1', name: 'f' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"a":1}' },
      { type: 'finish', choice: 0, reason: 'tool_use' },
      {
        type: 'usage',
        usage: { inputTokens: 100, outputTokens: 12, cachedInputTokens: 90, cacheCreationInputTokens: 0 },
      },
      { type: 'end' },
    ]);
  });

  it('takes cumulative input counts from message_delta when it carries them, and keeps the stop sequence', () => {
    const decoder = new AnthropicStreamDecoder();
    decoder.decode(
      event({ type: 'message_start', message: { id: 'm', usage: { input_tokens: 0, output_tokens: 0 } } }),
    );
    const events = decoder.decode(
      event({
        type: 'message_delta',
        delta: { stop_reason: 'stop_sequence', stop_sequence: '###' },
        usage: { input_tokens: 30, cache_read_input_tokens: null, output_tokens: 5 },
      }),
    );
    expect(events).toEqual([
      { type: 'finish', choice: 0, reason: 'stop_sequence', stopSequence: '###' },
      {
        type: 'usage',
        usage: { inputTokens: 30, outputTokens: 5, cachedInputTokens: 0, cacheCreationInputTokens: 0 },
      },
    ]);
  });

  it('skips thinking and server-tool blocks', () => {
    const decoder = new AnthropicStreamDecoder();
    const events = [
      event({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} },
      }),
      event({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"q":1}' },
      }),
      event({ type: 'content_block_delta', index: 1, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
    ].flatMap((item) => decoder.decode(item));
    expect(events).toEqual([]);
  });

  it('throws the upstream error event with its type and message', () => {
    const failure = event({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(() => new AnthropicStreamDecoder().decode(failure)).toThrow(
      expect.objectContaining({
        code: 'upstream_unavailable',
        upstreamType: 'overloaded_error',
        message: 'Overloaded',
      }),
    );
  });

  it('throws upstream_invalid_response on malformed JSON', () => {
    expect(() =>
      new AnthropicStreamDecoder().decode({ event: 'message_start', data: '{"type":"mess' }),
    ).toThrow(expect.objectContaining({ code: 'upstream_invalid_response' }));
  });
});

function frames(output: string): { name: string; data: Record<string, unknown> }[] {
  return output
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const match = /^event: (\w+)\ndata: (.*)$/s.exec(frame);
      expect(match).not.toBeNull();
      return { name: match![1]!, data: JSON.parse(match![2]!) };
    });
}

describe('AnthropicStreamEncoder', () => {
  it('starts with message_start even when text comes first, and switches blocks cleanly', () => {
    const encoder = new AnthropicStreamEncoder({ includeUsage: false, model: 'caller-model' });
    const events: ChatStreamEvent[] = [
      { type: 'text', choice: 0, text: 'Let me check.' },
      { type: 'tool_call_start', choice: 0, index: 0, id: 'call.a', name: 'f' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"a":' },
      { type: 'tool_call_delta', choice: 0, index: 0, arguments: '1}' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'call_b', name: 'g' },
      { type: 'text', choice: 1, text: 'ignored: Messages has one choice' },
      { type: 'finish', choice: 0, reason: 'tool_use' },
      {
        type: 'usage',
        usage: { inputTokens: 50, outputTokens: 9, cachedInputTokens: 40, cacheCreationInputTokens: 2 },
      },
      { type: 'end' },
    ];
    const output = frames(events.map((item) => encoder.encode(item)).join(''));
    expect(output.map((frame) => frame.name)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(output[0]!.data.message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'caller-model',
      content: [],
    });
    expect((output[0]!.data.message as { id: string }).id).toMatch(/^msg_/);
    expect(output[4]!.data).toEqual({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'call_a', name: 'f', input: {} },
    });
    expect(output[6]!.data).toEqual({
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '1}' },
    });
    expect(output[8]!.data.index).toBe(2);
    expect(output[10]!.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 8,
        cache_creation_input_tokens: 2,
        cache_read_input_tokens: 40,
        output_tokens: 9,
        server_tool_use: null,
      },
    });
  });

  it('reports input usage known at the start in message_start', () => {
    const encoder = new AnthropicStreamEncoder({ includeUsage: false, model: 'm' });
    const usage = { inputTokens: 12, cachedInputTokens: 10, cacheCreationInputTokens: 0, outputTokens: 1 };
    const [start] = frames(encoder.encode({ type: 'start', id: 'msg_7', model: 'x', created: 1, usage }));
    expect(start!.data.message).toMatchObject({
      id: 'msg_7',
      usage: {
        input_tokens: 2,
        cache_read_input_tokens: 10,
        cache_creation_input_tokens: 0,
        output_tokens: 1,
      },
    });
  });

  it('reports the counted prompt in message_start when the upstream start has none, its own count at the end', () => {
    const encoder = new AnthropicStreamEncoder({ includeUsage: false, model: 'm', promptTokens: 120 });
    const [start] = frames(encoder.encode({ type: 'start', id: 'chatcmpl-1', model: 'x', created: 1 }));
    expect(start!.data.message).toMatchObject({ usage: { input_tokens: 120, output_tokens: 0 } });
    encoder.encode({ type: 'text', choice: 0, text: 'Hi' });
    const usage = { inputTokens: 117, cachedInputTokens: 0, cacheCreationInputTokens: 0, outputTokens: 3 };
    encoder.encode({ type: 'usage', usage });
    const delta = frames(encoder.encode({ type: 'end' })).find((frame) => frame.name === 'message_delta');
    expect(delta!.data.usage).toEqual({
      input_tokens: 117,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 3,
      server_tool_use: null,
    });
  });

  it('ends a stream without a stop reason as end_turn, with the stop sequence when there was one', () => {
    const plain = new AnthropicStreamEncoder({ includeUsage: false, model: 'm' });
    expect(frames(plain.encode({ type: 'end' })).map((frame) => frame.name)).toEqual([
      'message_start',
      'message_delta',
      'message_stop',
    ]);
    const stopped = new AnthropicStreamEncoder({ includeUsage: false, model: 'm' });
    stopped.encode({ type: 'finish', choice: 0, reason: 'stop_sequence', stopSequence: '###' });
    const [, delta] = frames(stopped.encode({ type: 'end' }));
    expect(delta!.data.delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: '###' });
  });

  it('refuses arguments for a tool call whose block is already closed', () => {
    const encoder = new AnthropicStreamEncoder({ includeUsage: false, model: 'm' });
    encoder.encode({ type: 'tool_call_start', choice: 0, index: 0, id: 'a', name: 'f' });
    encoder.encode({ type: 'tool_call_start', choice: 0, index: 1, id: 'b', name: 'g' });
    expect(() => encoder.encode({ type: 'tool_call_delta', choice: 0, index: 0, arguments: '{}' })).toThrow(
      expect.objectContaining({ code: 'upstream_invalid_response' }),
    );
  });
});
