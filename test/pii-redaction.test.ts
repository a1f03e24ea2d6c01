import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../src/config/schema.js';
import { samples } from '../src/guard/pii/samples.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';
import { scrape } from './support/telemetry.js';

/**
 * `guard.pii.redact_requests` and `guard.pii.redact_answers`, through the real gateway with the
 * real OpenAI and Anthropic clients: a scripted upstream records what a provider received and
 * answers with personal data split over several stream events; the built-in mock echoes what it
 * received. Same dialect (the pass-through path) and across dialects (translation), whole answers
 * and streams. A gateway without the settings shows the values do flow when nothing masks them.
 */

const email = samples.email;
const card = samples.card;
const awsKey = samples.awsAccessKey();
const prompt = `Charge ${card} and mail ${email}; the deploy key is ${awsKey}.`;
const maskedPrompt = 'Charge [CARD:...1111] and mail [EMAIL]; the deploy key is [AWS_ACCESS_KEY].';
/** The answer's words as the upstream streams them: the values cut across events. */
const answerWords = [
  'Reach',
  ' jane.doe',
  '+billing@exam',
  'ple.com',
  ' or charge',
  ' 4111 1111',
  ' 1111 1111',
  '.',
];
const maskedAnswer = 'Reach [EMAIL] or charge [CARD:...1111].';

let upstream: ScriptedUpstream;
let redacting: TestGateway;
let cardsOnly: TestGateway;
let plain: TestGateway;

function gatewayConfig(guard: ConfigInput['guard']): ConfigInput {
  return {
    ...(guard === undefined ? {} : { guard }),
    providers: {
      scripted: { type: 'openai-compatible', base_url: `${upstream.url}/v1` },
      claude: { type: 'anthropic', base_url: upstream.url, api_key: 'scripted-anthropic-key' },
    },
    models: {
      'gpt-scripted': { targets: [{ provider: 'scripted', model: 'upstream-gpt' }] },
      'claude-scripted': { targets: [{ provider: 'claude', model: 'upstream-claude' }] },
    },
  };
}

const clients = (gateway: TestGateway) => ({
  openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.masterKey, maxRetries: 0 }),
  anthropic: new Anthropic({ baseURL: gateway.url, apiKey: gateway.masterKey, maxRetries: 0 }),
});

/** The body of the last request the upstream received. */
function lastReceived(): string {
  const request = upstream.requests.at(-1);
  if (request === undefined) throw new Error('the upstream received nothing');
  return request.body;
}

beforeAll(async () => {
  upstream = await startScriptedUpstream({ words: answerWords });
  redacting = await startTestGateway(gatewayConfig({ pii: { redact_requests: true, redact_answers: true } }));
  cardsOnly = await startTestGateway(
    gatewayConfig({ pii: { redact_requests: true, redact_answers: true, types: ['card'] } }),
  );
  plain = await startTestGateway(gatewayConfig(undefined));
});

afterAll(async () => {
  await Promise.all([redacting.close(), cardsOnly.close(), plain.close()]);
  await upstream.close();
});

describe('with redact_requests, the provider receives the prompt masked', () => {
  it('from the OpenAI client to an OpenAI-compatible provider (the pass-through path)', async () => {
    const { openai } = clients(redacting);
    await openai.chat.completions.create({
      model: 'gpt-scripted',
      messages: [
        { role: 'system', content: `You help ${email}.` },
        { role: 'user', content: [{ type: 'text', text: prompt }] },
      ],
    });
    const received = lastReceived();
    expect(received).toContain(maskedPrompt);
    expect(received).toContain('You help [EMAIL].');
    for (const value of [email, card, awsKey]) expect(received).not.toContain(value);
  });

  it('from the Anthropic client to an Anthropic provider, system prompt included', async () => {
    const { anthropic } = clients(redacting);
    await anthropic.messages.create({
      model: 'claude-scripted',
      max_tokens: 64,
      system: `You help ${email}.`,
      messages: [{ role: 'user', content: prompt }],
    });
    const received = lastReceived();
    expect(received).toContain(maskedPrompt);
    expect(received).toContain('You help [EMAIL].');
    for (const value of [email, card, awsKey]) expect(received).not.toContain(value);
  });

  it('from the OpenAI client to an Anthropic provider (translated)', async () => {
    const { openai } = clients(redacting);
    await openai.chat.completions.create({
      model: 'claude-scripted',
      messages: [{ role: 'user', content: prompt }],
    });
    const received = lastReceived();
    expect(received).toContain(maskedPrompt);
    for (const value of [email, card, awsKey]) expect(received).not.toContain(value);
  });

  it('to the built-in mock, which echoes what it received, in both dialects', async () => {
    const { openai, anthropic } = clients(redacting);
    const question = `${email} ${card}`;
    const completion = await openai.chat.completions.create({
      model: 'mock',
      messages: [{ role: 'user', content: question }],
    });
    expect(completion.choices[0]?.message.content).toContain('Mock answer to: [EMAIL] [CARD:...1111]');
    const message = await anthropic.messages.create({
      model: 'mock',
      max_tokens: 64,
      messages: [{ role: 'user', content: question }],
    });
    const [block] = message.content;
    expect(block?.type === 'text' ? block.text : '').toContain('Mock answer to: [EMAIL] [CARD:...1111]');
  });
});

