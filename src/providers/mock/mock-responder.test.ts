import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SseParser } from '../../dialects/sse-parser.js';
import type { MockBody } from './mock-body.js';
import {
  createMockResponder,
  type MockRequest,
  type MockResponder,
  type MockResult,
} from './mock-responder.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const signal = new AbortController().signal;

function chat(
  dialect: 'openai' | 'anthropic',
  body: Json,
  headers: Record<string, string> = {},
): MockRequest {
  return { dialect, operation: 'chat', body: { model: 'mock', ...body }, headers, signal };
}

async function bytesOf(body: MockBody): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function respondJson(
  responder: MockResponder,
  request: MockRequest,
): Promise<{ status: number; json: Json }> {
  const result = await responder.respond(request);
  if (result.type !== 'response') throw new Error(`expected a response, got ${result.type}`);
  return { status: result.status, json: JSON.parse(await bytesOf(result.body)) as Json };
}

async function events(result: MockResult): Promise<{ event?: string; data: string }[]> {
  if (result.type !== 'response') throw new Error(`expected a response, got ${result.type}`);
  const parser = new SseParser();
  return [...parser.push(Buffer.from(await bytesOf(result.body))), ...parser.end()];
}

const hello = [{ role: 'user', content: 'Hello there, what is the weather in Paris today?' }];
const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 5 } },
    required: ['city'],
    additionalProperties: false,
  },
};

