import {
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TimeInput,
} from '@opentelemetry/api';
import {
  GenAiAttribute,
  LangfuseAttribute,
  StandardAttribute,
  type TraceAttributes,
} from './tracing-attributes.js';

/**
 * A span as the gateway uses it. The pipeline never sees OpenTelemetry types, so the `none` mode
 * can hand out one shared no-op object and cost nothing.
 */
export interface TraceSpan {
  /** False when tracing is off or the span was sampled out: callers skip building attributes. */
  readonly isRecording: boolean;
  /** 32 hex digits; empty when tracing is off. */
  readonly traceId: string;
  readonly spanId: string;
  setAttributes(attributes: TraceAttributes): void;
  addEvent(name: string, attributes?: TraceAttributes): void;
  /** Prompt messages, recorded only when prompt capture is configured. */
  recordPrompt(messages: unknown): void;
  /** The answer, recorded only when prompt capture is configured. */
  recordCompletion(output: unknown): void;
  /**
   * Marks the span failed with an error code. Only the code is recorded: upstream error messages
   * can echo parts of keys or prompts.
   */
  fail(errorCode: string): void;
  end(endTime?: TimeInput): void;
}

export interface SpanRecordingOptions {
  readonly capturePrompts: boolean;
  /** Also write Langfuse's own input/output attributes. */
  readonly langfuse: boolean;
  /** Masks personal data and credentials in every string a span records (`TracingSettings.maskText`). */
  readonly mask: TextMask | undefined;
}

export type TextMask = (text: string) => string;

export class OpenTelemetrySpan implements TraceSpan {
  readonly context: Context;
  readonly span: Span;
  private readonly recordingOptions: SpanRecordingOptions;

  constructor(span: Span, parentContext: Context, recordingOptions: SpanRecordingOptions) {
    this.span = span;
    this.context = trace.setSpan(parentContext, span);
    this.recordingOptions = recordingOptions;
  }

  get isRecording(): boolean {
    return this.span.isRecording();
  }

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  get spanId(): string {
    return this.span.spanContext().spanId;
  }

  setAttributes(attributes: TraceAttributes): void {
    if (this.span.isRecording())
      this.span.setAttributes(toOpenTelemetry(attributes, this.recordingOptions.mask));
  }

  addEvent(name: string, attributes?: TraceAttributes): void {
    if (this.span.isRecording()) {
      const { mask } = this.recordingOptions;
      this.span.addEvent(
        mask === undefined ? name : mask(name),
        attributes === undefined ? undefined : toOpenTelemetry(attributes, mask),
      );
    }
  }

  recordPrompt(messages: unknown): void {
    this.recordContent(GenAiAttribute.inputMessages, LangfuseAttribute.observationInput, messages);
  }

  recordCompletion(output: unknown): void {
    this.recordContent(GenAiAttribute.outputMessages, LangfuseAttribute.observationOutput, output);
  }

  fail(errorCode: string): void {
    this.span.setAttribute(StandardAttribute.errorType, errorCode);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode });
  }

  end(endTime?: TimeInput): void {
    this.span.end(endTime);
  }

  private recordContent(name: string, langfuseName: string, content: unknown): void {
    const { capturePrompts, langfuse, mask } = this.recordingOptions;
    if (!capturePrompts || !this.span.isRecording()) return;
    const raw = typeof content === 'string' ? content : JSON.stringify(content);
    const text = mask === undefined ? raw : mask(raw);
    this.span.setAttribute(name, text);
    if (langfuse) this.span.setAttribute(langfuseName, text);
  }
}

/** The one span of the `none` mode: every call returns at once. */
export const noopSpan: TraceSpan = Object.freeze({
  isRecording: false,
  traceId: '',
  spanId: '',
  setAttributes: () => undefined,
  addEvent: () => undefined,
  recordPrompt: () => undefined,
  recordCompletion: () => undefined,
  fail: () => undefined,
  end: () => undefined,
});

/**
 * Drops undefined values (the SDK warns about them), copies read-only arrays, and masks every
 * string: an attribute that carries a caller's words (a model name, a reason) is masked like the
 * rest, so no span attribute can take personal data or a credential to the trace back end.
 */
export function toOpenTelemetry(attributes: TraceAttributes, mask?: TextMask): Attributes {
  const result: Attributes = {};
  for (const name in attributes) {
    const value = attributes[name];
    if (value === undefined) continue;
    if (mask === undefined) result[name] = typeof value === 'object' ? value.slice() : value;
    else if (typeof value === 'string') result[name] = mask(value);
    else if (typeof value !== 'object') result[name] = value;
    else
      result[name] = value.map((item: string | number) => (typeof item === 'string' ? mask(item) : item)) as
        string[] | number[];
  }
  return result;
}
