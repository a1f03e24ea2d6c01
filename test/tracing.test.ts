import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import {
  startScriptedUpstream,
  type RecordedRequest,
  type ScriptedUpstream,
} from './support/scripted-upstream.js';
import {
  chat,
  startOtlpReceiver,
  type ChatAnswer,
  type ExportedSpan,
  type OtlpReceiver,
} from './support/telemetry.js';

/**
 * SPEC section 12 / issue 7: with `tracing.mode: otlp` the gateway exports, to a local OTLP/HTTP
 * receiver, one trace per request — the request span continuing the caller's `traceparent`, with
 * child spans for the limit check, the cache lookup and each upstream attempt, and GenAI attributes
 * — and the upstream (the scripted upstream as an openai-compatible provider) receives a
 * `traceparent` of the same trace. Spans are flushed by closing the gateway (the batch processor
 * would otherwise wait 5 s), so every request is sent first and the spans are read afterwards.
 */

const kind = { internal: 1, server: 2, client: 3 } as const;
const status = { unset: 0, ok: 1, error: 2 } as const;

interface Sent {
  readonly traceId: string;
  readonly callerSpanId: string;
  readonly requestId: string;
  readonly answer: ChatAnswer;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

let receiver: OtlpReceiver;
let upstream: ScriptedUpstream;
let gateway: TestGateway;
let spans: ExportedSpan[];
let logLines: Record<string, unknown>[];
const sent: Record<string, Sent> = {};
let flakyCalls = 0;

async function send(
  name: string,
  body: Readonly<Record<string, unknown>>,
  options: { sampled?: boolean; traceparent?: boolean } = {},
): Promise<Sent> {
  const traceId = hex(16);
  const callerSpanId = hex(8);
  const requestId = `trace-test-${name}`;
  const headers: Record<string, string> = { 'x-request-id': requestId };
  if (options.traceparent !== false) {
    headers.traceparent = `00-${traceId}-${callerSpanId}-${options.sampled === false ? '00' : '01'}`;
    headers.tracestate = 'caller=1';
  }
  const answer = await chat(gateway.url, gateway.masterKey, body, headers);
  const entry = { traceId, callerSpanId, requestId, answer };
  sent[name] = entry;
  return entry;
}

const upstreamRequestsOf = (requestId: string): RecordedRequest[] =>
  upstream.requests.filter((request) => request.headers['x-request-id'] === requestId);

function requestSpanOf(name: string): ExportedSpan {
  const requestId = sent[name]?.requestId;
  const found = spans.filter((span) => span.attributes['gatehouse.request_id'] === requestId);
  expect(found, `one request span for ${name}`).toHaveLength(1);
  return found[0]!;
}

const childrenOf = (parent: ExportedSpan): ExportedSpan[] =>
  spans.filter((span) => span.traceId === parent.traceId && span.parentSpanId === parent.spanId);

function parseTraceparent(value: unknown): { traceId: string; spanId: string; flags: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(value));
  expect(match, `a W3C traceparent: ${String(value)}`).not.toBeNull();
  return { traceId: match?.[1] ?? '', spanId: match?.[2] ?? '', flags: match?.[3] ?? '' };
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  upstream = await startScriptedUpstream((request) => {
    const model = (JSON.parse(request.body || '{}') as { model?: string }).model;
    if (model === 'upstream-flaky') {
      flakyCalls += 1;
      if (flakyCalls === 1) return { status: 500, errorMessage: 'Scripted failure.' };
    }
    return {};
  });
  gateway = await startTestGateway({
    tracing: { mode: 'otlp', otlp_endpoint: receiver.url, service_name: 'gatehouse-trace-test' },
    providers: {
      scripted: { type: 'openai-compatible', base_url: `${upstream.url}/v1`, api_key: 'sk-scripted-test' },
    },
    models: {
      'scripted-chat': { targets: [{ provider: 'scripted', model: 'upstream-model' }] },
      'scripted-flaky': {
        targets: [{ provider: 'scripted', model: 'upstream-flaky' }],
        retry: { attempts: 3, backoff_ms: 1, max_backoff_ms: 5 },
      },
      'failing-over': {
        targets: [{ provider: 'mock', model: 'mock-503' }],
        fallbacks: ['scripted-chat'],
        retry: { attempts: 1 },
      },
      down: { targets: [{ provider: 'mock', model: 'mock-503' }], retry: { attempts: 1 } },
    },
  });

