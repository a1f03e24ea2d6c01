import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import AjvModule from 'ajv';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseParser } from '../src/dialects/index.js';
import { rawRequest } from './support/http.js';
import {
  anthropicModel,
  builtInMockModel,
  openaiModel,
  startSdkFixture,
  upstreamAnthropicModel,
  type SdkFixture,
} from './support/sdk-fixture.js';
import { createKey } from './support/shared-state.js';

/**
 * Conformance with the official API descriptions, checked on the wire: Anthropic answers (the mock
 * provider's own, the built-in mock's, and translated ones) against the required fields of
 * Anthropic's schema (hand-copied into test/fixtures/schemas), structured output across dialects,
 * and the models routes both SDKs call.
 */

const Ajv = AjvModule.default;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(
  JSON.parse(
    readFileSync(new URL('./fixtures/schemas/anthropic-messages.schema.json', import.meta.url), 'utf8'),
  ) as object,
);
const messageSchema = ajv.getSchema('anthropic-messages#/definitions/Message');
const eventSchema = ajv.getSchema('anthropic-messages#/definitions/MessageStreamEvent');

function expectConforming(validate: ReturnType<typeof ajv.getSchema>, value: unknown, what: string): void {
  if (validate === undefined) throw new Error('schema not loaded');
  const valid = validate(value);
  expect(valid ? [] : [what, JSON.stringify(value), validate.errors], what).toEqual([]);
}

let fixture: SdkFixture;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  fixture = await startSdkFixture();
  anthropic = new Anthropic({
    baseURL: fixture.gateway.url,
    apiKey: fixture.gateway.masterKey,
    maxRetries: 0,
  });
  openai = new OpenAI({
    baseURL: `${fixture.gateway.url}/v1`,
    apiKey: fixture.gateway.masterKey,
    maxRetries: 0,
  });
});

afterAll(async () => {
  await fixture.close();
});

interface Origin {
  readonly path: string;
  /** The base URL and model to ask; resolved once the fixture is up. */
  readonly where: () => { readonly url: string; readonly model: string; readonly key: string };
}

const origins: readonly Origin[] = [
  {
    path: 'from the mock provider itself',
    where: () => ({ url: fixture.mock.url, model: upstreamAnthropicModel, key: 'unused' }),
  },
  {
    path: 'from the built-in mock through the gateway',
    where: () => ({ url: fixture.gateway.url, model: builtInMockModel, key: fixture.gateway.masterKey }),
  },
  {
    path: 'translated from an OpenAI-compatible upstream',
    where: () => ({ url: fixture.gateway.url, model: openaiModel, key: fixture.gateway.masterKey }),
  },
];

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
};

const askings = [
  { what: 'a text answer', extra: {} },
  {
    what: 'a forced tool call',
    extra: { tools: [weatherTool], tool_choice: { type: 'tool', name: 'get_weather' } },
  },
] as const;

async function postMessages(
  origin: Origin,
  extra: Record<string, unknown>,
  stream: boolean,
): Promise<{ status: number; text: string }> {
  const { url, model, key } = origin.where();
  return rawRequest(`${url}/v1/messages`, {
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model,
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Hello there, how is the weather in Paris?' }],
      stream,
      ...extra,
    }),
  });
}

function sseEvents(text: string): { event?: string; data: unknown }[] {
  const parser = new SseParser();
  return [...parser.push(Buffer.from(text)), ...parser.end()].map((event) => ({
    ...(event.event === undefined ? {} : { event: event.event }),
    data: JSON.parse(event.data) as unknown,
  }));
}

describe('Anthropic answers carry every field the official Messages schema requires', () => {
  for (const origin of origins) {
    for (const asking of askings) {
      it(`a message with ${asking.what} ${origin.path}`, async () => {
        const response = await postMessages(origin, asking.extra, false);
        expect(response.status, response.text).toBe(200);
        expectConforming(messageSchema, JSON.parse(response.text), 'message');
      });

      it(`every stream event of ${asking.what} ${origin.path}`, async () => {
        const response = await postMessages(origin, asking.extra, true);
        expect(response.status, response.text).toBe(200);
        const events = sseEvents(response.text);
        expect(events.map((event) => (event.data as { type: string }).type)).toContain('message_delta');
        for (const event of events) {
          expectConforming(eventSchema, event.data, `${event.event ?? ''} event`);
        }
      });
    }
  }
});

