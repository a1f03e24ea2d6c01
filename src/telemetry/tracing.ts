import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  isSpanContextValid,
  SpanKind,
  trace,
  type Link,
  type TimeInput,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { GenAiAttribute, type TraceAttributes } from './tracing-attributes.js';
import {
  buildExporter,
  buildSampler,
  type LangfuseSettings,
  type SamplerName,
  type TracingMode,
} from './tracing-exporter.js';
import {
  noopSpan,
  OpenTelemetrySpan,
  toOpenTelemetry,
  type TextMask,
  type TraceSpan,
} from './tracing-span.js';

export interface TracingSettings {
  readonly mode: TracingMode;
  /** OTLP base URL; `/v1/traces` is appended. */
  readonly endpoint?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly serviceName: string;
  readonly serviceVersion?: string | undefined;
  readonly sampler: SamplerName;
  /** For the ratio samplers: the share of new traces kept (0..1). */
  readonly ratio?: number | undefined;
  readonly langfuse?: LangfuseSettings | undefined;
  /** Whether prompts and completions may be written into spans (off by default: they are user data). */
  readonly capturePrompts: boolean;
  /**
   * Masks personal data and credentials in every span name, attribute and event (the PII
   * detector's, given by the composition root: telemetry imports no feature). Traces always mask.
   */
  readonly maskText?: TextMask | undefined;
  /** Extra resource attributes (OTEL_RESOURCE_ATTRIBUTES); the service name and version win. */
  readonly resourceAttributes?: Readonly<Record<string, string>> | undefined;
  /** OTLP export request timeout (OTEL_EXPORTER_OTLP_TIMEOUT); default 10 s. */
  readonly exportTimeoutMs?: number | undefined;
  /** The batch span processor (OTEL_BSP_*); the SDK's defaults where absent. */
  readonly batch?: BatchSettings | undefined;
}

export interface BatchSettings {
  readonly scheduleDelayMs: number;
  readonly maxExportBatchSize: number;
  readonly maxQueueSize: number;
  readonly exportTimeoutMs: number;
}

export interface TracingOverrides {
  /** Replaces the exporter the mode would build (tests pass an InMemorySpanExporter). */
  readonly exporter?: SpanExporter;
  /** How long finished spans wait to be exported together (replaces `batch.scheduleDelayMs`). */
  readonly exportDelayMs?: number;
}

export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface RequestSpanStart {
  /** `chat` or `embeddings` (`gen_ai.operation.name`). */
  readonly operation: string;
  readonly requestModel: string | undefined;
  readonly attributes?: TraceAttributes;
  /** When the request arrived (`performance.now()` values are understood). */
  readonly startTime?: TimeInput;
  /** Other contexts the span relates to (their `traceparent`), recorded as span links. */
  readonly links?: readonly IncomingHeaders[];
}

export interface ChildSpanOptions {
  /** `client` for calls leaving the gateway (upstream attempts, Redis), `internal` otherwise. */
  readonly kind?: 'internal' | 'client';
  readonly startTime?: TimeInput;
}

export interface Tracing {
  /** False in `none` mode: every span is the shared no-op span. */
  readonly enabled: boolean;
  readonly capturePrompts: boolean;
  /** The request's server span, continuing the caller's trace when it sent a valid `traceparent`. */
  startRequestSpan(headers: IncomingHeaders, start: RequestSpanStart): TraceSpan;
  startChildSpan(
    parent: TraceSpan,
    name: string,
    attributes?: TraceAttributes,
    options?: ChildSpanOptions,
  ): TraceSpan;
  /** `traceparent` (and `tracestate`) naming the span, for the upstream request; empty when off. */
  injectHeaders(span: TraceSpan): Record<string, string>;
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops; spans started afterwards are dropped. */
  shutdown(): Promise<void>;
}

