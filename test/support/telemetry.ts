import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricFamilies } from '../../src/telemetry/metrics-exposition.js';
import { rawRequest, type RawResponse } from './http.js';

/**
 * Telemetry test helpers: a free port for the metrics listener, a Prometheus scrape read into
 * series, a local OTLP/HTTP (JSON) receiver whose exports read back as spans, and small request
 * helpers that send chat traffic and read the usage each answer reported.
 */

/**
 * A port free right now on 127.0.0.1, for the gateway's metrics listener (whose port cannot be read
 * back once bound, so the test must choose it). Chosen below Linux's ephemeral range (32768 and
 * up): a port the kernel hands out (port 0) can be taken by any outgoing connection of a parallel
 * test between this check and the gateway's bind, which made `listen EADDRINUSE` an occasional
 * failure in CI.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    server.listen(port, '127.0.0.1');
    const bound = await Promise.race([
      once(server, 'listening').then(() => true),
      once(server, 'error').then(() => false),
    ]);
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }
}

// ---------------------------------------------------------------------------------------------
// Prometheus exposition

export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  readonly text: string;
  readonly contentType: string | undefined;
  readonly series: readonly Series[];
  /** Family names and types from the `# TYPE` lines. */
  readonly families: ReadonlyMap<string, string>;
  /** The value of the one series with exactly these labels; undefined when absent. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** Every series of a sample name (`x_total`, `x_bucket`, `x_count`, ...). */
  seriesOf(name: string): Series[];
  /** The sum over the series of a name whose labels include `subset`. */
  sum(name: string, subset?: Readonly<Record<string, string>>): number;
}

/** Reads a Prometheus text exposition into series (labels unescaped). */
export function parseScrape(text: string, contentType?: string): Scrape {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    const [, name = '', labelText = '', value = ''] = match;
    const labels: Record<string, string> = {};
    for (const label of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1] ?? ''] = (label[2] ?? '').replace(/\\(.)/g, (_, character: string) =>
        character === 'n' ? '\n' : character,
      );
    }
    series.push({ name, labels, value: Number(value) });
  }
  const sameLabels = (left: Readonly<Record<string, string>>, right: Readonly<Record<string, string>>) =>
    Object.keys(left).length === Object.keys(right).length &&
    Object.entries(left).every(([label, value]) => right[label] === value);
  const includes = (labels: Readonly<Record<string, string>>, subset: Readonly<Record<string, string>>) =>
    Object.entries(subset).every(([label, value]) => labels[label] === value);
  return {
    text,
    contentType,
    series,
    families: metricFamilies(text),
    value: (name, labels = {}) =>
      series.find((entry) => entry.name === name && sameLabels(entry.labels, labels))?.value,
    seriesOf: (name) => series.filter((entry) => entry.name === name),
    sum: (name, subset = {}) =>
      series
        .filter((entry) => entry.name === name && includes(entry.labels, subset))
        .reduce((total, entry) => total + entry.value, 0),
  };
}

/** GET /metrics; throws unless it answers 200. */
export async function scrape(url: string, headers: Readonly<Record<string, string>> = {}): Promise<Scrape> {
  const response = await rawRequest(url, { method: 'GET', headers });
  if (response.status !== 200)
    throw new Error(`scrape of ${url} answered ${response.status}: ${response.text}`);
  const contentType = response.headers['content-type'];
  return parseScrape(response.text, typeof contentType === 'string' ? contentType : undefined);
}

/** Polls until `check` returns a value other than undefined (or throws its last error). */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  description: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${description}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// OTLP/HTTP receiver

export type AttributeValue = string | number | boolean | readonly AttributeValue[] | undefined;

export interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly startNanos: bigint;
  readonly endNanos: bigint;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly statusMessage: string | undefined;
  readonly events: readonly { name: string; attributes: Readonly<Record<string, AttributeValue>> }[];
  /** Other spans this one is linked to (OpenTelemetry span links). */
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  readonly resource: Readonly<Record<string, AttributeValue>>;
}

