import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import type {
  Message,
  MessageCreateParamsNonStreaming,
  MessageStreamEvent,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  cacheGatewayConfig,
  claudeModel,
  createKey,
  gptModel,
  pricing,
  sdkClients,
  startCountingMock,
  upstreamClaudeModel,
  upstreamGptModel,
  waitFor,
  type CountingMock,
  type SdkClients,
} from './support/cache-fixture.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';

/**
 * The response cache end to end: the real gateway (in process) in front of the mock provider's
 * HTTP server, which counts what reaches it, and a scripted upstream whose answers a test can
 * change; the real `openai` and `@anthropic-ai/sdk` clients as callers. Every test uses prompts of
 * its own (the run id and a counter are in every prompt), so tests do not see each other's entries.
 */

const scriptedGpt = 'scripted-gpt';
const scriptedClaude = 'scripted-claude';
const cutModel = 'mock-stream-cut-after-3';
/**
 * The Anthropic stream's first three events are message_start, content_block_start and ping: cut
 * there, no text has reached the caller and the gateway answers 502 instead. Two text deltas later
 * the cut is in the middle of the answer.
 */
const anthropicCutModel = 'mock-stream-cut-after-5';
const maxTokens = 256;

let mock: CountingMock;
let scripted: ScriptedUpstream;
let gateway: TestGateway;
let dataDir: string;
/** The master key's clients. */
let master: SdkClients;

const runId = randomUUID().slice(0, 8);
let promptCount = 0;
/** A prompt no other test sends. */
function prompt(label: string): string {
  promptCount += 1;
  return `${label} (${runId} #${promptCount})`;
}

beforeAll(async () => {
  mock = await startCountingMock();
  scripted = await startScriptedUpstream();
  const config = cacheGatewayConfig(mock.url, {
    providers: {
      'scripted-openai': { type: 'openai-compatible', base_url: `${scripted.url}/v1` },
      'scripted-anthropic': { type: 'anthropic', base_url: scripted.url, api_key: 'sk-ant-scripted' },
    },
    models: {
      // One attempt: a scripted failure reaches the upstream exactly once.
      [scriptedGpt]: {
        targets: [{ provider: 'scripted-openai', model: 'upstream-gpt' }],
        retry: { attempts: 1 },
      },
      [scriptedClaude]: {
        targets: [{ provider: 'scripted-anthropic', model: 'upstream-claude' }],
        retry: { attempts: 1 },
      },
    },
  });
  dataDir = config.data_dir!;
  gateway = await startTestGateway(config);
  master = sdkClients(gateway.url, gateway.masterKey);
});

afterAll(async () => {
  await gateway.close();
  await scripted.close();
  await mock.close();
});

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};

const anthropicWeatherTool: Tool = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city', 'unit'],
  },
};

function openaiRequest(text: string, model = gptModel): ChatCompletionCreateParamsNonStreaming {
  return { model, temperature: 0, messages: [{ role: 'user', content: text }] };
}

/**
 * `temperature: 0`, so that the answer may be cached. This SDK's types no longer list
 * `temperature` (the API still takes it, and the client sends what it is given).
 */
function anthropicRequest(text: string, model = claudeModel): MessageCreateParamsNonStreaming {
  const params: MessageCreateParamsNonStreaming = {
    model,
    max_tokens: maxTokens,
    messages: [{ role: 'user', content: text }],
  };
  return Object.assign(params, { temperature: 0 });
}

/** A streamed answer read with the openai client's own stream helper, and its raw chunks. */
async function openaiStreamed(
  clients: SdkClients,
  params: ChatCompletionCreateParamsNonStreaming,
  includeUsage: boolean,
  headers: Record<string, string> = {},
): Promise<{ completion: ChatCompletion; chunks: ChatCompletionChunk[] }> {
  const runner = clients.openai.chat.completions.stream(
    { ...params, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) },
    { headers },
  );
  const chunks: ChatCompletionChunk[] = [];
  runner.on('chunk', (chunk) => chunks.push(chunk));
  const completion = await runner.finalChatCompletion();
  return { completion, chunks };
}

