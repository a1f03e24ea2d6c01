import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endRequestSpan } from './tracing-request.js';
import { createTracing } from './tracing.js';

interface Received {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: OtlpAttribute[];
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** A local OTLP/HTTP receiver that records each export and answers as a collector does. */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method,
        path: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, server };
}

function spansOf(exports: readonly Received[]): { spans: OtlpSpan[]; resource: OtlpAttribute[] } {
  const spans: OtlpSpan[] = [];
  let resource: OtlpAttribute[] = [];
  for (const exported of exports) {
    const body = JSON.parse(exported.body) as OtlpExport;
    for (const resourceSpans of body.resourceSpans) {
      resource = resourceSpans.resource.attributes;
      for (const scope of resourceSpans.scopeSpans) spans.push(...scope.spans);
    }
  }
  return { spans, resource };
}

const traceId = '0af7651916cd43dd8448eb211c80319c';
const callerSpanId = 'b7ad6b7169203331';

describe('OTLP/HTTP export', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  it('sends the request span and its children to <endpoint>/v1/traces as OTLP JSON', async () => {
    const receiver = await startReceiver();
    server = receiver.server;
    const tracing = createTracing({
      mode: 'otlp',
      endpoint: `${receiver.url}/`,
      headers: { 'x-collector-token': 'token-1' },
      serviceName: 'gatehouse-otlp-test',
      sampler: 'always_on',
      capturePrompts: false,
    });
    const request = tracing.startRequestSpan(
      { traceparent: `00-${traceId}-${callerSpanId}-01` },
      { operation: 'chat', requestModel: 'smart' },
    );
    tracing.startChildSpan(request, 'gatehouse.cache', { 'gatehouse.cache': 'miss' }).end();
    endRequestSpan(request, {
      status: 200,
      usage: { inputTokens: 7, outputTokens: 3, cachedInputTokens: 0 },
    });
    await tracing.shutdown();

    expect(receiver.received.length).toBeGreaterThan(0);
    for (const exported of receiver.received) {
      expect(exported.method).toBe('POST');
      expect(exported.path).toBe('/v1/traces');
      expect(exported.headers['content-type']).toMatch(/^application\/json/);
      expect(exported.headers['x-collector-token']).toBe('token-1');
    }
    const { spans, resource } = spansOf(receiver.received);
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'gatehouse-otlp-test' } });
    const root = spans.find((span) => span.name === 'chat smart');
    const cache = spans.find((span) => span.name === 'gatehouse.cache');
    expect(root?.traceId).toBe(traceId);
    expect(root?.parentSpanId).toBe(callerSpanId);
    expect(cache?.traceId).toBe(traceId);
    expect(cache?.parentSpanId).toBe(root?.spanId);
    const inputTokens = root?.attributes.find((attribute) => attribute.key === 'gen_ai.usage.input_tokens');
    expect(Number(inputTokens?.value.intValue)).toBe(7);
  });

  it("sends to Langfuse's OTLP endpoint with the project keys as Basic credentials", async () => {
    const receiver = await startReceiver();
    server = receiver.server;
    const tracing = createTracing({
      mode: 'langfuse',
      serviceName: 'gatehouse',
      sampler: 'always_on',
      capturePrompts: false,
      langfuse: { publicKey: 'pk-lf-1', secretKey: 'sk-lf-2', url: receiver.url },
    });
    tracing.startRequestSpan({}, { operation: 'chat', requestModel: 'm' }).end();
    await tracing.shutdown();

    expect(receiver.received).toHaveLength(1);
    const [exported] = receiver.received;
    expect(exported?.path).toBe('/api/public/otel/v1/traces');
    expect(exported?.headers.authorization).toBe(
      `Basic ${Buffer.from('pk-lf-1:sk-lf-2').toString('base64')}`,
    );
    expect(spansOf(receiver.received).spans.map((span) => span.name)).toEqual(['chat m']);
  });
});