describe('a translated Anthropic stream reports the prompt at message_start', () => {
  it('gives message_start.usage.input_tokens near the upstream count message_delta reports', async () => {
    const prompt = 'Tell me, in as much detail as you like, how a lighthouse keeper spent a winter. '.repeat(
      20,
    );
    const stream = anthropic.messages.stream({
      model: openaiModel,
      max_tokens: 100,
      messages: [{ role: 'user', content: prompt }],
    });
    // Read as each event arrives: the SDK updates the message_start snapshot in place later.
    let counted = 0;
    let upstream = 0;
    for await (const event of stream) {
      if (event.type === 'message_start') counted = event.message.usage.input_tokens;
      if (event.type === 'message_delta') upstream = event.usage.input_tokens ?? 0;
    }
    expect(upstream).toBeGreaterThan(100);
    // Counted by the gateway before the upstream said: close to, not necessarily equal to, its count.
    expect(counted).toBeGreaterThan(upstream * 0.5);
    expect(counted).toBeLessThan(upstream * 2);
    // The final message (what SDKs and LangChain report) has the upstream's exact count.
    expect((await stream.finalMessage()).usage.input_tokens).toBe(upstream);
  });
});

const answerSchema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temperature: { type: 'number' },
    conditions: { type: 'string', enum: ['sunny', 'cloudy', 'rainy'] },
  },
  required: ['city', 'temperature', 'conditions'],
  additionalProperties: false,
};
const validateAnswer = ajv.compile(answerSchema);
const weatherQuestion = 'What is the weather in Paris? Answer as JSON.';

function expectSchemaAnswer(text: string | null | undefined): void {
  const parsed = JSON.parse(text ?? '') as unknown;
  expect(validateAnswer(parsed) ? [] : validateAnswer.errors).toEqual([]);
}