describe('mock chat answers', () => {
  it('are deterministic and echo the last user message', async () => {
    const responder = createMockResponder({ now: () => 1_700_000_000_000 });
    const first = await respondJson(responder, chat('openai', { messages: hello }));
    const second = await respondJson(
      createMockResponder({ now: () => 1_700_000_000_000 }),
      chat('openai', { messages: hello }),
    );
    expect(first).toEqual(second);
    expect(first.json).toMatchObject({ object: 'chat.completion', created: 1_700_000_000, model: 'mock' });
    const choice = first.json.choices[0];
    expect(choice.message.content).toMatch(/^Mock answer to: Hello there, what is the weather\.\.\. /);
    expect(choice.finish_reason).toBe('stop');
    const usage = first.json.usage as {
      prompt_tokens: number;
      completion_tokens: number;
      total_tokens: number;
    };
    expect(usage.completion_tokens).toBe(16);
    expect(usage.prompt_tokens).toBe(
      Math.ceil('userHello there, what is the weather in Paris today?'.length / 4),
    );
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it('answers n choices', async () => {
    const { json } = await respondJson(createMockResponder(), chat('openai', { messages: hello, n: 3 }));
    expect(json.choices.map((choice: Json) => choice.index as number)).toEqual([0, 1, 2]);
    expect(json.usage.completion_tokens).toBe(48);
  });

  it('honours max_tokens and stop sequences in both dialects', async () => {
    const responder = createMockResponder();
    const short = await respondJson(responder, chat('openai', { messages: hello, max_tokens: 4 }));
    expect(short.json.choices[0]).toMatchObject({
      finish_reason: 'length',
      message: { content: 'Mock answer to: Hello' },
    });
    expect(short.json.usage.completion_tokens).toBe(4);
    const stopped = await respondJson(
      responder,
      chat('anthropic', { messages: hello, max_tokens: 100, stop_sequences: ['weather'] }),
    );
    expect(stopped.json).toMatchObject({
      type: 'message',
      stop_reason: 'stop_sequence',
      stop_sequence: 'weather',
      content: [{ type: 'text', text: 'Mock answer to: Hello there, what is the ' }],
    });
    const limited = await respondJson(responder, chat('anthropic', { messages: hello, max_tokens: 2 }));
    expect(limited.json).toMatchObject({ stop_reason: 'max_tokens', usage: { output_tokens: 2 } });
  });

  it('continues an assistant prefill that its own answer begins with', async () => {
    const responder = createMockResponder();
    const full = (await respondJson(responder, chat('anthropic', { messages: hello, max_tokens: 100 }))).json
      .content[0].text as string;
    const prefill = full.slice(0, 30);
    const continued = await respondJson(
      responder,
      chat('anthropic', { messages: [...hello, { role: 'assistant', content: prefill }], max_tokens: 100 }),
    );
    expect(prefill + (continued.json.content[0].text as string)).toBe(full);
  });

  it('returns JSON for response_format json_schema', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'string' }, score: { type: 'integer', minimum: 1 } },
      required: ['answer', 'score'],
    };
    const { json } = await respondJson(
      createMockResponder(),
      chat('openai', {
        messages: hello,
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
      }),
    );
    const parsed = JSON.parse(json.choices[0].message.content as string) as unknown;
    expect(z.fromJSONSchema(schema as never).safeParse(parsed).success).toBe(true);
  });

  it('rejects a request without messages', async () => {
    const { status, json } = await respondJson(createMockResponder(), chat('anthropic', { messages: [] }));
    expect(status).toBe(400);
    expect(json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});

describe('mock tool calls', () => {
  const openaiTools = [{ type: 'function', function: weatherTool }];
  const anthropicTools = [
    { name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters },
  ];
  const validate = (value: unknown): boolean =>
    z.fromJSONSchema(weatherTool.parameters as never).safeParse(value).success;

  it('calls the tool when the choice requires one, with valid arguments', async () => {
    const responder = createMockResponder();
    const other = [{ role: 'user', content: 'nothing relevant' }];
    const openai = await respondJson(
      responder,
      chat('openai', { messages: other, tools: openaiTools, tool_choice: 'required' }),
    );
    const call = openai.json.choices[0].message.tool_calls[0];
    expect(openai.json.choices[0].finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(call.id).toMatch(/^call_/);
    expect(validate(JSON.parse(call.function.arguments as string))).toBe(true);
    const anthropic = await respondJson(
      responder,
      chat('anthropic', {
        messages: other,
        max_tokens: 50,
        tools: anthropicTools,
        tool_choice: { type: 'tool', name: 'get_weather' },
      }),
    );
    expect(anthropic.json).toMatchObject({
      stop_reason: 'tool_use',
      content: [{ type: 'tool_use', name: 'get_weather' }],
    });
    expect(validate(anthropic.json.content[0].input)).toBe(true);
  });

  it('calls a tool with auto choice only when the user names it', async () => {
    const responder = createMockResponder();
    const named = await respondJson(
      responder,
      chat('anthropic', {
        messages: [{ role: 'user', content: 'use get_weather for Oslo' }],
        max_tokens: 50,
        tools: anthropicTools,
      }),
    );
    expect(named.json.stop_reason).toBe('tool_use');
    const plain = await respondJson(responder, chat('openai', { messages: hello, tools: openaiTools }));
    expect(plain.json.choices[0].finish_reason).toBe('stop');
    const refused = await respondJson(
      responder,
      chat('openai', {
        messages: hello,
        tools: openaiTools,
        tool_choice: { type: 'function', function: { name: 'nope' } },
      }),
    );
    expect(refused.status).toBe(400);
  });

  it('summarises a tool result', async () => {
    const responder = createMockResponder();
    const openai = await respondJson(
      responder,
      chat('openai', {
        tools: openaiTools,
        messages: [
          { role: 'user', content: 'use get_weather' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'Sunny and 21 degrees' },
        ],
      }),
    );
    expect(openai.json.choices[0].message.content).toMatch(
      /^Mock summary of the tool result: Sunny and 21 degrees /,
    );
    const anthropic = await respondJson(
      responder,
      chat('anthropic', {
        max_tokens: 100,
        tools: anthropicTools,
        messages: [
          { role: 'user', content: 'use get_weather' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Rain' }] },
            ],
          },
        ],
      }),
    );
    expect(anthropic.json.content[0].text).toMatch(/^Mock summary of the tool result: Rain /);
  });

  it('streams tool arguments in several deltas that join into valid JSON', async () => {
    const responder = createMockResponder();
    const openai = await events(
      await responder.respond(
        chat('openai', { messages: hello, stream: true, tools: openaiTools, tool_choice: 'required' }),
      ),
    );
    const chunks = openai
      .filter((event) => event.data !== '[DONE]')
      .map((event) => JSON.parse(event.data) as Json);
    const deltas = chunks.flatMap((chunk) => (chunk.choices[0]?.delta?.tool_calls ?? []) as Json[]);
    expect(deltas[0]).toMatchObject({
      index: 0,
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(deltas.length).toBeGreaterThan(2);
    expect(
      validate(JSON.parse(deltas.map((delta: Json) => delta.function.arguments as string).join(''))),
    ).toBe(true);
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');

    const anthropic = await events(
      await responder.respond(
        chat('anthropic', {
          messages: hello,
          max_tokens: 50,
          stream: true,
          tools: anthropicTools,
          tool_choice: { type: 'any' },
        }),
      ),
    );
    const partials = anthropic
      .map((event) => JSON.parse(event.data) as Json)
      .filter((data) => data.delta?.type === 'input_json_delta')
      .map((data) => data.delta.partial_json as string);
    expect(partials.length).toBeGreaterThan(2);
    expect(validate(JSON.parse(partials.join('')))).toBe(true);
  });
});

describe('mock parallel tool calls', () => {
  const timeTool = {
    name: 'get_time',
    description: 'Time in a timezone',
    parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
  };
  const openaiTools = [weatherTool, timeTool].map((tool) => ({ type: 'function', function: tool }));
  const anthropicTools = [weatherTool, timeTool].map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.parameters,
  }));
  const both = [{ role: 'user', content: 'Use get_time for Oslo, then get_weather there.' }];
  const validate = (value: unknown): boolean =>
    z.fromJSONSchema(weatherTool.parameters as never).safeParse(value).success;

  it('calls every tool the user names, in the order named, after saying so (auto)', async () => {
    const responder = createMockResponder();
    const openai = await respondJson(responder, chat('openai', { messages: both, tools: openaiTools }));
    const message = openai.json.choices[0].message as Json;
    expect(message.content).toBe('I will call get_time and get_weather.');
    expect((message.tool_calls as Json[]).map((call) => call.function.name as string)).toEqual([
      'get_time',
      'get_weather',
    ]);
    const ids = (message.tool_calls as Json[]).map((call) => call.id as string);
    expect(new Set(ids).size).toBe(2);
    expect(openai.json.choices[0].finish_reason).toBe('tool_calls');

    const anthropic = await respondJson(
      responder,
      chat('anthropic', { messages: both, max_tokens: 50, tools: anthropicTools }),
    );
    expect((anthropic.json.content as Json[]).map((block) => block.type as string)).toEqual([
      'text',
      'tool_use',
      'tool_use',
    ]);
    expect(anthropic.json.content[2].name).toBe('get_weather');
  });

  it('calls only the first when parallel calls are off, and says nothing when a call is required', async () => {
    const responder = createMockResponder();
    const serial = await respondJson(
      responder,
      chat('openai', {
        messages: both,
        tools: openaiTools,
        tool_choice: 'required',
        parallel_tool_calls: false,
      }),
    );
    expect(serial.json.choices[0].message.content).toBeNull();
    expect(
      (serial.json.choices[0].message.tool_calls as Json[]).map((call) => call.function.name as string),
    ).toEqual(['get_time']);
    const anthropic = await respondJson(
      responder,
      chat('anthropic', {
        messages: both,
        max_tokens: 50,
        tools: anthropicTools,
        tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      }),
    );
    expect((anthropic.json.content as Json[]).map((block) => block.type as string)).toEqual([
      'text',
      'tool_use',
    ]);
  });

  it('streams each call under its own index, the text first', async () => {
    const responder = createMockResponder();
    const openai = (
      await events(
        await responder.respond(chat('openai', { messages: both, stream: true, tools: openaiTools })),
      )
    )
      .filter((event) => event.data !== '[DONE]')
      .map((event) => JSON.parse(event.data) as Json);
    const deltas = openai.flatMap((chunk) => (chunk.choices[0]?.delta?.tool_calls ?? []) as Json[]);
    const text = openai.map((chunk) => (chunk.choices[0]?.delta?.content ?? '') as string).join('');
    expect(text).toBe('I will call get_time and get_weather.');
    expect(deltas.filter((delta) => delta.id !== undefined).map((delta) => delta.index as number)).toEqual([
      0, 1,
    ]);
    const argumentsOf = (index: number) =>
      deltas
        .filter((delta) => delta.index === index)
        .map((delta) => delta.function.arguments as string)
        .join('');
    expect(JSON.parse(argumentsOf(1))).toSatisfy(validate);

    const anthropic = (
      await events(
        await responder.respond(
          chat('anthropic', { messages: both, max_tokens: 50, stream: true, tools: anthropicTools }),
        ),
      )
    ).map((event) => JSON.parse(event.data) as Json);
    const starts = anthropic.filter((data) => data.type === 'content_block_start');
    expect(starts.map((data) => [data.index as number, data.content_block.type as string])).toEqual([
      [0, 'text'],
      [1, 'tool_use'],
      [2, 'tool_use'],
    ]);
    const stops = anthropic
      .filter((data) => data.type === 'content_block_stop')
      .map((data) => data.index as number);
    expect(stops).toEqual([0, 1, 2]);
  });
});

