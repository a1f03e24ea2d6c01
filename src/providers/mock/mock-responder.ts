import type { Dialect } from '../../llm/index.js';
import { buildAnswer } from './mock-answer.js';
import { anthropicMessage, anthropicStreamFrames } from './mock-anthropic-wire.js';
import {
  createBody,
  createWholeBody,
  sleep,
  type BodyEnding,
  type MockBody,
  type MockFrames,
} from './mock-body.js';
import { embeddingsBody, readEmbeddingsRequest } from './mock-embeddings.js';
import { errorBody, invalidRequestError, statusError, type MockErrorInfo } from './mock-errors.js';
import { decideFaults, type StreamFault } from './mock-fault-decision.js';
import { FaultState } from './mock-fault-state.js';
import { parseLatencyHeader } from './mock-faults.js';
import { anthropicModelsBody, mockModelNames, openaiModelsBody } from './mock-models.js';
import { openaiCompletion, openaiStreamFrames } from './mock-openai-wire.js';
import { readChatRequest } from './mock-request.js';
import { estimateTokens, hashText, toHex } from './mock-text.js';

/**
 * The mock provider's core, independent of transport: a parsed request in, a response description
 * (or a transport-level fault) out. The HTTP server and the in-process adapter both drive it.
 * Same request, same answer; the only state is which `once` faults have fired, and the clock that
 * the `down` fault and the `created` timestamps read.
 */

export type MockOperation = 'chat' | 'embeddings' | 'models';

export interface MockRequest {
  readonly dialect: Dialect;
  readonly operation: MockOperation;
  /** The parsed JSON body (ignored for `models`). */
  readonly body: unknown;
  /** Header names in lower case, as node:http and the adapter contract give them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly signal: AbortSignal;
  /** The model when the transport knows it apart from the body (an Azure deployment). */
  readonly model?: string;
}

export type MockResult =
  | {
      readonly type: 'response';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: MockBody;
      /** Present on error statuses: what the body says, for transports that do not parse it. */
      readonly error?: MockErrorInfo;
      readonly retryAfterMs?: number;
    }
  /** Close the connection before any header is written. */
  | { readonly type: 'reset' }
  /** Never answer; the transport waits until the request is aborted. */
  | { readonly type: 'hang' };

export interface MockResponder {
  respond(request: MockRequest): Promise<MockResult>;
  readonly modelNames: readonly string[];
}

export interface MockResponderOptions {
  /** Milliseconds since the epoch; the `down` fault counts from this clock's value at creation. */
  readonly now?: () => number;
}

function headerValue(headers: MockRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

function modelOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const model = (body as Record<string, unknown>).model;
  return typeof model === 'string' && model !== '' ? model : undefined;
}

function jsonHeaders(dialect: Dialect, requestId: string): Record<string, string> {
  return dialect === 'openai'
    ? { 'content-type': 'application/json', 'x-request-id': requestId }
    : { 'content-type': 'application/json', 'request-id': requestId };
}

function streamHeaders(dialect: Dialect, requestId: string): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  };
  headers[dialect === 'openai' ? 'x-request-id' : 'request-id'] = requestId;
  return headers;
}

