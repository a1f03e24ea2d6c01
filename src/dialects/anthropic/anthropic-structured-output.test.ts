import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../llm/index.js';
import { anthropicCodec } from './anthropic-codec.js';

const schema = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
};

const request: ChatRequest = {
  model: 'gpt',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather?' }] }],
  responseFormat: { type: 'json_schema', name: 'weather', schema },
  stream: false,
};

describe('structured output sent to an Anthropic model', () => {
  it('becomes a forced tool whose input schema is the requested schema', () => {
    const body = anthropicCodec.encodeChatRequest(request, 'claude');
    expect(body.tools).toEqual([expect.objectContaining({ name: 'weather', input_schema: schema })]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'weather' });
  });

  it('asks json_object as a forced tool that takes any object', () => {
    const body = anthropicCodec.encodeChatRequest(
      { ...request, responseFormat: { type: 'json_object' } },
      'c',
    );
    expect(body.tools).toEqual([
      expect.objectContaining({ input_schema: { type: 'object', additionalProperties: true } }),
    ]);
  });

  it('refuses it together with the caller’s own tools, naming response_format', () => {
    const withTools: ChatRequest = {
      ...request,
      tools: [{ name: 'lookup', parameters: { type: 'object' } }],
    };
    expect(() => anthropicCodec.encodeChatRequest(withTools, 'c')).toThrow(
      expect.objectContaining({ code: 'invalid_request', param: 'response_format' }),
    );
  });

  it('refuses a schema whose top level is not an object', () => {
    const array: ChatRequest = {
      ...request,
      responseFormat: { type: 'json_schema', name: 'list', schema: { type: 'array' } },
    };
    expect(() => anthropicCodec.encodeChatRequest(array, 'c')).toThrow(
      expect.objectContaining({ param: 'response_format' }),
    );
  });

  it('returns the forced tool’s input as the answer’s text, ended normally', () => {
    const response = anthropicCodec.decodeChatResponse(
      {
        id: 'msg_1',
        model: 'claude',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 5, output_tokens: 7 },
      },
      request,
    );
    expect(response.choices[0]).toMatchObject({
      content: [{ type: 'text', text: '{"city":"Paris"}' }],
      finishReason: 'end',
    });
  });

  it('streams the forced tool’s input JSON as text deltas', () => {
    const decoder = anthropicCodec.createStreamDecoder(request);
    const events = [
      { type: 'message_start', message: { id: 'msg_1', model: 'c', usage: { input_tokens: 5 } } },
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"city":' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '"Paris"}' },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 7 } },
    ].flatMap((event) => decoder.decode({ data: JSON.stringify(event) }));
    expect(events.filter((event) => event.type === 'tool_call_start')).toEqual([]);
    const text = events.map((event) => (event.type === 'text' ? event.text : '')).join('');
    expect(text).toBe('{"city":"Paris"}');
    expect(events).toContainEqual({ type: 'finish', choice: 0, reason: 'end' });
  });
});

describe('Anthropic structured output read from a Messages request', () => {
  const body = {
    model: 'm',
    max_tokens: 10,
    messages: [{ role: 'user', content: 'Hi' }],
  };

  it('decodes output_config.format and the beta output_format to response_format json_schema', () => {
    for (const extra of [
      { output_config: { format: { type: 'json_schema', schema } } },
      { output_format: { type: 'json_schema', schema } },
    ]) {
      expect(anthropicCodec.decodeChatRequest({ ...body, ...extra }).responseFormat).toEqual({
        type: 'json_schema',
        name: 'output',
        schema,
      });
    }
  });

  it('refuses a malformed format naming the field', () => {
    const validation = anthropicCodec.validateChatRequest({
      ...body,
      output_config: { format: { type: 'json_schema' } },
    });
    expect(validation).toMatchObject({ ok: false, error: { param: 'output_config.format.schema' } });
    const wrongType = anthropicCodec.validateChatRequest({ ...body, output_format: { type: 'xml', schema } });
    expect(wrongType).toMatchObject({ ok: false, error: { param: 'output_format.type' } });
  });
});
