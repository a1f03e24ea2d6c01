import type { DialectCodec, StreamEncoderOptions } from '../dialects/codec.js';
import { jsonObjectMember } from '../dialects/shared/json-member.js';
import { GatewayError } from '../errors/index.js';
import type { ChatRequest, Dialect, Usage } from '../llm/index.js';
import type {
  ProviderAdapter,
  UpstreamFailure,
  UpstreamOutcome,
  UpstreamRequest,
  UpstreamResponse,
} from '../providers/contract.js';
import { StreamRelay, type Frame, type StreamStart } from './stream-relay.js';
import type { TimeoutSettings } from './routing-settings.js';
import type { RouteCall, Target } from './types.js';

export interface StartedStream {
  readonly relay: StreamRelay;
  /** Frames read while waiting for the first token; nothing has been sent yet. */
  readonly initial: readonly Frame[];
  /** Releases the attempt's timers and signal links; call when the stream is over. */
  readonly release: () => void;
}

export type AttemptResult =
  | { readonly type: 'failed'; readonly failure: UpstreamFailure; readonly firstTokenMs?: undefined }
  | {
      readonly type: 'json';
      readonly body: Buffer;
      readonly usage: Usage | undefined;
      readonly firstTokenMs?: undefined;
    }
  | { readonly type: 'stream'; readonly stream: StartedStream; readonly firstTokenMs: number };

/** What the caller has already received of a stream that failed, for a continuation. */
export interface SentSoFar {
  readonly text: string;
  readonly start: StreamStart;
  /** Restart the answer even on a prefill-capable target (it refused the prefill). */
  readonly restart?: boolean;
}

export interface ChatAttempt {
  readonly call: RouteCall;
  readonly target: Target;
  readonly timeouts: TimeoutSettings;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  /** The caller's request in canonical form, decoded once and only when needed. */
  readonly canonicalRequest: () => ChatRequest;
  /** Unix milliseconds by which the whole request must be over. */
  readonly deadline: number;
  /** Set when this attempt continues an answer the caller has partly received. */
  readonly continuing?: SentSoFar;
}

/** How long a finished stream may go without its terminator before the gateway writes it. */
const finishGraceMs = 1_000;

/**
 * How an attempt that does not pass the body through reaches its target: the upstream's dialect,
 * the canonical request its body is encoded from (for decoding the answer too), and whether the
 * target continues the sent text from a prefill.
 */
interface Translation {
  readonly dialect: Dialect;
  readonly request: ChatRequest;
  readonly prefill: boolean;
}

/** An attempt's own controller and the function that gives back its timers and signal link. */
interface AttemptBudget {
  readonly controller: AbortController;
  readonly release: () => void;
}

/**
 * One attempt against one target. Same dialect in and out passes the body through with only the
 * model replaced; otherwise the canonical request is encoded in the target's dialect. A
 * continuation asks a prefill-capable target to continue the sent text, and any other target to
 * answer again from the start (its beginning must then equal what was sent).
 */
export async function attemptChat(attempt: ChatAttempt): Promise<AttemptResult> {
  const { call, target, timeouts, codecs } = attempt;
  const provider = target.provider;
  let translation: Translation | undefined;
  let body: Record<string, unknown>;
  try {
    translation = translationFor(attempt);
    body =
      translation === undefined
        ? passThroughBody(call, target.model)
        : codecs[translation.dialect].encodeChatRequest(translation.request, target.model);
  } catch (error) {
    // An encoder's refusal names the field it cannot translate (`param`); keep it as it is.
    const refusal =
      error instanceof GatewayError
        ? error
        : new GatewayError('invalid_request', messageOf(error), { cause: error });
    return failed('http', refusal);
  }

  // Counted while the upstream is asked, so the count is usually ready before its first byte.
  const promptCount =
    call.stream && translation !== undefined && codecs[call.dialect].reportsPromptTokensFirst
      ? call.countPromptTokens?.(target.model).catch(() => undefined)
      : undefined;
  const startedAt = Date.now();
  const budgetMs = Math.max(1, Math.min(timeouts.attemptMs, attempt.deadline - startedAt));
  const budget = linkedController(call.signal, budgetMs);
  // A stream must show its first token within firstTokenMs; a plain answer comes whole, so only
  // the attempt's budget applies to it.
  const headersTimer = call.stream
    ? setTimeout(() => budget.controller.abort(), Math.min(timeouts.firstTokenMs, budgetMs))
    : undefined;
  const outcome = await send(
    provider,
    {
      operation: 'chat',
      dialect: translation?.dialect ?? call.dialect,
      model: target.model,
      body,
      stream: call.stream,
      headers: call.forwardHeaders,
      signal: budget.controller.signal,
    },
    budget.release,
  ).finally(() => clearTimeout(headersTimer));
  if (!outcome.ok) {
    budget.release();
    return { type: 'failed', failure: outcome.failure };
  }

  if (!call.stream) {
    const result = await readAnswer(outcome.response, budget.controller);
    budget.release();
    return result.type === 'failed' ? result : jsonAnswer(attempt, result.bytes, translation);
  }
  const relay = createRelay(attempt, outcome.response, budget.controller, translation, await promptCount);
  const began = await relay.begin(Math.max(1, startedAt + timeouts.firstTokenMs - Date.now()));
  if (!began.ok) {
    budget.release();
    const kind = began.error.code === 'upstream_timeout' ? 'timeout' : 'connect';
    return { type: 'failed', failure: { kind, error: began.error } };
  }
  return {
    type: 'stream',
    stream: { relay, initial: began.frames, release: budget.release },
    firstTokenMs: Date.now() - startedAt,
  };
}