describe('with redact_answers, the caller receives the answer masked', () => {
  it.each(['gpt-scripted', 'claude-scripted'])('whole, from %s, to the OpenAI client', async (model) => {
    const { openai } = clients(redacting);
    const completion = await openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe(maskedAnswer);
  });

  it.each(['gpt-scripted', 'claude-scripted'])(
    'streamed, values cut across events, from %s, to the OpenAI client',
    async (model) => {
      const { openai } = clients(redacting);
      const stream = await openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe(maskedAnswer);
    },
  );

  it.each(['claude-scripted', 'gpt-scripted'])(
    'whole and streamed, from %s, to the Anthropic client',
    async (model) => {
      const { anthropic } = clients(redacting);
      const request = { model, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
      const message = await anthropic.messages.create(request);
      const [block] = message.content;
      expect(block?.type === 'text' ? block.text : '').toBe(maskedAnswer);
      const streamed = await anthropic.messages.stream(request).finalMessage();
      const [streamedBlock] = streamed.content;
      expect(streamedBlock?.type === 'text' ? streamedBlock.text : '').toBe(maskedAnswer);
    },
  );

  it('masks a cached answer as it is replayed (the cache keeps what the model said)', async () => {
    const { openai } = clients(redacting);
    const ask = () =>
      openai.chat.completions
        .create({ model: 'gpt-scripted', temperature: 0, messages: [{ role: 'user', content: 'Cache me' }] })
        .withResponse();
    const first = await ask();
    const second = await ask();
    expect(first.response.headers.get('x-gatehouse-cache')).toBe('miss');
    expect(second.response.headers.get('x-gatehouse-cache')).toBe('hit');
    expect(second.data.choices[0]?.message.content).toBe(maskedAnswer);
  });

  it('counts what it masked, by kind and place', async () => {
    const metrics = await scrape(`${redacting.url}/metrics`, {
      authorization: `Bearer ${redacting.masterKey}`,
    });
    const count = (type: string, where: string) =>
      metrics.value('gatehouse_guard_pii_detections_total', { type, where }) ?? 0;
    expect(count('email', 'request')).toBeGreaterThanOrEqual(5);
    expect(count('aws_access_key', 'request')).toBeGreaterThanOrEqual(3);
    expect(count('card', 'answer')).toBeGreaterThanOrEqual(8);
    expect(count('email', 'answer')).toBeGreaterThanOrEqual(8);
  });
});

describe('the kinds redacted are the configured ones', () => {
  it('masks cards and lets an email through, both ways', async () => {
    const { openai } = clients(cardsOnly);
    const completion = await openai.chat.completions.create({
      model: 'gpt-scripted',
      messages: [{ role: 'user', content: prompt }],
    });
    const received = lastReceived();
    expect(received).toContain('[CARD:...1111]');
    expect(received).toContain(email);
    expect(completion.choices[0]?.message.content).toBe(
      'Reach jane.doe+billing@example.com or charge [CARD:...1111].',
    );
  });
});

describe('without the settings', () => {
  it('sends the prompt and returns the answer as they are (masking stays in logs and traces)', async () => {
    const { openai } = clients(plain);
    const completion = await openai.chat.completions.create({
      model: 'gpt-scripted',
      messages: [{ role: 'user', content: prompt }],
    });
    expect(lastReceived()).toContain(prompt);
    expect(completion.choices[0]?.message.content).toBe(answerWords.join(''));
    expect(plain.logs()).not.toContain(email);
  });
});
