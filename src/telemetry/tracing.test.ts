import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { RouterObserver } from '../routing/index.js';
import { genAiRequestAttributes } from './tracing-attributes.js';
import { parseOtlpHeaders } from './tracing-exporter.js';
import { createAttemptTracer, endRequestSpan, startUpstreamSpan } from './tracing-request.js';
import { noopSpan } from './tracing-span.js';
import { createTracing, type TracingSettings } from './tracing.js';

const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';
const callerHeaders = {
  traceparent: `00-${callerTraceId}-${callerSpanId}-01`,
  authorization: 'Bearer sk-secret-value',
};

function build(settings: Partial<TracingSettings> = {}) {
  const exporter = new InMemorySpanExporter();
  const tracing = createTracing(
    {
      mode: 'otlp',
      serviceName: 'gatehouse-test',
      sampler: 'parentbased_always_on',
      capturePrompts: false,
      ...settings,
    },
    { exporter },
  );
  const finished = async (): Promise<ReadableSpan[]> => {
    await tracing.forceFlush();
    return exporter.getFinishedSpans();
  };
  return { tracing, finished };
}

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (span === undefined)
    throw new Error(`no span ${name} among ${spans.map((candidate) => candidate.name).join(', ')}`);
  return span;
}

describe('request tracing', () => {
  it("continues the caller's trace, nests attempts and limit checks, and propagates the same trace upstream", async () => {
    const { tracing, finished } = build();
    const request = tracing.startRequestSpan(callerHeaders, {
      operation: 'chat',
      requestModel: 'smart',
      attributes: genAiRequestAttributes({ model: 'smart', max_tokens: 256, temperature: 0.2, messages: [] }),
    });
    const limits = tracing.startChildSpan(request, 'gatehouse.limits', {
      'gatehouse.limits.outcome': 'admitted',
    });
    limits.end();

    const upstream = startUpstreamSpan(
      tracing,
      request,
      { operation: 'chat', provider: 'primary', model: 'gpt-4o-mini' },
      () => ({
        type: 'openai',
        address: 'api.openai.com',
        port: 443,
      }),
    );
    expect(upstream.headers.traceparent).toBe(`00-${callerTraceId}-${upstream.span.spanId}-01`);
    upstream.span.end();

    const observer: RouterObserver = createAttemptTracer(tracing, request, {
      operation: 'chat',
      clock: () => 10_000,
    });
    observer.attempt({
      provider: 'backup',
      model: 'claude',
      outcome: 'failure',
      errorCode: 'upstream_timeout',
      failureKind: 'timeout',
      durationMs: 2_000,
    });
    observer.retry({ provider: 'backup', model: 'claude', delayMs: 250 });
    observer.failover({ from: 'backup/claude', reason: 'error' });

    endRequestSpan(request, {
      status: 200,
      keyId: 'key_1',
      provider: 'primary',
      providerType: 'openai',
      responseModel: 'gpt-4o-mini-2024-07-18',
      finishReasons: ['stop'],
      usage: { inputTokens: 12, outputTokens: 5, cachedInputTokens: 0 },
      attempts: 2,
    });

    const spans = await finished();
    const root = byName(spans, 'chat smart');
    expect(root.kind).toBe(SpanKind.SERVER);
    expect(root.spanContext().traceId).toBe(callerTraceId);
    expect(root.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(root.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'smart',
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.system': 'openai',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
      'http.response.status_code': 200,
      'gatehouse.key_id': 'key_1',
    });
    expect(root.status.code).toBe(SpanStatusCode.UNSET);
    expect(root.events.map((event) => event.name)).toEqual(['gatehouse.retry', 'gatehouse.failover']);

    for (const child of [
      byName(spans, 'gatehouse.limits'),
      byName(spans, 'chat gpt-4o-mini'),
      byName(spans, 'chat claude'),
    ]) {
      expect(child.spanContext().traceId).toBe(callerTraceId);
      expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    }
    const attempt = byName(spans, 'chat gpt-4o-mini');
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(attempt.spanContext().spanId).toBe(upstream.span.spanId);
    expect(attempt.attributes).toMatchObject({
      'server.address': 'api.openai.com',
      'server.port': 443,
      'gen_ai.request.model': 'gpt-4o-mini',
    });

    const failed = byName(spans, 'chat claude');
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes['error.type']).toBe('upstream_timeout');
    expect(failed.startTime[0] * 1000 + failed.startTime[1] / 1e6).toBeCloseTo(8_000);
    expect(failed.endTime[0] * 1000 + failed.endTime[1] / 1e6).toBeCloseTo(10_000);

    // Authorization values never reach a span.
    expect(JSON.stringify(spans.map((span) => [span.attributes, span.events]))).not.toContain('sk-secret');
  });

  it('starts a new trace when the caller sends no valid traceparent', async () => {
    const { tracing, finished } = build();
    const span = tracing.startRequestSpan(
      { traceparent: 'garbage' },
      { operation: 'embeddings', requestModel: undefined },
    );
    span.end();
    const [root] = await finished();
    expect(root?.name).toBe('embeddings');
    expect(root?.parentSpanContext).toBeUndefined();
    expect(root?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root?.spanContext().traceId).not.toBe(callerTraceId);
  });

  it('marks server errors as failed and keeps caller errors unset, with error.type on both', async () => {
    const { tracing, finished } = build();
    endRequestSpan(tracing.startRequestSpan({}, { operation: 'chat', requestModel: 'a' }), {
      status: 502,
      errorCode: 'upstream_error',
    });
    endRequestSpan(tracing.startRequestSpan({}, { operation: 'chat', requestModel: 'b' }), {
      status: 429,
      errorCode: 'rate_limited',
    });
    const spans = await finished();
    expect(byName(spans, 'chat a').status).toEqual({ code: SpanStatusCode.ERROR, message: 'upstream_error' });
    expect(byName(spans, 'chat b').status.code).toBe(SpanStatusCode.UNSET);
    expect(byName(spans, 'chat b').attributes['error.type']).toBe('rate_limited');
  });
});