/** Undefined when the body passes through: the target speaks the caller's dialect and no prefill is asked. */
function translationFor(attempt: ChatAttempt): Translation | undefined {
  const { call, continuing } = attempt;
  const provider = attempt.target.provider;
  const prefill = continuing !== undefined && continuing.restart !== true && provider.supportsPrefill;
  const speaksCallers = provider.dialects.includes(call.dialect);
  if (speaksCallers && !prefill) return undefined;
  const canonical = attempt.canonicalRequest();
  return {
    dialect: speaksCallers ? call.dialect : (provider.dialects[0] ?? 'openai'),
    request: prefill ? withPrefill(canonical, continuing.text) : canonical,
    prefill,
  };
}

/** A whole answer in the caller's dialect: relayed as it came, or translated. */
function jsonAnswer(
  attempt: ChatAttempt,
  bytes: Buffer,
  translation: Translation | undefined,
): AttemptResult {
  const { call, codecs } = attempt;
  const providerName = attempt.target.provider.name;
  if (translation === undefined) {
    // Relayed as it came: only its usage is read, not the whole answer.
    const reading = codecs[call.dialect].usageOfChatResponse(bytes);
    if (!reading.ok) return failed('connect', invalidResponse(providerName, 'the body is not a JSON object'));
    return { type: 'json', body: bytes, usage: reading.usage };
  }
  try {
    const response = codecs[translation.dialect].decodeChatResponse(
      JSON.parse(bytes.toString('utf8')) as unknown,
      translation.request,
    );
    const encoded = codecs[call.dialect].encodeChatResponse(response);
    return { type: 'json', body: Buffer.from(JSON.stringify(encoded)), usage: response.usage };
  } catch (error) {
    return failed('http', invalidResponse(providerName, error));
  }
}

/** The relay of a streamed answer: passed through, or re-encoded for the caller, or continuing a sent one. */
function createRelay(
  attempt: ChatAttempt,
  response: UpstreamResponse,
  controller: AbortController,
  translation: Translation | undefined,
  promptTokens: number | undefined,
): StreamRelay {
  const { call, codecs, timeouts, continuing } = attempt;
  const clientCodec = codecs[call.dialect];
  const encoderOptions = {
    includeUsage: call.includeUsage,
    model: attempt.target.model,
    ...(promptTokens === undefined ? {} : { promptTokens }),
  };
  return new StreamRelay({
    response,
    controller,
    upstreamCodec: codecs[translation?.dialect ?? call.dialect],
    ...(translation === undefined ? {} : { upstreamRequest: translation.request }),
    clientDialect: call.dialect,
    clientEncoder: translation === undefined ? undefined : clientCodec.createStreamEncoder(encoderOptions),
    stallMs: timeouts.stallMs,
    finishGraceMs: Math.min(finishGraceMs, timeouts.stallMs),
    dropUsageFrames: translation === undefined && call.dialect === 'openai' && !call.includeUsage,
    ...(continuing === undefined
      ? {}
      : {
          continuation: {
            encoder: primedEncoder(clientCodec, encoderOptions, continuing),
            skipText: translation?.prefill === true ? '' : continuing.text,
          },
        }),
  });
}

/**
 * The caller's body with only the model replaced. An OpenAI stream is always asked for its usage
 * chunk so that the request can be accounted; the relay drops that chunk again when the caller
 * did not ask for it.
 */
function passThroughBody(call: RouteCall, model: string): Record<string, unknown> {
  if (!call.stream || call.dialect !== 'openai' || call.includeUsage) return { ...call.body, model };
  const options = call.body.stream_options;
  const streamOptions = typeof options === 'object' && options !== null ? options : {};
  return { ...call.body, model, stream_options: { ...streamOptions, include_usage: true } };
}

/** The request with the sent text as a trailing assistant message, for the model to continue. */
function withPrefill(request: ChatRequest, text: string): ChatRequest {
  return {
    ...request,
    messages: [...request.messages, { role: 'assistant', content: [{ type: 'text', text }] }],
  };
}

