import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  anthropicModel,
  builtInMockModel,
  openaiModel,
  startSdkFixture,
  upstreamAnthropicModel,
  upstreamOpenaiModel,
  type SdkFixture,
} from './support/sdk-fixture.js';

/**
 * The official `openai` client against the real gateway: each behaviour on a same-dialect target
 * (the OpenAI-compatible upstream, passed through, and the built-in mock) and on a cross-dialect
 * one (an Anthropic upstream, translated both ways).
 */

let fixture: SdkFixture;
let client: OpenAI;
/** The same client library talking to the mock server directly, without the gateway. */
let direct: OpenAI;

beforeAll(async () => {
  fixture = await startSdkFixture();
  client = new OpenAI({
    baseURL: `${fixture.gateway.url}/v1`,
    apiKey: fixture.gateway.masterKey,
    maxRetries: 0,
  });
  direct = new OpenAI({ baseURL: `${fixture.mock.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await fixture.close();
});

interface Target {
  readonly path: string;
  readonly model: string;
  readonly provider: string;
  readonly upstreamModel: string;
}

const sameDialect: Target = {
  path: 'passed through to an OpenAI-compatible upstream',
  model: openaiModel,
  provider: 'upstream-openai',
  upstreamModel: upstreamOpenaiModel,
};
const builtIn: Target = {
  path: 'answered by the built-in mock',
  model: builtInMockModel,
  provider: 'mock',
  upstreamModel: builtInMockModel,
};
const crossDialect: Target = {
  path: 'translated to an Anthropic upstream',
  model: anthropicModel,
  provider: 'upstream-anthropic',
  upstreamModel: upstreamAnthropicModel,
};
const targets = [sameDialect, builtIn, crossDialect];

const weatherParameters = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
  },
  required: ['city', 'unit'],
  additionalProperties: false,
} as const;

/** What the weather tool's schema promises, so parsed arguments can be checked against it. */
const weatherArguments = z.strictObject({
  city: z.string().min(1),
  unit: z.enum(['celsius', 'fahrenheit']),
  days: z.number().int().min(1).max(7).optional(),
});
const timeArguments = z.strictObject({ timezone: z.string().min(1) });

const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: weatherParameters,
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      description: 'Current time in a timezone',
      parameters: {
        type: 'object',
        properties: { timezone: { type: 'string' } },
        required: ['timezone'],
      },
    },
  },
];

const question: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello there, how are you today?' }];
const toolQuestion: ChatCompletionMessageParam[] = [
  { role: 'user', content: 'What should I wear outside this afternoon?' },
];
const toolResultText = 'Sunny and 21 degrees with a light breeze';

function functionCalls(calls: readonly unknown[] | undefined): ChatCompletionMessageFunctionToolCall[] {
  return (calls ?? []).filter(
    (call): call is ChatCompletionMessageFunctionToolCall =>
      typeof call === 'object' && call !== null && (call as { type?: unknown }).type === 'function',
  );
}

/** A stream's chunks put back together: text per choice, tool calls by index, finish and usage. */
interface Assembled {
  readonly chunks: ChatCompletionChunk[];
  readonly text: string;
  readonly toolCalls: { id: string; name: string; arguments: string }[];
  readonly finishReason: string | null;
}

async function assemble(stream: AsyncIterable<ChatCompletionChunk>): Promise<Assembled> {
  const chunks: ChatCompletionChunk[] = [];
  let text = '';
  const toolCalls: { id: string; name: string; arguments: string }[] = [];
  let finishReason: string | null = null;
  for await (const chunk of stream) {
    chunks.push(chunk);
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    text += choice.delta.content ?? '';
    for (const delta of choice.delta.tool_calls ?? []) {
      const call = (toolCalls[delta.index] ??= { id: '', name: '', arguments: '' });
      if (delta.id !== undefined) call.id += delta.id;
      if (delta.function?.name !== undefined) call.name += delta.function.name;
      if (delta.function?.arguments !== undefined) call.arguments += delta.function.arguments;
    }
    if (choice.finish_reason !== null) finishReason = choice.finish_reason;
  }
  return { chunks, text, toolCalls, finishReason };
}

async function directAnswer(
  messages: ChatCompletionMessageParam[],
  extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {},
): Promise<string> {
  const completion = await direct.chat.completions.create({ model: 'mock-direct', messages, ...extra });
  return completion.choices[0]?.message.content ?? '';
}

describe.each(targets)('chat completions $path', (target) => {
  it('answers with the text the mock gives for the same prompt, finish_reason stop and usage', async () => {
    const completion = await client.chat.completions.create({ model: target.model, messages: question });
    const choice = completion.choices[0]!;
    expect(completion.choices).toHaveLength(1);
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content).not.toBe('');
    expect(choice.message.content).toBe(await directAnswer(question));
    expect(choice.finish_reason).toBe('stop');
    expect(completion.object).toBe('chat.completion');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
  });

  it('streams the same text and ends with a usage chunk without choices when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: target.model,
      messages: question,
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks, text, finishReason } = await assemble(stream);
    expect(text).toBe(await directAnswer(question));
    expect(finishReason).toBe('stop');
    expect(chunks.length).toBeGreaterThan(2);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
    expect(last.usage?.total_tokens).toBe(
      (last.usage?.prompt_tokens ?? 0) + (last.usage?.completion_tokens ?? 0),
    );
    // Only the final chunk reports usage; every other chunk carries a choice.
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.usage ?? null).toBeNull();
      expect(chunk.choices).toHaveLength(1);
    }
  });

  it('streams no usage chunk when include_usage is not asked for', async () => {
    const stream = await client.chat.completions.create({
      model: target.model,
      messages: question,
      stream: true,
    });
    const { chunks, text, finishReason } = await assemble(stream);
    expect(text).toBe(await directAnswer(question));
    expect(finishReason).toBe('stop');
    for (const chunk of chunks) {
      expect(chunk.usage ?? null).toBeNull();
      expect(chunk.choices).toHaveLength(1);
    }
  });

  it('calls the tool named in tool_choice with arguments that fit its schema', async () => {
    const completion = await client.chat.completions.create({
      model: target.model,
      messages: toolQuestion,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = functionCalls(choice.message.tool_calls);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.function.name).toBe('get_time');
    expect(calls[0]!.id).not.toBe('');
    expect(timeArguments.safeParse(JSON.parse(calls[0]!.function.arguments)).success).toBe(true);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('runs a tool round trip: a required tool call, then a text answer about its result', async () => {
    const first = await client.chat.completions.create({
      model: target.model,
      messages: toolQuestion,
      tools,
      tool_choice: 'required',
    });
    const call = functionCalls(first.choices[0]!.message.tool_calls)[0]!;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('get_weather');
    const parsed = weatherArguments.safeParse(JSON.parse(call.function.arguments));
    expect(parsed.error).toBeUndefined();

    const conversation: ChatCompletionMessageParam[] = [
      ...toolQuestion,
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: toolResultText },
    ];
    const second = await client.chat.completions.create({
      model: target.model,
      messages: conversation,
      tools,
    });
    const answer = second.choices[0]!;
    expect(answer.finish_reason).toBe('stop');
    expect(functionCalls(answer.message.tool_calls)).toEqual([]);
    // The mock summarises the tool result it was given, so this proves the result reached it.
    expect(answer.message.content).toMatch(
      /^Mock summary of the tool result: Sunny and 21 degrees with a\.\.\. /,
    );
    expect(answer.message.content).toBe(await directAnswer(conversation, { tools }));
  });

  it('streams a tool call whose argument deltas add up to JSON that fits the schema', async () => {
    const stream = await client.chat.completions.create({
      model: target.model,
      messages: toolQuestion,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks, toolCalls, text, finishReason } = await assemble(stream);
    expect(finishReason).toBe('tool_calls');
    expect(text).toBe('');
    expect(toolCalls).toHaveLength(1);
    expect(toolCalls[0]!.name).toBe('get_weather');
    expect(toolCalls[0]!.id).not.toBe('');
    expect(weatherArguments.safeParse(JSON.parse(toolCalls[0]!.arguments)).error).toBeUndefined();
    // Arguments arrive in several deltas, as a provider streams them, not in one piece.
    const argumentDeltas = chunks.filter((chunk) =>
      chunk.choices[0]?.delta.tool_calls?.some((delta) => (delta.function?.arguments ?? '') !== ''),
    );
    expect(argumentDeltas.length).toBeGreaterThan(1);
    expect(chunks.at(-1)!.usage?.completion_tokens).toBeGreaterThan(0);

    const call = toolCalls[0]!;
    const conversation: ChatCompletionMessageParam[] = [
      ...toolQuestion,
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } },
        ],
      },
      { role: 'tool', tool_call_id: call.id, content: toolResultText },
    ];
    const answer = await assemble(
      await client.chat.completions.create({
        model: target.model,
        messages: conversation,
        tools,
        stream: true,
      }),
    );
    expect(answer.finishReason).toBe('stop');
    expect(answer.toolCalls).toEqual([]);
    expect(answer.text).toMatch(/^Mock summary of the tool result: Sunny and 21 degrees with a\.\.\. /);
  });

  it('stops at a stop sequence with finish_reason stop', async () => {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Tell me about zebras and lions please' },
    ];
    const completion = await client.chat.completions.create({
      model: target.model,
      messages,
      stop: ['lions'],
    });
    expect(completion.choices[0]!.message.content).toBe('Mock answer to: Tell me about zebras and ');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
  });

  it('stops at max_completion_tokens with finish_reason length', async () => {
    const completion = await client.chat.completions.create({
      model: target.model,
      messages: question,
      max_completion_tokens: 3,
    });
    expect(completion.choices[0]!.message.content).toBe('Mock answer to:');
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it('sends a system message on to the model', async () => {
    const system = 'You are a terse assistant who answers in exactly one sentence. '.repeat(8);
    const plain = await client.chat.completions.create({ model: target.model, messages: question });
    const withSystem = await client.chat.completions.create({
      model: target.model,
      messages: [{ role: 'system', content: system }, ...question],
    });
    expect(withSystem.choices[0]!.message.content).toBe(plain.choices[0]!.message.content);
    // The mock counts about four characters a token, the system prompt's included.
    const added = Math.floor(system.length / 4) - 2;
    expect((withSystem.usage?.prompt_tokens ?? 0) - (plain.usage?.prompt_tokens ?? 0)).toBeGreaterThanOrEqual(
      added,
    );
  });

  it('reports which provider and model answered, and the request id, in response headers', async () => {
    const { data, response, request_id } = await client.chat.completions
      .create({ model: target.model, messages: question })
      .withResponse();
    expect(data.choices[0]!.message.content).not.toBe('');
    expect(response.headers.get('x-gatehouse-provider')).toBe(target.provider);
    expect(response.headers.get('x-gatehouse-model')).toBe(target.upstreamModel);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/\S/);
    expect(request_id).toBe(requestId);
  });

  it('echoes the caller’s own x-request-id on a stream', async () => {
    const { response } = await client.chat.completions
      .create(
        { model: target.model, messages: question, stream: true },
        { headers: { 'x-request-id': 'trace-abc-123' } },
      )
      .withResponse();
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
    expect(response.headers.get('x-gatehouse-provider')).toBe(target.provider);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await response.body?.cancel();
  });

  it('stops the stream when the caller aborts after the first chunk, and goes on serving', async () => {
    const controller = new AbortController();
    const { data: stream, response } = await client.chat.completions
      .create(
        { model: target.model, messages: question, stream: true },
        // Slow tokens, so the answer is still streaming when the caller aborts.
        { signal: controller.signal, headers: { 'x-mock-token-latency-ms': '50' } },
      )
      .withResponse();
    const requestId = response.headers.get('x-request-id');
    const received: ChatCompletionChunk[] = [];
    // openai@7 ends the iteration quietly when the caller's own signal aborts a started stream.
    for await (const chunk of stream) {
      received.push(chunk);
      controller.abort();
    }
    expect(received).toHaveLength(1);
    expect(received[0]!.choices[0]?.finish_reason ?? null).toBeNull();

    // The gateway logs the request as an unfinished stream once it sees the caller leave.
    await vi.waitFor(
      () => {
        const record = fixture.gateway.logRecords().find((line) => line.request_id === requestId);
        expect(record).toBeDefined();
        expect(record?.stream_complete).toBe(false);
      },
      { timeout: 5_000, interval: 20 },
    );

    const next = await client.chat.completions.create({ model: target.model, messages: question });
    expect(next.choices[0]!.message.content).toBe(await directAnswer(question));
  });

  it('throws APIUserAbortError when the caller aborts before the answer starts, and goes on serving', async () => {
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: target.model, messages: question, stream: true },
      // The answer is due in 5 s; the caller leaves long before, once the request has surely arrived.
      { signal: controller.signal, headers: { 'x-mock-latency-ms': '5000' } },
    );
    setTimeout(() => controller.abort(), 300);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);

    const next = await client.chat.completions.create({ model: target.model, messages: question });
    expect(next.choices[0]!.message.content).toBe(await directAnswer(question));
  });

  it('logs a caller who leaves before the answer as a closed request (499), not as a bad request', async () => {
    const requestId = `abort-before-answer-${target.model}`;
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: target.model, messages: question, stream: true },
      { signal: controller.signal, headers: { 'x-mock-latency-ms': '5000', 'x-request-id': requestId } },
    );
    setTimeout(() => controller.abort(), 300);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);

    const record = await vi.waitFor(
      () => {
        const found = fixture.gateway.logRecords().find((line) => line.request_id === requestId);
        if (found === undefined) throw new Error(`no log line for ${requestId} yet`);
        return found;
      },
      { timeout: 5_000, interval: 20 },
    );
    // Not 400 invalid_request: the request was valid, and 4xx rates and alerts must not count it.
    expect(record.error_code).not.toBe('invalid_request');
    expect(record.status).toBe(499);
  });
});

describe.each(targets)('chat completion failures $path', (target) => {
  it('surfaces an upstream cut after the answer started as an error, not a short answer', async () => {
    const stream = await client.chat.completions.create(
      { model: target.model, messages: question, stream: true },
      { headers: { 'x-mock-fault': 'stream-cut;after=8', 'x-mock-token-latency-ms': '5' } },
    );
    let text = '';
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    const error = await consume().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).not.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toMatch(/\S/);
    const full = await directAnswer(question);
    expect(text).not.toBe('');
    expect(full.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(full.length);

    const next = await client.chat.completions.create({ model: target.model, messages: question });
    expect(next.choices[0]!.message.content).toBe(full);
  });

  it('passes an upstream context-length rejection on as BadRequestError with its OpenAI code', async () => {
    const error = await client.chat.completions
      .create({ model: target.model, messages: question }, { headers: { 'x-mock-fault': 'context-length' } })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const rejected = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(rejected.status).toBe(400);
    expect(rejected.code).toBe('context_length_exceeded');
    expect(rejected.type).toBe('invalid_request_error');
  });

  it('retries an upstream 429 for the caller and answers', async () => {
    const { data, response } = await client.chat.completions
      .create(
        { model: target.model, messages: question },
        { headers: { 'x-mock-fault': '429;once', 'x-mock-fault-key': `retry-${target.model}` } },
      )
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(await directAnswer(question));
    expect(response.headers.get('x-gatehouse-attempts')).toBe('2');
  });
});

describe('chat completions translated to an Anthropic upstream', () => {
  it('hands parallel tool results to the model together, in one turn', async () => {
    const completion = await client.chat.completions.create({
      model: anthropicModel,
      messages: [
        { role: 'user', content: 'What is the weather in Paris and in London?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_paris',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
            },
            {
              id: 'call_london',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"London","unit":"celsius"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_paris', content: 'Sunny in Paris' },
        { role: 'tool', tool_call_id: 'call_london', content: 'Rainy in London' },
      ],
      tools,
    });
    // The Anthropic mock summarises every tool_result of the last user turn: both must be in it.
    expect(completion.choices[0]!.message.content).toMatch(
      /^Mock summary of the tool result: Sunny in Paris Rainy in London /,
    );
    expect(completion.choices[0]!.finish_reason).toBe('stop');
  });

  it('rejects n > 1, which Anthropic cannot answer, with BadRequestError naming n', async () => {
    const error = await client.chat.completions
      .create({ model: anthropicModel, messages: question, n: 2 })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/\bn\b/);
  });
});

describe('models', () => {
  it('lists the configured models and the mock to the OpenAI client', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining([openaiModel, anthropicModel, builtInMockModel]));
  });
});

describe('chat completions with n > 1', () => {
  it.each([sameDialect, builtIn])('returns n distinct choices when $path', async (target) => {
    const completion = await client.chat.completions.create({
      model: target.model,
      messages: question,
      n: 2,
    });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    const [first, second] = completion.choices;
    expect(first!.message.content).not.toBe('');
    expect(second!.message.content).not.toBe('');
    expect(first!.message.content).not.toBe(second!.message.content);
    expect(completion.choices.every((choice) => choice.finish_reason === 'stop')).toBe(true);
  });

  it.each([sameDialect, builtIn])('streams n choices by index when $path', async (target) => {
    const stream = await client.chat.completions.create({
      model: target.model,
      messages: question,
      n: 2,
      stream: true,
    });
    const texts = ['', ''];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        texts[choice.index] = (texts[choice.index] ?? '') + (choice.delta.content ?? '');
      }
    }
    const expected = await direct.chat.completions.create({ model: 'mock-direct', messages: question, n: 2 });
    expect(texts).toEqual(expected.choices.map((choice) => choice.message.content));
  });
});

describe('chat completion errors', () => {
  it('answers an unknown model with NotFoundError (404) and a message naming it', async () => {
    const error = await client.chat.completions
      .create({ model: 'no-such-model-anywhere', messages: question })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const notFound = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(notFound.status).toBe(404);
    expect(notFound.message).toContain('no-such-model-anywhere');
    expect(notFound.headers?.get('x-request-id')).toMatch(/\S/);
  });

  it.each(targets)(
    'answers a wrong key with AuthenticationError (401) before reaching the model $path',
    async (target) => {
      const stranger = new OpenAI({
        baseURL: `${fixture.gateway.url}/v1`,
        apiKey: 'gh-wrong-key-000000000000',
        maxRetries: 0,
      });
      const error = await stranger.chat.completions.create({ model: target.model, messages: question }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      const denied = error as InstanceType<typeof OpenAI.AuthenticationError>;
      expect(denied.status).toBe(401);
      expect(denied.message).toMatch(/\S/);
      expect(denied.headers?.get('x-gatehouse-provider')).toBeNull();
    },
  );

  it('answers a streaming request for an unknown model with NotFoundError before any chunk', async () => {
    await expect(
      client.chat.completions.create({ model: 'no-such-model-anywhere', messages: question, stream: true }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