describe('prompt capture', () => {
  const messages = [{ role: 'user', content: 'my private question' }];

  it('keeps prompts and completions out of spans unless configured', async () => {
    const { tracing, finished } = build();
    const span = tracing.startRequestSpan({}, { operation: 'chat', requestModel: 'm' });
    span.recordPrompt(messages);
    span.recordCompletion('the answer');
    span.end();
    expect(JSON.stringify((await finished()).map((finishedSpan) => finishedSpan.attributes))).not.toContain(
      'private',
    );
  });

  it('records them as gen_ai input and output messages when configured, and for Langfuse too in Langfuse mode', async () => {
    const { tracing, finished } = build({ mode: 'langfuse', capturePrompts: true });
    const span = tracing.startRequestSpan({}, { operation: 'chat', requestModel: 'm' });
    span.recordPrompt(messages);
    span.recordCompletion('the answer');
    span.end();
    const [root] = await finished();
    expect(root?.attributes['gen_ai.input.messages']).toBe(JSON.stringify(messages));
    expect(root?.attributes['gen_ai.output.messages']).toBe('the answer');
    expect(root?.attributes['langfuse.observation.input']).toBe(JSON.stringify(messages));
  });
});

describe('sampling', () => {
  it('follows the caller’s decision not to sample, and still propagates the trace upstream', async () => {
    const { tracing, finished } = build({ sampler: 'parentbased_always_on' });
    const span = tracing.startRequestSpan(
      { traceparent: `00-${callerTraceId}-${callerSpanId}-00` },
      { operation: 'chat', requestModel: 'm' },
    );
    expect(span.isRecording).toBe(false);
    expect(tracing.injectHeaders(span).traceparent).toMatch(
      new RegExp(`^00-${callerTraceId}-[0-9a-f]{16}-00$`),
    );
    span.end();
    expect(await finished()).toHaveLength(0);
  });

  it('samples by trace id ratio', async () => {
    const { tracing, finished } = build({ sampler: 'traceidratio', ratio: 0 });
    tracing.startRequestSpan({}, { operation: 'chat', requestModel: 'm' }).end();
    expect(await finished()).toHaveLength(0);
  });
});

describe('tracing off', () => {
  it('hands out the shared no-op span and propagates nothing of its own', async () => {
    const tracing = createTracing({
      mode: 'none',
      serviceName: 's',
      sampler: 'always_on',
      capturePrompts: true,
    });
    const span = tracing.startRequestSpan(callerHeaders, { operation: 'chat', requestModel: 'm' });
    expect(tracing.enabled).toBe(false);
    expect(span).toBe(noopSpan);
    expect(tracing.startChildSpan(span, 'child')).toBe(noopSpan);
    expect(tracing.injectHeaders(span)).toEqual({});
    endRequestSpan(span, { status: 200 });
    await tracing.shutdown();
  });
});

describe('OTLP headers variable', () => {
  it('reads comma-separated, percent-encoded pairs and skips malformed ones', () => {
    expect(parseOtlpHeaders('Authorization=Basic%20abc, x-tenant = a,broken,=x,bad=%E0%A4%A')).toEqual({
      authorization: 'Basic abc',
      'x-tenant': 'a',
    });
  });
});
