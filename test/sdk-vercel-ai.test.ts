import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import {
  APICallError,
  generateText,
  isStepCount,
  streamText,
  tool,
  type LanguageModel,
  type LanguageModelUsage,
  type TextStreamPart,
  type ToolSet,
} from 'ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  anthropicModel,
  builtInMockModel,
  openaiModel,
  startSdkFixture,
  type SdkFixture,
} from './support/sdk-fixture.js';

/**
 * The Vercel AI SDK against the real gateway, through both of its provider packages: the OpenAI
 * Chat Completions provider and the Anthropic Messages provider, each calling a same-dialect target
 * (passed through, and the built-in mock) and a cross-dialect one (translated).
 */

let fixture: SdkFixture;

beforeAll(async () => {
  fixture = await startSdkFixture();
});

afterAll(async () => {
  await fixture.close();
});

type ClientDialect = 'openai' | 'anthropic';

interface Case {
  readonly path: string;
  readonly client: ClientDialect;
  readonly model: string;
  readonly provider: string;
}

const cases: Case[] = [
  {
    path: '@ai-sdk/openai passed through',
    client: 'openai',
    model: openaiModel,
    provider: 'upstream-openai',
  },
  {
    path: '@ai-sdk/openai on the built-in mock',
    client: 'openai',
    model: builtInMockModel,
    provider: 'mock',
  },
  {
    path: '@ai-sdk/openai translated to Anthropic',
    client: 'openai',
    model: anthropicModel,
    provider: 'upstream-anthropic',
  },
  {
    path: '@ai-sdk/anthropic passed through',
    client: 'anthropic',
    model: anthropicModel,
    provider: 'upstream-anthropic',
  },
  {
    path: '@ai-sdk/anthropic on the built-in mock',
    client: 'anthropic',
    model: builtInMockModel,
    provider: 'mock',
  },
  {
    path: '@ai-sdk/anthropic translated to OpenAI',
    client: 'anthropic',
    model: openaiModel,
    provider: 'upstream-openai',
  },
];

function languageModel(
  client: ClientDialect,
  model: string,
  apiKey = fixture.gateway.masterKey,
): LanguageModel {
  if (client === 'openai') {
    return createOpenAI({ baseURL: `${fixture.gateway.url}/v1`, apiKey }).chat(model);
  }
  // @ai-sdk/anthropic appends `/messages` to its base URL, so the base includes `/v1`.
  return createAnthropic({ baseURL: `${fixture.gateway.url}/v1`, apiKey })(model);
}

/** No client-side retries, so a gateway failure shows at once; an explicit output cap, so the
 * Anthropic provider does not warn about model names it does not know. */
const callOptions = { maxRetries: 0, maxOutputTokens: 256 } as const;
const prompt = 'Hello there, how are you today?';
const expectedAnswer = /^Mock answer to: Hello there, how are you today\? \w/;
const forecast = 'Sunny and 21 degrees in Paris';

const weatherInput = z.object({
  city: z.string().min(1).describe('City name'),
  unit: z.enum(['celsius', 'fahrenheit']),
});

function weatherTools(execute: (input: z.infer<typeof weatherInput>) => string) {
  return {
    getWeather: tool({
      description: 'Current weather in a city',
      inputSchema: weatherInput,
      execute: (input) => execute(input),
    }),
    getTime: tool({
      description: 'Current time in a timezone',
      inputSchema: z.object({ timezone: z.string().min(1) }),
      execute: () => '12:00',
    }),
  } satisfies ToolSet;
}

function expectUsage(usage: LanguageModelUsage): void {
  expect(usage.inputTokens).toBeGreaterThan(0);
  expect(usage.outputTokens).toBeGreaterThan(0);
  expect(usage.totalTokens).toBe((usage.inputTokens ?? 0) + (usage.outputTokens ?? 0));
}