const disabled: Tracing = Object.freeze({
  enabled: false,
  capturePrompts: false,
  startRequestSpan: () => noopSpan,
  startChildSpan: () => noopSpan,
  injectHeaders: () => ({}),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});

/**
 * Tracing with a tracer provider of its own: nothing is registered globally, so two gateways in
 * one process (tests) never share spans, and importing this module does no work.
 */
export function createTracing(settings: TracingSettings, overrides: TracingOverrides = {}): Tracing {
  if (settings.mode === 'none') return disabled;
  const exporter =
    overrides.exporter ??
    buildExporter({
      mode: settings.mode,
      endpoint: settings.endpoint,
      headers: settings.headers,
      langfuse: settings.langfuse,
      timeoutMs: settings.exportTimeoutMs,
    });
  const batch = settings.batch;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...settings.resourceAttributes,
      [ATTR_SERVICE_NAME]: settings.serviceName,
      ...(settings.serviceVersion === undefined ? {} : { [ATTR_SERVICE_VERSION]: settings.serviceVersion }),
    }),
    sampler: buildSampler(settings.sampler, settings.ratio ?? 1),
    spanProcessors: [
      // Explicit values: the OTEL_BSP_* variables arrive through the configuration (tracing.batch),
      // never read by the SDK behind its back. The defaults are the specification's.
      new BatchSpanProcessor(exporter, {
        maxQueueSize: batch?.maxQueueSize ?? 2048,
        maxExportBatchSize: batch?.maxExportBatchSize ?? 512,
        scheduledDelayMillis: overrides.exportDelayMs ?? batch?.scheduleDelayMs ?? 5_000,
        exportTimeoutMillis: batch?.exportTimeoutMs ?? 30_000,
      }),
    ],
  });
  const tracer = provider.getTracer('gatehouse', settings.serviceVersion);
  const propagator = new W3CTraceContextPropagator();
  const mask = settings.maskText;
  const recording = { capturePrompts: settings.capturePrompts, langfuse: settings.mode === 'langfuse', mask };
  const named = (name: string) => (mask === undefined ? name : mask(name));

  return {
    enabled: true,
    capturePrompts: settings.capturePrompts,
    startRequestSpan(headers, start) {
      const parentContext = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      const name =
        start.requestModel === undefined ? start.operation : `${start.operation} ${start.requestModel}`;
      const span = tracer.startSpan(
        named(name),
        {
          kind: SpanKind.SERVER,
          attributes: toOpenTelemetry(
            {
              [GenAiAttribute.operationName]: start.operation,
              [GenAiAttribute.requestModel]: start.requestModel,
              ...start.attributes,
            },
            mask,
          ),
          ...(start.startTime === undefined ? {} : { startTime: start.startTime }),
          ...(start.links === undefined ? {} : { links: linksOf(propagator, start.links) }),
        },
        parentContext,
      );
      return new OpenTelemetrySpan(span, parentContext, recording);
    },
    startChildSpan(parent, name, attributes, options) {
      if (!(parent instanceof OpenTelemetrySpan)) return noopSpan;
      const span = tracer.startSpan(
        named(name),
        {
          kind: options?.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL,
          ...(attributes === undefined ? {} : { attributes: toOpenTelemetry(attributes, mask) }),
          ...(options?.startTime === undefined ? {} : { startTime: options.startTime }),
        },
        parent.context,
      );
      return new OpenTelemetrySpan(span, parent.context, recording);
    },
    injectHeaders(span) {
      const carrier: Record<string, string> = {};
      if (span instanceof OpenTelemetrySpan) propagator.inject(span.context, carrier, defaultTextMapSetter);
      return carrier;
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** The valid span contexts among `carriers`, as links; malformed or absent ones are left out. */
function linksOf(propagator: W3CTraceContextPropagator, carriers: readonly IncomingHeaders[]): Link[] {
  return carriers.flatMap((carrier) => {
    const linked = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
    return linked !== undefined && isSpanContextValid(linked) ? [{ context: linked }] : [];
  });
}