export interface ReceivedExport {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface OtlpReceiver {
  /** Base URL, as `tracing.otlp_endpoint` (or `tracing.langfuse.url`) takes it. */
  readonly url: string;
  readonly exports: readonly ReceivedExport[];
  /** Every span received so far, decoded from the OTLP JSON bodies. */
  spans(): ExportedSpan[];
  close(): Promise<void>;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
  events?: { name: string; attributes?: OtlpKeyValue[] }[];
  links?: { traceId: string; spanId: string }[];
}
interface OtlpJsonExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { spans?: OtlpJsonSpan[] }[];
  }[];
}

function decodeValue(value: OtlpAnyValue): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(decodeValue);
  return undefined;
}

function decodeAttributes(attributes: readonly OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, decodeValue(value)]));
}

/** A collector stand-in: accepts OTLP/HTTP JSON on any path, answers 200, keeps every body. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      exports.push({
        method: request.method,
        path: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    spans() {
      const spans: ExportedSpan[] = [];
      for (const exported of exports) {
        const body = JSON.parse(exported.body) as OtlpJsonExport;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const resource = decodeAttributes(resourceSpans.resource?.attributes);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId === '' ? undefined : span.parentSpanId,
                name: span.name,
                kind: span.kind,
                startNanos: BigInt(span.startTimeUnixNano),
                endNanos: BigInt(span.endTimeUnixNano),
                attributes: decodeAttributes(span.attributes),
                statusCode: span.status?.code ?? 0,
                statusMessage: span.status?.message,
                events: (span.events ?? []).map((event) => ({
                  name: event.name,
                  attributes: decodeAttributes(event.attributes),
                })),
                links: (span.links ?? []).map((link) => ({ traceId: link.traceId, spanId: link.spanId })),
                resource,
              });
            }
          }
        }
      }
      return spans;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Traffic

export interface Usage {
  readonly prompt: number;
  readonly completion: number;
  readonly cached: number;
}

export interface ChatAnswer {
  readonly response: RawResponse;
  readonly status: number;
  /** The usage the answer reported (the final usage chunk of a stream); zero when none. */
  readonly usage: Usage;
}

const noUsage: Usage = { prompt: 0, completion: 0, cached: 0 };

interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

function usageOf(usage: OpenAiUsage | null | undefined): Usage | undefined {
  if (usage === null || usage === undefined) return undefined;
  return {
    prompt: usage.prompt_tokens ?? 0,
    completion: usage.completion_tokens ?? 0,
    cached: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/** The usage an OpenAI answer reported: the body's `usage`, or a stream's final usage chunk. */
export function reportedUsage(response: RawResponse): Usage {
  if (response.status !== 200) return noUsage;
  const contentType = response.headers['content-type'] ?? '';
  if (contentType.startsWith('text/event-stream')) {
    let found: Usage | undefined;
    for (const line of response.text.split('\n')) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice('data: '.length)) as { usage?: OpenAiUsage | null };
      found = usageOf(chunk.usage) ?? found;
    }
    return found ?? noUsage;
  }
  return usageOf((JSON.parse(response.text) as { usage?: OpenAiUsage }).usage) ?? noUsage;
}

/** One OpenAI chat completion through the gateway with a Bearer key. */
export async function chat(
  gatewayUrl: string,
  key: string,
  body: Readonly<Record<string, unknown>>,
  headers: Readonly<Record<string, string>> = {},
): Promise<ChatAnswer> {
  const response = await rawRequest(`${gatewayUrl}/v1/chat/completions`, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say hello.' }], ...body }),
  });
  return { response, status: response.status, usage: reportedUsage(response) };
}

/** Issues a virtual key through the admin API; resolves with its id and secret. */
export async function createKey(
  gatewayUrl: string,
  masterKey: string,
  body: Readonly<Record<string, unknown>>,
): Promise<{ id: string; secret: string }> {
  const response = await rawRequest(`${gatewayUrl}/admin/keys`, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${masterKey}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`key creation answered ${response.status}: ${response.text}`);
  const created = JSON.parse(response.text) as { id: string; key: string };
  return { id: created.id, secret: created.key };
}

export function addUsage(left: Usage, right: Usage): Usage {
  return {
    prompt: left.prompt + right.prompt,
    completion: left.completion + right.completion,
    cached: left.cached + right.cached,
  };
}

export const zeroUsage = noUsage;