function errorResult(
  dialect: Dialect,
  status: number,
  error: MockErrorInfo,
  signal: AbortSignal,
  extraHeaders: Readonly<Record<string, string>> = {},
  retryAfterMs?: number,
): MockResult {
  const requestId = `req_mock${toHex(hashText(error.message))}`;
  return {
    type: 'response',
    status,
    headers: { ...jsonHeaders(dialect, requestId), ...extraHeaders },
    body: createWholeBody(errorBody(dialect, error, requestId), signal),
    error,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** A whole body as the stream faults leave it: cut or stalled half way, or truncated to bad JSON. */
function faultyWholeBody(bytes: Uint8Array, fault: StreamFault | undefined, signal: AbortSignal): MockBody {
  if (fault === undefined || fault.kind === 'no-terminator') return createWholeBody(bytes, signal);
  const half = bytes.subarray(0, Math.floor(bytes.length / 2));
  if (fault.kind === 'malformed-chunk') return createWholeBody(half, signal);
  const ending = fault.kind === 'stream-cut' ? 'cut' : 'stall';
  return createBody([half], { firstDelayMs: 0, betweenDelayMs: 0, ending }, signal);
}

function streamChunks(
  frames: MockFrames,
  fault: StreamFault | undefined,
): { chunks: Uint8Array[]; ending: BodyEnding } {
  const complete = [...frames.events, frames.terminator];
  if (fault === undefined) return { chunks: complete, ending: 'complete' };
  switch (fault.kind) {
    case 'no-terminator':
      return { chunks: [...frames.events], ending: 'complete' };
    case 'malformed-chunk':
      complete.splice(Math.min(fault.value, complete.length), 0, frames.malformed);
      return { chunks: complete, ending: 'complete' };
    case 'stream-cut':
    case 'stream-stall':
      // At least the terminator is always missing, however large the count.
      return {
        chunks: complete.slice(0, Math.min(fault.value, complete.length - 1)),
        ending: fault.kind === 'stream-cut' ? 'cut' : 'stall',
      };
  }
}

export function createMockResponder(options: MockResponderOptions = {}): MockResponder {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const elapsedMs = (): number => now() - startedAt;
  const faults = new FaultState();
  const modelLists: Readonly<Record<Dialect, Uint8Array>> = {
    openai: openaiModelsBody(mockModelNames),
    anthropic: anthropicModelsBody(mockModelNames),
  };

  async function respond(request: MockRequest): Promise<MockResult> {
    const { dialect, operation, signal } = request;
    if (operation === 'models') {
      const headers = { 'content-type': 'application/json' };
      return { type: 'response', status: 200, headers, body: createWholeBody(modelLists[dialect], signal) };
    }
    const model = request.model ?? modelOf(request.body) ?? 'mock';
    const planned = faults.planFor(model, headerValue(request.headers, 'x-mock-fault'));
    if (!planned.ok) return errorResult(dialect, 400, invalidRequestError(planned.message), signal);
    const plan = planned.plan;
    const headers = request.headers;
    const latencyMs = parseLatencyHeader(headerValue(headers, 'x-mock-latency-ms')) ?? plan.latencyMs ?? 0;
    const tokenLatencyMs =
      parseLatencyHeader(headerValue(headers, 'x-mock-token-latency-ms')) ?? plan.tokenLatencyMs ?? 0;
    const key = headerValue(headers, 'x-mock-fault-key') ?? model;

    if (operation === 'embeddings') {
      if (dialect !== 'openai') {
        const message = 'The mock provider serves embeddings in the OpenAI dialect only.';
        return errorResult(dialect, 404, statusError(dialect, 404, message), signal);
      }
      const read = readEmbeddingsRequest(request.body);
      if (!read.ok) return errorResult(dialect, 400, invalidRequestError(read.message, read.param), signal);
      let characters = 0;
      for (const text of read.view.texts) characters += text.length;
      const promptTokens = estimateTokens(characters);
      const decision = decideFaults(plan, faults, { dialect, key, promptTokens, prefill: false, elapsedMs });
      await sleep(latencyMs, signal);
      if (decision.type === 'reset' || decision.type === 'hang') return { type: decision.type };
      if (decision.type === 'error') {
        return errorResult(
          dialect,
          decision.status,
          decision.error,
          signal,
          decision.headers,
          decision.retryAfterMs,
        );
      }
      await sleep(decision.firstTokenDelayMs, signal);
      const bytes = embeddingsBody(read.view, model, promptTokens);
      const requestId = `req_mock${toHex(hashText(model, promptTokens))}`;
      const body = faultyWholeBody(bytes, decision.streamFault, signal);
      return { type: 'response', status: 200, headers: jsonHeaders(dialect, requestId), body };
    }

    const read = readChatRequest(dialect, request.body);
    if (!read.ok) return errorResult(dialect, 400, invalidRequestError(read.message, read.param), signal);
    const chat = read.view;
    const prefill = chat.prefillText !== undefined;
    const decision = decideFaults(plan, faults, {
      dialect,
      key,
      promptTokens: chat.promptTokens,
      prefill,
      elapsedMs,
    });
    await sleep(latencyMs, signal);
    if (decision.type === 'reset' || decision.type === 'hang') return { type: decision.type };
    if (decision.type === 'error') {
      return errorResult(
        dialect,
        decision.status,
        decision.error,
        signal,
        decision.headers,
        decision.retryAfterMs,
      );
    }

    const answer = buildAnswer(dialect, model, chat);
    const context = { model, created: Math.floor(now() / 1000) };
    const requestId = `req_mock${answer.idSuffix}`;
    if (chat.stream) {
      const frames =
        dialect === 'openai'
          ? openaiStreamFrames(answer, context, chat.includeUsage)
          : anthropicStreamFrames(answer, context);
      const { chunks, ending } = streamChunks(frames, decision.streamFault);
      const schedule = { firstDelayMs: decision.firstTokenDelayMs, betweenDelayMs: tokenLatencyMs, ending };
      const body = createBody(chunks, schedule, signal);
      return { type: 'response', status: 200, headers: streamHeaders(dialect, requestId), body };
    }
    // A real provider sends a non-streaming answer once it has generated every token.
    await sleep(decision.firstTokenDelayMs + tokenLatencyMs * answer.outputTokens, signal);
    const bytes =
      dialect === 'openai' ? openaiCompletion(answer, context) : anthropicMessage(answer, context);
    const body = faultyWholeBody(bytes, decision.streamFault, signal);
    return { type: 'response', status: 200, headers: jsonHeaders(dialect, requestId), body };
  }

  return { respond, modelNames: mockModelNames };
}
