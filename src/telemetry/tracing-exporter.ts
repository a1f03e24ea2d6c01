import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/** The values of `OTEL_TRACES_SAMPLER` defined by the OpenTelemetry SDK configuration spec. */
export const samplerNames = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof samplerNames)[number];

export const tracingModes = ['otlp', 'langfuse', 'console', 'none'] as const;
export type TracingMode = (typeof tracingModes)[number];

export interface ExporterSettings {
  readonly mode: Exclude<TracingMode, 'none'>;
  /** OTLP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); `/v1/traces` is appended as the OTLP spec says. */
  readonly endpoint?: string | undefined;
  /** Extra export headers (`OTEL_EXPORTER_OTLP_HEADERS`), e.g. a collector's token. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly langfuse?: LangfuseSettings | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface LangfuseSettings {
  readonly publicKey: string;
  readonly secretKey: string;
  /** e.g. https://cloud.langfuse.com, or a self-hosted instance. */
  readonly url: string;
}

/** The OTLP default when no endpoint is configured (a collector on the same host). */
const defaultOtlpEndpoint = 'http://localhost:4318';

export function buildSampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default: {
      const unknown: never = name;
      throw new Error(`Unknown sampler ${String(unknown)}`);
    }
  }
}

/**
 * OTLP over HTTP with JSON bodies (the Node exporter's encoding): every collector and Langfuse
 * accept it, and it needs no protobuf dependency.
 */
export function buildExporter(settings: ExporterSettings): SpanExporter {
  const timeoutMillis = settings.timeoutMs ?? 10_000;
  switch (settings.mode) {
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp':
      return new OTLPTraceExporter({
        url: `${withoutTrailingSlash(settings.endpoint ?? defaultOtlpEndpoint)}/v1/traces`,
        headers: { ...settings.headers },
        timeoutMillis,
      });
    case 'langfuse': {
      const langfuse = settings.langfuse;
      if (langfuse === undefined)
        throw new Error('Tracing mode langfuse needs the Langfuse public key, secret key and URL.');
      const credentials = Buffer.from(`${langfuse.publicKey}:${langfuse.secretKey}`).toString('base64');
      return new OTLPTraceExporter({
        url: `${withoutTrailingSlash(langfuse.url)}/api/public/otel/v1/traces`,
        headers: { ...settings.headers, authorization: `Basic ${credentials}` },
        timeoutMillis,
      });
    }
    default: {
      const unknown: never = settings.mode;
      throw new Error(`Unknown tracing mode ${String(unknown)}`);
    }
  }
}

function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * `OTEL_EXPORTER_OTLP_HEADERS` as the OpenTelemetry spec writes it: comma-separated `key=value`
 * pairs with percent-encoded values (`authorization=Basic%20abc,x-tenant=a`). Malformed pairs are
 * skipped, as the SDKs do.
 */
export function parseOtlpHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const name = pair.slice(0, separator).trim().toLowerCase();
    try {
      headers[name] = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      // A value that is not valid percent-encoding is dropped rather than sent garbled.
    }
  }
  return headers;
}
