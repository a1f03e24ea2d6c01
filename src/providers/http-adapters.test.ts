import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import type { ProviderAdapter } from './contract.js';
import { createAnthropicAdapter } from './anthropic/index.js';
import { createAzureAdapter } from './azure/index.js';
import { createOpenAiCompatibleAdapter } from './openai-compatible/index.js';
import { createOpenAiAdapter } from './openai/index.js';

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.byteLength;
  return bytes;
}

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Each adapter's URL, headers and credentials, as a provider would see them on the wire. */
describe('HTTP provider adapters', () => {
  const seen: Seen[] = [];
  let base = '';
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: [{ id: 'model-a' }, { id: 'model-b' }] }));
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const provider = (input: Record<string, unknown>) =>
    configSchema.parse({ providers: { p: input } }).providers.p!;
  const options = { connectTimeoutMs: 1_000 };

  async function call(
    adapter: ProviderAdapter,
    operation: 'chat' | 'embeddings',
    model: string,
  ): Promise<Seen> {
    const outcome = await adapter.send({
      operation,
      dialect: adapter.dialects[0]!,
      model,
      body: { model, messages: [] },
      stream: false,
      headers: { 'x-request-id': 'req_1' },
      signal: AbortSignal.timeout(5_000),
    });
    expect(outcome.ok).toBe(true);
    if (outcome.ok) await drain(outcome.response.body);
    await adapter.close();
    return seen.at(-1)!;
  }

  it('openai: Bearer key, /chat/completions under the base path, configured headers', async () => {
    const adapter = createOpenAiAdapter(
      'o',
      provider({
        type: 'openai',
        api_key: 'sk-test-one',
        base_url: `${base}/v1`,
        headers: { 'openai-organization': 'org-1' },
      }),
      options,
    );
    const request = await call(adapter, 'chat', 'gpt-4o');
    expect(request).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
    expect(request.headers.authorization).toBe('Bearer sk-test-one');
    expect(request.headers['openai-organization']).toBe('org-1');
    expect(request.headers['x-request-id']).toBe('req_1');
    expect(JSON.parse(request.body)).toMatchObject({ model: 'gpt-4o' });
  });

  it('openai-compatible: no credentials unless configured, /embeddings', async () => {
    const adapter = createOpenAiCompatibleAdapter(
      'local',
      provider({ type: 'openai-compatible', base_url: `${base}/v1` }),
      options,
    );
    const request = await call(adapter, 'embeddings', 'nomic-embed');
    expect(request.url).toBe('/v1/embeddings');
    expect(request.headers.authorization).toBeUndefined();
  });

  it('azure: deployment in the path, api-version in the query, api-key header', async () => {
    const adapter = createAzureAdapter(
      'az',
      provider({ type: 'azure', api_key: 'azure-key-1', base_url: base, api_version: '2024-10-21' }),
      options,
    );
    const request = await call(adapter, 'chat', 'gpt-4o-deploy');
    expect(request.url).toBe('/openai/deployments/gpt-4o-deploy/chat/completions?api-version=2024-10-21');
    expect(request.headers['api-key']).toBe('azure-key-1');
    expect(request.headers.authorization).toBeUndefined();
  });

  it('anthropic: x-api-key and anthropic-version, /v1/messages; no embeddings', async () => {
    const adapter = createAnthropicAdapter(
      'a',
      provider({ type: 'anthropic', api_key: 'sk-ant-test', base_url: base }),
      options,
    );
    const request = await call(adapter, 'chat', 'claude-sonnet-4-5');
    expect(request.url).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe('sk-ant-test');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    const embeddings = await createAnthropicAdapter(
      'a',
      provider({ type: 'anthropic', api_key: 'k', base_url: base }),
      options,
    ).send({
      operation: 'embeddings',
      dialect: 'anthropic',
      model: 'x',
      body: {},
      stream: false,
      headers: {},
      signal: AbortSignal.timeout(1_000),
    });
    expect(embeddings.ok).toBe(false);
  });

  it('lists models without a billable call', async () => {
    const adapter = createOpenAiAdapter(
      'o',
      provider({ type: 'openai', api_key: 'sk-test-two', base_url: `${base}/v1` }),
      options,
    );
    expect(await adapter.listModels(AbortSignal.timeout(5_000))).toEqual(['model-a', 'model-b']);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1/models' });
    await adapter.close();
  });
});

