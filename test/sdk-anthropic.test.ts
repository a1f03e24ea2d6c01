import Anthropic from '@anthropic-ai/sdk';
import type {
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  MessageStreamEvent,
  TextBlock,
  Tool,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * The official `@anthropic-ai/sdk` client against the real gateway: each behaviour on a
 * same-dialect target (the Anthropic upstream, passed through, and the built-in mock) and on a
 * cross-dialect one (an OpenAI-compatible upstream, translated both ways).
 */

let fixture: SdkFixture;
let client: Anthropic;
/** The same client library talking to the mock server directly, without the gateway. */
let direct: Anthropic;

beforeAll(async () => {
  fixture = await startSdkFixture();
  client = new Anthropic({ baseURL: fixture.gateway.url, apiKey: fixture.gateway.masterKey, maxRetries: 0 });
  direct = new Anthropic({ baseURL: fixture.mock.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await fixture.close();
});

interface Target {
  readonly path: string;
  readonly model: string;
  readonly provider: string;
  readonly upstreamModel: string;
  readonly translated: boolean;
}

const sameDialect: Target = {
  path: 'passed through to an Anthropic upstream',
  model: anthropicModel,
  provider: 'upstream-anthropic',
  upstreamModel: upstreamAnthropicModel,
  translated: false,
};
const builtIn: Target = {
  path: 'answered by the built-in mock',
  model: builtInMockModel,
  provider: 'mock',
  upstreamModel: builtInMockModel,
  translated: false,
};
const crossDialect: Target = {
  path: 'translated to an OpenAI-compatible upstream',
  model: openaiModel,
  provider: 'upstream-openai',
  upstreamModel: upstreamOpenaiModel,
  translated: true,
};
const targets = [sameDialect, builtIn, crossDialect];

const maxTokens = 256;
const question: MessageParam[] = [{ role: 'user', content: 'Hello there, how are you today?' }];
const toolQuestion: MessageParam[] = [
  { role: 'user', content: 'What should I wear outside this afternoon?' },
];
const toolResultText = 'Sunny and 21 degrees with a light breeze';

const tools: Tool[] = [
  {
    name: 'get_weather',
    description: 'Current weather in a city',
    input_schema: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
  {
    name: 'get_time',
    description: 'Current time in a timezone',
    input_schema: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
  },
];

/** What the weather tool's schema promises, so a call's input can be checked against it. */
const weatherInput = z.strictObject({
  city: z.string().min(1),
  unit: z.enum(['celsius', 'fahrenheit']),
  days: z.number().int().min(1).max(7).optional(),
});
const timeInput = z.strictObject({ timezone: z.string().min(1) });

function textOf(message: Message): string {
  return message.content
    .filter((block): block is TextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('');
}

function toolUses(message: Message): ToolUseBlock[] {
  return message.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
}

async function directAnswer(
  params: Omit<MessageCreateParamsNonStreaming, 'model' | 'max_tokens'>,
): Promise<Message> {
  return direct.messages.create({ model: 'mock-direct', max_tokens: maxTokens, ...params });
}

describe.each(targets)('messages $path', (target) => {
  it('answers with the text the mock gives for the same prompt, end_turn and usage', async () => {
    const message = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      messages: question,
    });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.content).toHaveLength(1);
    expect(message.content[0]!.type).toBe('text');
    expect(textOf(message)).not.toBe('');
    expect(textOf(message)).toBe(textOf(await directAnswer({ messages: question })));
    expect(message.stop_reason).toBe('end_turn');
    expect(message.stop_sequence).toBeNull();
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams text events that add up to the final message, with its stop reason and usage', async () => {
    const stream = client.messages.stream({ model: target.model, max_tokens: maxTokens, messages: question });
    const deltas: string[] = [];
    const events: MessageStreamEvent['type'][] = [];
    stream.on('text', (delta) => deltas.push(delta));
    stream.on('streamEvent', (event) => events.push(event.type));
    const message = await stream.finalMessage();
    const expected = textOf(await directAnswer({ messages: question }));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(expected);
    expect(textOf(message)).toBe(expected);
    expect(await stream.finalText()).toBe(expected);
    expect(events[0]).toBe('message_start');
    expect(events.at(-1)).toBe('message_stop');
    expect(events).toContain('content_block_start');
    expect(events).toContain('content_block_stop');
    expect(events).toContain('message_delta');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('calls the tool named in tool_choice with input that fits its schema', async () => {
    const message = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      messages: toolQuestion,
      tools,
      tool_choice: { type: 'tool', name: 'get_time' },
    });
    expect(message.stop_reason).toBe('tool_use');
    const uses = toolUses(message);
    expect(uses).toHaveLength(1);
    expect(uses[0]!.name).toBe('get_time');
    expect(uses[0]!.id).not.toBe('');
    expect(timeInput.safeParse(uses[0]!.input).error).toBeUndefined();
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams a tool call whose input JSON arrives in pieces and fits the schema', async () => {
    const stream = client.messages.stream({
      model: target.model,
      max_tokens: maxTokens,
      messages: toolQuestion,
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    const pieces: string[] = [];
    stream.on('inputJson', (partial) => pieces.push(partial));
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    const uses = toolUses(message);
    expect(uses).toHaveLength(1);
    expect(uses[0]!.name).toBe('get_weather');
    expect(weatherInput.safeParse(uses[0]!.input).error).toBeUndefined();
    expect(pieces.length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(''))).toEqual(uses[0]!.input);
  });

  it('carries on a multi-turn conversation with a tool_result to a text answer about it', async () => {
    const first = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      messages: toolQuestion,
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    const use = toolUses(first)[0]!;
    expect(weatherInput.safeParse(use.input).error).toBeUndefined();

    const conversation: MessageParam[] = [
      ...toolQuestion,
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: toolResultText }] },
    ];
    const second = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      messages: conversation,
      tools,
    });
    expect(second.stop_reason).toBe('end_turn');
    expect(toolUses(second)).toEqual([]);
    // The mock summarises the tool result it was given, so this proves the result reached it.
    expect(textOf(second)).toMatch(/^Mock summary of the tool result: Sunny and 21 degrees with a\.\.\. /);
    expect(textOf(second)).toBe(textOf(await directAnswer({ messages: conversation, tools })));

    // A further user turn after the tool exchange is answered as a question again.
    const third = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      messages: [
        ...conversation,
        { role: 'assistant', content: second.content },
        { role: 'user', content: 'Thanks, and tomorrow?' },
      ],
      tools,
    });
    expect(textOf(third)).toMatch(/^Mock answer to: Thanks, and tomorrow\? /);
  });

  it('sends the system prompt on to the model', async () => {
    const system = 'You are a terse assistant who answers in exactly one sentence. '.repeat(8);
    const plain = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      messages: question,
    });
    const withSystem = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      system,
      messages: question,
    });
    const withBlocks = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      system: [{ type: 'text', text: system }],
      messages: question,
    });
    expect(textOf(withSystem)).toBe(textOf(plain));
    // The mock counts about four characters a token, the system prompt's included.
    const added = Math.floor(system.length / 4) - 2;
    expect(withSystem.usage.input_tokens - plain.usage.input_tokens).toBeGreaterThanOrEqual(added);
    expect(withBlocks.usage.input_tokens - plain.usage.input_tokens).toBeGreaterThanOrEqual(added);
  });

  it('stops at a stop sequence', async () => {
    const messages: MessageParam[] = [{ role: 'user', content: 'Tell me about zebras and lions please' }];
    const message = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      messages,
      stop_sequences: ['lions'],
    });
    expect(textOf(message)).toBe('Mock answer to: Tell me about zebras and ');
    if (target.translated) {
      // OpenAI's finish_reason "stop" covers both a natural end and a stop sequence, and never
      // names the sequence, so the translation can only say end_turn.
      expect(message.stop_reason).toBe('end_turn');
      expect(message.stop_sequence).toBeNull();
    } else {
      expect(message.stop_reason).toBe('stop_sequence');
      expect(message.stop_sequence).toBe('lions');
    }
  });

  it('stops at max_tokens and says so', async () => {
    const message = await client.messages.create({ model: target.model, max_tokens: 3, messages: question });
    expect(textOf(message)).toBe('Mock answer to:');
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(3);
  });

  it('returns request-id, and which provider and model answered, in response headers', async () => {
    const { data, response, request_id } = await client.messages
      .create({ model: target.model, max_tokens: maxTokens, messages: question })
      .withResponse();
    expect(textOf(data)).not.toBe('');
    expect(request_id).toMatch(/\S/);
    expect(response.headers.get('request-id')).toBe(request_id);
    expect(response.headers.get('x-request-id')).toBe(request_id);
    expect(response.headers.get('x-gatehouse-provider')).toBe(target.provider);
    expect(response.headers.get('x-gatehouse-model')).toBe(target.upstreamModel);
  });

  it('returns request-id on a stream before its first event', async () => {
    const stream = client.messages.stream({ model: target.model, max_tokens: maxTokens, messages: question });
    const { request_id, response } = await stream.withResponse();
    expect(request_id).toMatch(/\S/);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.done();
  });
});