  await send('plain', { model: 'scripted-chat', max_tokens: 50, temperature: 0.5, top_p: 0.9 });
  await send('stream', { model: 'scripted-chat', stream: true, stream_options: { include_usage: true } });
  await send('retry', { model: 'scripted-flaky' });
  await send('failover', { model: 'failing-over' });
  await send('down', { model: 'down' });
  await send('unknown-model', { model: 'no-such-model' });
  await send('unsampled', { model: 'scripted-chat' }, { sampled: false });
  await send('new-trace', { model: 'scripted-chat' }, { traceparent: false });
  const cacheable = {
    model: 'scripted-chat',
    temperature: 0,
    messages: [{ role: 'user', content: 'cache me' }],
  };
  await send('cache-miss', cacheable);
  await send('cache-hit', cacheable);

  // Closing flushes the batch span processor: every span is exported before it resolves.
  await gateway.close();
  spans = receiver.spans();
  logLines = gateway.logRecords().filter((line) => line.msg === 'request');
});

afterAll(async () => {
  await upstream.close();
  await receiver.close();
});

describe('the exported traces', () => {
  it('reach the receiver as OTLP/HTTP JSON with the service name', () => {
    expect(receiver.exports.length).toBeGreaterThan(0);
    for (const exported of receiver.exports) {
      expect(exported.method).toBe('POST');
      expect(exported.path).toBe('/v1/traces');
      expect(exported.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans) expect(span.resource['service.name']).toBe('gatehouse-trace-test');
  });

  it('answered the traffic as planned', () => {
    const statuses = Object.fromEntries(
      Object.entries(sent).map(([name, entry]) => [name, entry.answer.status]),
    );
    expect(statuses).toEqual({
      plain: 200,
      stream: 200,
      retry: 200,
      failover: 200,
      down: 503,
      'unknown-model': 404,
      unsampled: 200,
      'new-trace': 200,
      'cache-miss': 200,
      'cache-hit': 200,
    });
    expect(sent['cache-hit']?.answer.response.headers['x-gatehouse-cache']).toBe('hit');
  });

  it("continue the caller's trace: the request span is a server span under the caller's span", () => {
    for (const name of [
      'plain',
      'stream',
      'retry',
      'failover',
      'down',
      'unknown-model',
      'cache-miss',
      'cache-hit',
    ]) {
      const entry = sent[name]!;
      const span = requestSpanOf(name);
      expect(span.traceId, name).toBe(entry.traceId);
      expect(span.parentSpanId, name).toBe(entry.callerSpanId);
      expect(span.kind, name).toBe(kind.server);
      // Every span of the trace hangs off the request span: nothing is orphaned.
      const trace = spans.filter((candidate) => candidate.traceId === entry.traceId);
      for (const other of trace.filter((candidate) => candidate !== span))
        expect(other.parentSpanId, `${name}: ${other.name}`).toBe(span.spanId);
    }
  });

  it('give each request a limits span, a cache span and one client span per upstream attempt', () => {
    const plain = requestSpanOf('plain');
    expect(plain.name).toBe('chat scripted-chat');
    const children = childrenOf(plain);
    expect(children.map((span) => span.name).sort()).toEqual(
      ['chat upstream-model', 'gatehouse.cache', 'gatehouse.limits'].sort(),
    );
    const limits = children.find((span) => span.name === 'gatehouse.limits')!;
    expect(limits.kind).toBe(kind.internal);
    expect(limits.attributes['gatehouse.limit.decision']).toBe('admitted');
    const cache = children.find((span) => span.name === 'gatehouse.cache')!;
    expect(cache.kind).toBe(kind.internal);
    expect(cache.attributes['gatehouse.cache']).toBe('bypass');
    const attempt = children.find((span) => span.name === 'chat upstream-model')!;
    expect(attempt.kind).toBe(kind.client);
    expect(attempt.statusCode).toBe(status.unset);
    // Children lie within their parent (1 ms of slack: the clocks are read separately).
    for (const child of children) {
      expect(child.startNanos >= plain.startNanos - 1_000_000n, child.name).toBe(true);
      expect(child.endNanos <= plain.endNanos + 1_000_000n, child.name).toBe(true);
    }
  });

  it('put the GenAI request and response attributes on the request span', () => {
    const span = requestSpanOf('plain');
    const usage = sent.plain!.answer.usage;
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'scripted-chat',
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.response.model': 'upstream-model',
      'gen_ai.system': 'openai-compatible',
      'gen_ai.provider.name': 'openai-compatible',
      'gen_ai.usage.input_tokens': usage.prompt,
      'gen_ai.usage.output_tokens': usage.completion,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'http.response.status_code': 200,
      'gatehouse.request_id': 'trace-test-plain',
      'gatehouse.key_id': 'master',
      'gatehouse.provider': 'scripted',
      'gatehouse.attempts': 1,
      'gatehouse.cache': 'bypass',
    });
    expect(usage).toMatchObject({ prompt: 3, completion: 5 });
    expect(span.statusCode).toBe(status.unset);
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it('describe the upstream attempt with the target, the provider type and its address', () => {
    const attempt = childrenOf(requestSpanOf('plain')).find((span) => span.kind === kind.client)!;
    const port = Number(new URL(upstream.url).port);
    expect(attempt.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'upstream-model',
      'gen_ai.system': 'openai-compatible',
      'gen_ai.provider.name': 'openai-compatible',
      'gatehouse.provider': 'scripted',
      'gatehouse.target': 'scripted/upstream-model',
      'gatehouse.attempt.outcome': 'success',
      'server.address': '127.0.0.1',
      'server.port': port,
    });
  });

  it('record the time to the first chunk of a streamed attempt, and the stream usage', () => {
    const span = requestSpanOf('stream');
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    // The scripted stream reports no usage: the gateway counts the tokens, and the span, the log
    // line and the metrics report that count.
    const logged = logLines.find((line) => line.request_id === 'trace-test-stream');
    expect(logged?.input_tokens).toBeGreaterThan(0);
    expect(logged?.output_tokens).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(logged?.input_tokens);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(logged?.output_tokens);
    const attempt = childrenOf(span).find((child) => child.kind === kind.client)!;
    expect(typeof attempt.attributes['gen_ai.response.time_to_first_chunk']).toBe('number');
  });

  it('show a retry as two attempt spans, the failed one with an error status, and a retry event', () => {
    const span = requestSpanOf('retry');
    expect(span.attributes['gatehouse.attempts']).toBe(2);
    const attempts = childrenOf(span)
      .filter((child) => child.kind === kind.client)
      .sort((left, right) => Number(left.startNanos - right.startNanos));
    expect(attempts.map((attempt) => attempt.attributes['gatehouse.attempt.outcome'])).toEqual([
      'failure',
      'success',
    ]);
    expect(attempts[0]?.statusCode).toBe(status.error);
    expect(attempts[0]?.attributes['error.type']).toBe('upstream_error');
    // Only the error code: never the upstream's message.
    expect(attempts[0]?.statusMessage ?? '').not.toContain('Scripted failure');
    expect(attempts[1]?.statusCode).toBe(status.unset);
    expect(span.events.map((event) => event.name)).toEqual(['gatehouse.retry']);
    expect(span.events[0]?.attributes).toMatchObject({
      'gatehouse.provider': 'scripted',
      'gen_ai.request.model': 'upstream-flaky',
    });
    expect(span.statusCode).toBe(status.unset);
  });

  it('show a fail-over as attempts on two targets and a fail-over event', () => {
    const span = requestSpanOf('failover');
    const attempts = childrenOf(span)
      .filter((child) => child.kind === kind.client)
      .sort((left, right) => Number(left.startNanos - right.startNanos));
    expect(attempts.map((attempt) => attempt.attributes['gatehouse.target'])).toEqual([
      'mock/mock-503',
      'scripted/upstream-model',
    ]);
    expect(attempts[0]?.attributes['gen_ai.system']).toBe('mock');
    expect(attempts[0]?.attributes['error.type']).toBe('upstream_unavailable');
    expect(span.events).toEqual([
      {
        name: 'gatehouse.failover',
        attributes: { 'gatehouse.target': 'mock/mock-503', 'gatehouse.failover.reason': 'error' },
      },
    ]);
    expect(span.attributes['gatehouse.provider']).toBe('scripted');
    expect(span.attributes['gen_ai.response.model']).toBe('upstream-model');
  });

  it('mark a 5xx answer as an error, and a 4xx with its error type only', () => {
    const down = requestSpanOf('down');
    expect(down.statusCode).toBe(status.error);
    expect(down.attributes['error.type']).toBe('upstream_unavailable');
    expect(down.attributes['http.response.status_code']).toBe(503);
    const unknown = requestSpanOf('unknown-model');
    expect(unknown.statusCode).toBe(status.unset);
    expect(unknown.attributes['error.type']).toBe('model_not_found');
    expect(unknown.attributes['http.response.status_code']).toBe(404);
    expect(childrenOf(unknown).filter((child) => child.kind === kind.client)).toEqual([]);
  });

  it('show a cache hit on the cache span and no upstream attempt', () => {
    const miss = requestSpanOf('cache-miss');
    const hit = requestSpanOf('cache-hit');
    expect(
      childrenOf(miss).find((span) => span.name === 'gatehouse.cache')?.attributes['gatehouse.cache'],
    ).toBe('miss');
    expect(
      childrenOf(hit).find((span) => span.name === 'gatehouse.cache')?.attributes['gatehouse.cache'],
    ).toBe('hit');
    expect(hit.attributes['gatehouse.cache']).toBe('hit');
    expect(childrenOf(hit).filter((span) => span.kind === kind.client)).toEqual([]);
    expect(upstreamRequestsOf('trace-test-cache-hit')).toEqual([]);
  });

  it('start a new trace for a request without a traceparent', () => {
    const span = requestSpanOf('new-trace');
    expect(span.parentSpanId).toBeUndefined();
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.traceId).not.toBe(sent['new-trace']!.traceId);
    const [request] = upstreamRequestsOf('trace-test-new-trace');
    expect(parseTraceparent(request?.headers.traceparent).traceId).toBe(span.traceId);
  });

  it('export nothing for a caller that did not sample its trace', () => {
    const traceId = sent.unsampled!.traceId;
    expect(spans.filter((span) => span.traceId === traceId)).toEqual([]);
    expect(
      spans.filter((span) => span.attributes['gatehouse.request_id'] === 'trace-test-unsampled'),
    ).toEqual([]);
  });
});