describe.each(cases)('AI SDK via $path', (testCase) => {
  it('generates text with finish reason stop and usage', async () => {
    const result = await generateText({
      model: languageModel(testCase.client, testCase.model),
      prompt,
      ...callOptions,
    });
    expect(result.text).toMatch(expectedAnswer);
    expect(result.finishReason).toBe('stop');
    expectUsage(result.usage);
    expect(result.finalStep.response.headers?.['x-gatehouse-provider']).toBe(testCase.provider);
  });

  it('streams text in several deltas that add up to the generated text', async () => {
    const model = languageModel(testCase.client, testCase.model);
    const generated = await generateText({ model, prompt, ...callOptions });
    const result = streamText({ model, prompt, ...callOptions });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(generated.text);
    expect(await result.text).toBe(generated.text);
    expect(await result.finishReason).toBe('stop');
    expectUsage(await result.usage);
  });

  it('generates a tool call, runs the tool and answers from its result', async () => {
    const execute = vi.fn((input: z.infer<typeof weatherInput>) => `${forecast} (${input.unit})`);
    const result = await generateText({
      model: languageModel(testCase.client, testCase.model),
      // With tool choice auto the mock calls a tool when the prompt names it.
      prompt: 'Please call getWeather for the weather in Paris.',
      tools: weatherTools(execute),
      stopWhen: isStepCount(3),
      ...callOptions,
    });
    expect(result.steps).toHaveLength(2);
    const [call] = result.steps[0]!.toolCalls;
    expect(call?.toolName).toBe('getWeather');
    expect(weatherInput.safeParse(call?.input).success).toBe(true);
    expect(result.steps[0]!.finishReason).toBe('tool-calls');
    expect(execute).toHaveBeenCalledTimes(1);
    const [toolResult] = result.steps[0]!.toolResults;
    expect(toolResult?.toolCallId).toBe(call?.toolCallId);
    expect(toolResult?.output).toBe(`${forecast} (${(call?.input as z.infer<typeof weatherInput>).unit})`);

    expect(result.finishReason).toBe('stop');
    expect(result.finalStep.toolCalls).toEqual([]);
    expect(result.toolCalls.map((made) => made.toolCallId)).toEqual([call?.toolCallId]);
    expect(result.text).toMatch(/^Mock summary of the tool result: Sunny and 21 degrees in Paris/);
    // Usage is summed over the steps, each of which reports its own.
    expectUsage(result.steps[0]!.usage);
    expectUsage(result.steps[1]!.usage);
    expectUsage(result.usage);
    expect(result.usage.inputTokens).toBe(
      (result.steps[0]!.usage.inputTokens ?? 0) + (result.steps[1]!.usage.inputTokens ?? 0),
    );
  });

  it('streams a tool call in input deltas, runs the tool and streams the answer', async () => {
    const execute = vi.fn(() => forecast);
    const result = streamText({
      model: languageModel(testCase.client, testCase.model),
      prompt: 'Please call getWeather for the weather in Paris.',
      tools: weatherTools(execute),
      stopWhen: isStepCount(3),
      ...callOptions,
    });
    const parts: TextStreamPart<ToolSet>['type'][] = [];
    let inputDeltas = 0;
    for await (const part of result.stream) {
      parts.push(part.type);
      if (part.type === 'tool-input-delta' && part.delta !== '') inputDeltas += 1;
      if (part.type === 'error') throw part.error;
    }
    expect(inputDeltas).toBeGreaterThan(1);
    expect(parts.indexOf('tool-call')).toBeGreaterThan(parts.indexOf('tool-input-start'));
    expect(parts.indexOf('tool-result')).toBeGreaterThan(parts.indexOf('tool-call'));
    expect(parts.lastIndexOf('text-delta')).toBeGreaterThan(parts.indexOf('tool-result'));
    expect(execute).toHaveBeenCalledTimes(1);

    const steps = await result.steps;
    expect(steps).toHaveLength(2);
    expect(steps[0]!.finishReason).toBe('tool-calls');
    const [call] = steps[0]!.toolCalls;
    expect(call?.toolName).toBe('getWeather');
    expect(weatherInput.safeParse(call?.input).success).toBe(true);
    expect(steps[0]!.toolResults[0]?.output).toBe(forecast);
    expect(await result.finishReason).toBe('stop');
    expect(await result.text).toMatch(/^Mock summary of the tool result: Sunny and 21 degrees in Paris/);
    expectUsage(await result.usage);
    expectUsage(steps[0]!.usage);
  });

  it('calls the tool that toolChoice names', async () => {
    const result = await generateText({
      model: languageModel(testCase.client, testCase.model),
      prompt: 'What should I wear outside this afternoon?',
      tools: {
        getWeather: tool({ inputSchema: weatherInput }),
        getTime: tool({ inputSchema: z.object({ timezone: z.string().min(1) }) }),
      },
      toolChoice: { type: 'tool', toolName: 'getTime' },
      ...callOptions,
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]!.toolName).toBe('getTime');
    expect(z.object({ timezone: z.string().min(1) }).safeParse(result.toolCalls[0]!.input).success).toBe(
      true,
    );
    expect(result.toolResults).toEqual([]);
  });

  it('fails with a 401 APICallError for a wrong key', async () => {
    const error = await generateText({
      model: languageModel(testCase.client, testCase.model, 'gh-wrong-key-000000000000'),
      prompt,
      ...callOptions,
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(401);
    expect((error as APICallError).isRetryable).toBe(false);
  });
});