describe.each(targets)('messages failures $path', (target) => {
  it('surfaces an upstream cut after the answer started as an error, not a short message', async () => {
    const stream = client.messages.stream(
      { model: target.model, max_tokens: maxTokens, messages: question },
      { headers: { 'x-mock-fault': 'stream-cut;after=8', 'x-mock-token-latency-ms': '5' } },
    );
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const error = await stream.finalMessage().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).not.toBeInstanceOf(Anthropic.APIUserAbortError);
    const full = textOf(await directAnswer({ messages: question }));
    expect(text).not.toBe('');
    expect(full.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(full.length);

    const next = await client.messages.create({
      model: target.model,
      max_tokens: maxTokens,
      messages: question,
    });
    expect(textOf(next)).toBe(full);
  });

  it('passes an upstream context-length rejection on as BadRequestError', async () => {
    const error = await client.messages
      .create(
        { model: target.model, max_tokens: maxTokens, messages: question },
        { headers: { 'x-mock-fault': 'context-length' } },
      )
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const rejected = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(rejected.status).toBe(400);
    expect(rejected.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(rejected.message).toMatch(/context|too long/i);
  });
});

describe('models', () => {
  it('lists the configured models and the mock in Anthropic’s list shape', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining([openaiModel, anthropicModel, builtInMockModel]));
  });
});