describe('the traceparent sent upstream', () => {
  it('carries the caller trace id and names a gateway span of that trace', () => {
    for (const name of ['plain', 'stream', 'retry', 'failover', 'cache-miss']) {
      const entry = sent[name]!;
      const requests = upstreamRequestsOf(entry.requestId);
      expect(requests.length, name).toBeGreaterThan(0);
      const gatewaySpanIds = new Set(
        spans.filter((span) => span.traceId === entry.traceId).map((span) => span.spanId),
      );
      for (const request of requests) {
        const parent = parseTraceparent(request.headers.traceparent);
        expect(parent.traceId, name).toBe(entry.traceId);
        expect(parent.spanId, name).not.toBe(entry.callerSpanId);
        expect(gatewaySpanIds.has(parent.spanId), `${name}: the upstream's parent is a gateway span`).toBe(
          true,
        );
        expect(parent.flags, name).toBe('01');
        expect(request.headers.tracestate, name).toBe('caller=1');
      }
    }
    // Both attempts of the retried request carried it.
    expect(upstreamRequestsOf('trace-test-retry')).toHaveLength(2);
  });

  it('keeps propagating an unsampled trace, still unsampled', () => {
    const entry = sent.unsampled!;
    const [request] = upstreamRequestsOf(entry.requestId);
    const parent = parseTraceparent(request?.headers.traceparent);
    expect(parent.traceId).toBe(entry.traceId);
    expect(parent.flags).toBe('00');
  });
});

describe('tracing off', () => {
  it("passes the caller's traceparent to the upstream unchanged", async () => {
    const quietUpstream = await startScriptedUpstream();
    const quiet = await startTestGateway({
      providers: {
        scripted: { type: 'openai-compatible', base_url: `${quietUpstream.url}/v1`, api_key: 'sk-x' },
      },
      models: { 'scripted-chat': { targets: [{ provider: 'scripted', model: 'upstream-model' }] } },
    });
    try {
      const traceparent = `00-${hex(16)}-${hex(8)}-01`;
      const answer = await chat(quiet.url, quiet.masterKey, { model: 'scripted-chat' }, { traceparent });
      expect(answer.status).toBe(200);
      expect(quietUpstream.requests[0]?.headers.traceparent).toBe(traceparent);
    } finally {
      await quiet.close();
      await quietUpstream.close();
    }
  });
});