describe('OpenAI response_format sent to an Anthropic target', () => {
  const responseFormat = {
    type: 'json_schema' as const,
    json_schema: { name: 'weather_report', schema: answerSchema, strict: true },
  };

  it('answers json_schema with content that fits the schema, finish_reason stop', async () => {
    const completion = await openai.chat.completions.create({
      model: anthropicModel,
      messages: [{ role: 'user', content: weatherQuestion }],
      response_format: responseFormat,
    });
    const choice = completion.choices[0]!;
    expect(choice.message.tool_calls ?? []).toEqual([]);
    expect(choice.finish_reason).toBe('stop');
    expectSchemaAnswer(choice.message.content);
  });

  it('streams json_schema as content deltas that add up to JSON fitting the schema', async () => {
    const stream = await openai.chat.completions.create({
      model: anthropicModel,
      messages: [{ role: 'user', content: weatherQuestion }],
      response_format: responseFormat,
      stream: true,
    });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      expect(choice?.delta.tool_calls).toBeUndefined();
      text += choice?.delta.content ?? '';
      finish = choice?.finish_reason ?? finish;
    }
    expectSchemaAnswer(text);
    expect(finish).toBe('stop');
  });

  it('answers json_object with content that is a JSON object', async () => {
    const completion = await openai.chat.completions.create({
      model: anthropicModel,
      messages: [{ role: 'user', content: weatherQuestion }],
      response_format: { type: 'json_object' },
    });
    const parsed = JSON.parse(completion.choices[0]!.message.content ?? '') as unknown;
    expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
  });

  it('refuses response_format together with tools with a 400 naming response_format', async () => {
    const error = await openai.chat.completions
      .create({
        model: anthropicModel,
        messages: [{ role: 'user', content: weatherQuestion }],
        response_format: responseFormat,
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('response_format');
  });
});

describe('Anthropic structured output sent to an OpenAI target', () => {
  const format = { type: 'json_schema' as const, schema: answerSchema };

  it('answers output_config.format with a text block that fits the schema', async () => {
    const message = await anthropic.messages.create({
      model: openaiModel,
      max_tokens: 300,
      messages: [{ role: 'user', content: weatherQuestion }],
      output_config: { format },
    });
    expect(message.stop_reason).toBe('end_turn');
    const block = message.content[0];
    expect(block?.type).toBe('text');
    expectSchemaAnswer(block?.type === 'text' ? block.text : undefined);
  });

  it('is answered by an Anthropic upstream (passed through) with a text block that fits the schema', async () => {
    const message = await anthropic.messages.create({
      model: anthropicModel,
      max_tokens: 300,
      messages: [{ role: 'user', content: weatherQuestion }],
      output_config: { format },
    });
    const block = message.content[0];
    expectSchemaAnswer(block?.type === 'text' ? block.text : undefined);
  });

  it('streams output_config.format as text that fits the schema', async () => {
    const stream = anthropic.messages.stream({
      model: openaiModel,
      max_tokens: 300,
      messages: [{ role: 'user', content: weatherQuestion }],
      output_config: { format },
    });
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expectSchemaAnswer(text);
  });

  it('answers the beta output_format with a text block that fits the schema', async () => {
    const message = await anthropic.beta.messages.create({
      model: openaiModel,
      max_tokens: 300,
      messages: [{ role: 'user', content: weatherQuestion }],
      output_format: format,
      betas: ['structured-outputs-2025-11-13'],
    });
    const block = message.content[0];
    expectSchemaAnswer(block?.type === 'text' ? block.text : undefined);
  });

  it('refuses a malformed output_config.format with a 400 naming it', async () => {
    const error = await anthropic.messages
      .create({
        model: openaiModel,
        max_tokens: 300,
        messages: [{ role: 'user', content: weatherQuestion }],
        output_config: { format: { type: 'json_schema' } as unknown as typeof format },
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).message).toContain(
      'output_config.format.schema',
    );
  });
});

describe('models.retrieve', () => {
  it('gives the OpenAI client a configured model', async () => {
    const model = await openai.models.retrieve(openaiModel);
    expect(model).toMatchObject({ id: openaiModel, object: 'model', owned_by: 'gatehouse' });
    expect(typeof model.created).toBe('number');
  });

  it('gives the Anthropic client a configured model in ModelInfo shape', async () => {
    const model = await anthropic.models.retrieve(anthropicModel);
    expect(model).toMatchObject({ id: anthropicModel, type: 'model', display_name: anthropicModel });
    expect(Number.isNaN(Date.parse(model.created_at))).toBe(false);
  });

  it('answers an unknown model with NotFoundError in each dialect', async () => {
    await expect(openai.models.retrieve('no-such-model')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const error = await anthropic.models.retrieve('no-such-model').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });
  });

  it('answers 404 for a model the key may not use, as for one that does not exist', async () => {
    const key = await createKey(fixture.gateway.url, fixture.gateway.masterKey, {
      name: 'models-retrieve',
      models: [openaiModel],
    });
    const limited = new OpenAI({ baseURL: `${fixture.gateway.url}/v1`, apiKey: key.secret, maxRetries: 0 });
    expect((await limited.models.retrieve(openaiModel)).id).toBe(openaiModel);
    await expect(limited.models.retrieve(anthropicModel)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers a wrong key with 401 before saying whether the model exists', async () => {
    const stranger = new OpenAI({ baseURL: `${fixture.gateway.url}/v1`, apiKey: 'gh-wrong', maxRetries: 0 });
    await expect(stranger.models.retrieve(openaiModel)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('n > 1 on an Anthropic target', () => {
  it('is refused with param n', async () => {
    const error = await openai.chat.completions
      .create({ model: anthropicModel, messages: [{ role: 'user', content: 'Hi' }], n: 2 })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('n');
  });
});
