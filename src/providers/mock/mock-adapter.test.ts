import { describe, expect, it } from 'vitest';
import type { UpstreamOutcome, UpstreamRequest } from '../contract.js';
import { createMockAdapter } from './mock-adapter.js';

const adapter = createMockAdapter({ name: 'mock-test' });
const messages = [{ role: 'user', content: 'Summarise the plot of Hamlet' }];

function request(
  overrides: Partial<UpstreamRequest> & { body?: Record<string, unknown> } = {},
): UpstreamRequest {
  const body: Record<string, unknown> = { model: 'mock', messages, ...overrides.body };
  return {
    operation: 'chat',
    dialect: 'openai',
    model: typeof body.model === 'string' ? body.model : 'mock',
    stream: body.stream === true,
    headers: {},
    signal: new AbortController().signal,
    ...overrides,
    body,
  };
}

async function text(outcome: UpstreamOutcome): Promise<string> {
  if (!outcome.ok) throw outcome.failure.error;
  const chunks: Uint8Array[] = [];
  for await (const chunk of outcome.response.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function failureOf(outcome: UpstreamOutcome) {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe('mock adapter', () => {
  it('describes itself and lists its models', async () => {
    expect(adapter).toMatchObject({
      name: 'mock-test',
      type: 'mock',
      dialects: ['openai', 'anthropic'],
      supportsEmbeddings: true,
      supportsPrefill: true,
    });
    expect(await adapter.listModels(new AbortController().signal)).toContain('mock');
  });

  it('answers chat and embeddings in process', async () => {
    const chat = JSON.parse(await text(await adapter.send(request()))) as { object: string };
    expect(chat.object).toBe('chat.completion');
    const anthropic = await text(
      await adapter.send(request({ dialect: 'anthropic', body: { max_tokens: 20, stream: true } })),
    );
    expect(anthropic.startsWith('event: message_start\n')).toBe(true);
    expect(anthropic.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
    const embeddings = await adapter.send(
      request({ operation: 'embeddings', body: { model: 'mock-embedding', input: 'hello' } }),
    );
    expect(JSON.parse(await text(embeddings))).toMatchObject({ object: 'list' });
  });

  it('maps error statuses to gateway errors that keep status, type and message', async () => {
    const limited = failureOf(await adapter.send(request({ body: { model: 'mock-429-retry-after-2' } })));
    expect(limited.kind).toBe('http');
    expect(limited.retryAfterMs).toBe(2000);
    expect(limited.error).toMatchObject({
      code: 'upstream_rate_limited',
      status: 429,
      upstreamType: 'requests',
    });
    const precise = failureOf(
      await adapter.send(request({ body: { model: 'mock-429-retry-after-ms-250' } })),
    );
    expect(precise.retryAfterMs).toBe(250);
    expect(failureOf(await adapter.send(request({ body: { model: 'mock-500' } }))).error).toMatchObject({
      code: 'upstream_error',
      status: 500,
    });
    expect(failureOf(await adapter.send(request({ body: { model: 'mock-503' } }))).error.code).toBe(
      'upstream_unavailable',
    );
    const context = failureOf(
      await adapter.send(
        request({ dialect: 'anthropic', body: { model: 'mock-context-length', max_tokens: 5 } }),
      ),
    );
    expect(context.error).toMatchObject({ code: 'context_length_exceeded', status: 400 });
    expect(context.error.message).toMatch(/^prompt is too long/);
    expect(
      failureOf(await adapter.send(request({ body: { model: 'mock-content-policy' } }))).error.code,
    ).toBe('content_policy');
    const prefill = request({
      body: {
        model: 'mock-prefill-refusal',
        messages: [...messages, { role: 'assistant', content: 'Hamlet' }],
      },
    });
    expect(failureOf(await adapter.send(prefill)).error).toMatchObject({
      code: 'invalid_request',
      status: 400,
    });
  });

  it('reports a reset as a connect failure', async () => {
    expect(failureOf(await adapter.send(request({ body: { model: 'mock-reset' } }))).kind).toBe('connect');
  });

  it('hangs until the request is aborted, then reports a timeout', async () => {
    const controller = new AbortController();
    let settled = false;
    const pending = adapter.send(request({ headers: { 'x-mock-fault': 'hang' }, signal: controller.signal }));
    void pending.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    controller.abort();
    expect(failureOf(await pending).kind).toBe('timeout');
  });

  it('reports an abort during a latency wait as a timeout', async () => {
    const controller = new AbortController();
    const pending = adapter.send(
      request({ headers: { 'x-mock-latency-ms': '10000' }, signal: controller.signal }),
    );
    controller.abort();
    expect(failureOf(await pending).kind).toBe('timeout');
  });

  it('throws ECONNRESET from a cut stream body', async () => {
    const outcome = await adapter.send(request({ body: { model: 'mock-stream-cut-after-2', stream: true } }));
    await expect(text(outcome)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('stalls a stream until the signal aborts, then throws', async () => {
    const controller = new AbortController();
    const outcome = await adapter.send(
      request({ body: { model: 'mock-stream-stall-2', stream: true }, signal: controller.signal }),
    );
    if (!outcome.ok) throw new Error('expected a response');
    const iterator = outcome.response.body[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const third = iterator.next();
    setTimeout(() => controller.abort(), 50);
    await expect(third).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stops a slow stream promptly on abort and on cancel', async () => {
    const controller = new AbortController();
    const slow = { 'x-mock-token-latency-ms': '10000' };
    const outcome = await adapter.send(
      request({ body: { stream: true }, headers: slow, signal: controller.signal }),
    );
    if (!outcome.ok) throw new Error('expected a response');
    const iterator = outcome.response.body[Symbol.asyncIterator]();
    await iterator.next();
    const started = Date.now();
    const second = iterator.next();
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1000);

    const cancelled = await adapter.send(request({ body: { stream: true }, headers: slow }));
    if (!cancelled.ok) throw new Error('expected a response');
    const cancelledIterator = cancelled.response.body[Symbol.asyncIterator]();
    await cancelledIterator.next();
    const next = cancelledIterator.next();
    cancelled.response.cancel();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });
  });
});