describe('mock stream shapes', () => {
  it('follow the OpenAI chunk sequence, with include_usage', async () => {
    const list = await events(
      await createMockResponder().respond(
        chat('openai', { messages: hello, stream: true, stream_options: { include_usage: true } }),
      ),
    );
    expect(list.at(-1)?.data).toBe('[DONE]');
    expect(list.every((event) => event.event === undefined)).toBe(true);
    const chunks = list.slice(0, -1).map((event) => JSON.parse(event.data) as Json);
    expect(chunks.length).toBe(19);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]!.choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ completion_tokens: 16 });
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    const text = chunks
      .map((chunk) => (chunk.choices[0]?.delta?.content as string | undefined) ?? '')
      .join('');
    expect(text).toMatch(/^Mock answer to: Hello/);
  });

  it('follow the Anthropic event sequence', async () => {
    const list = await events(
      await createMockResponder().respond(
        chat('anthropic', { messages: hello, max_tokens: 100, stream: true }),
      ),
    );
    const names = list.map((event) => event.event);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(names.filter((name) => name === 'content_block_delta')).toHaveLength(16);
    for (const event of list) expect((JSON.parse(event.data) as Json).type).toBe(event.event);
    const delta = JSON.parse(list.at(-2)!.data) as Json;
    expect(delta).toMatchObject({
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 16 },
    });
  });
});

