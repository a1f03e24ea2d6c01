import type { TimeoutsConfig } from '../config/schema.js';
import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError } from '../errors/index.js';
import type { ChatRequest, Dialect, Usage } from '../llm/index.js';
import type { UpstreamFailure, UpstreamResponse } from '../providers/contract.js';
import { StreamRelay } from './stream-relay.js';
import type { RouteCall, StreamSummary, Target } from './types.js';

export type AttemptResult =
  | { readonly type: 'failed'; readonly failure: UpstreamFailure }
  | { readonly type: 'json'; readonly body: Buffer; readonly usage: Usage | undefined }
  | {
      readonly type: 'stream';
      readonly frames: AsyncIterable<Uint8Array | string>;
      readonly summary: Promise<StreamSummary>;
    };

export interface ChatAttempt {
  readonly call: RouteCall;
  readonly target: Target;
  readonly timeouts: TimeoutsConfig;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  /** The caller's request in canonical form, decoded once and only when a target needs translation. */
  readonly canonicalRequest: () => ChatRequest;
}

/** How long a finished stream may go without its terminator before the gateway writes it. */
const finishGraceMs = 1_000;

/**
 * One attempt against one target. Same dialect in and out passes the body through with only the
 * model replaced; otherwise the canonical request is encoded in the target's dialect.
 */
export async function attemptChat(attempt: ChatAttempt): Promise<AttemptResult> {
  const { call, target, timeouts, codecs } = attempt;
  const provider = target.provider;
  const sameDialect = provider.dialects.includes(call.dialect);
  const upstreamDialect: Dialect = sameDialect ? call.dialect : (provider.dialects[0] ?? 'openai');
  let body: Record<string, unknown>;
  try {
    body = sameDialect
      ? { ...call.body, model: target.model }
      : codecs[upstreamDialect].encodeChatRequest(attempt.canonicalRequest(), target.model);
  } catch (error) {
    return failed('http', new GatewayError('invalid_request', messageOf(error), { cause: error }));
  }

  const { controller, release } = linkedController(call.signal);
  const firstTokenDeadline = Date.now() + timeouts.first_token_ms;
  // A stream must show its first token within first_token_ms; a plain answer comes whole, so only
  // the total budget applies to it.
  const headersTimer = setTimeout(
    () => controller.abort(),
    call.stream ? Math.min(timeouts.first_token_ms, timeouts.total_ms) : timeouts.total_ms,
  );
  const outcome = await provider.send({
    operation: 'chat',
    dialect: upstreamDialect,
    model: target.model,
    body,
    stream: call.stream,
    headers: call.forwardHeaders,
    signal: controller.signal,
  });
  clearTimeout(headersTimer);
  if (!outcome.ok) {
    release();
    return { type: 'failed', failure: outcome.failure };
  }

  if (!call.stream) {
    const result = await readJsonAnswer(outcome.response, controller, timeouts.total_ms);
    release();
    if (result.type === 'failed') return result;
    if (sameDialect) {
      return { type: 'json', body: result.bytes, usage: codecs[call.dialect].usageOfChatResponse(result.parsed) };
    }
    try {
      const response = codecs[upstreamDialect].decodeChatResponse(result.parsed);
      const encoded = codecs[call.dialect].encodeChatResponse(response);
      return { type: 'json', body: Buffer.from(JSON.stringify(encoded)), usage: response.usage };
    } catch (error) {
      return failed('http', invalidResponse(provider.name, error));
    }
  }

  const relay = new StreamRelay({
    response: outcome.response,
    controller,
    upstreamCodec: codecs[upstreamDialect],
    clientCodec: codecs[call.dialect],
    clientEncoder: sameDialect
      ? undefined
      : codecs[call.dialect].createStreamEncoder({ includeUsage: call.includeUsage, model: target.model }),
    stallMs: timeouts.stall_ms,
    finishGraceMs: Math.min(finishGraceMs, timeouts.stall_ms),
  });
  const started = await relay.start(Math.max(1, firstTokenDeadline - Date.now()));
  if (!started.ok) {
    release();
    const kind = started.error.code === 'upstream_timeout' ? 'timeout' : 'connect';
    return { type: 'failed', failure: { kind, error: started.error } };
  }
  let resolveSummary: (summary: StreamSummary) => void = () => undefined;
  const summary = new Promise<StreamSummary>((resolve) => {
    resolveSummary = (value) => {
      release();
      resolve(value);
    };
  });
  return { type: 'stream', frames: relay.frames(started.frames, resolveSummary), summary };
}