/** How a non-streaming answer read whole ends when the provider misbehaves. */
describe('HTTP provider answers read whole', () => {
  let base = '';
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      switch (request.url) {
        case '/v1/slow/chat/completions':
          // Headers and half a body, then nothing: only the caller's signal ends this.
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          response.write('{"id":');
          return;
        case '/v1/cut/chat/completions':
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          response.write('{"id":', () => response.socket?.destroy());
          return;
        case '/v1/limited/chat/completions':
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
          response.end('{"error":{"message":"slow down","type":"rate_limit_error"}}');
          return;
        default:
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{"id":"x","usage":{"prompt_tokens":1}}');
      }
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function send(path: string, signal: AbortSignal) {
    const adapter = createOpenAiCompatibleAdapter(
      'p',
      configSchema.parse({ providers: { p: { type: 'openai-compatible', base_url: `${base}/v1/${path}` } } })
        .providers.p!,
      { connectTimeoutMs: 1_000 },
    );
    try {
      return await adapter.send({
        operation: 'chat',
        dialect: 'openai',
        model: 'm',
        body: { model: 'm', messages: [] },
        stream: false,
        headers: {},
        signal,
      });
    } finally {
      await adapter.close();
    }
  }

  it('gives the whole body at once', async () => {
    const outcome = await send('fine', AbortSignal.timeout(5_000));
    if (!outcome.ok) throw new Error('expected an answer');
    expect((await outcome.response.readAll()).toString()).toBe('{"id":"x","usage":{"prompt_tokens":1}}');
  });

  it('a body that stalls ends as a timeout when the signal aborts', async () => {
    const started = Date.now();
    const outcome = await send('slow', AbortSignal.timeout(300));
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a connection cut mid-body is a connection failure, not an answer', async () => {
    const outcome = await send('cut', AbortSignal.timeout(5_000));
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'connect' } });
  });

  it('an error status carries its message and retry-after', async () => {
    const outcome = await send('limited', AbortSignal.timeout(5_000));
    expect(outcome).toMatchObject({
      ok: false,
      failure: { kind: 'http', retryAfterMs: 3_000, error: { status: 429 } },
    });
    if (!outcome.ok) expect(outcome.failure.error.message).toContain('slow down');
  });

  it('a signal aborted before sending fails at once', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await send('fine', controller.signal);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
  });
});

/** A streaming answer read as it comes, through the dispatch handler's body. */
describe('HTTP provider streams', () => {
  let base = '';
  let closed: Promise<void> = Promise.resolve();
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      closed = new Promise((resolve) => response.on('close', () => resolve()));
      const path = request.url ?? '';
      if (path.startsWith('/v1/limited/')) {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
        response.end('{"error":{"message":"too many","type":"rate_limit_error"}}');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = path.startsWith('/v1/many/') ? 200 : 3;
      let sent = 0;
      const next = (): void => {
        if (path.startsWith('/v1/cut/') && sent === 2) {
          response.socket?.destroy();
          return;
        }
        if (path.startsWith('/v1/stall/') && sent === 2) return;
        if (sent === events) {
          response.end('data: [DONE]\n\n');
          return;
        }
        response.write(`data: {"n":${sent}}\n\n`);
        sent += 1;
        setImmediate(next);
      };
      next();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function open(path: string, signal: AbortSignal) {
    const adapter = createOpenAiCompatibleAdapter(
      'p',
      configSchema.parse({ providers: { p: { type: 'openai-compatible', base_url: `${base}/v1/${path}` } } })
        .providers.p!,
      { connectTimeoutMs: 1_000 },
    );
    const outcome = await adapter.send({
      operation: 'chat',
      dialect: 'openai',
      model: 'm',
      body: { model: 'm', messages: [], stream: true },
      stream: true,
      headers: {},
      signal,
    });
    return { outcome, close: () => adapter.close() };
  }

  async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
    let all = '';
    for await (const chunk of body) all += Buffer.from(chunk).toString();
    return all;
  }

  it('delivers every event in order and ends', async () => {
    const { outcome, close } = await open('fine', AbortSignal.timeout(5_000));
    if (!outcome.ok) throw new Error('expected a stream');
    expect(await text(outcome.response.body)).toBe(
      'data: {"n":0}\n\ndata: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n',
    );
    await close();
  });

  it('a reader that starts late still gets everything (the connection waits for it)', async () => {
    const { outcome, close } = await open('many', AbortSignal.timeout(5_000));
    if (!outcome.ok) throw new Error('expected a stream');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const all = await text(outcome.response.body);
    expect(all.match(/"n":\d+/g)).toHaveLength(200);
    expect(all.endsWith('data: [DONE]\n\n')).toBe(true);
    await close();
  });

  it('a connection cut mid-stream fails the read', async () => {
    const { outcome, close } = await open('cut', AbortSignal.timeout(5_000));
    if (!outcome.ok) throw new Error('expected a stream');
    await expect(text(outcome.response.body)).rejects.toThrow();
    await close();
  });

  it('an abort mid-stream fails the pending read and closes the connection', async () => {
    const controller = new AbortController();
    const { outcome, close } = await open('stall', controller.signal);
    if (!outcome.ok) throw new Error('expected a stream');
    const reading = text(outcome.response.body);
    setTimeout(() => controller.abort(), 100);
    await expect(reading).rejects.toThrow();
    await closed;
    await close();
  });

  it('cancel closes the connection', async () => {
    const { outcome, close } = await open('stall', AbortSignal.timeout(5_000));
    if (!outcome.ok) throw new Error('expected a stream');
    const iterator = outcome.response.body[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    outcome.response.cancel();
    await closed;
    await expect(iterator.next()).rejects.toThrow();
    await close();
  });

  it('an error status is a failure with its message and retry-after', async () => {
    const { outcome, close } = await open('limited', AbortSignal.timeout(5_000));
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'http', retryAfterMs: 2_000 } });
    if (!outcome.ok) expect(outcome.failure.error.message).toContain('too many');
    await close();
  });
});