/**
 * A client encoder in the state the caller's stream is in: it has seen the answer's start and the
 * text sent so far, so what it encodes next continues the same message (same id, same block).
 */
function primedEncoder(
  codec: DialectCodec,
  options: StreamEncoderOptions,
  sent: SentSoFar,
): ReturnType<DialectCodec['createStreamEncoder']> {
  const encoder = codec.createStreamEncoder({ ...options, model: sent.start.model });
  encoder.encode({ type: 'start', ...sent.start });
  if (sent.text !== '') encoder.encode({ type: 'text', choice: 0, text: sent.text });
  return encoder;
}

export interface EmbeddingsAttempt {
  readonly call: RouteCall;
  readonly target: Target;
  readonly timeouts: TimeoutSettings;
  readonly deadline: number;
}

/** Embeddings are OpenAI-dialect only and pass through with the model replaced. */
export async function attemptEmbeddings({
  call,
  target,
  timeouts,
  deadline,
}: EmbeddingsAttempt): Promise<AttemptResult> {
  const provider = target.provider;
  if (!provider.supportsEmbeddings || !provider.dialects.includes('openai')) {
    return failed(
      'http',
      new GatewayError(
        'invalid_request',
        `Model '${call.model}' is served by ${provider.name}, which has no embeddings.`,
        {
          status: 400,
          param: 'model',
        },
      ),
    );
  }
  const budgetMs = Math.max(1, Math.min(timeouts.attemptMs, deadline - Date.now()));
  const { controller, release } = linkedController(call.signal, budgetMs);
  const outcome = await send(
    provider,
    {
      operation: 'embeddings',
      dialect: 'openai',
      model: target.model,
      body: { ...call.body, model: target.model },
      stream: false,
      headers: call.forwardHeaders,
      signal: controller.signal,
    },
    release,
  );
  if (!outcome.ok) {
    release();
    return { type: 'failed', failure: outcome.failure };
  }
  const result = await readAnswer(outcome.response, controller);
  release();
  if (result.type === 'failed') return result;
  // An embeddings answer is mostly vectors: only its usage is parsed.
  const usage = jsonObjectMember(result.bytes, 'usage');
  if (usage.type === 'malformed') {
    return failed('connect', invalidResponse(provider.name, 'the body is not a JSON object'));
  }
  return {
    type: 'json',
    body: result.bytes,
    usage: embeddingsUsage(usage.type === 'found' ? usage.value : undefined),
  };
}

async function readAnswer(
  response: UpstreamResponse,
  controller: AbortController,
): Promise<{ type: 'ok'; bytes: Buffer } | { type: 'failed'; failure: UpstreamFailure }> {
  try {
    return { type: 'ok', bytes: await response.readAll() };
  } catch (error) {
    response.cancel();
    if (controller.signal.aborted) {
      return {
        type: 'failed',
        failure: {
          kind: 'timeout',
          error: new GatewayError('upstream_timeout', 'The upstream answer timed out.'),
        },
      };
    }
    return { type: 'failed', failure: { kind: 'connect', error: invalidResponse('the provider', error) } };
  }
}

function embeddingsUsage(usage: unknown): Usage | undefined {
  if (typeof usage !== 'object' || usage === null || !('prompt_tokens' in usage)) return undefined;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  return { inputTokens: prompt, outputTokens: 0, cachedInputTokens: 0, cacheCreationInputTokens: 0 };
}

/**
 * `provider.send`, giving the attempt's timers back if it throws (a body that cannot be
 * serialised, a bug): left running, the attempt budget's timer would keep a draining process
 * alive for up to `attemptMs`. The throw goes on to the pipeline, which answers 500.
 */
async function send(
  provider: ProviderAdapter,
  request: UpstreamRequest,
  release: () => void,
): Promise<UpstreamOutcome> {
  try {
    return await provider.send(request);
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * An attempt's own controller: aborted by the caller's signal, when the attempt's budget runs out,
 * or by the relay on a stall. `release` undoes the link and the budget timer.
 */
function linkedController(parent: AbortSignal, budgetMs: number): AttemptBudget {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  if (parent.aborted) controller.abort();
  else parent.addEventListener('abort', onAbort, { once: true });
  const budget = setTimeout(onAbort, budgetMs);
  return {
    controller,
    release: () => {
      clearTimeout(budget);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

function failed(kind: UpstreamFailure['kind'], error: GatewayError): AttemptResult {
  return { type: 'failed', failure: { kind, error } };
}

function invalidResponse(provider: string, error: unknown): GatewayError {
  return new GatewayError(
    'upstream_invalid_response',
    `Invalid response from ${provider}: ${messageOf(error)}`,
    {
      cause: error,
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
