import { request as httpRequest, type ClientRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest } from './support/http.js';
import {
  startScriptedUpstream,
  type RecordedRequest,
  type ScriptedUpstream,
} from './support/scripted-upstream.js';

/**
 * SPEC section 3: "A client that disconnects cancels the upstream request at once." The scripted
 * upstream streams slowly and records when the gateway closes its connection; a client goes away
 * at various points and the upstream must see its request closed long before it would have
 * finished. Time budgets are loose (a hang is the failure being caught, not a slow machine).
 */

/** How soon after the client leaves the upstream must see its request closed. */
const promptlyMs = 2_000;
/** A stream of this many words at this pace would take 8 s if nobody cancelled it. */
const slowWords = Array.from({ length: 80 }, (_, index) => ` word${index}`);
const slowEventDelayMs = 100;

let upstream: ScriptedUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  gateway = await startTestGateway({
    mock: { enabled: false },
    providers: {
      scripted: { type: 'openai-compatible', base_url: `${upstream.url}/v1` },
      'scripted-anthropic': { type: 'anthropic', base_url: upstream.url, api_key: 'x' },
    },
    models: {
      'test-model': { targets: [{ provider: 'scripted', model: 'upstream-model' }], retry: { attempts: 1 } },
      'test-claude': {
        targets: [{ provider: 'scripted-anthropic', model: 'upstream-claude' }],
        retry: { attempts: 1 },
      },
    },
  });
});