/** A streamed answer read with the Anthropic client's own stream helper, and its events. */
async function anthropicStreamed(
  clients: SdkClients,
  params: MessageCreateParamsNonStreaming,
): Promise<{ message: Message; events: MessageStreamEvent[] }> {
  const stream = clients.anthropic.messages.stream(params);
  const events: MessageStreamEvent[] = [];
  stream.on('streamEvent', (event) => events.push(event));
  const message = await stream.finalMessage();
  return { message, events };
}

/**
 * What a caller sees of a chat completion: the text, tool calls, finish reasons and token counts.
 * A hit is rendered from the cache's dialect-neutral form, so the upstream's zero-valued extras
 * (`annotations: []`, `completion_tokens_details`) are not repeated, and a tool-call stream's
 * empty text comes back as `""` where the upstream streamed `null`: those are not compared.
 */
function openaiAnswer(completion: ChatCompletion) {
  return {
    model: completion.model,
    choices: completion.choices.map((choice) => ({
      index: choice.index,
      finish_reason: choice.finish_reason,
      role: choice.message.role,
      content: choice.message.content ?? '',
      refusal: choice.message.refusal ?? null,
      tool_calls: (choice.message.tool_calls ?? []).map((call) =>
        call.type === 'function'
          ? {
              id: call.id,
              name: call.function.name,
              arguments: JSON.parse(call.function.arguments) as unknown,
            }
          : call,
      ),
    })),
    usage: {
      prompt_tokens: completion.usage?.prompt_tokens,
      completion_tokens: completion.usage?.completion_tokens,
      total_tokens: completion.usage?.total_tokens,
      cached_tokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    },
  };
}

/** The same for a message; a text block's `citations: null` and an absent one are alike. */
function anthropicAnswer(message: Message) {
  return {
    model: message.model,
    role: message.role,
    content: message.content.map((block) =>
      block.type === 'text'
        ? { type: 'text', text: block.text, citations: block.citations ?? null }
        : block.type === 'tool_use'
          ? { type: 'tool_use', id: block.id, name: block.name, input: block.input }
          : block,
    ),
    stop_reason: message.stop_reason,
    stop_sequence: message.stop_sequence ?? null,
    usage: { input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens },
  };
}

function textOf(message: Message): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** Reads a stream to its end; resolves with the error it ended with, if any. */
async function drain(stream: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _event of stream) {
      // Read to the end.
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('exact-match hits and misses', () => {
  it('OpenAI dialect: a miss reaches the upstream, the repeat is a hit with the same answer and no upstream call', async () => {
    const request = openaiRequest(prompt('What colour is the sky on a clear day?'));
    const before = mock.chatCalls(upstreamGptModel);
    const first = await master.openai.chat.completions.create(request);
    expect(master.last()).toMatchObject({ status: 200, cache: 'miss', attempts: '1' });
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 1);

    const second = await master.openai.chat.completions.create(request);
    expect(master.last()).toMatchObject({ status: 200, cache: 'hit', attempts: '0' });
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 1);
    expect(second.object).toBe('chat.completion');
    expect(openaiAnswer(second)).toEqual(openaiAnswer(first));
    expect(second.choices[0]!.message.content).toMatch(/^Mock answer to: What colour is the sky/);
  });

  it('Anthropic dialect: a miss reaches the upstream, the repeat is a hit with the same answer and no upstream call', async () => {
    const request = anthropicRequest(prompt('How many legs does a spider have?'));
    const before = mock.chatCalls(upstreamClaudeModel);
    const first = await master.anthropic.messages.create(request);
    expect(master.last()).toMatchObject({ status: 200, cache: 'miss', attempts: '1' });
    expect(mock.chatCalls(upstreamClaudeModel)).toBe(before + 1);

    const second = await master.anthropic.messages.create(request);
    expect(master.last()).toMatchObject({ status: 200, cache: 'hit', attempts: '0' });
    expect(mock.chatCalls(upstreamClaudeModel)).toBe(before + 1);
    expect(second.type).toBe('message');
    expect(anthropicAnswer(second)).toEqual(anthropicAnswer(first));
    expect(textOf(second)).toMatch(/^Mock answer to: How many legs/);
  });

  it('a request sampled at the default temperature is not cached (bypass)', async () => {
    const { temperature: _zero, ...sampled } = openaiRequest(prompt('Tell me something surprising.'));
    const before = mock.chatCalls();
    await master.openai.chat.completions.create(sampled);
    expect(master.last().cache).toBe('bypass');
    await master.openai.chat.completions.create(sampled);
    expect(master.last().cache).toBe('bypass');
    expect(mock.chatCalls()).toBe(before + 2);
  });
});

