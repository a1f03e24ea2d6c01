import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseParser } from '../../dialects/sse-parser.js';
import type { SseEvent } from '../../dialects/codec.js';
import type { MockBody } from './mock-body.js';
import { createMockResponder, type MockResponder } from './mock-responder.js';
import { startMockServer, type MockServer } from './mock-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let time = 5_000_000;
let server: MockServer;
/** Bodies the server iterated, and whether each one has stopped, to check client aborts. */
const finishedBodies: boolean[] = [];

/** The real responder, with each streamed body wrapped to record when the server stops reading it. */
function recordingResponder(inner: MockResponder): MockResponder {
  return {
    modelNames: inner.modelNames,
    respond: async (request) => {
      const result = await inner.respond(request);
      if (result.type !== 'response' || result.body.whole !== undefined) return result;
      const slot = finishedBodies.push(false) - 1;
      const body = result.body;
      const wrapped: MockBody = {
        cancel: () => body.cancel(),
        async *[Symbol.asyncIterator]() {
          try {
            yield* body;
          } finally {
            finishedBodies[slot] = true;
          }
        },
      };
      return { ...result, body: wrapped };
    },
  };
}

beforeAll(async () => {
  server = await startMockServer({ responder: recordingResponder(createMockResponder({ now: () => time })) });
});
afterAll(async () => {
  await server.close();
});

const messages = [{ role: 'user', content: 'Tell me a story about a lighthouse keeper' }];

function post(
  path: string,
  body: Json,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(server.url + path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
    ...(signal === undefined ? {} : { signal }),
  });
}

function openai(body: Json, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return post('/v1/chat/completions', { model: 'mock', messages, ...body }, headers, signal);
}

function anthropic(body: Json, headers: Record<string, string> = {}): Promise<Response> {
  return post(
    '/v1/messages',
    { model: 'mock', messages, max_tokens: 200, ...body },
    { 'anthropic-version': '2023-06-01', ...headers },
  );
}

/** Reads SSE events until the stream ends; an error is returned with the events read before it. */
async function readEvents(
  response: Response,
  limit = Infinity,
): Promise<{ events: SseEvent[]; error?: unknown }> {
  const reader = response.body!.getReader();
  const parser = new SseParser();
  const events: SseEvent[] = [];
  try {
    while (events.length < limit) {
      const { done, value } = await reader.read();
      if (done) {
        events.push(...parser.end());
        return { events };
      }
      events.push(...parser.push(value));
    }
    await reader.cancel();
    return { events };
  } catch (error) {
    return { events, error };
  }
}