describe('mock fault state', () => {
  it('fails once per key, then answers', async () => {
    const responder = createMockResponder();
    const request = (key: string): MockRequest =>
      chat('openai', { messages: hello }, { 'x-mock-fault': '500;once', 'x-mock-fault-key': key });
    expect((await respondJson(responder, request('a'))).status).toBe(500);
    expect((await respondJson(responder, request('a'))).status).toBe(200);
    expect((await respondJson(responder, request('b'))).status).toBe(500);
  });

  it('takes once faults in order, one per request', async () => {
    const responder = createMockResponder();
    const request = chat('openai', { model: 'mock-503-once-stream-cut-once', messages: hello, stream: true });
    const first = await responder.respond(request);
    expect(first.type === 'response' && first.status).toBe(503);
    await expect(events(await responder.respond(request))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await events(await responder.respond(request))).at(-1)?.data).toBe('[DONE]');
  });

  it('is down for the first seconds by the injected clock', async () => {
    let time = 1_000_000;
    const responder = createMockResponder({ now: () => time });
    const request = chat('anthropic', { model: 'mock-down-30', messages: hello, max_tokens: 10 });
    expect(await respondJson(responder, request)).toMatchObject({
      status: 503,
      json: { error: { type: 'overloaded_error' } },
    });
    time += 29_000;
    expect((await respondJson(responder, request)).status).toBe(503);
    time += 1_000;
    expect((await respondJson(responder, request)).status).toBe(200);
  });

  it('reports a malformed fault header as a 400', async () => {
    const { status, json } = await respondJson(
      createMockResponder(),
      chat('openai', { messages: hello }, { 'x-mock-fault': 'boom' }),
    );
    expect(status).toBe(400);
    expect(json.error.message).toContain('boom');
  });
});