describe('streaming record and replay', () => {
  it('OpenAI: a streamed tool call with usage is replayed as a stream the client parses to the same completion', async () => {
    const request: ChatCompletionCreateParamsNonStreaming = {
      ...openaiRequest(prompt('Should I take an umbrella in Lisbon today?')),
      tools: [weatherTool],
      tool_choice: 'required',
    };
    const before = mock.chatCalls(upstreamGptModel);
    const recorded = await openaiStreamed(master, request, true);
    expect(master.last().cache).toBe('miss');
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 1);
    const call = recorded.completion.choices[0]!.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather');
    expect(recorded.completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(recorded.completion.usage?.total_tokens).toBeGreaterThan(0);

    const replayed = await openaiStreamed(master, request, true);
    expect(master.last()).toMatchObject({ cache: 'hit', attempts: '0' });
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 1);
    expect(openaiAnswer(replayed.completion)).toEqual(openaiAnswer(recorded.completion));
    // A real stream: several chunks, the arguments in pieces, the usage chunk last (no choices).
    expect(replayed.chunks.length).toBeGreaterThan(3);
    const usageChunk = replayed.chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage?.total_tokens).toBe(recorded.completion.usage?.total_tokens);

    // The same entry serves a non-streaming request, as JSON.
    const json = await master.openai.chat.completions.create(request);
    expect(master.last().cache).toBe('hit');
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 1);
    expect(openaiAnswer(json)).toEqual(openaiAnswer(recorded.completion));
  });

  it('OpenAI: a streamed text answer serves a JSON request, a JSON answer serves a stream, usage only when asked for', async () => {
    const streamedFirst = openaiRequest(prompt('Describe a lighthouse in one sentence.'));
    const before = mock.chatCalls(upstreamGptModel);
    const recorded = await openaiStreamed(master, streamedFirst, true);
    expect(master.last().cache).toBe('miss');
    const json = await master.openai.chat.completions.create(streamedFirst);
    expect(master.last().cache).toBe('hit');
    expect(openaiAnswer(json)).toEqual(openaiAnswer(recorded.completion));
    expect(json.choices[0]!.finish_reason).toBe('stop');

    const jsonFirst = openaiRequest(prompt('Describe a windmill in one sentence.'));
    const answer = await master.openai.chat.completions.create(jsonFirst);
    expect(master.last().cache).toBe('miss');
    const replayed = await openaiStreamed(master, jsonFirst, true);
    expect(master.last().cache).toBe('hit');
    expect(openaiAnswer(replayed.completion)).toEqual(openaiAnswer(answer));
    expect(replayed.completion.choices[0]!.finish_reason).toBe('stop');
    expect(
      replayed.chunks.filter((chunk) => (chunk.choices[0]?.delta.content ?? '') !== '').length,
    ).toBeGreaterThan(1);

    // Without include_usage the replayed stream carries no usage chunk.
    const withoutUsage = await openaiStreamed(master, jsonFirst, false);
    expect(master.last().cache).toBe('hit');
    expect(withoutUsage.completion.choices[0]!.message.content).toBe(answer.choices[0]!.message.content);
    expect(withoutUsage.chunks.every((chunk) => chunk.usage === undefined || chunk.usage === null)).toBe(
      true,
    );
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 2);
  });

  it('OpenAI: the replayed stream ends with data: [DONE] on the wire', async () => {
    const body = {
      ...openaiRequest(prompt('Name a prime number.')),
      stream: true,
      stream_options: { include_usage: true },
    };
    const send = () =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await send();
    expect(first.headers.get('x-gatehouse-cache')).toBe('miss');
    const firstText = await first.text();
    const second = await send();
    expect(second.headers.get('x-gatehouse-cache')).toBe('hit');
    expect(second.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await second.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(firstText.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('Anthropic: a streamed tool_use with usage is replayed as a stream the client parses to the same message', async () => {
    const request: MessageCreateParamsNonStreaming = {
      ...anthropicRequest(prompt('Should I wear a coat in Oslo tonight?')),
      tools: [anthropicWeatherTool],
      tool_choice: { type: 'any' },
    };
    const before = mock.chatCalls(upstreamClaudeModel);
    const recorded = await anthropicStreamed(master, request);
    expect(master.last().cache).toBe('miss');
    expect(mock.chatCalls(upstreamClaudeModel)).toBe(before + 1);
    const toolUse = recorded.message.content.find((block) => block.type === 'tool_use');
    expect(toolUse?.name).toBe('get_weather');
    expect(recorded.message.stop_reason).toBe('tool_use');
    expect(recorded.message.usage.output_tokens).toBeGreaterThan(0);

    const replayed = await anthropicStreamed(master, request);
    expect(master.last()).toMatchObject({ cache: 'hit', attempts: '0' });
    expect(mock.chatCalls(upstreamClaudeModel)).toBe(before + 1);
    expect(anthropicAnswer(replayed.message)).toEqual(anthropicAnswer(recorded.message));
    const types = replayed.events.map((event) => event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types.filter((type) => type === 'content_block_delta').length).toBeGreaterThan(1);

    const json = await master.anthropic.messages.create(request);
    expect(master.last().cache).toBe('hit');
    expect(mock.chatCalls(upstreamClaudeModel)).toBe(before + 1);
    expect(anthropicAnswer(json)).toEqual(anthropicAnswer(recorded.message));
  });

  it('Anthropic: a JSON answer is replayed as a stream with the same text and usage', async () => {
    const request = anthropicRequest(prompt('Describe a glacier in one sentence.'));
    const answer = await master.anthropic.messages.create(request);
    expect(master.last().cache).toBe('miss');
    const replayed = await anthropicStreamed(master, request);
    expect(master.last().cache).toBe('hit');
    expect(anthropicAnswer(replayed.message)).toEqual(anthropicAnswer(answer));
    expect(textOf(replayed.message)).toMatch(/^Mock answer to: Describe a glacier/);
  });
});

describe('tenant isolation', () => {
  it('keys of different teams never share an entry; keys of one team do; keys without a team have their own', async () => {
    const keys = await Promise.all(
      [
        { name: 'red-one', team: 'red' },
        { name: 'blue-one', team: 'blue' },
        { name: 'red-two', team: 'red' },
        { name: 'solo-one' },
        { name: 'solo-two' },
      ].map((fields) => createKey(gateway.url, gateway.masterKey, fields)),
    );
    const [redOne, blueOne, redTwo, soloOne, soloTwo] = keys.map((key) =>
      sdkClients(gateway.url, key.secret),
    );
    const request = openaiRequest(prompt('What is our quarterly revenue target?'));
    const before = mock.chatCalls(upstreamGptModel);

    const ask = async (clients: SdkClients) => {
      const completion = await clients.openai.chat.completions.create(request);
      return { cache: clients.last().cache, content: completion.choices[0]!.message.content };
    };
    expect((await ask(redOne!)).cache).toBe('miss');
    expect((await ask(blueOne!)).cache).toBe('miss');
    expect((await ask(redTwo!)).cache).toBe('hit');
    expect((await ask(soloOne!)).cache).toBe('miss');
    expect((await ask(soloTwo!)).cache).toBe('miss');
    expect((await ask(soloOne!)).cache).toBe('hit');
    expect((await ask(master)).cache).toBe('miss');
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 5);
  });
});

describe('TTL', () => {
  it('x-gatehouse-cache-ttl: 1 keeps the answer for one second', async () => {
    const request = openaiRequest(prompt('What time is it in Tokyo?'));
    const options = { headers: { 'x-gatehouse-cache-ttl': '1' } };
    const before = mock.chatCalls(upstreamGptModel);
    await master.openai.chat.completions.create(request, options);
    expect(master.last().cache).toBe('miss');
    await master.openai.chat.completions.create(request, options);
    expect(master.last().cache).toBe('hit');
    await sleep(1_100);
    await master.openai.chat.completions.create(request, options);
    expect(master.last().cache).toBe('miss');
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 2);
  });

  it('a malformed x-gatehouse-cache-ttl is a 400 in the caller dialect', async () => {
    const error = await master.anthropic.messages
      .create(anthropicRequest(prompt('Hello?')), { headers: { 'x-gatehouse-cache-ttl': 'soon' } })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe('Cache-Control', () => {
  it('no-store neither reads nor writes', async () => {
    const request = openaiRequest(prompt('Summarise the plot of Hamlet.'));
    const noStore = { headers: { 'cache-control': 'no-store' } };
    const before = mock.chatCalls(upstreamGptModel);
    await master.openai.chat.completions.create(request, noStore);
    expect(master.last().cache).toBe('bypass');
    await master.openai.chat.completions.create(request, noStore);
    expect(master.last().cache).toBe('bypass');
    // Nothing was written: the first ordinary request is a miss, the next a hit.
    await master.openai.chat.completions.create(request);
    expect(master.last().cache).toBe('miss');
    await master.openai.chat.completions.create(request);
    expect(master.last().cache).toBe('hit');
    // And no-store does not read an entry that exists.
    await master.openai.chat.completions.create(request, noStore);
    expect(master.last().cache).toBe('bypass');
    expect(mock.chatCalls(upstreamGptModel)).toBe(before + 4);
  });

  it('no-cache skips the lookup, calls the provider and refreshes the entry', async () => {
    const request = openaiRequest(prompt('What is the news?'), scriptedGpt);
    scripted.setScript({ words: ['First', ' edition.'] });
    const before = scripted.count();
    const first = await master.openai.chat.completions.create(request);
    expect(master.last().cache).toBe('miss');
    expect(first.choices[0]!.message.content).toBe('First edition.');

    scripted.setScript({ words: ['Second', ' edition.'] });
    const cached = await master.openai.chat.completions.create(request);
    expect(master.last().cache).toBe('hit');
    expect(cached.choices[0]!.message.content).toBe('First edition.');

    const refreshed = await master.openai.chat.completions.create(request, {
      headers: { 'cache-control': 'no-cache' },
    });
    expect(master.last().cache).toBe('bypass');
    expect(refreshed.choices[0]!.message.content).toBe('Second edition.');
    expect(scripted.count()).toBe(before + 2);

    const after = await master.openai.chat.completions.create(request);
    expect(master.last().cache).toBe('hit');
    expect(after.choices[0]!.message.content).toBe('Second edition.');
    expect(scripted.count()).toBe(before + 2);
    scripted.setScript({});
  });
});

describe('failed and truncated answers are never cached', () => {
  it('a 500 from the upstream is not stored, in either dialect', async () => {
    const cases = [
      {
        send: (text: string) => master.openai.chat.completions.create(openaiRequest(text, scriptedGpt)),
        errorType: OpenAI.APIError,
      },
      {
        send: (text: string) => master.anthropic.messages.create(anthropicRequest(text, scriptedClaude)),
        errorType: Anthropic.APIError,
      },
    ];
    for (const { send, errorType } of cases) {
      const text = prompt('Which planet is largest?');
      scripted.setScript({ status: 500, errorMessage: 'Upstream exploded.' });
      const before = scripted.count();
      const error = await send(text).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(errorType);
      expect((error as { status?: number }).status).toBeGreaterThanOrEqual(500);
      expect(master.last().cache).toBe('miss');
      expect(scripted.count()).toBe(before + 1);

      scripted.setScript({});
      await send(text);
      expect(master.last()).toMatchObject({ status: 200, cache: 'miss' });
      await send(text);
      expect(master.last()).toMatchObject({ status: 200, cache: 'hit' });
      expect(scripted.count()).toBe(before + 2);
    }
  });

  it(`a truncated stream (${cutModel}, no fallback) ends in an in-band error and is never stored`, async () => {
    for (let round = 0; round < 2; round++) {
      const openaiStream = await master.openai.chat.completions.create({
        ...openaiRequest('Tell me a long story about a cut stream.', cutModel),
        stream: true,
      });
      expect(master.last()).toMatchObject({ status: 200, cache: 'miss' });
      const openaiError = await drain(openaiStream);
      expect(openaiError).toBeInstanceOf(OpenAI.APIError);

      const anthropicStream = await master.anthropic.messages.create({
        ...anthropicRequest('Tell me a long story about a cut stream.', anthropicCutModel),
        stream: true,
      });
      expect(master.last()).toMatchObject({ status: 200, cache: 'miss' });
      const anthropicError = await drain(anthropicStream);
      expect(anthropicError).toBeInstanceOf(Anthropic.APIError);
    }
  });

  it('a stream the upstream cuts is not stored; the next complete one is', async () => {
    const request = openaiRequest(prompt('Recite the alphabet slowly.'));
    const before = mock.chatCalls(upstreamGptModel);
    const cut = await master.openai.chat.completions.create(
      { ...request, stream: true },
      { headers: { 'x-mock-fault': 'stream-cut;after=3' } },
    );
    expect(master.last().cache).toBe('miss');
    expect(await drain(cut)).toBeInstanceOf(OpenAI.APIError);
    const upstreamAfterCut = mock.chatCalls(upstreamGptModel);
    expect(upstreamAfterCut).toBeGreaterThan(before);

    const complete = await openaiStreamed(master, request, true);
    expect(master.last().cache).toBe('miss');
    expect(complete.completion.choices[0]!.finish_reason).toBe('stop');
    const hit = await master.openai.chat.completions.create(request);
    expect(master.last().cache).toBe('hit');
    expect(hit.choices[0]!.message.content).toBe(complete.completion.choices[0]!.message.content);
    expect(mock.chatCalls(upstreamGptModel)).toBe(upstreamAfterCut + 1);
  });
});

interface UsageRow {
  readonly cache: string;
  readonly cost_usd: number;
  readonly saved_cost_usd: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly provider: string | null;
  readonly status: number;
}

describe('usage of cache hits', () => {
  it('records a hit with the original usage, zero cost and the saved cost', async () => {
    const key = await createKey(gateway.url, gateway.masterKey, { name: 'usage-reader' });
    const clients = sdkClients(gateway.url, key.secret);
    const request = openaiRequest(prompt('How far is the Moon?'));
    const miss = await clients.openai.chat.completions.create(request);
    expect(clients.last().cache).toBe('miss');
    await clients.openai.chat.completions.create(request);
    expect(clients.last().cache).toBe('hit');
    const usage = miss.usage!;
    const price = pricing[upstreamGptModel];
    const missCost = (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000;
    expect(missCost).toBeGreaterThan(0);

    const database = new DatabaseSync(join(dataDir, 'gatehouse.db'), { readOnly: true });
    try {
      const rows = await waitFor(() => {
        const found = database
          .prepare(
            'select cache, cost_usd, saved_cost_usd, input_tokens, output_tokens, provider, status from usage_records where key_id = ? order by id',
          )
          .all(key.id) as unknown as UsageRow[];
        return found.length >= 2 ? found : undefined;
      }, 'two usage records');
      expect(rows).toHaveLength(2);
      const [missRow, hitRow] = rows;
      expect(missRow).toMatchObject({
        cache: 'miss',
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
        saved_cost_usd: 0,
        status: 200,
      });
      expect(missRow!.cost_usd).toBeCloseTo(missCost, 10);
      expect(hitRow).toMatchObject({
        cache: 'hit',
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
        cost_usd: 0,
        status: 200,
      });
      expect(hitRow!.saved_cost_usd).toBeCloseTo(missCost, 10);
    } finally {
      database.close();
    }

    const report = await admin(
      gateway.url,
      gateway.masterKey,
      'GET',
      `/admin/usage?key=${key.id}&group_by=key`,
    );
    expect(report.status).toBe(200);
    const total = report.body.total as Record<string, number>;
    expect(total.requests).toBe(2);
    expect(total.cost_usd).toBeCloseTo(missCost, 9);
    expect(total.saved_cost_usd).toBeCloseTo(missCost, 9);
    expect(total.input_tokens).toBe(usage.prompt_tokens * 2);
  });
});

describe('/admin/cache', () => {
  it('reports the L1 counters; L2 and the semantic layer are absent when not configured', async () => {
    const read = async () => {
      const response = await admin(gateway.url, gateway.masterKey, 'GET', '/admin/cache');
      expect(response.status).toBe(200);
      return response.body as { l1: Record<string, number>; l2?: unknown; semantic?: unknown };
    };
    const before = await read();
    const request = anthropicRequest(prompt('What is the boiling point of water?'));
    await master.anthropic.messages.create(request);
    await master.anthropic.messages.create(request);
    const after = await read();
    expect(after.l1.entries).toBe(before.l1.entries! + 1);
    expect(after.l1.bytes).toBeGreaterThan(before.l1.bytes!);
    expect(after.l1.hits).toBe(before.l1.hits! + 1);
    expect(after.l1.misses).toBe(before.l1.misses! + 1);
    expect(after.l1.max_entries).toBe(1_000);
    expect(after.l2 ?? null).toBeNull();
    expect(after.semantic ?? null).toBeNull();
  });

  it('purges one scope, one model, or everything', async () => {
    const [alpha, beta] = await Promise.all(
      ['alpha', 'beta'].map((name) => createKey(gateway.url, gateway.masterKey, { name })),
    );
    const a = sdkClients(gateway.url, alpha!.secret);
    const b = sdkClients(gateway.url, beta!.secret);
    const gpt = openaiRequest(prompt('List three rivers.'));
    const claude = anthropicRequest(prompt('List three mountains.'));
    const askGpt = async (clients: SdkClients) => {
      await clients.openai.chat.completions.create(gpt);
      return clients.last().cache;
    };
    const askClaude = async (clients: SdkClients) => {
      await clients.anthropic.messages.create(claude);
      return clients.last().cache;
    };
    const purge = async (query: string) => {
      const response = await admin(gateway.url, gateway.masterKey, 'DELETE', `/admin/cache${query}`);
      expect(response.status).toBe(200);
      return response.body as { purged: { l1: number; l2: number | null; semantic: number | null } };
    };
    expect(await askGpt(a)).toBe('miss');
    expect(await askClaude(a)).toBe('miss');
    expect(await askGpt(b)).toBe('miss');

    const byScope = await purge(`?scope=key:${alpha!.id}`);
    expect(byScope).toMatchObject({ purged: { l1: 2, l2: null, semantic: null }, scope: `key:${alpha!.id}` });
    expect(await askGpt(b)).toBe('hit');
    expect(await askGpt(a)).toBe('miss');
    expect(await askClaude(a)).toBe('miss');

    const byModel = await purge(`?model=${gptModel}`);
    expect(byModel.purged.l1).toBeGreaterThanOrEqual(2);
    expect(await askClaude(a)).toBe('hit');
    expect(await askGpt(a)).toBe('miss');
    expect(await askGpt(b)).toBe('miss');

    const both = await purge(`?scope=key:${beta!.id}&model=${gptModel}`);
    expect(both.purged.l1).toBe(1);
    expect(await askGpt(a)).toBe('hit');
    expect(await askGpt(b)).toBe('miss');

    const everything = await purge('?all=true');
    expect(everything.purged.l1).toBeGreaterThanOrEqual(3);
    expect((await admin(gateway.url, gateway.masterKey, 'GET', '/admin/cache')).body).toMatchObject({
      l1: { entries: 0 },
    });
    expect(await askClaude(a)).toBe('miss');
    expect(await askGpt(b)).toBe('miss');

    const unspecified = await admin(gateway.url, gateway.masterKey, 'DELETE', '/admin/cache');
    expect(unspecified.status).toBe(400);
    const forbidden = await fetch(`${gateway.url}/admin/cache?all=true`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${alpha!.secret}` },
    });
    expect(forbidden.status).toBe(403);
  });
});