afterEach(() => {
  upstream.setScript({});
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

interface Case {
  readonly name: string;
  readonly path: string;
  readonly model: string;
  readonly upstreamDialect: 'openai' | 'anthropic';
}

const cases: readonly Case[] = [
  {
    name: 'OpenAI client, OpenAI upstream',
    path: '/v1/chat/completions',
    model: 'test-model',
    upstreamDialect: 'openai',
  },
  {
    name: 'Anthropic client, Anthropic upstream',
    path: '/v1/messages',
    model: 'test-claude',
    upstreamDialect: 'anthropic',
  },
  {
    name: 'Anthropic client, OpenAI upstream',
    path: '/v1/messages',
    model: 'test-model',
    upstreamDialect: 'openai',
  },
  {
    name: 'OpenAI client, Anthropic upstream',
    path: '/v1/chat/completions',
    model: 'test-claude',
    upstreamDialect: 'anthropic',
  },
];

function bodyFor(testCase: Case, stream: boolean): string {
  return JSON.stringify({
    model: testCase.model,
    max_tokens: 1000,
    stream,
    messages: [{ role: 'user', content: 'Tell me a long story.' }],
  });
}

interface OpenRequest {
  readonly request: ClientRequest;
  /** Resolves with the first body bytes the client receives. */
  readonly firstChunk: Promise<string>;
}

/** Sends a request with node:http and keeps it open until the test destroys it. */
function openRequest(path: string, body: string): OpenRequest {
  const request = httpRequest(`${gateway.url}${path}`, {
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${gateway.masterKey}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    },
  });
  const firstChunk = new Promise<string>((resolve, reject) => {
    request.on('response', (response) => {
      response.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8')));
      response.on('error', () => undefined);
    });
    request.on('error', reject);
  });
  // The test destroys the request on purpose; that rejection is not a failure.
  firstChunk.catch(() => undefined);
  request.end(body);
  return { request, firstChunk };
}

/** Resolves with how long after `since` the upstream saw the request close, or fails on a hang. */
async function closedWithin(record: RecordedRequest, since: number, limitMs: number): Promise<number> {
  const timeout = new Promise<'timeout'>((resolve) => {
    setTimeout(() => resolve('timeout'), limitMs + 3_000).unref();
  });
  const outcome = await Promise.race([record.closed.then(() => 'closed' as const), timeout]);
  expect(outcome, 'the upstream request was never closed after the client left').toBe('closed');
  return (record.closedAt ?? Number.POSITIVE_INFINITY) - since;
}

/** A cancelled request is not retried: the upstream saw exactly the one attempt. */
async function expectNoRetry(attempts: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(upstream.count(), 'a retry was started for a request the client had left').toBe(attempts);
}

/** The gateway still answers normally afterwards, over the same upstream pool. */
async function expectServesNextRequest(testCase: Case): Promise<void> {
  upstream.setScript({});
  const before = upstream.count();
  const response = await rawRequest(`${gateway.url}${testCase.path}`, {
    headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
    body: bodyFor(testCase, false),
  });
  expect(response.status, response.text).toBe(200);
  expect(response.text).toContain('Hello from the scripted upstream.');
  expect(upstream.count()).toBe(before + 1);
  const streamed = await rawRequest(`${gateway.url}${testCase.path}`, {
    headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
    body: bodyFor(testCase, true),
  });
  expect(streamed.status, streamed.text).toBe(200);
  expect(streamed.text).toMatch(testCase.path === '/v1/messages' ? /message_stop/ : /data: \[DONE\]/);
}

describe.each(cases)('$name', (testCase) => {
  it('a client that leaves mid-stream closes the upstream stream promptly', async () => {
    upstream.setScript({ words: slowWords, eventDelayMs: slowEventDelayMs });
    const nth = upstream.count() + 1;
    const open = openRequest(testCase.path, bodyFor(testCase, true));
    const first = await open.firstChunk;
    expect(first.length).toBeGreaterThan(0);
    const record = await upstream.waitForRequest(nth);
    expect(record.dialect).toBe(testCase.upstreamDialect);
    expect(record.stream).toBe(true);

    const leftAt = Date.now();
    open.request.destroy();
    const elapsed = await closedWithin(record, leftAt, promptlyMs);
    expect(elapsed).toBeLessThan(promptlyMs);
    expect(record.completed).toBe(false);
    expect(record.eventsWritten).toBeLessThan(slowWords.length);
    await expectNoRetry(nth);

    await expectServesNextRequest(testCase);
  });

  it('a client that leaves before the first byte closes the upstream request promptly', async () => {
    upstream.setScript({ headersDelayMs: 10_000, words: slowWords, eventDelayMs: slowEventDelayMs });
    const nth = upstream.count() + 1;
    const open = openRequest(testCase.path, bodyFor(testCase, true));
    const record = await upstream.waitForRequest(nth);

    const leftAt = Date.now();
    open.request.destroy();
    const elapsed = await closedWithin(record, leftAt, promptlyMs);
    expect(elapsed).toBeLessThan(promptlyMs);
    expect(record.completed).toBe(false);
    expect(record.eventsWritten).toBe(0);
    await expectNoRetry(nth);

    await expectServesNextRequest(testCase);
  });

  it('a client that leaves a non-streaming request while the upstream is still answering closes it', async () => {
    // Headers at once, the body only after 10 s: the gateway is reading the upstream's answer.
    upstream.setScript({ eventDelayMs: 10_000 });
    const nth = upstream.count() + 1;
    const open = openRequest(testCase.path, bodyFor(testCase, false));
    const record = await upstream.waitForRequest(nth);
    expect(record.stream).toBe(false);
    // Let the upstream's headers reach the gateway before leaving.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const leftAt = Date.now();
    open.request.destroy();
    const elapsed = await closedWithin(record, leftAt, promptlyMs);
    expect(elapsed).toBeLessThan(promptlyMs);
    expect(record.completed).toBe(false);

    await expectServesNextRequest(testCase);
  });

  it('a client that leaves a non-streaming request before the upstream answers closes it', async () => {
    upstream.setScript({ headersDelayMs: 10_000 });
    const nth = upstream.count() + 1;
    const open = openRequest(testCase.path, bodyFor(testCase, false));
    const record = await upstream.waitForRequest(nth);

    const leftAt = Date.now();
    open.request.destroy();
    const elapsed = await closedWithin(record, leftAt, promptlyMs);
    expect(elapsed).toBeLessThan(promptlyMs);
    expect(record.completed).toBe(false);

    await expectServesNextRequest(testCase);
  });
});

describe('the real SDKs cancelling', () => {
  it('OpenAI SDK: aborting a stream after the first chunk closes the upstream stream', async () => {
    upstream.setScript({ words: slowWords, eventDelayMs: slowEventDelayMs });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.masterKey, maxRetries: 0 });
    const nth = upstream.count() + 1;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'test-model', stream: true, messages: [{ role: 'user', content: 'Tell me a long story.' }] },
      { signal: controller.signal },
    );
    let chunks = 0;
    let leftAt = 0;
    try {
      for await (const chunk of stream) {
        chunks += chunk.choices.length;
        leftAt = Date.now();
        controller.abort();
      }
    } catch (error) {
      // The SDK reports its own abort as an error; anything else is a failure.
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toMatch(/Abort/);
    }
    expect(chunks).toBeGreaterThan(0);
    const record = await upstream.waitForRequest(nth);
    expect(await closedWithin(record, leftAt, promptlyMs)).toBeLessThan(promptlyMs);
    expect(record.completed).toBe(false);
  });

  it('Anthropic SDK: aborting a stream after the first event closes the upstream stream', async () => {
    upstream.setScript({ words: slowWords, eventDelayMs: slowEventDelayMs });
    const client = new Anthropic({ baseURL: gateway.url, apiKey: gateway.masterKey, maxRetries: 0 });
    const nth = upstream.count() + 1;
    const stream = client.messages.stream({
      model: 'test-claude',
      max_tokens: 1000,
      messages: [{ role: 'user', content: 'Tell me a long story.' }],
    });
    let events = 0;
    let leftAt = 0;
    try {
      for await (const event of stream) {
        events += event.type === 'message_start' ? 1 : 0;
        leftAt = Date.now();
        stream.abort();
      }
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
    }
    expect(events).toBe(1);
    const record = await upstream.waitForRequest(nth);
    expect(await closedWithin(record, leftAt, promptlyMs)).toBeLessThan(promptlyMs);
    expect(record.completed).toBe(false);
  });

  it('a client disconnect is not logged as a gateway error', () => {
    const errors = gateway
      .logRecords()
      .filter((record) => record.level === 'error' || record.level === 'fatal');
    expect(errors).toEqual([]);
  });
});
