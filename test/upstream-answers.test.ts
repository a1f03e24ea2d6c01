import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/**
 * A same-dialect answer is relayed without being parsed (only its usage is read from its bytes):
 * an answer that is not a JSON object must still never reach the caller as a success, and must
 * let routing move on to the next target.
 */
const brokenBodies: Readonly<Record<string, string>> = {
  'not-json': 'this is not JSON',
  truncated: '{"id":"chatcmpl-1","object":"chat.completion","usage":{"prompt_tokens":3}',
  array: '[{"id":"chatcmpl-1"}]',
  empty: '',
};

const goodAnswer = JSON.stringify({
  id: 'chatcmpl-good',
  object: 'chat.completion',
  created: 1,
  model: 'good-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
});

let gateway: TestGateway;
let client: OpenAI;
const upstream = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const model = (JSON.parse(body) as { model: string }).model;
    const answer = brokenBodies[model] ?? goodAnswer;
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(answer),
    });
    response.end(answer);
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  const noRetry = { retry: { attempts: 1 } };
  gateway = await startTestGateway({
    providers: { raw: { type: 'openai-compatible', base_url: base } },
    models: Object.fromEntries(
      Object.keys(brokenBodies).flatMap((name) => [
        [`${name}-alone`, { targets: [{ provider: 'raw', model: name }], ...noRetry }],
        [
          `${name}-then-good`,
          {
            targets: [
              { provider: 'raw', model: name },
              { provider: 'raw', model: 'good' },
            ],
            ...noRetry,
          },
        ],
      ]),
    ),
  });
  client = new OpenAI({ apiKey: gateway.masterKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const ask = (model: string) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }] });

describe.each(Object.keys(brokenBodies))('an upstream answering 200 with a %s body', (name) => {
  it('is a 502 in the caller dialect when it is the only target', async () => {
    const error = await ask(`${name}-alone`).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(502);
    expect((error as APIError).code).toBe('upstream_invalid_response');
  });

  it('falls over to the next target, whose answer and usage are relayed', async () => {
    const answer = await ask(`${name}-then-good`);
    expect(answer.choices[0]?.message.content).toBe('fine');
    expect(answer.usage?.total_tokens).toBe(9);
  });
});
