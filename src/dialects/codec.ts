import type { ChatRequest, ChatResponse, ChatStreamEvent, Dialect, Usage } from '../llm/index.js';
import type { GatewayError } from '../errors/index.js';

/** One server-sent event as parsed from the wire (`event:` is absent in OpenAI streams). */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

/** Turns one provider stream into canonical events; stateful, one per stream. */
export interface StreamDecoder {
  /** Throws a GatewayError (`upstream_invalid_response`) on a malformed event. */
  decode(event: SseEvent): readonly ChatStreamEvent[];
}

export interface StreamEncoderOptions {
  /** OpenAI: emit the final `choices: []` usage chunk (the caller set `include_usage`). */
  readonly includeUsage: boolean;
  /** The model name reported to the caller. */
  readonly model: string;
  /**
   * The prompt's tokens as the gateway counted them, for a dialect that reports the input count
   * before the answer (Anthropic's `message_start`) when the upstream reports it only at the end.
   */
  readonly promptTokens?: number;
}

/** Turns canonical events into complete SSE frames (`data: ...\n\n`) of one dialect; stateful. */
export interface StreamEncoder {
  encode(event: ChatStreamEvent): string;
}

/**
 * What every stage needs to know about a valid request, read once by the validation walk that
 * checks it, so that no stage reads the wire body's fields again.
 */
export interface RequestSummary {
  readonly model: string;
  /** False for embeddings. */
  readonly stream: boolean;
  /** A stream whose caller asked for the final usage chunk (`stream_options.include_usage`). */
  readonly includeUsage: boolean;
  /** The most output the caller allows (`max_completion_tokens`, else `max_tokens`); unset: undefined. */
  readonly maxOutputTokens: number | undefined;
  /** Answers asked for (OpenAI's `n`; 1 in Anthropic's dialect and for embeddings). */
  readonly choices: number;
  /** The request declares at least one tool. */
  readonly hasTools: boolean;
  /** Chat messages (system prompts outside `messages` not counted); embeddings: 0. */
  readonly messageCount: number;
}

export type Validation =
  | { readonly ok: true; readonly summary: RequestSummary }
  | { readonly ok: false; readonly error: GatewayError };

/**
 * Everything the gateway knows about one wire dialect, used on both sides: to read what a caller
 * sent and write what it receives, and to write what an upstream receives and read what it sends.
 */
export interface DialectCodec {
  readonly dialect: Dialect;
  /**
   * Cheap structural validation of a caller's chat request (types, required fields, ranges), done
   * on every request, including the pass-through fast path. Messages name the offending field.
   * A valid request comes with its summary.
   */
  validateChatRequest(body: Record<string, unknown>): Validation;
  /** A validated wire request to canonical form (used only when translating). */
  decodeChatRequest(body: Record<string, unknown>): ChatRequest;
  /** Canonical request to this dialect's wire body, for the given upstream model name. */
  encodeChatRequest(request: ChatRequest, model: string): Record<string, unknown>;
  /**
   * An upstream's non-streaming response body to canonical form; throws on a malformed body.
   * `request` is the canonical request it answers, when this dialect's body was encoded from one
   * (translation): what the encoding did to express it (a forced tool for structured output) is
   * undone here.
   */
  decodeChatResponse(body: unknown, request?: ChatRequest): ChatResponse;
  /** Canonical response to this dialect's wire body. */
  encodeChatResponse(response: ChatResponse): Record<string, unknown>;
  /** Usage of a response body in this dialect, read from its bytes without parsing the whole body. */
  usageOfChatResponse(bytes: Buffer): UsageReading;
  /** `request` as for `decodeChatResponse`. */
  createStreamDecoder(request?: ChatRequest): StreamDecoder;
  /**
   * This dialect's streams report the prompt's token count before the answer (Anthropic's
   * `message_start`), so a translated stream needs the gateway's own count up front.
   */
  readonly reportsPromptTokensFirst: boolean;
  createStreamEncoder(options: StreamEncoderOptions): StreamEncoder;
  /** An in-band error frame for a stream that fails after it started. */
  encodeStreamError(error: GatewayError): string;
  /** The error body of this dialect for a non-streaming failure. */
  encodeError(error: GatewayError, requestId: string): Record<string, unknown>;
}

/** The usage of an answer relayed as it is; not ok when the bytes are not a JSON object. */
export type UsageReading = { readonly ok: true; readonly usage: Usage | undefined } | { readonly ok: false };