describe('mock server routes', () => {
  it('answers health, both model lists, Azure deployments and unknown paths', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    const openaiList = (await (await fetch(`${server.url}/v1/models`)).json()) as Json;
    expect(openaiList.object).toBe('list');
    expect(openaiList.data[0]).toMatchObject({ id: 'mock', object: 'model', owned_by: 'gatehouse-mock' });
    const anthropicList = (await (
      await fetch(`${server.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } })
    ).json()) as Json;
    expect(anthropicList).toMatchObject({ has_more: false, first_id: 'mock' });
    expect(anthropicList.data[0]).toMatchObject({ type: 'model', id: 'mock' });
    const azure = await post('/openai/deployments/mock-deployment/chat/completions?api-version=2024-10-21', {
      messages,
    });
    expect(((await azure.json()) as Json).model).toBe('mock-deployment');
    const missing = await fetch(`${server.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
  });

  it('rejects invalid JSON in the dialect of the route', async () => {
    const response = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('serves embeddings', async () => {
    const response = await post('/v1/embeddings', {
      model: 'mock-embedding',
      input: ['a', 'b'],
      dimensions: 8,
    });
    const body = (await response.json()) as Json;
    expect(body).toMatchObject({
      object: 'list',
      model: 'mock-embedding',
      data: [{ object: 'embedding', index: 0 }, { index: 1 }],
    });
    expect(body.data[0].embedding).toHaveLength(8);
  });

  it('streams both dialects as server-sent events', async () => {
    const streamed = await openai({ stream: true });
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    const { events } = await readEvents(streamed);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const messagesStream = await readEvents(await anthropic({ stream: true }));
    expect(messagesStream.events.map((event) => event.event).at(0)).toBe('message_start');
    expect(messagesStream.events.map((event) => event.event).at(-1)).toBe('message_stop');
  });
});

describe('mock server faults', () => {
  it('429 with retry-after, retry-after-ms, or neither', async () => {
    const seconds = await openai({ model: 'mock-429-retry-after-2' });
    expect(seconds.status).toBe(429);
    expect(seconds.headers.get('retry-after')).toBe('2');
    expect(await seconds.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    const milliseconds = await anthropic({}, { 'x-mock-fault': '429;retry-after-ms=1500' });
    expect(milliseconds.headers.get('retry-after-ms')).toBe('1500');
    expect(await milliseconds.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const bare = await openai({ model: 'mock-429' });
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
    await bare.arrayBuffer();
  });

  it('500 once, then healthy; 503 always', async () => {
    const first = await openai({ model: 'mock-500-once' }, { 'x-mock-fault-key': 'server-test' });
    expect(first.status).toBe(500);
    await first.arrayBuffer();
    const second = await openai({ model: 'mock-500-once' }, { 'x-mock-fault-key': 'server-test' });
    expect(second.status).toBe(200);
    await second.arrayBuffer();
    for (let attempt = 0; attempt < 2; attempt++) {
      const unavailable = await anthropic({ model: 'mock-503' });
      expect(unavailable.status).toBe(503);
      await unavailable.arrayBuffer();
    }
  });

  it('resets the connection before headers', async () => {
    await expect(openai({ model: 'mock-reset' })).rejects.toThrow(TypeError);
    expect((await openai({})).status).toBe(200);
  });

  it('never answers a hang until the client gives up', async () => {
    const started = Date.now();
    await expect(openai({}, { 'x-mock-fault': 'hang' }, AbortSignal.timeout(300))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('cuts a stream mid-answer', async () => {
    const response = await openai({ model: 'mock-stream-cut-after-4', stream: true });
    expect(response.status).toBe(200);
    const { events, error } = await readEvents(response);
    expect(events).toHaveLength(4);
    expect(error).toBeInstanceOf(TypeError);
  });

  it('cuts a non-streaming body half way', async () => {
    const response = await anthropic({ model: 'mock-stream-cut' });
    await expect(response.text()).rejects.toThrow();
  });

  it('stalls a stream after some events, until the client aborts', async () => {
    const response = await anthropic({ stream: true }, { 'x-mock-fault': 'stream-stall;after=3' });
    const reader = response.body!.getReader();
    const parser = new SseParser();
    const events: SseEvent[] = [];
    while (events.length < 3) events.push(...parser.push((await reader.read()).value ?? new Uint8Array()));
    expect(events.map((event) => event.event)).toEqual(['message_start', 'content_block_start', 'ping']);
    const next = await Promise.race([
      reader.read().then(() => 'data'),
      new Promise((resolve) => setTimeout(resolve, 300, 'stalled')),
    ]);
    expect(next).toBe('stalled');
    await reader.cancel();
  });

  it('sends a malformed chunk after some events', async () => {
    const { events } = await readEvents(
      await openai({ stream: true }, { 'x-mock-fault': 'malformed-chunk=2' }),
    );
    const bad = events.findIndex((event) => {
      if (event.data === '[DONE]') return false;
      try {
        JSON.parse(event.data);
        return false;
      } catch {
        return true;
      }
    });
    expect(bad).toBe(2);
    expect(events.at(-1)?.data).toBe('[DONE]');
  });

  it('ends a stream without its terminator', async () => {
    const openaiEvents = (await readEvents(await openai({ model: 'mock-no-terminator', stream: true })))
      .events;
    expect(openaiEvents.some((event) => event.data === '[DONE]')).toBe(false);
    expect((JSON.parse(openaiEvents.at(-1)!.data) as Json).choices[0].finish_reason).toBe('stop');
    const anthropicEvents = (await readEvents(await anthropic({ model: 'mock-no-terminator', stream: true })))
      .events;
    expect(anthropicEvents.at(-1)?.event).toBe('message_delta');
  });

  it('rejects a prompt that exceeds the context length', async () => {
    const openaiResponse = await openai({ model: 'mock-context-length' });
    expect(openaiResponse.status).toBe(400);
    expect(await openaiResponse.json()).toMatchObject({
      error: { code: 'context_length_exceeded', type: 'invalid_request_error' },
    });
    const anthropicResponse = await anthropic({}, { 'x-mock-fault': 'context-length;max=5' });
    const body = (await anthropicResponse.json()) as Json;
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^prompt is too long: \d+ tokens > 5 maximum$/);
    const fits = await anthropic({ model: 'mock-context-length-100000' });
    expect(fits.status).toBe(200);
    await fits.arrayBuffer();
  });

  it('rejects on content policy', async () => {
    const openaiResponse = await openai({ model: 'mock-content-policy' });
    const openaiBody = (await openaiResponse.json()) as Json;
    expect(openaiResponse.status).toBe(400);
    expect(openaiBody.error.code).toBe('content_filter');
    expect(openaiBody.error.message).toContain('content policy');
    const anthropicBody = (await (await anthropic({ model: 'mock-content-policy' })).json()) as Json;
    expect(anthropicBody.error).toMatchObject({ type: 'invalid_request_error' });
  });

  it('refuses an assistant prefill, and only a prefill', async () => {
    const prefilled = [...messages, { role: 'assistant', content: 'Once upon' }];
    const refused = await anthropic({ model: 'mock-prefill-refusal', messages: prefilled });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Json).error.message).toContain(
      'does not support assistant message prefill',
    );
    const plain = await anthropic({ model: 'mock-prefill-refusal' });
    expect(plain.status).toBe(200);
    await plain.arrayBuffer();
  });

  it('is down for the first seconds of the injected clock, then healthy', async () => {
    const local = await startMockServer({ now: () => time });
    try {
      const request = (): Promise<Response> =>
        fetch(`${local.url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model: 'mock-down-10', messages }),
        });
      const down = await request();
      expect(down.status).toBe(503);
      await down.arrayBuffer();
      time += 10_000;
      const up = await request();
      expect(up.status).toBe(200);
      await up.arrayBuffer();
    } finally {
      await local.close();
    }
  });

  it('waits the fixed latency, the slow first token and the per-token latency', async () => {
    let started = Date.now();
    const delayed = await openai({}, { 'x-mock-latency-ms': '150' });
    await delayed.arrayBuffer();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    started = Date.now();
    const slow = await openai({ model: 'mock-slow-first-token-250', stream: true });
    const headersAfter = Date.now() - started;
    const reader = slow.body!.getReader();
    await reader.read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(headersAfter).toBeLessThan(240);
    await reader.cancel();

    started = Date.now();
    await readEvents(await openai({ stream: true, max_tokens: 3 }, { 'x-mock-token-latency-ms': '40' }));
    // Five events (role, three tokens, finish) and [DONE]: five gaps of 40 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('stops generating when the client disconnects', async () => {
    const controller = new AbortController();
    const response = await openai({ stream: true }, { 'x-mock-token-latency-ms': '50' }, controller.signal);
    const slot = finishedBodies.length - 1;
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect.poll(() => finishedBodies[slot], { timeout: 2000 }).toBe(true);
  });
});