export interface EmbeddingsAttempt {
  readonly call: RouteCall;
  readonly target: Target;
  readonly timeouts: TimeoutsConfig;
}

/** Embeddings are OpenAI-dialect only and pass through with the model replaced. */
export async function attemptEmbeddings({ call, target, timeouts }: EmbeddingsAttempt): Promise<AttemptResult> {
  const provider = target.provider;
  if (!provider.supportsEmbeddings || !provider.dialects.includes('openai')) {
    return failed(
      'http',
      new GatewayError('invalid_request', `Model '${call.model}' is served by ${provider.name}, which has no embeddings.`, {
        status: 400,
        param: 'model',
      }),
    );
  }
  const { controller, release } = linkedController(call.signal);
  const timer = setTimeout(() => controller.abort(), timeouts.total_ms);
  const outcome = await provider.send({
    operation: 'embeddings',
    dialect: 'openai',
    model: target.model,
    body: { ...call.body, model: target.model },
    stream: false,
    headers: call.forwardHeaders,
    signal: controller.signal,
  });
  clearTimeout(timer);
  if (!outcome.ok) {
    release();
    return { type: 'failed', failure: outcome.failure };
  }
  const result = await readJsonAnswer(outcome.response, controller, timeouts.total_ms);
  release();
  if (result.type === 'failed') return result;
  return { type: 'json', body: result.bytes, usage: embeddingsUsage(result.parsed) };
}

async function readJsonAnswer(
  response: UpstreamResponse,
  controller: AbortController,
  timeoutMs: number,
): Promise<{ type: 'ok'; bytes: Buffer; parsed: unknown } | { type: 'failed'; failure: UpstreamFailure }> {
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    return { type: 'ok', bytes, parsed: JSON.parse(bytes.toString('utf8')) };
  } catch (error) {
    response.cancel();
    if (controller.signal.aborted) {
      return { type: 'failed', failure: { kind: 'timeout', error: new GatewayError('upstream_timeout', 'The upstream answer timed out.') } };
    }
    return { type: 'failed', failure: { kind: 'connect', error: invalidResponse('the provider', error) } };
  } finally {
    clearTimeout(timer);
  }
}

function embeddingsUsage(parsed: unknown): Usage | undefined {
  if (typeof parsed !== 'object' || parsed === null || !('usage' in parsed)) return undefined;
  const usage = parsed.usage;
  if (typeof usage !== 'object' || usage === null || !('prompt_tokens' in usage)) return undefined;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  return { inputTokens: prompt, outputTokens: 0, cachedInputTokens: 0, cacheCreationInputTokens: 0 };
}

/** An attempt's own controller: aborted by the caller's signal, by a timeout, or by the relay. */
function linkedController(parent: AbortSignal): { controller: AbortController; release: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  if (parent.aborted) controller.abort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return { controller, release: () => parent.removeEventListener('abort', onAbort) };
}

function failed(kind: UpstreamFailure['kind'], error: GatewayError): AttemptResult {
  return { type: 'failed', failure: { kind, error } };
}

function invalidResponse(provider: string, error: unknown): GatewayError {
  return new GatewayError('upstream_invalid_response', `Invalid response from ${provider}: ${messageOf(error)}`, {
    cause: error,
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