describe('messages authentication and errors', () => {
  it('accepts the key as a Bearer token as well as x-api-key', async () => {
    const bearer = new Anthropic({
      baseURL: fixture.gateway.url,
      apiKey: null,
      authToken: fixture.gateway.masterKey,
      maxRetries: 0,
    });
    const message = await bearer.messages.create({
      model: anthropicModel,
      max_tokens: maxTokens,
      messages: question,
    });
    expect(textOf(message)).not.toBe('');
  });

  it.each(targets)('answers a wrong key with AuthenticationError (401) $path', async (target) => {
    const stranger = new Anthropic({
      baseURL: fixture.gateway.url,
      apiKey: 'gh-wrong-key-000000000000',
      maxRetries: 0,
    });
    const error = await stranger.messages
      .create({ model: target.model, max_tokens: maxTokens, messages: question })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    const denied = error as InstanceType<typeof Anthropic.AuthenticationError>;
    expect(denied.status).toBe(401);
    expect(denied.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(denied.requestID).toMatch(/\S/);
  });

  it('answers an unknown model with NotFoundError (404) naming it', async () => {
    const error = await client.messages
      .create({ model: 'no-such-model-anywhere', max_tokens: maxTokens, messages: question })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    const notFound = error as InstanceType<typeof Anthropic.NotFoundError>;
    expect(notFound.status).toBe(404);
    expect(notFound.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(notFound.message).toContain('no-such-model-anywhere');
  });

  it('answers a stream for an unknown model with NotFoundError', async () => {
    const stream = client.messages.stream({
      model: 'no-such-model-anywhere',
      max_tokens: maxTokens,
      messages: question,
    });
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});
